"""Bilingual Arabic/English news digest generator: one module per pipeline stage (see build.py)."""
