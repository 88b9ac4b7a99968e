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

from ..report.model import Finding


class Message:
    code = ""
    kind = "message"
    severity = "error"
    template = ""

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        module = sys.modules[cls.__module__]
        cls.code = getattr(module, "CODE", cls.code)
        cls.kind = getattr(module, "KIND", cls.kind)

    def __init__(self, **args) -> None:
        self.args = args

    @property
    def text(self) -> str:
        return self.template.format(**self.args)

    def finding(self, suggestion: str | None = None, equation: str | None = None) -> Finding:
        return Finding(self.kind, self.text, suggestion, self.severity, equation, self.code)


@dataclass(frozen=True)
class Diagnosis:
    """Why a stated side is wrong, and its corrected form (SymPy), verified to hold."""

    finding: Finding
    corrected: sympy.Expr | None
