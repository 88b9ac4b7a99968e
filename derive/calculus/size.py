"""How big an expression would be once expanded, estimated without expanding it: the
equivalence prover and the diagnosis decide from these bounds whether ``expand`` or
``cancel`` is affordable (a product of 40 binomials has 2**40 terms)."""
from __future__ import annotations

import math

import sympy


def monomials_bound(e: sympy.Expr, variables: int) -> int:
    """An upper bound on the monomials of a polynomial: those of degree at most its
    degree (bounded without expanding) in that many variables."""
    def degree(x) -> int:
        if x.is_Symbol:
            return 1
        if x.is_Number:
            return 0
        if x.is_Add:
            return max(degree(t) for t in x.args)
        if x.is_Mul:
            return sum(degree(t) for t in x.args)
        if x.is_Pow and x.exp.is_Integer and x.exp >= 0:
            return degree(x.base) * int(x.exp)
        return 10 ** 6
    return math.comb(variables + min(degree(e), 10 ** 4), variables)


def expanded_terms(e: sympy.Expr, cap: int = 10**6) -> int:
    """An upper estimate of the number of terms of ``expand(e)`` (numerator and
    denominator together), capped, computed without expanding.

    >>> a, b, c = sympy.symbols("a b c")
    >>> expanded_terms((a + b) * (a + c) * (b + c))
    8
    >>> expanded_terms((a + b)**3 / (1 - c))     # 2**3 * 2: an upper bound (4 * 2)
    16
    """
    if isinstance(e, sympy.Add):
        return min(cap, sum(expanded_terms(t, cap) for t in e.args))
    if isinstance(e, sympy.Mul):
        n = 1
        for f in e.args:
            n = min(cap, n * expanded_terms(f, cap))
        return n
    if isinstance(e, sympy.Pow):
        base = expanded_terms(e.base, cap)
        if e.exp.is_Integer:
            k = abs(int(e.exp))
            return min(cap, base ** min(k, 64)) if base > 1 else 1
        return base
    if e.args and not e.is_Atom:
        return min(cap, max(expanded_terms(a, cap) for a in e.args))
    return 1
