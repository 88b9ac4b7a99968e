"""DV101 mismatch: the side is not the derivative, and no single small change explains it.

Why: when none of the diagnoses of a wrong side (DV102-DV109) finds a one-edit fix, the
verdict still stands, on a counterexample; the suggestion is then the derived gradient
itself. A later side of a chain that follows from a wrong side is reported as a chain
step that does not follow, pointing at the link before.

Example::

    \\frac{\\partial L}{\\partial w} = \\log(a) + x y + b
    -> DV101 mismatch: does not equal the derivative; no single small change explains it
       fix: x \\left(a - y\\right)
"""
from __future__ import annotations

from .base import Message

CODE = "DV101"
KIND = "mismatch"


class Mismatch(Message):
    template = "does not equal the derivative; no single small change explains it"


class ChainStep(Message):
    template = "this step does not follow from the previous side: {detail}"
