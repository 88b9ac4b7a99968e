"""How a gradient is shown: factored, signs pulled out, long products tidied piece by piece."""
from __future__ import annotations

import sympy

from .equivalence import MAX_TERMS, expanded_terms
from ..read.latex import Partial
from ..memo import Memo


def display(expr: sympy.Expr) -> sympy.Expr:
    """A textbook-looking form: factored, with signs pulled out of factors like (y - a).

    >>> a, y, x = sympy.symbols("a y x")
    >>> display(-x*(y - a))
    x*(a - y)
    """
    if not expr.has(Partial):
        expr = _tidy(expr)
    if not isinstance(expr, sympy.Mul):
        return expr
    coeff, factors = sympy.Integer(1), []
    for f in expr.args:
        base, exp = (f.base, f.exp) if isinstance(f, sympy.Pow) else (f, sympy.Integer(1))
        if f.is_Number:
            coeff *= f
        elif (isinstance(base, sympy.Add) and exp.is_integer and exp.is_odd
              and (base.could_extract_minus_sign()
                   or len(base.args) == 2 and sympy.Integer(-1) in base.args)):
            # (y - a) -> -(a - y) and (a - 1) -> -(1 - a): the forms textbooks print
            coeff, factors = -coeff, factors + [sympy.Pow(-base, exp)]
        else:
            factors.append(f)
    if coeff.is_negative:
        for i, f in enumerate(factors):
            if isinstance(f, sympy.Add) and len(f.args) == 2 and sympy.Integer(-1) in f.args:
                factors[i] = -f
                coeff = -coeff
                break
    return sympy.Mul(coeff, *factors, evaluate=False) if coeff != 1 else \
        sympy.Mul(*factors, evaluate=False)


_TIDIED = Memo(4096)

# Symbols beyond which an expression is tidied part by part: factoring a polynomial in
# many variables costs far more than its size (0.3 s for 48 terms in 20 symbols, a sum
# over the 6 units of a layer), and what it returns is the sum multiplied out, which no
# textbook prints. The bundled chapters' gradients have at most 14.
WHOLE_FACTOR_SYMBOLS = 16


def _tidy(expr: sympy.Expr) -> sympy.Expr:
    """cancel + factor; a long chain-rule product, or a sum over many units, is tidied
    factor by factor (term by term) instead, as multiplying it out is exponential in the
    depth of the network (and factoring it back costly in the number of symbols)."""
    if expr not in _TIDIED:
        whole = len(expr.free_symbols) <= WHOLE_FACTOR_SYMBOLS
        if whole and expanded_terms(expr) <= MAX_TERMS:
            tidied = sympy.factor(sympy.cancel(sympy.together(expr)))
        elif isinstance(expr, sympy.Mul):
            tidied = sympy.Mul(*[_tidy(f) for f in expr.args])
        elif isinstance(expr, sympy.Add) and not whole:
            tidied = sympy.Add(*[display(t) for t in expr.args])
        else:
            tidied = expr
        _TIDIED.put(expr, tidied)
    return _TIDIED[expr]


def gradient_order(model) -> list[sympy.Symbol]:
    """The order gradients are listed in: the nodes from the loss back, then the
    parameters from the last layer to the first."""
    nodes = list(reversed(model.order))
    params = sorted(model.parameters, key=lambda s: (-model.layers.get(s, 0), str(s)))
    return nodes + params
