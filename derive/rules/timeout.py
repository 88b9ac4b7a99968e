"""DV902 timeout: no verdict: a time limit, or a step that could not be decided.

Why: an undecided step is never turned into a pass or a mismatch. Its reason is given: a
time limit (counted in CPU time), a formula that could not be evaluated, equal at every
test point without a symbolic proof, or an incomplete model.

Example::

    -> DV902 timeout: the claim ran past its time limit (30 s for all its links, 10 s per
       comparison)
"""
from __future__ import annotations

from .base import Message

CODE = "DV902"
KIND = "timeout"


class Inconclusive(Message):
    severity = "warning"
    template = "{detail}"
