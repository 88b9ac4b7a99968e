"""DV104 missing-factor: the side lacks one small factor.

Why: the factor an author forgets is nearly always one chain-rule step, most often an
activation's derivative σ'(z); it is named as the author would write it (f'(z_k) where
that is the factor). In matrix chapters the missing factor is elementwise (⊙ f'(Z)).

Example::

    \\frac{\\partial L}{\\partial w} = a - y
    -> DV104 missing-factor: missing factor x
"""
from __future__ import annotations

import sympy

from .base import Diagnosis, Message

CODE = "DV104"
KIND = "missing-factor"
ORDER = 40


class MissingFactor(Message):
    template = "missing factor {factor}"
    math = ("factor",)


class MissingElementwiseFactor(Message):
    template = "missing elementwise factor {factor}"
    math = ("factor",)


def diagnose(dx, stated, value, target) -> Diagnosis | None:
    """target/value is a small product (at most three plain factors); or, where the
    quotient does not cancel (softmax entries), s or 1 - s of the side's own symbols."""
    if value == 0 or target == 0:
        return None
    r = dx.small_factor(target / value)
    if r is not None:
        f = dx.named(r)
        fixed = stated * f
        if dx.holds(fixed, target):
            return Diagnosis(MissingFactor(factor=sympy.latex(f)).finding(
                suggestion=dx.latex(fixed)), fixed)
    for s in sorted(stated.free_symbols, key=str)[:8]:
        for f in (1 - s, s):
            fixed = stated * f
            if dx.holds(fixed, target):
                return Diagnosis(MissingFactor(factor=sympy.latex(f)).finding(
                    suggestion=dx.latex(fixed)), fixed)
    return None




def elementwise(checker, stated):
    """The side times f'(Z) elementwise, for each activation Z of the chapter."""
    from ..model.activations import Activation, prime_class
    from ..read.latex import Hadamard, to_latex
    for node, d in checker.definitions_by_node.items():
        if isinstance(d.rhs, Activation) and node in checker.shapes and d.rhs.kind != "softmax":
            prime = prime_class(type(d.rhs))(d.rhs.args[0])
            if not stated.has(prime):
                yield Hadamard(stated, prime), MissingElementwiseFactor(factor=to_latex(prime))
