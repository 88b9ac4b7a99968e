"""DV303 extra-transpose: a transpose too many.

Why: dZ^{[2]T} A^{[1]T} where dZ^{[2]} A^{[1]T} is meant: a transpose copied from the
neighbouring formula. Each transpose of the side is removed in turn.

Example::

    dW^{[2]} = \\frac{1}{m} dZ^{[2]T} A^{[1]T}
    -> DV303 extra-transpose: shape mismatch: cannot multiply \\frac{1}{m} {dZ^{[2]}}^{T}
       (4×1) by {A^{[1]}}^{T} (4×3); extra transpose on dZ^{[2]}
"""
from __future__ import annotations

from .base import Message

CODE = "DV303"
KIND = "extra-transpose"


class ExtraTranspose(Message):
    template = "extra transpose on {name}"
    math = ("name",)


def at(stated, n):
    """The transpose n of the side removed."""
    from ..read.latex import to_latex
    return stated.xreplace({n: n.args[0]}), ExtraTranspose(name=to_latex(n.args[0]))
