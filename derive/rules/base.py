"""What every rule module shares: messages as small classes, and a diagnosis.

A message class takes its code and kind from the module that defines it (``CODE``,
``KIND``), so that one module is one kind of finding:

>>> from derive.rules.sign import Sign
>>> f = Sign().finding(suggestion="x (a - y)")
>>> (f.code, f.kind, f.severity)
('DV102', 'sign', 'error')
"""
from __future__ import annotations

import sys
from dataclasses import dataclass

import sympy

from ..prose import Prose
from ..report.model import Finding


class Message:
    """One kind of message. ``template`` is formatted with the arguments; what it puts
    between ``$`` signs and the arguments named in ``math`` are LaTeX, and so are the
    LaTeX parts of arguments that are :class:`~derive.prose.Prose` (shown as maths by
    the HTML and Markdown reports)."""

    code = ""
    kind = "message"
    severity = "error"
    template = ""
    math: tuple[str, ...] = ()

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        module = sys.modules[cls.__module__]
        cls.code = getattr(module, "CODE", cls.code)
        cls.kind = getattr(module, "KIND", cls.kind)

    def __init__(self, **args) -> None:
        self.args = args

    @property
    def text(self) -> Prose:
        return Prose.format(self.template, math=self.math, **self.args)

    def finding(self, suggestion: str | None = None, equation: str | None = None) -> Finding:
        text = self.text
        return Finding(self.kind, str(text), suggestion, self.severity, equation, self.code,
                       math=text.math)


@dataclass(frozen=True)
class Diagnosis:
    """Why a stated side is wrong, and its corrected form (SymPy), verified to hold."""

    finding: Finding
    corrected: sympy.Expr | None
