"""What is wrong with a stated matrix side: the first single edit that makes it hold.

A constant factor over every entry (DV102 sign, DV103 factor, with the m of the mean
named), then one edit at a time, each from its rule module: a missing elementwise f'(Z)
(DV104), a transpose missing, extra or misplaced (DV302-DV304), a product's order
(DV305); then a missing sum over the samples (DV306). Each candidate is proved to hold
entry by entry. The order is the search's own (the first edit that holds is named), so
it is written here, not in the modules.
"""
from __future__ import annotations

import sympy

from ..errors import CheckTimeout
from ..model.explicit import ShapeMismatch
from ..calculus.matrix_sides import matrix_values
from ..calculus.matrix_sides import shape_of as _shape_of
from ..model.explicit_model import roles_guess
from ..read.latex import Transposed, to_latex
from ..timelimit import time_limit
from . import (
    extra_transpose,
    misplaced_transpose,
    missing_factor,
    missing_transpose,
    product_order,
)
from .factor import Factor
from .missing_sum import MissingSum
from .sign import Sign


def matrix_fix(checker, claim, k: int, reference):
    """(message, corrected LaTeX) for the smallest change that makes side k equal the
    reference side (its (value, entries) pair); None when no single edit does."""
    try:
        with time_limit(checker.limit):           # a diagnosis is a search: bound it
            return _search(checker, claim.parsed[k].expr, reference)
    except CheckTimeout:
        return None


def _search(checker, stated, reference):
    want_shape = _shape_of(reference[0])
    ref_vals = reference[1]
    eq = checker.equivalence

    def holds(expr) -> bool:
        try:
            value, vals = matrix_values(checker, expr)
        except ShapeMismatch:
            return False
        if _shape_of(value) != want_shape or len(vals) != len(ref_vals):
            return False
        point = eq.points[0]
        for x, y in zip(vals, ref_vals):     # cheap rejection first
            vx, vy = eq.evaluate(x, point), eq.evaluate(y, point)
            if vx is None or vy is None or abs(vx - vy) > 1e-20 * max(1, abs(vy)):
                return False
        return all(eq.compare(x, y).equal for x, y in zip(vals, ref_vals))

    try:
        value, vals = matrix_values(checker, stated)
    except ShapeMismatch:
        value, vals = None, []
    if vals and _shape_of(value) == want_shape:
        found = _constant_factor(checker, stated, vals, ref_vals)
        if found is not None:
            return found
    for variant, message in _variants(checker, stated):
        if holds(variant):
            return message, to_latex(variant)
    want = want_shape or (1, 1)
    if value is not None and isinstance(value, sympy.MatrixBase) and \
            value.rows == want[0] and want[1] == 1 and checker.m_value and \
            value.cols == checker.m_value:
        idx = [s for s, r in roles_guess(checker).items() if r == "index"]
        if idx:
            i = idx[0]
            c_part, nc_part = (stated.args_cnc() if isinstance(stated, sympy.Mul)
                               else ([], [stated]))
            summed = sympy.Mul(*c_part) * sympy.Sum(_columns(sympy.Mul(*nc_part), i),
                                                    (i, 1, checker.samples_symbol))
            if holds(summed):
                return MissingSum(), to_latex(summed)
    return None


def _variants(checker, stated):
    """Single edits, in the order tried: a missing f'(Z) factor; the whole side
    transposed; each matrix in turn (preorder) with its transpose added or removed; each
    product with its transposes flipped, then in each other order."""
    yield from missing_factor.elementwise(checker, stated)
    yield missing_transpose.whole(stated)
    seen = set()
    for n in sympy.preorder_traversal(stated):
        if n in seen:
            continue
        if isinstance(n, Transposed):
            seen.add(n)
            yield extra_transpose.at(stated, n)
        elif isinstance(n, sympy.Symbol) and not n.is_commutative:
            seen.add(n)
            yield missing_transpose.at(stated, n)
    for mul in [n for n in sympy.preorder_traversal(stated) if isinstance(n, sympy.Mul)]:
        c_part, nc_part = mul.args_cnc()
        if len(nc_part) < 2:
            continue
        yield misplaced_transpose.at(stated, mul, c_part, nc_part)
        yield from product_order.at(stated, mul, c_part, nc_part)


def _constant_factor(checker, stated, vals, ref_vals):
    """Every entry c times the reference's (a missing 1/m shows up as m = 4)."""
    ratios = {checker.equivalence.ratio(x, y) for x, y in zip(vals, ref_vals)}
    if len(ratios) != 1 or None in ratios:
        return None
    c = ratios.pop()
    # ratio() proved every entry equal to c times the reference: the stated form divided
    # by c holds, no second proof needed
    if c == 1:
        return None
    if c == -1:
        return Sign(), to_latex(sympy.expand(-stated))
    c_sym, m = c, checker.samples_symbol
    if checker.m_value and m is not None:
        # at the explicit size m = 4 a factor 4 is the m of the mean
        c_sym = c.subs(checker.m_value, m) if c.is_Integer else c
        if c == checker.m_value:
            c_sym = m
        elif c == sympy.Rational(1, checker.m_value):
            c_sym = 1 / m
    note = f" (a missing or extra 1/m; m = {checker.m_value} here)" if c_sym != c else ""
    return Factor(factor=sympy.latex(c_sym), note=note), to_latex(stated / c_sym)


def _columns(expr, i):
    """Column i of every batch matrix in expr (for a suggested sum over samples)."""
    from ..read.latex import SampleOf
    return expr.replace(lambda x: isinstance(x, sympy.Symbol) and not x.is_commutative,
                        lambda x: SampleOf(x, i))
