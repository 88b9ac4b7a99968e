"""DV111 argument-order: a chapter function called with its arguments swapped.

Why: L(a_2, y) where the chapter defines L(y, a): read by position the step is wrong, and
the author most likely meant the defined order. Reported as inconsistent, not mismatch,
since the formula holds once the call is read as defined.

Example::

    L(y, a) = -(y \\log a + (1 - y) \\log(1 - a))
    \\frac{\\partial L}{\\partial a} = \\frac{\\partial L(a, y)}{\\partial a}
    -> DV111 argument-order: L is defined as L(y, a) but called as L(a, y): read by
       position the step does not hold; with the arguments in the defined order it does
"""
from __future__ import annotations

import itertools

import sympy

from .base import Message

CODE = "DV111"
KIND = "argument-order"


class ArgumentOrder(Message):
    template = ("{name} is defined as {defined} but called as {called}: read by position the "
                "step does not hold; with the arguments in the defined order it does")
    math = ("name", "defined", "called")


def swapped_call(checker, claim, k: int):
    """The finding for side k of the claim when another order of one call's arguments
    makes it hold (None otherwise)."""
    from ..read.latex import to_latex
    stated = claim.parsed[k].expr
    model = checker.model
    calls = [c for c in stated.atoms(sympy.core.function.AppliedUndef)
             if str(c.func) in model.functions and len(c.args) > 1]
    for call in calls:
        f = model.functions[str(call.func)]
        for perm in itertools.permutations(call.args):
            if tuple(perm) == call.args:
                continue
            fixed = stated.xreplace({call: call.func(*perm)})
            if checker.diagnoser.holds(fixed, claim.values[0]):
                defined = to_latex(sympy.Function(f.name)(*f.params))
                return ArgumentOrder(name=f.name, defined=defined,
                                     called=to_latex(call)).finding(suggestion=to_latex(fixed))
    return None
