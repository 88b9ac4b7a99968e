"""DV103 factor: the stated side is a constant times the derivative.

Why: a dropped or extra 1/m, 2 or 1/2 (from the square in a squared error) changes every
number the formula gives while leaving its shape intact, so readers rarely notice. A sum
over the samples without the mean's 1/m is this kind too.

Example::

    \\frac{\\partial L}{\\partial w} = 2 (a - y) x
    -> DV103 factor: off by a constant factor: the stated form is 2 times the derivative
       fix: x \\left(a - y\\right)
"""
from __future__ import annotations

import sympy

from .base import Diagnosis, Message

CODE = "DV103"
KIND = "factor"
ORDER = 20


class Factor(Message):
    template = "off by a constant factor: the stated form is {factor} times the derivative{note}"
    math = ("factor",)

    def __init__(self, factor: str, note: str = "") -> None:
        super().__init__(factor=factor, note=note)


class MissingMean(Message):
    template = ("a sum over the samples without the 1/m of the mean: the stated form is m "
                "times the gradient of the batch-mean cost")


def diagnose(dx, stated, value, target) -> Diagnosis | None:
    """value = c target with c a constant other than 1 and -1 (DV102)."""
    c = dx.ratio(value, target)
    if c is None or c in (1, -1):
        return None
    fixed = stated / c
    if not dx.holds(fixed, target):
        return None
    return Diagnosis(Factor(factor=sympy.latex(c)).finding(suggestion=dx.latex(fixed)), fixed)
