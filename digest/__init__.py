"""Bilingual Arabic/English news digest generator: read/ language/ translate/ site/ build/ (see ARCHITECTURE.md)."""

__version__ = "0.11.0"  # printed by `generate.py --version` and named in the feeds' <generator>
PROJECT_URL = "https://github.com/arabic-news-digest/digest"  # the project's home, also in <generator>
