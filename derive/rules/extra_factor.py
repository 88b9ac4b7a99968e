"""DV105 extra-factor: the side has one small factor too many.

Why: a chain-rule step applied twice, or a factor carried over from the next layer's
formula. Dividing by it makes the side hold.

Example::

    \\frac{\\partial L}{\\partial w} = (a - y) x w
    -> DV105 extra-factor: extra factor w
"""
from __future__ import annotations

import sympy

from .base import Diagnosis, Message

CODE = "DV105"
KIND = "extra-factor"
ORDER = 60


class ExtraFactor(Message):
    template = "extra factor {factor}"
    math = ("factor",)


def diagnose(dx, stated, value, target) -> Diagnosis | None:
    """value/target is a small product (at most three plain factors)."""
    if value == 0 or target == 0:
        return None
    r = dx.small_factor(value / target)
    if r is not None:
        f = dx.named(r)
        fixed = stated / f
        if dx.holds(fixed, target):
            return Diagnosis(ExtraFactor(factor=sympy.latex(f)).finding(
                suggestion=dx.latex(fixed)), fixed)
    return None
