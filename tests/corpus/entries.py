"""The corpus: formulas copied verbatim from public books, course notes and papers.

``formulas.json`` holds one entry per display, each with its source (``source``, ``where``,
``url``), the notation of its book (``lexicon``, a key of :mod:`corpus.lexicons`), the LaTeX
exactly as published, and what the reader must make of it, written by hand: ``chains``, one
S-expression chain per equation of the display, or ``rejected``, a piece of text the
rejection message must contain. ``reading`` says how the expectation was written: ``by
hand`` (from the rules in docs/format.md, without running the reader), ``by hand, read again
after a rule change: <why>`` (a second hand reading where the first predates a rule), or
``reviewed: <why>`` (a rejection whose construct was checked by hand against the source).
``unsure`` keeps the hand reader's doubts.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Entry:
    id: str
    book: str
    source: str
    where: str
    url: str
    lexicon: str
    latex: str
    chains: tuple[str, ...] = ()
    rejected: str = ""
    reading: str = ""
    unsure: str = ""


def _load() -> tuple[Entry, ...]:
    rows = json.loads((Path(__file__).parent / "formulas.json").read_text(encoding="utf-8"))
    return tuple(Entry(**{**row, "chains": tuple(row.get("chains", ()))}) for row in rows)


ENTRIES = _load()
