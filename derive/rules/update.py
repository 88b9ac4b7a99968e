"""DV112 update: an update rule whose step is not the loss's descent direction.

Why: w := w - η ∂L/∂w is where a gradient is used. An update that adds the gradient
climbs the loss (gradient ascent); an update with the wrong gradient trains the wrong
model. The step is checked as the derivative of the loss, and its findings kept.

Example::

    w^{(new)} = w^{(old)} + \\eta (a - y) x
    -> DV112 update: the step adds the gradient: it climbs the loss (gradient ascent);
       a descent step subtracts it
"""
from __future__ import annotations

from .base import Message

CODE = "DV112"
KIND = "update"


class Ascent(Message):
    template = ("the step adds the gradient: it climbs the loss (gradient ascent); a descent "
                "step subtracts it")


class Step(Message):
    severity = "info"
    template = ("an update of {v} with the rate {eta}: its step is -{eta} times {g}, checked "
                "as the derivative of {loss}")
    math = ("v", "eta", "g", "loss")
