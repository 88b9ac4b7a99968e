"""Markdown errata for reviewers.

One section per equation that is not verified and per chapter-level error finding: the
formula as printed (a ``latex`` code block), what is wrong, and the corrected LaTeX ready
to paste. Warnings (captions, notation) follow as a short list per chapter.
"""
from __future__ import annotations

import re
from typing import TextIO

from .model import ChapterResult, EquationResult, Finding, Report, Verdict
from ..prose import Prose
from .common import (fixes, is_latex_suggestion, numeric_text, split_formulas, split_ident,
                     summary_line, with_tag)

# Markdown's specials; a backslash is escaped only where it would escape the next character
_SPECIAL = re.compile(r"([`*_\[\]<>|#~]|\\(?=[!-/:-@\[-`{-~]))")


def _esc(text: str) -> str:
    r"""Prose with LaTeX in it, safe to print as Markdown (``_`` ``*`` ``|`` … escaped).

    >>> print(_esc(r"a_{1} \frac{1}{m} | \{"))
    a\_{1} \frac{1}{m} \| \\{
    """
    return _SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _math(latex: str) -> str:
    r"""Inline maths for GitHub and MyST: ``$…$``, on one line, with no blank next to a
    dollar, and ``|`` written ``\vert`` (a bar would end a table cell).

    >>> print(_math(r" \|w\|^2 + |a_1| "))
    $\Vert w\Vert ^2 + \vert a_1\vert$
    """
    latex = " ".join(latex.split()).replace("\\|", "\\Vert ").replace("|", "\\vert ")
    return f"${latex.strip()}$" if latex.strip() else ""


def _prose(text: str) -> str:
    """A message: its text escaped as :func:`_esc` does, its LaTeX parts as ``$…$``."""
    def text_part(piece: str) -> str:       # as _esc, keeping the blanks at its ends
        return _SPECIAL.sub(r"\\\1", re.sub(r"\s+", " ", piece))
    return "".join(_math(piece) if is_math else text_part(piece)
                   for piece, is_math in Prose.of(text).pieces()).strip()


def _ident(text: str) -> str:
    r"""An equation id: maths when it is a formula's (``\hat{a}^t``), else text."""
    head, tail = split_ident(text)
    return (_math(head) + _esc(tail)) if head else _esc(text)


def _code(text: str) -> str:
    """Inline code that survives backticks in ``text``."""
    text = " ".join(text.split())
    fence = "``" if "`" in text else "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _block(latex: str) -> str:
    """A ``latex`` code block; formulas joined by ``\\\\`` go one per line."""
    return "```latex\n" + "\n".join(split_formulas(latex) or [latex.strip()]) + "\n```\n"


def render(report: Report, stream: TextIO) -> None:
    w = stream.write
    w("# derive errata\n\n")
    w(f"{summary_line(report)}. Seed {report.seed}, numeric checks "
      f"{'on' if report.numeric else 'off'}.\n")
    if report.errors:
        w("\n## Chapters that could not be read\n\n")
        for err in report.errors:
            w(f"- {_esc(err)}\n")
    for chapter in report.chapters:
        _chapter(chapter, w)


def _chapter(chapter: ChapterResult, w) -> None:
    w(f"\n## {_esc(chapter.file)}" + (f" — {_esc(chapter.title)}" if chapter.title else "")
      + "\n\n")
    wrong = [e for e in chapter.equations if e.verdict != Verdict.VERIFIED]
    errors = [f for f in chapter.findings if f.severity == "error"]
    w(f"Convention: {chapter.convention or 'unknown'}. "
      f"{len(chapter.equations) - len(wrong)} of {len(chapter.equations)} equations verified.\n")
    if wrong:
        w("\n| equation | line | verdict | what is wrong |\n|---|---|---|---|\n")
        for e in wrong:
            w(f"| [{_ident(e.id)}](#{_anchor(chapter, e)}) | {e.line or ''} | {e.verdict} | "
              f"{_summary(e) or '—'} |\n")
    if not wrong and not errors:
        w("\nNo errata: every equation holds.\n")
    for f in errors:
        _chapter_finding(f, w)
    for e in wrong:
        _equation(chapter, e, w)
    notes = [(None, f) for f in chapter.findings if f.severity == "warning"]
    notes += [(e, f) for e in chapter.equations if e.verdict == Verdict.VERIFIED
              for f in e.findings if f.severity == "warning"]
    if notes:
        w("\n### Notes\n\n")
        for e, f in notes:
            where = f"{_ident(e.id)}: " if e is not None else ""
            fix = ""
            if f.suggestion:
                fix = (f" Fix: {_code(f.suggestion)}." if is_latex_suggestion(f)
                       else f" Suggested: {_esc(f.suggestion)}.")
            w(f"- {where}\\[{f.label}\\] {_prose(f.prose)}.{fix}\n")


def _summary(e: EquationResult) -> str:
    first = e.summary_finding
    return _prose(first.prose) if first else ""


def _anchor(chapter: ChapterResult, e: EquationResult) -> str:
    """An explicit anchor, unique in a book: two chapters may both have an equation 2.3,
    whose headings GitHub would give one anchor."""
    text = f"{chapter.file} equation {e.id}".lower().replace("/", " ").replace(".", " ")
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def _chapter_finding(f: Finding, w) -> None:
    w(f"\n### Chapter finding: {f.label}" + (f" ({_ident(f.equation)})" if f.equation else "")
      + "\n\n")
    w(f"**What is wrong:** {_prose(f.prose)}\n\n")
    if f.suggestion:
        if is_latex_suggestion(f):
            w("**Corrected (ready to paste):**\n\n" + _block(f.suggestion))
        else:
            w(f"**Suggested:** {_esc(f.suggestion)}\n")


def _equation(chapter: ChapterResult, e: EquationResult, w) -> None:
    w(f'\n<a id="{_anchor(chapter, e)}"></a>\n\n### Equation {_ident(e.id)}\n\n')
    where = (f"{e.file}, " if e.file else "") + (f"{e.where}, " if e.where else "") + \
        (f"line {e.line}, " if e.line else "")
    conv = f", read in the {e.convention} convention" if e.convention else ""
    w(f"*{e.kind}, {where}{e.verdict}{conv}*\n\n")
    w("**Printed:**\n\n" + _block(e.latex) + "\n")
    w("**What is wrong:**\n\n")
    said = False
    for f in e.findings:
        if f.severity == "info":
            continue
        w(f"- \\[{f.label}\\] {_prose(f.prose)}\n")
        said = True
    for k, link in enumerate(e.links, start=1):
        if link.verdict == Verdict.VERIFIED:
            continue
        w(f"- step {k}, {_code(link.lhs)} = {_code(link.rhs)}: {link.verdict}")
        if link.convention:
            w(f" ({link.convention})")
        msgs = [f"\\[{f.label}\\] {_prose(f.prose)}" for f in link.findings]
        w(("; " + "; ".join(msgs)) if msgs else "")
        num = numeric_text(link.numeric)
        if num and link.numeric.max_rel_error is not None:
            w(f". Numeric check: {_esc(num)}")
        w("\n")
        said = True
    for f in chapter.findings:
        if f.equation == e.id:
            w(f"- \\[{f.label}\\] {_prose(f.prose)}\n")
            said = True
    if not said:
        w(f"- {e.verdict}\n")
    suggestions = [(where, f) for where, f in fixes(e)]
    if suggestions or e.derived:
        w("\n**Corrected LaTeX (ready to paste):**\n\n")
    for where, f in suggestions:
        label = f"{where[0].upper()}{where[1:]}" if where else "The equation"
        if is_latex_suggestion(f):
            w(f"{label} ({f.label}):\n\n" + _block(f.suggestion) + "\n")
        else:
            w(f"{label} ({f.label}): {_esc(f.suggestion)}\n\n")
    if e.corrected:
        w("The whole equation, corrected (every side verified):\n\n" + _block(e.corrected))
    if e.derived:
        w("The whole gradient, as derive derives it:\n\n" + _block(with_tag(e, e.derived)))
