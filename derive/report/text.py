"""Terminal report: a table (id, verdict, one-line diagnosis), then details per finding.

Options (keyword-only; the CLI passes them): ``quiet`` prints the summary line alone,
``verbose`` prints every equation and every link with what each side was read as and its
numeric evidence, ``color`` adds ANSI colours (the CLI turns it on only for a terminal).
"""
from __future__ import annotations

from typing import TextIO

from .model import ChapterResult, EquationResult, Report
from .common import numeric_text, summary_line

MARK = {"verified": "ok", "mismatch": "MISMATCH", "inconsistent": "INCONSISTENT",
        "inconclusive": "INCONCLUSIVE", "error": "ERROR"}

# SGR codes: green, bold red, red, yellow, bold magenta
COLOR = {"verified": "32", "mismatch": "1;31", "inconsistent": "31", "inconclusive": "33",
         "error": "1;35"}


class _Pen:
    def __init__(self, on: bool) -> None:
        self.on = on

    def __call__(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.on and text else text

    def verdict(self, verdict: str, text: str | None = None) -> str:
        return self(text if text is not None else verdict, COLOR.get(verdict, "0"))

    def kind(self, kind: str) -> str:
        return self(f"[{kind}]", "36")

    def fix(self, text: str = "fix:") -> str:
        return self(text, "32")

    def dim(self, text: str) -> str:
        return self(text, "2")


def render(report: Report, stream: TextIO, *, verbose: bool = False, quiet: bool = False,
           color: bool = False) -> None:
    w = stream.write
    pen = _Pen(color)
    if quiet:
        w(summary_line(report) + "\n")
        return
    for err in report.errors:
        w(f"{pen('error:', COLOR['error'])} {err}\n")
    for chapter in report.chapters:
        _chapter(chapter, w, pen, verbose)
    w("\n" + summary_line(report) + "\n")


def _chapter(chapter: ChapterResult, w, pen: _Pen, verbose: bool) -> None:
    w(f"{chapter.file}" + (f" — {chapter.title}" if chapter.title else "") + "\n")
    w(f"convention: {chapter.convention}\n\n")
    width = max([len(e.id) for e in chapter.equations] + [2])
    w(f"  {'id'.ljust(width)}  {'verdict'.ljust(12)}  diagnosis\n")
    w(f"  {'-' * width}  {'-' * 12}  {'-' * 40}\n")
    for e in chapter.equations:
        mark = pen.verdict(e.verdict, MARK[e.verdict]) + " " * (12 - len(MARK[e.verdict]))
        w(f"  {e.id.ljust(width)}  {mark}  {_short(e.summary)}".rstrip(" ") + "\n")
    if chapter.findings:
        w("\nchapter findings:\n")
        for f in chapter.findings:
            w(f"  {pen.kind(f.label)} {f.message}\n")
            if f.suggestion:
                w(f"      {pen.fix()} {f.suggestion}\n")
    details = [e for e in chapter.equations if verbose or e.verdict != "verified"
               or any(f.severity != "info" for f in e.findings)]
    if details:
        w("\ndetails:\n")
    for e in details:
        _details(e, w, pen, verbose)
    if chapter.gradients:
        w("\nderived gradients (chain rule, cross-checked with sympy.diff):\n")
        shown = chapter.gradients if verbose else chapter.gradients[:MAX_GRADIENTS]
        for of, g in shown:
            w(f"  {of} = {g}\n")
        if len(shown) < len(chapter.gradients):
            # index notation lists one gradient per entry: the rest with --verbose
            w(f"  … and {len(chapter.gradients) - len(shown)} more (--verbose, or the JSON "
              "report)\n")
    if chapter.vectorized:
        w(f"\nvectorized forms (batch of m samples; checked entry by entry at "
          f"{chapter.vectorized_sizes}):\n")
        for v in chapter.vectorized:
            mark = "ok" if v.verdict == "verified" else v.verdict.upper()
            w(f"  {v.of} = {v.latex}    [{mark}]\n")
    w("\n")


MAX_GRADIENTS = 16       # derived gradients listed without --verbose


def _details(e: EquationResult, w, pen: _Pen, verbose: bool) -> None:
    where = (f"{e.file}, " if e.file else "") + (f"{e.where}, " if e.where else "")
    w(f"\n  {e.id} ({e.kind}, {where}line {e.line}): {pen.verdict(e.verdict)}"
      + (f", {e.convention}" if e.convention else "") + "\n")
    w(f"    printed: {e.latex}\n")
    if e.read_as:
        w(f"    read as: {e.read_as}\n")
    if e.derived:
        w(f"    derived: {e.derived}\n")
    for f in e.findings:
        if f.severity == "info" and f.kind == "notation" and not verbose:
            continue
        w(f"    {pen.kind(f.label)} {f.message}\n")
        if f.suggestion:
            w(f"        {pen.fix()} {f.suggestion}\n")
    for i, link in enumerate(e.links, start=1):
        if link.verdict == "verified" and not verbose:
            continue
        w(f"    link {i}: {link.lhs}  =  {link.rhs}\n")
        if verbose and (link.lhs_read or link.rhs_read):
            w(f"      {pen.dim('read as:')} {link.lhs_read or link.lhs}  =  "
              f"{link.rhs_read or link.rhs}\n")
        w(f"      {pen.verdict(link.verdict)}"
          + (f" ({link.convention})" if link.convention else "") + "\n")
        for f in link.findings:
            w(f"      {pen.kind(f.label)} {f.message}\n")
            if f.suggestion:
                w(f"          {pen.fix()} {f.suggestion}\n")
        if link.numeric and (verbose or link.numeric.max_rel_error is not None):
            w(f"      numeric: {numeric_text(link.numeric)}\n")
    if e.numeric and (verbose or e.numeric.max_rel_error is not None):
        w(f"    numeric ({e.numeric.convention}): {numeric_text(e.numeric)}\n")


def _short(text: str, limit: int = 100) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"
