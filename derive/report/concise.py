"""``concise``: one line per finding, ``path:line:col: CODE message`` (as ruff and mypy
print them, so editors and terminals make them clickable), then the summary line.

A finding in a notebook names its cell, ``ch.ipynb:cell 3:2:1: DV102 …``; a chapter
that could not be read is its one-line error.

>>> from derive.report import ChapterResult, EquationResult, Finding, Report
>>> f = Finding("sign", "the sign of the gradient is wrong", code="DV102")
>>> e = EquationResult("2.3", "claim", "a = b", "mismatch", line=12, column=3, findings=(f,))
>>> import io; out = io.StringIO()
>>> render(Report((ChapterResult("ch02/chapter.tex", equations=(e,)),)), out)
>>> print(out.getvalue(), end="")
ch02/chapter.tex:12:3: DV102 the sign of the gradient is wrong
1 equation: 1 mismatch
"""
from __future__ import annotations

from typing import TextIO

from .common import summary_line
from .locations import Located, located
from .model import Report


def line(place: Located) -> str:
    """``path:line:col: CODE message`` (``path:cell N:line:col: …`` in a notebook)."""
    cell = f"{place.cell}:" if place.cell else ""
    return f"{place.path}:{cell}{place.line}:{place.column}: {place.code} {place.message}"


def render(report: Report, stream: TextIO) -> None:
    for place in located(report):
        stream.write(line(place) + "\n")
    for error in report.errors:
        stream.write(" ".join(error.split()) + "\n")
    stream.write(summary_line(report) + "\n")
