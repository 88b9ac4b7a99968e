"""DV108 substitution: one variable in place of another.

Why: w2 where a1 is meant, x for a1 in the second layer: a formula copied from the layer
before keeps the wrong variable. Replacing one declared variable by another makes it hold.

Example::

    \\frac{\\partial L}{\\partial w} = (a - y) w
    -> DV108 substitution: wrong variable: with x in place of w the formula holds
"""
from __future__ import annotations

from .base import Diagnosis, Message

CODE = "DV108"
KIND = "substitution"
ORDER = 30


class Substitution(Message):
    template = "wrong variable: with {right} in place of {wrong} the formula holds"
    math = ("right", "wrong")


def diagnose(dx, stated, value, target) -> Diagnosis | None:
    """Each variable of the side replaced by each other one; a cheap numeric test at one
    point first, then the proof."""
    m = dx.d.model
    candidates = [s for s in m.roles if m.roles[s] not in ("loss", "cost", "samples", "index")]
    used = sorted(stated.free_symbols & set(candidates), key=str)
    point = dx.eq.points[0]
    want = dx.eq.evaluate(target, point)
    for u in used:
        for v in candidates:
            if v == u:
                continue
            trial = stated.xreplace({u: v})
            try:
                got = dx.eq.evaluate(dx.d.value(trial), point)
            except Exception:  # noqa: BLE001 - a candidate that cannot be evaluated
                continue
            if got is None or want is None or abs(got - want) > 1e-20 * max(1, abs(want)):
                continue
            if dx.holds(trial, target):
                return Diagnosis(Substitution(wrong=m.latex(u), right=m.latex(v)).finding(
                    suggestion=dx.latex(trial)), trial)
    return None
