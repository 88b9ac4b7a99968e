"""DV304 misplaced-transpose: the transpose on the wrong factor of a product.

Why: dZ^{[1]T} X where dZ^{[1]} X^T is meant: the author knew a transpose belonged in the
product but put it on the other factor. Every factor of one product has its transpose
flipped at once.

Example::

    dW^{[1]} = \\frac{1}{m} dZ^{[1]T} X
    -> DV304 misplaced-transpose: shape mismatch: cannot multiply ... ; misplaced
       transposes: dZ^{[1]} {X}^{T}
"""
from __future__ import annotations

import sympy

from .base import Message

CODE = "DV304"
KIND = "misplaced-transpose"


class MisplacedTranspose(Message):
    template = "misplaced transposes: {product}"
    math = ("product",)


def flip(f):
    """f^T, or f when f is a transpose."""
    from ..read.latex import Transposed
    return f.args[0] if isinstance(f, Transposed) else Transposed(f)


def at(stated, mul, c_part, nc_part):
    """Product ``mul`` (scalars c_part, matrices nc_part) with every factor flipped."""
    from ..read.latex import to_latex
    flipped = [flip(f) for f in nc_part]
    return (stated.xreplace({mul: sympy.Mul(*c_part) * sympy.Mul(*flipped)}),
            MisplacedTranspose(product=" ".join(to_latex(x) for x in flipped)))
