"""DV302 missing-transpose: a matrix that needs a transpose, or a whole side transposed.

Why: W^{[2]} dZ^{[2]} where W^{[2]T} dZ^{[2]} is meant is the classic backpropagation
slip in matrix form; with examples as columns or rows the whole right side can also come
out transposed. Each single transpose is tried; the first that makes it hold is named.

Example::

    dZ^{[1]} = W^{[2]} dZ^{[2]} \\odot (1 - A^{[1]2})
    -> DV302 missing-transpose: shape mismatch: cannot multiply W^{[2]} (1×3) by
       dZ^{[2]} (1×4); missing transpose on W^{[2]}
"""
from __future__ import annotations

from .base import Message

CODE = "DV302"
KIND = "missing-transpose"


class MissingTranspose(Message):
    template = "missing transpose on {name}"
    math = ("name",)


class WholeTransposed(Message):
    template = "the result is transposed: the whole right side needs a transpose"


def whole(stated):
    """The whole side transposed."""
    from ..read.latex import Transposed
    return Transposed(stated), WholeTransposed()


def at(stated, n):
    """Matrix n of the side transposed."""
    from ..read.latex import Transposed, to_latex
    return stated.xreplace({n: Transposed(n)}), MissingTranspose(name=to_latex(n))
