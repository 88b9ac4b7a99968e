"""Terminal report: a table (id, verdict, one-line diagnosis), then details per finding."""
from __future__ import annotations

from typing import TextIO

from ..report import ChapterResult, EquationResult, Report

MARK = {"verified": "ok", "mismatch": "MISMATCH", "inconsistent": "INCONSISTENT",
        "inconclusive": "INCONCLUSIVE", "error": "ERROR"}


def render(report: Report, stream: TextIO) -> None:
    w = stream.write
    for err in report.errors:
        w(f"error: {err}\n")
    for chapter in report.chapters:
        _chapter(chapter, w)
    counts: dict[str, int] = {}
    for c in report.chapters:
        for e in c.equations:
            counts[e.verdict] = counts.get(e.verdict, 0) + 1
    total = sum(counts.values())
    parts = ", ".join(f"{n} {v}" for v, n in sorted(counts.items()))
    w(f"\n{total} equations: {parts or 'none'}"
      + ("" if report.numeric else " (numeric checks off)") + "\n")


def _chapter(chapter: ChapterResult, w) -> None:
    w(f"{chapter.file}" + (f" — {chapter.title}" if chapter.title else "") + "\n")
    w(f"convention: {chapter.convention}\n\n")
    width = max([len(e.id) for e in chapter.equations] + [2])
    w(f"  {'id'.ljust(width)}  {'verdict'.ljust(12)}  diagnosis\n")
    w(f"  {'-' * width}  {'-' * 12}  {'-' * 40}\n")
    for e in chapter.equations:
        w(f"  {e.id.ljust(width)}  {MARK[e.verdict].ljust(12)}  {_short(e.summary)}\n")
    if chapter.findings:
        w("\nchapter findings:\n")
        for f in chapter.findings:
            w(f"  [{f.kind}] {f.message}\n")
            if f.suggestion:
                w(f"      fix: {f.suggestion}\n")
    details = [e for e in chapter.equations if e.verdict != "verified"
               or any(f.severity != "info" for f in e.findings)]
    if details:
        w("\ndetails:\n")
    for e in details:
        _details(e, w)
    if chapter.gradients:
        w("\nderived gradients (chain rule, cross-checked with sympy.diff):\n")
        for of, g in chapter.gradients:
            w(f"  {of} = {g}\n")
    w("\n")


def _details(e: EquationResult, w) -> None:
    w(f"\n  {e.id} ({e.kind}, line {e.line}): {e.verdict}"
      + (f", {e.convention}" if e.convention else "") + "\n")
    w(f"    printed: {e.latex}\n")
    if e.read_as:
        w(f"    read as: {e.read_as}\n")
    if e.derived:
        w(f"    derived: {e.derived}\n")
    for f in e.findings:
        if f.severity == "info" and f.kind == "notation":
            continue
        w(f"    [{f.kind}] {f.message}\n")
        if f.suggestion:
            w(f"        fix: {f.suggestion}\n")
    for i, link in enumerate(e.links, start=1):
        if link.verdict == "verified":
            continue
        w(f"    link {i}: {link.lhs}  =  {link.rhs}\n")
        w(f"      {link.verdict}" + (f" ({link.convention})" if link.convention else "") + "\n")
        for f in link.findings:
            w(f"      [{f.kind}] {f.message}\n")
            if f.suggestion:
                w(f"          fix: {f.suggestion}\n")
        if link.numeric and link.numeric.max_rel_error is not None:
            n = link.numeric
            extra = f", stated/expected = {n.ratio_text}" if n.ratio_text else ""
            w(f"      numeric: max rel. error {n.max_rel_error:.2e} at {n.points} points{extra}\n")
    if e.numeric and e.numeric.max_rel_error is not None:
        n = e.numeric
        w(f"    numeric ({n.convention}): max rel. error {n.max_rel_error:.2e} at "
          f"{n.points} points\n")


def _short(text: str, limit: int = 100) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"
