"""Markdown documents (and the markdown cells of Jupyter notebooks).

Read: ``$$ … $$`` blocks (on one line or several, ``\\begin{align}`` inside them) with
``\\tag``/``\\label``; MyST ```` ```{math} ```` directives and their ``:label:``, MyST
``(label)=`` targets and ``$$ … $$ (label)``; bookdown ``(\\#eq:label)``; d2l's
:eqlabel:`name` on the line after a block; inline ``$…$`` in the prose; the author's
``<!-- derive: kind [id] -->`` markers. Code blocks and HTML comments are skipped; a
notebook's code cells too. Nothing is rendered or run.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from ..errors import InputError
from .inputs import read_text
from .suppressions import is_suppression
from .document import Display, Document, Place, Prose, language_of

_FENCE = re.compile(r"^\s*(```+|~~~+)\s*(\{math\})?")
_MYST_TARGET = re.compile(r"^\s*\(([^()\s]+)\)=\s*$")
_EQLABEL = re.compile(r"^\s*:eqlabel:`([^`]+)`\s*$")
_MARKER = re.compile(r"<!--\s*derive:\s*(\S+)\s*(\S+)?\s*-->")
_INLINE = re.compile(r"(?<![\\$])\$(?!\$)((?:\\.|[^$\\])+?)(?<!\\)\$(?!\$)")


def scan_markdown(path: Path) -> Document:
    text = read_text(path, "chapter file")
    doc = Document(str(path), "markdown", files=[str(path)])
    _scan(doc, text.splitlines(), str(path), "")
    doc.language = language_of(" ".join(p.text for p in doc.prose))
    title = next((ln.lstrip("# ").strip() for ln in text.splitlines() if ln.startswith("# ")), "")
    doc.title = title
    return doc


def scan_notebook(path: Path) -> Document:
    text = read_text(path, "notebook")
    try:
        nb = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise InputError(f"not a Jupyter notebook (invalid JSON: {exc})", file=str(path)) from None
    cells = nb.get("cells") if isinstance(nb, dict) else None
    if not isinstance(cells, list):
        raise InputError("not a Jupyter notebook (no list of cells)", file=str(path))
    doc = Document(str(path), "notebook", files=[str(path)])
    for k, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "markdown":
            continue
        source = cell.get("source", "")
        if isinstance(source, list) and all(isinstance(s, str) for s in source):
            source = "".join(source)
        if not isinstance(source, str):
            raise InputError(f"cell {k}: its source is not text", file=str(path))
        _scan(doc, source.splitlines(), str(path), f"cell {k}")
        if not doc.title:
            doc.title = next((ln.lstrip("# ").strip() for ln in source.splitlines()
                              if ln.startswith("# ")), "")
    doc.language = language_of(" ".join(p.text for p in doc.prose))
    return doc


def _scan(doc: Document, lines: list[str], file: str, where: str) -> None:
    marker = None
    pending_label = None
    k = 0
    while k < len(lines):
        line = lines[k]
        fence = _FENCE.match(line)
        if fence:
            closer = fence.group(1)
            end = next((j for j in range(k + 1, len(lines))
                        if lines[j].strip().startswith(closer)), len(lines))
            if fence.group(2):                         # ```{math}: a MyST math directive
                labels, body = [], []
                for j in range(k + 1, end):
                    opt = re.match(r"^\s*:(\w+):\s*(.*)$", lines[j])
                    if opt and not body:
                        if opt.group(1) == "label":
                            labels.append(opt.group(2).strip())
                        continue
                    body.append(j)
                d = _display(lines, body, file, where)
                if d is not None:
                    d.labels += labels + ([pending_label] if pending_label else [])
                    d.marker, marker, pending_label = marker, None, None
                    _finish(doc, d)
            k = end + 1
            continue
        if line.strip().startswith("<!--"):
            end = next((j for j in range(k, len(lines)) if "-->" in lines[j]), len(lines) - 1)
            comment = " ".join(lines[k:end + 1])
            m = None if is_suppression(comment) else _MARKER.search(comment)
            if m:
                marker = (m.group(1), m.group(2))
            k = end + 1
            continue
        target = _MYST_TARGET.match(line)
        if target:
            pending_label = target.group(1)
            k += 1
            continue
        start = line.find("$$")
        if start >= 0 and not line[:start].strip().endswith("\\"):
            prefix = line[:start]
            if prefix.strip():
                _inline(doc, prefix, file, k + 1, 1, where)
            rest = line[start + 2:]
            close = rest.find("$$")
            if close >= 0:                             # $$ ... $$ on one line
                spans = [(k, start + 2, start + 2 + close)]
                after = rest[close + 2:]
                last = k
            else:
                spans = [(k, start + 2, len(line))]
                last = next((j for j in range(k + 1, len(lines)) if "$$" in lines[j]), None)
                if last is None:
                    raise InputError("$$ is never closed", file=file, line=k + 1)
                spans += [(j, 0, len(lines[j])) for j in range(k + 1, last)]
                stop = lines[last].find("$$")
                spans.append((last, 0, stop))
                after = lines[last][stop + 2:]
            d = _display_spans(lines, spans, file, where)
            labels = []
            myst = re.match(r"^\s*\(([^()\s]+)\)\s*$", after)
            if myst:
                labels.append(myst.group(1))
            elif after.strip():
                _inline(doc, after, file, last + 1, len(lines[last]) - len(after) + 1, where)
            nxt = lines[last + 1] if last + 1 < len(lines) else ""
            eqlabel = _EQLABEL.match(nxt)
            if eqlabel:
                labels.append(eqlabel.group(1))
                last += 1
            if pending_label:
                labels.append(pending_label)
            if d is not None:
                d.labels += labels
                d.marker, marker, pending_label = marker, None, None
                _finish(doc, d)
            k = last + 1
            continue
        if line.strip():
            doc.prose.append(Prose(line.strip(), Place(file, k + 1, 1, where)))
            _inline(doc, line, file, k + 1, 1, where)
        k += 1


def _display(lines, rows, file, where) -> Display | None:
    return _display_spans(lines, [(j, 0, len(lines[j])) for j in rows], file, where)


def _display_spans(lines, spans, file, where) -> Display | None:
    text, places = "", []
    for j, a, b in spans:
        piece = lines[j][a:b]
        if text:
            text += "\n"
            places.append(Place(file, j + 1, 1, where))
        text += piece
        places += [Place(file, j + 1, a + c + 1, where) for c in range(len(piece))]
    lead = len(text) - len(text.lstrip())
    body = text.strip()
    if not body:
        return None
    return Display(body, places[lead:lead + len(body)])


def _inline(doc: Document, line: str, file: str, number: int, col: int, where: str) -> None:
    for m in _INLINE.finditer(line):
        body = m.group(1)
        lead = len(body) - len(body.lstrip())
        body = body.strip()
        if not body:
            continue
        start = col + m.start(1) + lead
        d = Display(body, [Place(file, number, start + c, where) for c in range(len(body))])
        d.inline = True
        doc.displays.append(d)


def _finish(doc: Document, d: Display) -> None:
    tag = re.search(r"\\tag\*?\s*\{([^{}]*)\}", d.text)
    labels = re.findall(r"\\label\s*\{([^{}]*)\}", d.text)
    bookdown = re.findall(r"\(\\#(eq:[^)]*)\)", d.text)
    if bookdown:                                       # (\#eq:x) is no maths: take it out
        d.text = re.sub(r"\(\\#eq:[^)]*\)", lambda m: " " * len(m.group(0)), d.text)
    d.labels = labels + bookdown + d.labels
    if tag:
        d.tag = tag.group(1).strip()
        d.numbers.append(d.tag)
    d.rows.append((0, len(d.text), list(d.labels), d.tag, d.tag))
    doc.displays.append(d)
