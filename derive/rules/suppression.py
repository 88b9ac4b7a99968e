"""DV906 unused-suppression: a ``% derive: ignore[CODE]`` that accepts nothing (or a
``% derive: ignore-chapter[CODE]`` that accepts nothing in its chapter).

Why: an author accepts one finding on one equation by writing ``% derive:
ignore[CODE]`` above it (``<!-- derive: ignore[CODE] -->`` in Markdown): the finding is
kept in the report, marked suppressed, and no longer fails the check. A suppression
whose code no finding of that equation has (the formula was fixed since, or the code
is mistyped) would silently accept the next, different, error with that code; it is
reported so that it can be removed.

Example::

    % derive: ignore[DV103]
    \\frac{\\partial L}{\\partial b} = a - y \\tag{2-7}       (verified: no DV103 here)
    -> DV906 unused-suppression: derive: ignore[DV103] on line 11 accepts nothing on
       this equation; remove it
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from .base import Message

CODE = "DV906"
KIND = "unused-suppression"


class UnusedSuppression(Message):
    severity = "warning"
    template = "derive: ignore[{codes}] on line {line} accepts nothing on this equation; remove it"


class UnusedChapterSuppression(Message):
    severity = "warning"
    template = ("derive: ignore-chapter[{codes}] on line {line} of {file} accepts nothing in "
                "this chapter; remove it")


def apply(result, found: dict, chapter_wide=()):
    """The chapter's report with each suppressed finding marked (``suppressed``), and an
    unused-suppression warning for each code that marked none. ``found`` is
    {equation id: read.suppressions.Suppression}; ``chapter_wide`` the chapter's
    ``ignore-chapter`` suppressions, which accept their codes everywhere in it."""
    result = _apply_chapter_wide(result, chapter_wide)
    if not found:
        return result
    chapter_findings = list(result.findings)
    equations = []
    for e in result.equations:
        s = found.get(e.id) or found.get(e.id.split("[")[0])
        if s is None:
            equations.append(e)
            continue
        used: set = set()
        mark = _marker(set(s.codes), used)
        e = e.with_findings(mark)
        chapter_findings = [mark(f) if f.equation == e.id else f for f in chapter_findings]
        unused = [c for c in s.codes if c not in used]
        if unused:
            e = replace(e, findings=e.findings + (
                UnusedSuppression(codes=", ".join(unused), line=s.place).finding(),))
        equations.append(e)
    return replace(result, findings=tuple(chapter_findings), equations=tuple(equations))


def _apply_chapter_wide(result, suppressions):
    if not suppressions:
        return result
    used: set = set()
    mark = _marker({c for s in suppressions for c in s.codes}, used)
    equations = tuple(e.with_findings(mark) for e in result.equations)
    findings = [mark(f) for f in result.findings]
    for s in suppressions:
        unused = [c for c in s.codes if c not in used]
        if unused:
            findings.append(UnusedChapterSuppression(
                codes=", ".join(unused), line=s.place, file=Path(s.file).name).finding())
    return replace(result, findings=tuple(findings), equations=equations)


def _marker(codes: set, used: set):
    """``mark(finding)``: the finding marked suppressed when it is an error or a warning
    with one of ``codes``; each code it marks is added to ``used``."""
    def mark(f):
        if f.code in codes and f.severity in ("error", "warning"):
            used.add(f.code)
            return replace(f, suppressed=True)
        return f
    return mark

