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
    _u0**2
    """
    e = sympy.expand(e, deep=True, power_exp=True, mul=False, multinomial=False,
                     log=False, basic=False)
    names: dict[sympy.Expr, sympy.Symbol] = {}
    table = {}
    for atom in e.atoms(sympy.exp):
        coeff, mono = atom.args[0].as_coeff_Mul()
        if not coeff.is_Integer:
            return None
        if mono not in names:
            names[mono] = sympy.Symbol(f"_u{len(names)}", positive=True)
        table[atom] = names[mono] ** int(coeff)
    # tanh of anything (a recurrence composes tanh in tanh): one new variable per distinct
    # argument; the derivative's 1 - tanh^2 factors are then polynomial in them
    for k, atom in enumerate(sorted(e.atoms(sympy.tanh), key=sympy.default_sort_key)):
        table[atom] = sympy.Symbol(f"_t{k}", real=True)
    if not table:
        return None
    return e.xreplace(table)
