"""DV109 wrong-derivative: the side is the loss's derivative by another variable.

Why: ∂z/∂W printed where ∂J/∂W is meant, or ∇_u for ∇_v: the right side is a true
derivative, of the wrong thing. Naming which one tells the reader where the copy went
wrong; the fix is the derived gradient.

Example::

    \\frac{\\partial z}{\\partial w} = (a - y) x
    -> DV109 wrong-derivative: the stated form is \\frac{\\partial L}{\\partial w}: the
       derivative of another quantity or by another variable than the left side names
"""
from __future__ import annotations

from .base import Diagnosis, Message

CODE = "DV109"
KIND = "wrong-derivative"
ORDER = 50


class OtherDerivative(Message):
    template = ("the stated form is {other}: the derivative of another quantity or by "
                "another variable than the left side names")
    math = ("other",)


def diagnose(dx, stated, value, target) -> Diagnosis | None:
    """value equals ∂L/∂u for some other quantity u of the model (the first 40)."""
    m = dx.d.model
    if m.loss is None or value == 0:
        return None
    candidates = [v for v in m.order + list(m.leaves)
                  if m.roles.get(v) not in ("loss", "cost", "samples", "index", "label")]
    for u in candidates[:40]:
        try:
            g = dx.d.gradient(m.loss, u)
        except Exception:  # noqa: BLE001 - not differentiable here: no candidate
            continue
        if g == 0 or g == target:
            continue
        if dx.eq.compare(value, g).equal is True:
            other = f"\\frac{{\\partial {m.latex(m.loss)}}}{{\\partial {m.latex(u)}}}"
            return Diagnosis(OtherDerivative(other=other).finding(
                suggestion=dx.latex(dx.display(target))), target)
    return None
