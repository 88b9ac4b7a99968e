"""One self-contained HTML page: no script, no network, every formula as MathML.

Chapter-level findings come first, then a table of equations with verdict badges, then,
for each equation that is not verified, the stated formula, the derived one and the
suggested correction side by side, with each failing step and its numeric evidence.

The page is well-formed XML (polyglot HTML5), so it can be checked with any XML parser.
``standalone=False`` gives a ``<div>`` fragment with its own scoped style, for notebooks.
"""
from __future__ import annotations

import html
import re
from typing import TextIO

from .model import ChapterResult, EquationResult, Finding, Report, Verdict
from .common import (chapter_name, counts, fixes, is_latex_suggestion, numeric_text,
                     split_formulas, split_ident, summary_line, with_tag)
from .mathml import to_mathml
from ..prose import Prose

CSS = """
.derive-report { font-family: system-ui, -apple-system, "Segoe UI", "Noto Sans",
  "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Hiragino Sans GB",
  "Microsoft YaHei", "Noto Sans CJK JP", "Noto Sans CJK KR", sans-serif; line-height: 1.45; color: #1d232a; max-width: 78rem;
  margin: 0 auto; padding: 1rem 1.5rem; }
.derive-report h1 { font-size: 1.6rem; margin: .2rem 0; }
.derive-report h2 { font-size: 1.3rem; border-bottom: 2px solid #d0d7de; padding-bottom: .2rem;
  margin-top: 2rem; }
.derive-report h3 { font-size: 1.1rem; margin-top: 1.5rem; }
.derive-report h4 { font-size: 1rem; margin: 0 0 .5rem 0; }
.derive-report .meta { color: #57606a; }
.derive-report .badge { display: inline-block; padding: .05rem .5rem; border-radius: 1rem;
  font-size: .8rem; font-weight: 600; color: #fff; white-space: nowrap; }
.derive-report .badge.verified { background: #1a7f37; }
.derive-report .badge.mismatch { background: #cf222e; }
.derive-report .badge.inconsistent { background: #bc4c00; }
.derive-report .badge.inconclusive { background: #9a6700; }
.derive-report .badge.error { background: #8250df; }
.derive-report table { border-collapse: collapse; width: 100%; }
.derive-report th, .derive-report td { border-bottom: 1px solid #d0d7de; padding: .35rem .5rem;
  text-align: left; vertical-align: top; }
.derive-report td.formula { max-width: 36rem; overflow-x: auto; }
.derive-report tr.not-verified { background: #fff8f0; }
.derive-report .finding { border-left: 4px solid #d0d7de; padding: .3rem .7rem;
  margin: .5rem 0; background: #f6f8fa; }
.derive-report .finding.error { border-left-color: #cf222e; }
.derive-report .finding.warning { border-left-color: #9a6700; }
.derive-report .kind { font-family: ui-monospace, monospace; font-size: .85rem;
  color: #0550ae; }
.derive-report .detail { border: 1px solid #d0d7de; border-radius: .4rem; padding: .8rem 1rem;
  margin: 1rem 0; }
.derive-report .sides { display: grid;
  grid-template-columns: minmax(0, 2fr) minmax(0, 1fr) minmax(0, 1.3fr);
  gap: .8rem; }
.derive-report .side { background: #f6f8fa; border-radius: .3rem; padding: .5rem .7rem;
  min-width: 0; }
.derive-report .side.fix { background: #eefbf0; }
.derive-report .side h5 { margin: 0 0 .4rem 0; font-size: .8rem; text-transform: uppercase;
  letter-spacing: .04em; color: #57606a; }
.derive-report .where { font-size: .8rem; color: #57606a; }
.derive-report ol.steps li { margin: .5rem 0; }
.derive-report .math-block { overflow-x: auto; overflow-y: hidden; margin: .2rem 0;
  padding: .15rem 0; }
.derive-report td.formula { overflow-y: hidden; }
.derive-report .chain { display: grid; grid-template-columns: auto 1fr; column-gap: .4rem;
  align-items: center; }
.derive-report .chain .eq { text-align: right; }
.derive-report .chain .term { overflow-x: auto; overflow-y: hidden; padding: .15rem .2rem; }
.derive-report .chain .term.bad { background: #ffebe9; border-radius: .2rem; }
.derive-report .tag { color: #57606a; font-size: .85rem; }
.derive-report code.latex { font-size: .85rem; background: #f6f8fa; padding: 0 .2rem;
  overflow-wrap: anywhere; }
.derive-report details summary { cursor: pointer; color: #57606a; font-size: .85rem; }
.derive-report math { font-size: 1.1em; }
.derive-report .chain math, .derive-report .side math, .derive-report .math-block math {
  math-style: normal; }
@media (max-width: 60rem) { .derive-report .sides { grid-template-columns: 1fr; } }
"""


# how a step of the stated chain is shown, by its verdict
_RELATION = {Verdict.VERIFIED: "=", Verdict.MISMATCH: "≠", Verdict.INCONSISTENT: "≠",
             Verdict.INCONCLUSIVE: "=?", Verdict.ERROR: "?"}


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _anchor(i: int, j: int, e: EquationResult) -> str:
    """A unique element id for equation ``j`` of chapter ``i``."""
    return f"ch{i}-eq{j}-" + (re.sub(r"[^A-Za-z0-9_-]+", "-", e.id).strip("-") or "x")


_TAG = re.compile(r"\s*\\tag\{([^{}]*)\}\s*$")


def _math(latex: str | None, block: bool = False) -> str:
    """MathML for ``latex``; a trailing ``\\tag{id}`` is shown as ``(id)`` beside it.

    ``block`` puts it on its own line, in display style, left-aligned.
    """
    if not latex:
        return '<span class="meta">—</span>'
    if block:   # formulas joined by \\ : one line each (MathML Core has no line breaks)
        pieces = split_formulas(latex)
        if len(pieces) > 1:
            return "".join(_math(p, block=True) for p in pieces)
    tag = ""
    found = _TAG.search(latex)
    if found and found.start() > 0:
        latex = latex[:found.start()]
        tag = f' <span class="tag">({_e(found.group(1))})</span>'
    m = to_mathml(latex) + tag
    return f'<div class="math-block">{m}</div>' if block else m


def _prose(text: str) -> str:
    """A message: its text escaped, its LaTeX parts (``Prose.math``) as MathML."""
    return "".join(to_mathml(piece) if is_math else _e(piece)
                   for piece, is_math in Prose.of(text).pieces())


def _ident(ident: str) -> str:
    """An equation id: as maths when it is a formula's (common.split_ident), else text."""
    head, tail = split_ident(ident)
    return to_mathml(head) + _e(tail) if head else _e(ident)


def _badge(verdict: str) -> str:
    return f'<span class="badge {_e(verdict)}">{_e(verdict)}</span>'


def render(report: Report, stream: TextIO, *, standalone: bool = True) -> None:
    w = stream.write
    if standalone:
        w('<!DOCTYPE html>\n<html xmlns="http://www.w3.org/1999/xhtml" lang="en">\n<head>\n'
          '<meta charset="utf-8"/>\n'
          '<meta name="viewport" content="width=device-width, initial-scale=1"/>\n'
          '<meta name="generator" content="derive"/>\n'
          f"<title>derive report — {_e(summary_line(report))}</title>\n"
          f"<style>{CSS}</style>\n</head>\n<body>\n")
    else:
        w(f"<div><style>{CSS}</style>\n")
    w('<div class="derive-report">\n')
    _header(report, w)
    if report.errors:
        w('<section class="input-errors">\n<h2>Chapters that could not be read</h2>\n')
        for err in report.errors:
            w(f'<div class="finding error"><span class="kind">input</span> {_e(err)}</div>\n')
        w("</section>\n")
    if len(report.chapters) > 1:           # a book: a table of contents
        w('<nav class="contents"><h2>Chapters</h2>\n<ol>\n')
        for i, chapter in enumerate(report.chapters, start=1):
            bad = sum(e.verdict != "verified" for e in chapter.equations)
            w(f'<li><a href="#chapter-{i}">{_e(chapter.file)}</a>'
              + (f" — {_e(chapter.title)}" if chapter.title else "")
              + f' <span class="where">({len(chapter.equations)} equations, {bad} not '
              f"verified)</span></li>\n")
        w("</ol>\n</nav>\n")
    for i, chapter in enumerate(report.chapters, start=1):
        _chapter(i, chapter, w)
    w("</div>\n")
    w("</body>\n</html>\n" if standalone else "</div>\n")


def _header(report: Report, w) -> None:
    w("<header>\n<h1>derive report</h1>\n")
    badges = " ".join(f"{_badge(v)} {n}" for v, n in counts(report).items())
    w(f'<p class="summary">{badges}</p>\n')
    w(f'<p class="meta">{_e(summary_line(report))} · seed {report.seed} · numeric checks '
      f"{'on' if report.numeric else 'off'} · report version {report.version}</p>\n")
    w("</header>\n")


def _finding(f: Finding, w, show_fix: bool = True) -> None:
    w(f'<div class="finding {_e(f.severity)}"><span class="kind">{_e(f.label)}</span>'
      + (f' <span class="where">({_ident(f.equation)})</span>' if f.equation else "")
      + f" {_prose(f.prose)}")
    if f.suggestion and show_fix:
        if is_latex_suggestion(f):
            w(f'<div class="fix">fix: {_math(f.suggestion, block=True)}</div>')
        else:
            w(f'<div class="fix">suggested: {_e(f.suggestion)}</div>')
    w("</div>\n")


def _chapter(i: int, chapter: ChapterResult, w) -> None:
    w(f'<section class="chapter" id="chapter-{i}">\n')
    w(f"<h2>{_e(chapter.file)}" + (f" — {_e(chapter.title)}" if chapter.title else "")
      + "</h2>\n")
    w(f'<p class="meta">{_e(chapter_name(chapter))} · convention: '
      f"{_e(chapter.convention or 'unknown')} · chapter verdict {_badge(chapter.verdict)}</p>\n")
    if chapter.findings:
        w("<h3>Chapter findings</h3>\n")
        for f in chapter.findings:
            _finding(f, w)
    w("<h3>Equations</h3>\n<table class=\"equations\">\n<thead><tr><th>id</th><th>kind</th>"
      "<th>line</th><th>verdict</th><th>formula as printed</th><th>diagnosis</th></tr>"
      "</thead>\n<tbody>\n")
    for j, e in enumerate(chapter.equations, start=1):
        anchor = _anchor(i, j, e)
        not_ok = e.verdict != Verdict.VERIFIED
        idcell = f'<a href="#{anchor}">{_ident(e.id)}</a>' if not_ok else _ident(e.id)
        w(f'<tr class="{"not-verified" if not_ok else "verified"}">'
          f"<td>{idcell}</td><td>{_e(e.kind)}</td><td>{_e(e.line or '')}</td>"
          f"<td>{_badge(e.verdict)}</td><td class=\"formula\">{_math(e.latex)}</td>"
          f"<td>{_summary(e)}</td></tr>\n")
    w("</tbody>\n</table>\n")
    wrong = [e for e in chapter.equations if e.verdict != Verdict.VERIFIED]
    if wrong:
        w("<h3>Not verified</h3>\n")
    for j, e in enumerate(chapter.equations, start=1):
        if e.verdict != Verdict.VERIFIED:
            _detail(_anchor(i, j, e), chapter, e, w)
    if chapter.gradients:
        w("<h3>Derived gradients</h3>\n"
          '<p class="meta">chain rule, cross-checked with sympy.diff</p>\n<ul class="gradients">\n')
        for of, g in chapter.gradients:
            w(f"<li>{_math(f'{of} = {g}')}</li>\n")
        w("</ul>\n")
    w("</section>\n")


def _summary(e: EquationResult) -> str:
    first = e.summary_finding
    return _prose(first.prose) if first else ""


def _detail(anchor: str, chapter: ChapterResult, e: EquationResult, w) -> None:
    w(f'<article class="detail" id="{anchor}">\n')
    conv = f", {_e(e.convention)}" if e.convention else ""
    w(f"<h4>{_ident(e.id)} {_badge(e.verdict)} <span class=\"where\">{_e(e.kind)}, line "
      f"{_e(e.line)}{conv}</span></h4>\n")
    w('<div class="sides">\n<div class="side stated"><h5>Stated</h5>')
    _stated(e, w)
    if e.read_as:
        w(f'<details><summary>read as</summary>{_math(e.read_as, block=True)}</details>')
    w("</div>\n")
    w(f'<div class="side derived"><h5>Derived</h5>{_math(e.derived, block=True)}</div>\n')
    w('<div class="side fix"><h5>Suggested correction</h5>')
    suggestions = fixes(e)
    for where, f in suggestions:
        label = f'<div class="where">{_e(where or "the equation")} ({_e(f.label)})</div>'
        if is_latex_suggestion(f):
            w(label + _math(f.suggestion, block=True))
        else:
            w(label + f"<p>{_e(f.suggestion)}</p>")
    if e.derived:
        w('<div class="where">the whole gradient</div>' + _math(with_tag(e, e.derived), True))
    if not suggestions and not e.derived:
        w('<span class="meta">—</span>')
    w("</div>\n</div>\n")
    said = [f for f in e.findings if f.severity != "info"]
    said += [f for f in chapter.findings if f.equation == e.id]
    for f in said:
        _finding(f, w, show_fix=False)
    bad = [(k, link) for k, link in enumerate(e.links, start=1)
           if link.verdict != Verdict.VERIFIED]
    if bad:
        w('<ol class="steps">\n')
        for k, link in bad:
            conv = f" ({_e(link.convention)})" if link.convention else ""
            w(f'<li value="{k}">step {k}: {_math(f"{link.lhs} = {link.rhs}")} '
              f"{_badge(link.verdict)}{conv}")
            for f in link.findings:
                _finding(f, w, show_fix=False)
            num = numeric_text(link.numeric)
            if num:
                w(f'<div class="where">numeric: {_e(num)}</div>')
            w("</li>\n")
        w("</ol>\n")
    num = numeric_text(e.numeric)
    if num:
        w(f'<p class="where">numeric ({_e(e.numeric.convention)}): {_e(num)}</p>\n')
    w("</article>\n")


def _stated(e: EquationResult, w) -> None:
    """The printed chain one side per row, each failing step marked; else the formula."""
    if not e.links:
        w(_math(e.latex, block=True))
        return
    w('<div class="chain">')
    w(f'<span class="eq"></span><div class="term">{_math(e.links[0].lhs)}</div>')
    for k, link in enumerate(e.links, start=1):
        bad = link.verdict != Verdict.VERIFIED
        title = f"step {k}: {link.verdict}"
        w(f'<span class="eq" title="{_e(title)}">{_RELATION.get(link.verdict, "=")}</span>'
          f'<div class="term{" bad" if bad else ""}" title="{_e(title)}">'
          f"{_math(link.rhs)}</div>")
    w("</div>")
    tag = re.search(r"\\tag\{([^}]*)\}", e.latex)
    if tag:
        w(f'<div class="tag">({_e(tag.group(1))})</div>')
