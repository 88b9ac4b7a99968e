"""DV308 index: indices that do not fit their entries.

Why: in index notation (w_{jk}, δ_j) a formula can be right for every entry except that
two indices are swapped or one names the wrong layer's unit. The instance that fails is
found, and the index change that makes the step hold at every index value is given.

Example::

    \\frac{\\partial C}{\\partial w_{jk}} = a_j \\delta_k
    -> DV308 index: a_{j} \\delta_{k} where a_{k} \\delta_{j} is needed: with it the step
       holds at every index value (...)
"""
from __future__ import annotations

from .base import Message

CODE = "DV308"
KIND = "index"


class Indices(Message):
    template = "{detail}"


class IndexFix(Message):
    template = ("{old} where {new} is needed: with it the step holds at every index value "
                "({what})")
    math = ("old", "new")
