"""``github``: GitHub Actions workflow commands, one annotation per finding
(``::error file=…,line=…,col=…,title=…::message``), shown on the pull request's diff.

Severities map to the commands ``error`` and ``warning``; the values are escaped as the
runner reads them (``%``, carriage return and newline in the message; also ``:`` and
``,`` in the properties).

>>> from derive.report import ChapterResult, EquationResult, Finding, Report
>>> f = Finding("factor", "a factor 1/m, 50%", code="DV103", suggestion="x")
>>> e = EquationResult("2.3", "claim", "a = b", "mismatch", line=12, column=3, findings=(f,))
>>> import io; out = io.StringIO()
>>> render(Report((ChapterResult("ch02/chapter.tex", equations=(e,)),)), out)
>>> print(out.getvalue(), end="")
::error file=ch02/chapter.tex,line=12,col=3,title=derive DV103 (2.3)::a factor 1/m, 50%25 (fix: x)
"""
from __future__ import annotations

from typing import TextIO

from .locations import located
from .model import Report


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(report: Report, stream: TextIO) -> None:
    for place in located(report):
        command = "error" if place.severity == "error" else "warning"
        title = f"derive {place.code}" + (f" ({place.equation})" if place.equation else "")
        props = {"file": place.path, "line": place.line, "col": place.column, "title": title}
        text = place.message
        if place.finding.suggestion:
            text += f" (fix: {' '.join(place.finding.suggestion.split())})"
        stream.write(f"::{command} " + ",".join(f"{k}={escape_property(str(v))}"
                                               for k, v in props.items())
                     + f"::{escape_data(text)}\n")
    for error in report.errors:
        stream.write(f"::error title=derive::{escape_data(' '.join(error.split()))}\n")
