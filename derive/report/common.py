"""What several formats share: counts, the summary line, test cases, failure text.

Everything here reads the :class:`~derive.report.Report`; nothing recomputes a verdict.

A *case* is one unit a test runner understands: each ``=`` (link) of a claim, each
definition, and a claim that could not be split into links. JUnit and the pytest plugin
both use them, so the two always agree.

>>> from derive.report import ChapterResult, EquationResult, LinkResult
>>> e = EquationResult(id="2", kind="claim", latex="a = b = c", verdict="mismatch",
...                    links=(LinkResult("a", "b", "verified"), LinkResult("b", "c", "mismatch")))
>>> [(c.name, c.verdict) for c in cases(ChapterResult(file="ch.tex", equations=(e,)))]
[('2 link 1', 'verified'), ('2 link 2', 'mismatch')]
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

from .model import (ChapterResult, EquationResult, Finding, LinkResult, NumericEvidence,
                      Report, Verdict)

# findings whose suggestion is prose (a caption, "write z_1 throughout"), not LaTeX
PROSE_SUGGESTION_KINDS = frozenset({"notation", "caption"})


def is_latex_suggestion(finding: Finding) -> bool:
    """True when ``finding.suggestion`` is a formula (LaTeX) rather than prose."""
    return bool(finding.suggestion) and finding.kind not in PROSE_SUGGESTION_KINDS


def counts(report: Report) -> dict[str, int]:
    """Equations per verdict, worst verdict first; verdicts with no equation left out."""
    out = {v: 0 for v in Verdict.ORDER}
    for chapter in report.chapters:
        for e in chapter.equations:
            out[e.verdict] = out.get(e.verdict, 0) + 1
    return {v: n for v, n in out.items() if n}


def summary_line(report: Report) -> str:
    """One line: ``14 equations: 3 inconsistent, 11 verified``."""
    c = counts(report)
    total = sum(c.values())
    parts = ", ".join(f"{n} {v}" for v, n in c.items())
    line = f"{total} equation{'' if total == 1 else 's'}: {parts or 'none'}"
    if not report.numeric:
        line += " (numeric checks off)"
    accepted = sum(e.accepted for chapter in report.chapters for e in chapter.equations)
    if accepted:
        line += f"; {accepted} suppressed"
    if report.errors:
        n = len(report.errors)
        line += f"; {n} chapter{'' if n == 1 else 's'} could not be read"
    return line


def chapter_name(chapter: ChapterResult) -> str:
    """A short name for a chapter: its folder (``ch08-two-layer-bce``)."""
    p = Path(chapter.file)
    return p.parent.name or p.stem or chapter.file


@dataclass(frozen=True)
class Case:
    name: str                      # '8-14 link 2', 'z_2', '8-19'
    equation: EquationResult
    link: LinkResult | None = None
    index: int | None = None       # 1-based link number

    @property
    def verdict(self) -> str:
        return self.link.verdict if self.link is not None else self.equation.verdict


def cases(chapter: ChapterResult) -> list[Case]:
    """One case per claim link, one per definition, one per claim without links.

    A claim whose links all hold but whose own verdict does not (a cross-check, routes
    that disagree) gets one more case for the equation, so no verdict is lost.
    """
    out: list[Case] = []
    for e in chapter.equations:
        if e.kind == "claim" and e.links:
            out.extend(Case(f"{e.id} link {k}", e, link, k)
                       for k, link in enumerate(e.links, start=1))
            if e.verdict != Verdict.VERIFIED and all(
                    link.verdict == Verdict.VERIFIED for link in e.links):
                out.append(Case(e.id, e))
        else:
            out.append(Case(e.id, e))
    return out


def numeric_text(n: NumericEvidence | None) -> str | None:
    """``max rel. error 9.69e-01 at 96 points, stated/expected = 1/m at m=32``, or None."""
    if n is None:
        return None
    if n.max_rel_error is None or (isinstance(n.max_rel_error, float)
                                   and not math.isfinite(n.max_rel_error)):
        text = f"no finite error measured at {n.points} points"
    else:
        text = f"max rel. error {n.max_rel_error:.2e} at {n.points} points"
    if n.ratio_text:
        text += f", stated/expected = {n.ratio_text}"
    if n.note:
        text += f" ({n.note})"
    return text


def case_findings(chapter: ChapterResult, case: Case) -> list[Finding]:
    """The findings that explain a case: the link's, else the equation's (no info)."""
    if case.link is not None:
        found = list(case.link.findings)
        if not found:   # a failing link with nothing said about it: fall back on the equation
            found = [f for f in case.equation.findings if f.severity == "error"]
        return found
    found = [f for f in case.equation.findings if f.severity != "info"]
    found += [f for f in chapter.findings if f.equation == case.equation.id]
    return found


def failure_message(chapter: ChapterResult, case: Case) -> str:
    """One line for a failing case: its first error finding, else its verdict."""
    found = case_findings(chapter, case)
    for sev in ("error", "warning", "info"):
        for f in found:
            if f.severity == sev:
                return " ".join(f.message.split())
    return f"{case.name}: {case.verdict}"


def failure_text(chapter: ChapterResult, case: Case) -> str:
    """Several lines: what the case states, how it was read, what is wrong, the fix."""
    e = case.equation
    head = f"{case.name}: {case.verdict}"
    conv = case.link.convention if case.link is not None else e.convention
    if conv:
        head += f" ({conv})"
    lines = [head, f"  file:    {e.file or chapter.file}" + (f", {e.where}" if e.where else "")
             + (f", line {e.line}" if e.line else "")]
    if case.link is not None:
        lines.append(f"  step:    {case.link.lhs} = {case.link.rhs}")
        if case.link.lhs_read or case.link.rhs_read:
            lines.append(f"  read as: {case.link.lhs_read or case.link.lhs} = "
                         f"{case.link.rhs_read or case.link.rhs}")
    else:
        lines.append(f"  printed: {e.latex}")
        if e.read_as:
            lines.append(f"  read as: {e.read_as}")
    if e.derived:
        lines.append(f"  derived: {e.derived}")
    for f in case_findings(chapter, case):
        lines.append(f"  [{f.label}] {f.message}")
        if f.suggestion:
            lines.append(f"  fix:     {f.suggestion}")
    num = numeric_text(case.link.numeric if case.link is not None else e.numeric)
    if num:
        lines.append(f"  numeric: {num}")
    return "\n".join(lines)


def fixes(e: EquationResult) -> list[tuple[str, Finding]]:
    """Distinct suggestions for one equation, each with where it applies.

    Returns (``where``, finding) pairs: ``where`` is ``""`` for the equation itself or
    ``"step 1"``, ``"steps 1, 2"`` for links (the same fix proposed by several links is
    listed once).
    """
    out: list[tuple[list[int], Finding]] = []
    seen: dict[tuple[str, str], int] = {}
    for f in e.findings:
        if f.suggestion and f.severity != "info":
            key = (f.kind, f.suggestion)
            if key not in seen:
                seen[key] = len(out)
                out.append(([], f))
    for k, link in enumerate(e.links, start=1):
        for f in link.findings:
            if not f.suggestion:
                continue
            key = (f.kind, f.suggestion)
            if key in seen:
                out[seen[key]][0].append(k)
            else:
                seen[key] = len(out)
                out.append(([k], f))
    result = []
    for steps, f in out:
        if not steps:
            where = ""
        elif len(steps) == 1:
            where = f"step {steps[0]}"
        else:
            where = "steps " + ", ".join(map(str, steps))
        result.append((where, f))
    return result


def split_formulas(latex: str) -> list[str]:
    r"""Several formulas joined by a top-level ``\\`` (a LaTeX line break), one by one.

    >>> split_formulas(r"a = b \\ c = \frac{1}{2}")
    ['a = b', 'c = \\frac{1}{2}']
    """
    if "\\begin" in latex:
        return [latex]
    parts, depth, start, i = [], 0, 0, 0
    while i < len(latex):
        ch = latex[i]
        if ch == "\\" and latex.startswith("\\\\", i) and depth == 0:
            parts.append(latex[start:i])
            i += 2
            start = i
            continue
        if ch == "\\":
            i += 2           # an escaped character or a command's first letter
            continue
        depth += ch == "{"
        depth -= ch == "}"
        i += 1
    parts.append(latex[start:])
    return [p.strip() for p in parts if p.strip()]


def with_tag(e: EquationResult, latex: str) -> str:
    r"""``latex`` with the printed equation's ``\tag{id}`` added, when it had one."""
    tag = f"\\tag{{{e.id}}}"
    if tag in e.latex and tag not in latex:
        return f"{latex} {tag}"
    return latex


def needs_detail(e: EquationResult) -> bool:
    """Not verified, or carrying a warning or error worth reading."""
    return e.verdict != Verdict.VERIFIED or any(f.severity != "info" for f in e.findings)


_FORMULA_ID = re.compile(r"\\[A-Za-z]|[\^{}]")
_ID_SUFFIX = re.compile(r"(?::=)?(?:\[\d+\])?$")


def split_ident(ident: str) -> tuple[str, str]:
    r"""An equation id cut into (formula, suffix) when it is a formula's own LaTeX, the
    quantity a definition defines (``\hat{a}^t``, ``Z^{[1]}[2]``); ("", id) for a label
    (``8-14``, ``eq:loss_fn``, ``line-12``). Only LaTeX markup (a command, ``^``, braces)
    makes it a formula: a label with an underscore stays text.

    >>> split_ident(r"\hat{a}^t"), split_ident("Z^{[1]}[2]"), split_ident("eq:loss_fn")
    (('\\hat{a}^t', ''), ('Z^{[1]}', '[2]'), ('', 'eq:loss_fn'))
    """
    tail = _ID_SUFFIX.search(ident).group(0)
    head = ident[:len(ident) - len(tail)]
    return (head, tail) if _FORMULA_ID.search(head) else ("", ident)
