"""LaTeX documents: a chapter file as the author keeps it.

Read: the display environments ``equation``, ``align``, ``gather``, ``multline``,
``eqnarray``, ``flalign``, ``alignat`` (starred too, with ``split``/``aligned`` inside),
``\\[ \\]``, ``$$ $$`` and ``displaymath``; inline ``$…$`` and ``\\(…\\)``; ``\\label``,
``\\tag``, ``\\nonumber``/``\\notag`` and the printed numbers (counted as LaTeX counts
them: per document, or within sections or chapters with ``\\numberwithin`` or a
``book``/``report`` class, after ``\\setcounter``); ``\\intertext``; comments, and the
``% derive:`` markers among them; ``\\input``, ``\\include`` and ``\\subfile`` of files
inside the book's folder (never outside, nothing run); the document's macros
(:mod:`derive.read.macros`). Figures, tables, code listings and the like are skipped.
"""
from __future__ import annotations

import re
from pathlib import Path

from ..errors import InputError
from .inputs import inside, read_text
from .suppressions import is_suppression
from .document import MAX_BOOK_BYTES, MAX_INCLUDED_FILES, Display, Document, Prose, Source, \
    language_of
from .macros import Macros

MATH_ENVS = {"equation", "align", "gather", "multline", "eqnarray", "flalign", "alignat",
             "displaymath", "math", "dmath"}
ROWED = {"align", "gather", "eqnarray", "flalign", "alignat"}      # a number per row
FIGURES = {"figure", "figure*", "wrapfigure"}     # their display formulas are read, not labels
SKIPPED = {"table", "tabular", "tabularx", "longtable", "verbatim", "Verbatim",
           "lstlisting", "minted", "comment", "tikzpicture", "algorithm", "algorithmic",
           "algorithm2e", "filecontents", "thebibliography", "pycode", "python"}
_MARKER = re.compile(r"^\s*%\s*derive:\s*(\S+)\s*(\S+)?\s*$")
_INCLUDE = re.compile(r"\\(input|include|subfile)\s*\{([^{}]+)\}")
_EVENT = re.compile(
    r"\\begin\s*\{(?P<env>[A-Za-z]+\*?)\}|\\\[|\$\$|\\\(|(?<!\\)\$|"
    r"\\(?P<sec>chapter|section)\*?\s*(?:\[[^\]]*\])?\s*\{|"
    r"\\numberwithin\s*\{equation\}\s*\{(?P<within>[A-Za-z]+)\}|"
    r"\\setcounter\s*\{(?P<counter>[A-Za-z]+)\}\s*\{(?P<value>-?\d+)\}|"
    r"\\documentclass\s*(?:\[[^\]]*\])?\s*\{(?P<cls>[A-Za-z]+)\}")


def _strip_comment(line: str) -> tuple[str, tuple[str, str | None] | None]:
    """The line without its comment, and a ``derive:`` marker if the comment is one."""
    backslashes = 0
    for k, ch in enumerate(line):
        if ch == "%" and backslashes % 2 == 0:
            m = None if is_suppression(line[k:]) else _MARKER.match(line[k:])
            return line[:k], ((m.group(1), m.group(2)) if m else None)
        backslashes = backslashes + 1 if ch == "\\" else 0
    return line, None


class _Reader:
    def __init__(self, root: Path, allow_outside: bool) -> None:
        self.root = root
        self.allow_outside = allow_outside
        self.source = Source()
        self.markers: list[tuple[int, tuple[str, str | None]]] = []
        self.files: list[str] = []
        self.bytes = 0

    def read_file(self, path: Path, stack: tuple[str, ...] = ()) -> None:
        key = str(path.resolve())
        if key in stack:
            raise InputError(f"{path.name} includes itself (through {' → '.join(stack)})",
                             file=str(path))
        if len(self.files) >= MAX_INCLUDED_FILES:
            raise InputError(f"more than {MAX_INCLUDED_FILES} files included", file=str(path))
        text = read_text(path, "chapter file")
        self.bytes += len(text)
        if self.bytes > MAX_BOOK_BYTES:
            raise InputError(f"the files of this document are larger than "
                             f"{MAX_BOOK_BYTES // 2 ** 20} MB together", file=str(path))
        self.files.append(str(path))
        for n, raw in enumerate(text.splitlines(), start=1):
            line, marker = _strip_comment(raw)
            if marker is not None:
                self.markers.append((self.source.length, marker))
            col = 1
            for m in _INCLUDE.finditer(line):
                self.source.add(line[col - 1:m.start()], str(path), n, col)
                self.include(path, m.group(2).strip(), n, (*stack, key))
                col = m.end() + 1
            self.source.add(line[col - 1:] + "\n", str(path), n, col)

    def include(self, parent: Path, name: str, line: int, stack: tuple[str, ...]) -> None:
        target = parent.parent / name
        if not target.suffix:
            target = target.with_suffix(".tex")
        try:
            inside(target, self.root, "included file", allow_outside=self.allow_outside)
        except InputError as exc:
            raise InputError(f"\\input{{{name}}}: {exc.message}", file=str(parent),
                             line=line) from None
        self.read_file(target, stack)


def scan_latex(path: Path, root: Path, *, allow_outside: bool = False) -> Document:
    reader = _Reader(root, allow_outside)
    reader.read_file(path)
    src = reader.source
    text = src.text
    doc = Document(str(path), "latex", files=reader.files)
    macros = Macros()
    macros.define_all(text, str(path))
    begin = text.find(r"\begin{document}")
    start = begin + len(r"\begin{document}") if begin >= 0 else 0
    end = text.find(r"\end{document}")
    end = end if end >= 0 else len(text)
    title = re.search(r"\\(?:title|chapter|section)\*?\s*\{([^{}]*)\}", text)
    doc.title = title.group(1).strip() if title else ""
    counters = {"chapter": 0, "section": 0, "equation": 0}
    within = None
    cls = re.search(r"\\documentclass\s*(?:\[[^\]]*\])?\s*\{(\w+)\}", text[:max(start, 0)])
    if cls and cls.group(1) in ("book", "report", "memoir", "scrbook", "scrreprt"):
        within = "chapter"
    numbered = re.search(r"\\numberwithin\s*\{equation\}\s*\{([A-Za-z]+)\}", text[:max(start, 0)])
    if numbered:
        within = numbered.group(1)
    markers = list(reader.markers)
    figures = [(m.start(), text.find(rf"\end{{{m.group(1)}}}", m.end()))
               for m in re.finditer(r"\\begin\s*\{(figure\*?|wrapfigure)\}", text)]
    i = start
    prose_from = start
    while i < end:
        m = _EVENT.search(text, i, end)
        if m is None:
            break
        if m.group("sec"):
            counters[m.group("sec")] += 1
            if m.group("sec") == "chapter":
                counters["section"] = 0
            if within == m.group("sec"):
                counters["equation"] = 0
            i = m.end()
            continue
        if m.group("within"):
            within = m.group("within")
            i = m.end()
            continue
        if m.group("counter"):
            if m.group("counter") in counters:
                counters[m.group("counter")] = int(m.group("value"))
            i = m.end()
            continue
        if m.group("cls"):
            i = m.end()
            continue
        env = m.group("env")
        opened = m.group(0)
        if env is not None:
            base = env.rstrip("*")
            close = text.find(rf"\end{{{env}}}", m.end(), end)
            if base in SKIPPED:
                if close < 0:
                    break
                doc.notes.append(f"skipped the {env} at {src.place(m.start()).line}")
                _prose(doc, src, text, prose_from, m.start())
                i = prose_from = close + len(rf"\end{{{env}}}")
                continue
            if base not in MATH_ENVS:
                i = m.end()
                continue
            if close < 0:
                raise InputError(f"\\begin{{{env}}} is never closed", file=src.place(m.start()).file,
                                 line=src.place(m.start()).line)
            body_start, body_end, after = m.end(), close, close + len(rf"\end{{{env}}}")
            inline = base == "math"
        else:
            closer = {"\\[": "\\]", "$$": "$$", "\\(": "\\)", "$": "$"}[opened]
            close = _closing(text, m.end(), end, closer)
            if close < 0:
                raise InputError(f"{opened} is never closed", file=src.place(m.start()).file,
                                 line=src.place(m.start()).line)
            body_start, body_end, after = m.end(), close, close + len(closer)
            base, env = ("inline", None) if opened in ("$", "\\(") else ("display", None)
            inline = opened in ("$", "\\(")
        if inline and any(a < m.start() < b for a, b in figures):
            i = after                    # a label in a figure's drawing or caption: no formula
            continue
        _prose(doc, src, text, prose_from, m.start())
        marker = None
        while markers and markers[0][0] <= m.start():
            marker = markers.pop(0)[1]
        display = _display(src, text, body_start, body_end, macros, str(path))
        display.inline = inline
        display.marker = None if inline and marker is None else marker
        _number(display, env, counters, within)
        doc.displays.append(display)
        i = prose_from = after
    _prose(doc, src, text, prose_from, end)
    doc.language = language_of(" ".join(p.text for p in doc.prose))
    return doc


def _closing(text: str, i: int, end: int, closer: str) -> int:
    while True:
        k = text.find(closer, i, end)
        if k < 0 or closer != "$" or text[k - 1] != "\\":
            return k
        i = k + 1


def _prose(doc: Document, src: Source, text: str, a: int, b: int) -> None:
    offset = a
    for line in text[a:b].split("\n"):
        stripped = line.strip()
        if stripped and not stripped.startswith("\\") or re.search(r"\\(?:eqref|ref)\{", line):
            doc.prose.append(Prose(stripped, src.place(offset + line.find(stripped))))
        offset += len(line) + 1


def _display(src: Source, text: str, a: int, b: int, macros: Macros, where: str) -> Display:
    body = text[a:b]
    places = src.places(a, b)
    # \intertext{...}: words between rows, a row break for the formula
    for m in reversed(list(re.finditer(r"\\(?:short)?intertext\s*\{[^{}]*\}", body))):
        body = body[:m.start()] + "\\\\" + " " * (m.end() - m.start() - 2) + body[m.end():]
    body, places = macros.expand_placed(body, places, where)
    # trailing and leading blank characters carry no place worth keeping
    lead = len(body) - len(body.lstrip())
    body_s = body.strip()
    return Display(body_s, places[lead:lead + len(body_s)])


def _rows(text: str) -> list[tuple[int, int]]:
    """Spans of the top-level rows (``\\\\`` outside braces and inner environments)."""
    rows, depth, env, start, k = [], 0, 0, 0, 0
    while k < len(text):
        if text.startswith("\\begin", k):
            env += 1
        elif text.startswith("\\end", k):
            env -= 1
        elif text[k] == "{" and (k == 0 or text[k - 1] != "\\"):
            depth += 1
        elif text[k] == "}" and (k == 0 or text[k - 1] != "\\"):
            depth -= 1
        elif text.startswith("\\\\", k) and depth == 0 and env == 0:
            rows.append((start, k))
            k += 2
            m = re.match(r"\s*\[[^\]]*\]", text[k:])      # \\[1ex]
            k += m.end() if m else 0
            start = k
            continue
        k += 1
    rows.append((start, len(text)))
    return [(a, b) for a, b in rows if text[a:b].strip()]


def _number(display: Display, env: str | None, counters: dict, within: str | None) -> None:
    """Labels, tags and the printed numbers of a display, row by row."""
    text = display.text
    base = (env or "").rstrip("*")
    starred = bool(env) and env.endswith("*") or env is None
    spans = _rows(text) if base in ROWED else [(0, len(text))]
    for a, b in spans:
        row = text[a:b]
        labels = re.findall(r"\\label\s*\{([^{}]*)\}", row)
        bookdown = re.findall(r"\(\\#(eq:[^)]*)\)", row)
        tag = re.search(r"\\tag\*?\s*\{([^{}]*)\}", row)
        number = None
        unnumbered = starred or re.search(r"\\(?:nonumber|notag)\b", row) or display.inline
        if tag:
            number = tag.group(1).strip()
        elif not unnumbered:
            counters["equation"] += 1
            prefix = f"{counters[within]}." if within in ("chapter", "section") else ""
            number = f"{prefix}{counters['equation']}"
        display.rows.append((a, b, labels + bookdown, tag.group(1).strip() if tag else None,
                             number))
        display.labels += labels + bookdown
        if tag and display.tag is None:
            display.tag = tag.group(1).strip()
        if number is not None:
            display.numbers.append(number)
