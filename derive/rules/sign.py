"""DV102 sign: the stated side is the negative of the derivative.

Why: the most common slip in a printed gradient, (y - a) where (a - y) is meant, often
from a loss written with its minus sign moved. The fix negates the side and is itself
checked to hold.

Example::

    \\frac{\\partial L}{\\partial w} = (y - a) x
    -> DV102 sign: wrong sign: the stated form is the negative of the derivative
       fix: - x \\left(- a + y\\right)
"""
from __future__ import annotations

from .base import Diagnosis, Message

CODE = "DV102"
KIND = "sign"
ORDER = 10            # tried first among the diagnoses of a wrong side


class Sign(Message):
    template = "wrong sign: the stated form is the negative of the derivative"


def diagnose(dx, stated, value, target) -> Diagnosis | None:
    """value = -target, proved by the equivalence checker's ratio."""
    if dx.ratio(value, target) != -1:
        return None
    fixed = -stated
    if not dx.holds(fixed, target):
        return None
    return Diagnosis(Sign().finding(suggestion=dx.latex(fixed)), fixed)
