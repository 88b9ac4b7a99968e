"""DV305 product-order: the factors of a matrix product in the wrong order.

Why: X^T dZ^{[1]} where dZ^{[1]} X^T is meant: matrix products do not commute, and an
author thinking in scalars writes them in the order the chain rule names them. Each other
order of one product is tried, also with one factor's transpose flipped.

Example::

    dW^{[1]} = \\frac{1}{m} X^T dZ^{[1]}
    -> DV305 product-order: shape mismatch: cannot multiply ... ; wrong product order:
       dZ^{[1]} {X}^{T}
"""
from __future__ import annotations

import itertools

import sympy

from .base import Message
from .misplaced_transpose import flip

CODE = "DV305"
KIND = "product-order"


class ProductOrder(Message):
    template = "wrong product order: {product}"
    math = ("product",)


class ProductOrderTranspose(Message):
    template = "wrong product order and transpose: {product}"
    math = ("product",)


def at(stated, mul, c_part, nc_part):
    """Each other order of product ``mul``'s matrix factors, each also with one factor's
    transpose flipped."""
    from ..read.latex import to_latex
    for perm in itertools.permutations(nc_part):
        if list(perm) == nc_part:
            continue
        new = sympy.Mul(*c_part) * sympy.Mul(*perm)
        yield (stated.xreplace({mul: new}),
               ProductOrder(product=" ".join(to_latex(f) for f in perm)))
        for idx in range(len(perm)):          # order and transposes together
            flipped = list(perm)
            flipped[idx] = flip(perm[idx])
            new = sympy.Mul(*c_part) * sympy.Mul(*flipped)
            yield (stated.xreplace({mul: new}),
                   ProductOrderTranspose(product=" ".join(to_latex(x) for x in flipped)))
