"""Every finding an author has to act on, with where it is in the author's source file:
what the ``concise``, ``github``, ``gitlab`` and ``sarif`` formats list.

A finding is listed when its severity is ``error`` or ``warning`` and the author did
not suppress it (``info`` notes, such as how a formula was read, and suppressed
findings are in the full reports only), at its equation's place: the
file the block is in (an ``\\input`` file, or the chapter's), the notebook cell, the
line, and the column of the formula's first character (1 when not known). A chapter
finding that names no equation is at the chapter file's first line.

>>> from derive.report import ChapterResult, EquationResult, Finding
>>> f = Finding("sign", "the sign is wrong", code="DV102")
>>> e = EquationResult("2.3", "claim", "a = b", "mismatch", line=12, column=3, findings=(f,))
>>> [(p.path, p.line, p.column, p.code) for p in located(Report((ChapterResult("ch.tex", equations=(e,)),)))]
[('ch.tex', 12, 3, 'DV102')]
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

from .model import EquationResult, Finding, Report

LISTED = ("error", "warning")


@dataclass(frozen=True)
class Located:
    path: str
    line: int
    column: int
    finding: Finding
    equation: str | None = None      # the equation's id
    cell: str | None = None          # a notebook's "cell 3"

    @property
    def code(self) -> str:
        return self.finding.code or "DV000"

    @property
    def message(self) -> str:
        """The finding's message on one line."""
        return " ".join(self.finding.message.split())

    @property
    def severity(self) -> str:
        return self.finding.severity

    @property
    def fingerprint(self) -> str:
        """The same finding at the same equation keeps it, wherever its line moves."""
        key = "\0".join((self.path, self.equation or "", self.code, self.message))
        return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def located(report: Report) -> Iterator[Located]:
    """The listed findings of every chapter, in the report's order."""
    for chapter in report.chapters:
        by_id = {e.id: e for e in chapter.equations}
        for f in chapter.findings:
            if f.severity not in LISTED or f.suppressed:
                continue
            e = by_id.get(f.equation) if f.equation else None
            yield _at(chapter.file, e, f) if e is not None else Located(chapter.file, 1, 1, f)
        for e in chapter.equations:
            seen = set()
            for f in e.all_findings:
                if f.severity in LISTED and not f.suppressed and (f.code, f.message) not in seen:
                    seen.add((f.code, f.message))     # one per equation, not per link
                    yield _at(chapter.file, e, f)


def _at(chapter_file: str, e: EquationResult, f: Finding) -> Located:
    return Located(e.file or chapter_file, e.line or 1, e.column or 1, f, e.id, e.where)
