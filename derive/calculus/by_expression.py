r"""A derivative with respect to an expression: Rong's ∂E/∂(v'^T_{w_j} h).

Papers differentiate by the quantity an expression computes ("the net input of the output
unit w_j") without naming it. Read literally: write E through the model down to its
leaves, replace the expression g by a new variable u wherever it occurs, and differentiate
by u, everything else held:

    E = F(u, rest)  with  u = g      =>      ∂E/∂g := ∂F/∂u  at u = g.

This is well defined when some variable s of g (∂g/∂s ≠ 0) occurs in E only inside g:
then ∂E/∂s = ∂F/∂u · ∂g/∂s, so ∂F/∂u = (∂E/∂s) / (∂g/∂s), a value that does not depend
on how E was rewritten. That variable is what the numeric route moves (finite differences
of E and of g by s). When no such variable exists (E uses every variable of g also
outside g) the derivative is not determined by the notation, and the step is reported as
such (:class:`~derive.errors.CannotEvaluate`), never guessed.

>>> a, b, c = sympy.symbols("a b c")
>>> by_expression(sympy.log(a * b) + c * b, a * b)
(1/(a*b), a)
"""
from __future__ import annotations

import sympy

from ..prose import Prose
from ..errors import CannotEvaluate


def by_expression(full: sympy.Expr, g: sympy.Expr) -> tuple[sympy.Expr, sympy.Symbol]:
    """(∂full/∂g, the variable s of g that occurs in ``full`` only inside g); ``full`` and
    ``g`` written in the same variables (the model's leaves)."""
    u = sympy.Dummy("u")
    replaced = full.subs(g, u)
    if not replaced.has(u):
        shown = sympy.latex(g)
        raise CannotEvaluate(Prose.format("the derivative by ${g}$: the quantity "
                                          "differentiated is not written through ${g}$",
                                          g=shown))
    for s in sorted(g.free_symbols, key=str):
        if not replaced.has(s) and sympy.diff(g, s) != 0:
            return sympy.diff(replaced, u).subs(u, g), s
    shown = sympy.latex(g)
    raise CannotEvaluate(f"the derivative by {shown} is not determined: every variable of "
                         f"{shown} also occurs outside it")
