"""DV901 parse: a block that could not be read.

Why: a formula is accepted only when every token of it was read. An unknown symbol, a
construct derive does not know, a claim without a derivative of the loss on its left:
the block is reported as an error with the token and a fix, and nothing in it is checked.

Example::

    w^{(new)} = w^{(old)} - \\eta (a - y) x      (no \\eta in the manifest)
    -> DV901 parse: unknown symbol '\\eta': declare it in the manifest's [symbols] table
       (or as an alias)
"""
from __future__ import annotations

from .base import Message

CODE = "DV901"
KIND = "parse"


class Parse(Message):
    template = "{detail}"


class NoTarget(Message):
    template = ("a claim's first side must be a derivative of the loss, "
                "$\\frac{{\\partial L}}{{\\partial v}}$; found {lhs}")
    math = ("lhs",)
