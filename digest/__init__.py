"""Bilingual Arabic/English news digest generator: one module per pipeline stage (see build.py)."""

__version__ = "0.11.0"  # printed by `generate.py --version` and named in the feeds' <generator>
PROJECT_URL = "https://github.com/arabic-news-digest/digest"  # the project's home, also in <generator>
