"""DV301 shape: shapes that do not fit: a product of matrices that cannot be formed, or
sides of different shapes.

Why: in a vectorized chapter a formula with the wrong shape cannot be a gradient at all,
whatever its entries. When one edit (a transpose, the order of a product, a sum over the
samples) makes the shapes fit and the formula hold, that edit's own rule is reported
instead (DV302-DV306); otherwise this one, with both shapes.

Example::

    dW^{[2]} = \\frac{1}{m} dZ^{[2]}
    -> DV301 shape: shape mismatch: the left side is 1×3, the right side 1×4
"""
from __future__ import annotations

from .base import Message

CODE = "DV301"
KIND = "shape"


class Shape(Message):
    template = "{detail}"


class ShapeMismatch(Message):
    template = "shape mismatch: {detail}"


class SidesDiffer(Message):
    template = "shape mismatch: the left side is {left}, the right side {right}"


class Declared(Message):
    template = "{node} is declared {declared} but its definition is {defined}"
    math = ("node",)
