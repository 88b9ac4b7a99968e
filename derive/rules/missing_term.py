"""DV106 missing-term: the side lacks one term.

Why: a path of the chain rule left out (in a recurrence, the path through the next time
step), or a term of the loss forgotten (- y in a - y). Adding the term makes it hold; only
a short term names an error, since any difference is trivially "the missing term".

Example::

    \\frac{\\partial L}{\\partial z} = a
    -> DV106 missing-term: missing term - y
"""
from __future__ import annotations

import sympy

from .base import Diagnosis, Message

CODE = "DV106"
KIND = "missing-term"
ORDER = 70

# A short term (at most 8 operations) multiplies out to fewer terms than this unless it
# is a power of a long sum, such as the cube of a 7-term sum: a difference whose
# numerator is longer is not factored (on a long side that takes seconds) and names no
# missing term.
MAX_EXPANDED_TERMS = 64


class MissingTerm(Message):
    template = "missing term {term}"
    math = ("term",)


def diagnose(dx, stated, value, target) -> Diagnosis | None:
    """target - value is one term not among the side's own (negated) terms, or a sum that
    factors into one short term in the nodes' names (tanh(a_2) written h_2)."""
    missing = sympy.expand(sympy.cancel(target - value))
    if missing == 0:
        return None
    if not isinstance(missing, sympy.Add):
        if -missing in sympy.Add.make_args(sympy.expand(value)):
            return None                  # the side has that term, negated: DV107
        fixed = stated + missing
        if dx.holds(fixed, target):
            return Diagnosis(MissingTerm(term=sympy.latex(missing)).finding(
                suggestion=dx.latex(fixed)), fixed)
        return None
    try:
        difference = sympy.cancel(dx.d.abstract(target) - dx.d.abstract(value))
        numerator = sympy.fraction(difference)[0]
        term = sympy.factor(difference) if len(sympy.Add.make_args(
            sympy.expand(numerator))) <= MAX_EXPANDED_TERMS else missing
    except Exception:  # noqa: BLE001 - no common form: no diagnosis of this kind
        term = missing
    if not isinstance(term, sympy.Add) and sympy.count_ops(term) <= 8:
        fixed = stated + term
        if dx.holds(fixed, target):
            return Diagnosis(MissingTerm(term=sympy.latex(term)).finding(
                suggestion=dx.latex(fixed)), fixed)
    return None
