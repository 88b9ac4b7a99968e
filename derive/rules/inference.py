"""DV905 inference: what derive inferred about a chapter that has no manifest entry for it.

Why: a LaTeX or Markdown chapter without a manifest (or with a short one) has its roles,
layers and graph inferred from the text. Each inference is reported, so that the reader
can see what the verdicts rest on and pin it in the manifest if it is wrong.

Example::

    -> DV905 inference: inferred W^{[1]} is a weight (layer 1)
"""
from __future__ import annotations

from .base import Message

CODE = "DV905"
KIND = "inference"


class Inferred(Message):
    severity = "info"
    template = "inferred {note}"
