"""Placeholder until the corpus is written (see tests/corpus/__init__.py)."""
ENTRIES: list = []
