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


def normalised(e: sympy.Expr) -> sympy.Expr | None:
    """``e`` with every normalising sum of exponentials S = e^{z_1} + … + e^{z_K} (a
    softmax's denominator) taken as a scale T and K − 1 shares: e^{z_j} = p_j T for j < K,
    e^{z_K} = (1 − p_1 − … − p_{K−1}) T. The map z -> (p, T) is one to one onto the open
    simplex times T > 0, so an identity of the result in p and T (a rational function,
    where each S is just T) is one of ``e``. This is how a softmax identity is proved at
    K = 10 without putting products of ten-term sums over one denominator. None when
    there is no such sum, when two sums share an exponential, or when an exponent's
    variables also occur outside the exponentials replaced.

    >>> z1, z2, z3 = sympy.symbols("z1 z2 z3")
    >>> S = sympy.exp(z1) + sympy.exp(z2) + sympy.exp(z3)
    >>> sympy.cancel(normalised(sympy.exp(z1) / S + sympy.exp(z2) / S + sympy.exp(z3) / S - 1))
    0
    """
    tables = _shares(e)
    return None if tables is None else e.xreplace(tables[0])


def as_shares(e: sympy.Expr):
    """``(normalised(e), inverse)`` with ``inverse`` the substitution back (p_j -> e^{z_j}/S,
    T -> S), or None: to cancel a softmax expression in shares and write the result in the
    chapter's variables again."""
    tables = _shares(e)
    if tables is None:
        return None
    return e.xreplace(tables[0]), tables[1]


def _shares(e: sympy.Expr):
    sums = [s for s in e.atoms(sympy.Add)
            if len(s.args) >= 2 and all(isinstance(t, sympy.exp) for t in s.args)]
    if not sums:
        return None
    table: dict = {}
    inverse: dict = {}
    for k, s in enumerate(sorted(sums, key=sympy.default_sort_key)):
        terms = sorted(s.args, key=sympy.default_sort_key)
        if any(t in table for t in terms):
            return None
        scale = sympy.Symbol(f"_T{k}", positive=True)
        shares = [sympy.Symbol(f"_p{k}_{j}", positive=True) for j in range(len(terms) - 1)]
        for t, p in zip(terms, shares):
            table[t] = p * scale
            inverse[p] = t / s
        table[terms[-1]] = (1 - sympy.Add(*shares)) * scale
        inverse[scale] = s
    # e^{-z_j} (a 1/a_j written out) and other integer powers of a replaced exponential
    by_exponent = {t.args[0]: v for t, v in table.items()}
    for atom in e.atoms(sympy.exp):
        if atom in table:
            continue
        for exponent, value in by_exponent.items():
            c = atom.args[0] / exponent
            if c.is_Integer:
                table[atom] = value ** int(c)
                break
    inside = set().union(*(t.args[0].free_symbols for t in table))
    if e.xreplace(table).free_symbols & inside:
        return None
    return table, inverse
