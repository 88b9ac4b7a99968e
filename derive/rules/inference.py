"""DV905 inference: what derive inferred about a chapter that has no manifest entry for it.

Why: a LaTeX or Markdown chapter without a manifest (or with a short one) has its roles,
layers and graph inferred from the text. Each inference is reported, so that the reader
can see what the verdicts rest on and pin it in the manifest if it is wrong.

Example::

    $z = w x + b$ in a Markdown chapter without a manifest
    -> DV905 inference: inferred z: weighted input — defined as a weighted sum (line 3)
"""
from __future__ import annotations

from .base import Message

CODE = "DV905"
KIND = "inference"


class Inferred(Message):
    severity = "info"
    template = "inferred {note}"
