"""Exponentials and tanh as variables: softmax sums and recurrences cancel as rational
functions. Replacing a function's values by independent variables proves only true
identities (the true values are one assignment of the variables); it may miss some."""
from __future__ import annotations

import sympy


def exp_as_generators(e: sympy.Expr) -> sympy.Expr | None:
    """``e`` with each exponential written as a power of a new positive variable per
    monomial of its exponent: e^{w x + b} = u_1 u_2, e^{-z} = u_3^{-1}. An identity of
    the result is one of ``e`` (it holds for every value of the u, so also at the
    exponentials'); softmax sums then cancel as rational functions. None when some
    exponent has a fractional coefficient.

    >>> z, w = sympy.symbols("z w")
    >>> exp_as_generators(sympy.exp(z + 2 * w) * sympy.exp(-z))
    _u1**2
    """
    names: dict[sympy.Expr, sympy.Symbol] = {}
    table = {}
    # each exponential by itself (its exponent expanded into monomials), not the whole
    # expression expanded: e^{c + V h} = u_c u_{Vh}, the rest of e left as it is
    for atom in sorted(e.atoms(sympy.exp), key=sympy.default_sort_key):
        value = sympy.Integer(1)
        for term in sympy.Add.make_args(sympy.expand(atom.args[0])):
            coeff, mono = term.as_coeff_Mul()
            if not coeff.is_Integer:
                return None
            if mono not in names:
                names[mono] = sympy.Symbol(f"_u{len(names)}", positive=True)
            value *= names[mono] ** int(coeff)
        table[atom] = value
    # tanh of anything (a recurrence composes tanh in tanh): one new variable per distinct
    # argument; the derivative's 1 - tanh^2 factors are then polynomial in them
    for k, atom in enumerate(sorted(e.atoms(sympy.tanh), key=sympy.default_sort_key)):
        table[atom] = sympy.Symbol(f"_t{k}", real=True)
    if not table:
        return None
    return e.xreplace(table)


def rational_zero(e: sympy.Expr, max_terms: int) -> bool:
    """True when ``e``, a rational function of its symbols, is identically zero: its
    numerator over one common denominator vanishes as a polynomial (sparse arithmetic;
    the denominator, a product of the parts' denominators, is not zero where e is
    defined). False when not, or when the numerator has more than ``max_terms`` terms.

    >>> u, v = sympy.symbols("u v", positive=True)
    >>> rational_zero(u / (u + v) + v / (u + v) - 1, 100)
    True
    >>> rational_zero(u / (u + v) - 1, 100)
    False
    """
    from .size import expanded_terms, monomials_bound
    numerator, _ = sympy.fraction(sympy.together(e))
    free = sorted(numerator.free_symbols, key=str)
    if not free:
        return numerator == 0
    if not numerator.is_polynomial(*free) or min(
            expanded_terms(numerator), monomials_bound(numerator, len(free))) > max_terms:
        return False
    return polynomial_zero(numerator, free)


def polynomial_zero(p: sympy.Expr, free) -> bool:
    """``p``, a polynomial in ``free``, is zero: in a sparse polynomial ring over the
    rationals (several times faster than a Poly), else as a Poly.

    >>> x, y = sympy.symbols("x y")
    >>> polynomial_zero((x + y)**2 - x**2 - 2*x*y - y**2, [x, y])
    True
    """
    from sympy.polys.polyerrors import CoercionFailed
    from sympy.polys.rings import ring
    try:
        R, *_ = ring(list(free), sympy.QQ)
        return R(p) == 0
    except (CoercionFailed, ValueError, TypeError):
        return sympy.Poly(p, *free).is_zero
