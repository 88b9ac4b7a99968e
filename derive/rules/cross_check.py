"""DV205 cross-check: a chain-rule gradient that a second derivation does not confirm.

Why: every claim is judged against the gradients derive derives itself, so those must be
right. Each is derived again another way: sympy.diff of the composed loss, or, in deep
models (where that costs the cube of the depth), one chain-rule step per definition by
sympy.diff (calculus.frontier.step_check, linear in the depth). A disagreement is a bug in
derive or an input it misread, and is reported, never silent.

Example (only on a bug)::

    -> DV205 cross-check: the chain-rule gradient dL/dw disagrees with sympy.diff of the
       composed loss: ...
"""
from __future__ import annotations

import sympy

from ..calculus.display import gradient_order
from ..calculus.frontier import shown_gradient, step_check
from .base import Message

CODE = "DV205"
KIND = "cross-check"
ORDER = 10
BEFORE_CLAIMS = True
MODELS = ("scalar",)
BESIDE = True          # needs nothing the claims compute: a spare CPU runs it beside them
# the cross-check differentiates the composed loss up to this many definitions; beyond,
# where that costs the cube of the depth, it accumulates forward through the definitions
COMPOSED_CROSS_CHECK_NODES = 12


class CrossCheck(Message):
    template = "the chain-rule gradient $d{loss}/d{var}$ disagrees with {route}: {detail}"


class CrossCheckUndecided(Message):
    severity = "warning"
    template = ("the chain-rule gradient $d{loss}/d{var}$ could not be confirmed against "
                "{route}: {detail}")


def check(checker, claims) -> None:
    """Every gradient of the loss (also listed in the report) against a second route."""
    m, derivation = checker.model, checker.derivation
    forward = len(m.definitions) > COMPOSED_CROSS_CHECK_NODES
    route = ("one chain-rule step per definition by sympy.diff" if forward
             else "sympy.diff of the composed loss")
    for v in gradient_order(m):
        g = derivation.loss_grads.get(v)
        if g is None:
            continue
        checker.gradients.append(
            (f"\\frac{{\\partial {m.latex(m.loss)}}}{{\\partial {m.latex(v)}}}",
             sympy.latex(shown_gradient(derivation, v, g))))
        try:
            if forward:
                cmp = step_check(derivation, checker.equivalence, v)
            else:
                # sympy.diff of the composed loss, written back in the nodes' names
                direct = derivation.abstract(derivation.direct_gradient(v), keep=v)
                cmp = checker.equivalence.compare(g, direct)
        except Exception as exc:  # noqa: BLE001 - reported, never silent
            cmp = None
            detail = f"{type(exc).__name__}: {exc}"
        else:
            detail = cmp.detail
        args = dict(loss=m.latex(m.loss), var=m.latex(v), route=route, detail=detail)
        if cmp is not None and cmp.equal is None:
            checker.add(CrossCheckUndecided(**args).finding())
        elif cmp is None or cmp.equal is not True:
            checker.add(CrossCheck(**args).finding())
