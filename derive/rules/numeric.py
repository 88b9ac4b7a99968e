"""DV903 numeric: the symbolic and the numeric route disagree.

Why: every verdict has two independent routes, SymPy's proof and NumPy's finite
differences. When they disagree neither is trusted: the step is left inconclusive with
both measurements, never given the verdict of one.

Example::

    -> DV903 numeric: the symbolic and numeric routes disagree (symbolic: verified,
       numeric: max relative error 0.31 read as per-sample); no verdict is given
"""
from __future__ import annotations

from .base import Message

CODE = "DV903"
KIND = "numeric"


class RoutesDisagree(Message):
    severity = "warning"
    template = "the symbolic and numeric routes disagree ({detail}); no verdict is given"
