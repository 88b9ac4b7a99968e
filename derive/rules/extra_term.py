"""DV107 extra-term: the side has one term too many.

Why: a term kept from another formula (a regularizer's λw in a gradient without it), or a
term whose sign was flipped and so counts twice. Removing it makes the side hold.

Example::

    \\frac{\\partial L}{\\partial b} = a - y + x
    -> DV107 extra-term: extra term x
"""
from __future__ import annotations

import sympy

from .base import Diagnosis, Message

CODE = "DV107"
KIND = "extra-term"
ORDER = 80


class ExtraTerm(Message):
    template = "extra term {term}"
    math = ("term",)


def diagnose(dx, stated, value, target) -> Diagnosis | None:
    """value - target is one of the side's own terms; or, where the difference does not
    cancel (softmax entries), dropping one printed term (of at most 8) makes it hold."""
    missing = sympy.expand(sympy.cancel(target - value))
    if missing != 0 and not isinstance(missing, sympy.Add) and \
            -missing in sympy.Add.make_args(sympy.expand(value)):
        fixed = stated + missing
        if dx.holds(fixed, target):
            return Diagnosis(ExtraTerm(term=sympy.latex(-missing)).finding(
                suggestion=dx.latex(fixed)), fixed)
    terms = sympy.Add.make_args(stated)
    if 1 < len(terms) <= 8:
        for t in terms:
            fixed = stated - t
            if dx.holds(fixed, target):
                return Diagnosis(ExtraTerm(term=sympy.latex(t)).finding(
                    suggestion=dx.latex(fixed)), fixed)
    return None
