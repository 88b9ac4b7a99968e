"""Reads a chapter file: LaTeX as printed, cut into blocks by ``% derive:`` marker comments.

>>> items = parse_chapter_text('''
... % derive: definition
... z = w x + b
... % derive: claim
... \\\\frac{\\\\partial L}{\\\\partial w} = x \\\\tag{3-1}
... % derive: caption 3-1
... Gradient of the loss with respect to the weight w
... ''', "demo.tex")
>>> [(i.kind, i.id) for i in items]
[('definition', 'z'), ('claim', '3-1'), ('caption', '3-1')]
>>> items[1].body
'\\\\frac{\\\\partial L}{\\\\partial w} = x'
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from .suppressions import is_suppression

KINDS = ("definition", "graph", "claim", "caption", "update")
_MARKER = re.compile(r"^\s*%\s*derive:\s*(?P<kind>\S+)\s*(?P<id>\S+)?\s*$")
_TAG = re.compile(r"\\tag\*?\s*\{([^{}]*)\}")


@dataclass(frozen=True)
class Item:
    """One block of a chapter file."""

    kind: str       # definition | graph | claim | caption
    id: str         # the \tag as printed, the marker's id, or a generated one
    latex: str      # verbatim text of the block (lines joined by spaces)
    body: str       # the formula without its \tag
    line: int       # line of the block's first content line
    file: str
    # where each character of ``body`` is in the file: (line, column), both 1-based
    places: tuple[tuple[int, int], ...] = field(default=(), repr=False, compare=False)
    where: str = field(default="", compare=False)     # a notebook's "cell 3"
    part: int = field(default=0, compare=False)       # a document redefining a name: its part
    # index notation: the value of each free index in this instance (("j", 2), ("k", 1))
    env: tuple[tuple[str, int], ...] = ()

    def bound(self) -> dict:
        """The free indices' values, as ``parse_formula`` takes them (``bound``)."""
        if not self.env:
            return {}
        import sympy

        from ..model.vocabulary import sympy_name
        return {(name if name[0] in "@#" else sympy_name(name)):
                (sympy.Symbol(value, real=True) if name.startswith("@") else
                 tuple(int(v) for v in value.split(",")) if name == "#" else
                 sympy.Integer(value)) for name, value in self.env}

    def position(self, offset: int) -> tuple[int, int]:
        """The file's (line, column) of the body's character at ``offset``."""
        if not self.places:
            return self.line, offset + 1
        return self.places[max(0, min(offset, len(self.places) - 1))]

    def locate(self, exc: InputError) -> InputError:
        """``exc`` with this block's file, line and id; a reading error also gets the line
        and column of the file it points at (a block may span several lines)."""
        if isinstance(exc, _read_error()) and exc.offset is not None and exc.line is None \
                and self.places:
            line, column = self.position(exc.offset)
            exc = exc.placed(line, column)
        return exc.located(file=self.file, line=self.line, equation=self.id)


def load_chapter(path: str | Path) -> list[Item]:
    from .inputs import read_text
    path = Path(path)
    return parse_chapter_text(read_text(path, "chapter file"), str(path))


def parse_chapter_text(text: str, file: str = "<chapter>") -> list[Item]:
    """Cut chapter text into :class:`Item` blocks (see docs/format.md)."""
    blocks: list[tuple[str, str | None, int, list[str], int]] = []
    for lineno, raw in enumerate(text.splitlines(), start=1):
        if re.match(r"^\s*%", raw) and is_suppression(raw):
            continue                     # % derive: ignore[CODE] (read.suppressions)
        m = _MARKER.match(raw)
        if not m and re.match(r"^\s*%\s*derive\s*:", raw):
            raise InputError("malformed marker: write '% derive: <kind> [id]' "
                             f"(kinds: {', '.join(KINDS)})", file=file, line=lineno)
        if m:
            kind = m.group("kind")
            if kind not in KINDS:
                raise InputError(f"unknown block kind {kind!r} (one of: {', '.join(KINDS)})",
                                 file=file, line=lineno)
            blocks.append((kind, m.group("id"), lineno, [], 0))
            continue
        stripped = _strip_comment(raw).strip()
        if not stripped:
            continue
        if not blocks:
            raise InputError("text before the first '% derive: <kind>' marker", file=file,
                             line=lineno)
        kind, bid, mline, lines, first = blocks[-1]
        lines.append((stripped, lineno, len(raw) - len(raw.lstrip())))
        if not first:
            blocks[-1] = (kind, bid, mline, lines, lineno)
    items: list[Item] = []
    seen: dict[tuple[str, str], int] = {}
    counters: dict[str, int] = {}
    for kind, bid, mline, lines, first in blocks:
        if not lines:
            raise InputError(f"empty '{kind}' block", file=file, line=mline)
        joint = "; " if kind == "graph" else " "
        latex = joint.join(text for text, _, _ in lines)
        tags = _TAG.findall(latex)
        if len(tags) > 1:
            raise InputError("more than one \\tag in one block", file=file, line=first)
        body = _TAG.sub("", latex).strip()
        if kind == "caption" and not bid:
            raise InputError("a caption block needs the id of its equation: "
                             "'% derive: caption <id>'", file=file, line=mline)
        eid = bid or (tags[0].strip() if tags else None)
        if eid is None:
            counters[kind] = counters.get(kind, 0) + 1
            eid = _auto_id(kind, body, counters[kind])
        key = (kind if kind == "caption" else "eq", eid)
        if key in seen:
            raise InputError(f"id {eid!r} used twice (first on line {seen[key]})", file=file,
                             line=first)
        seen[key] = first
        items.append(Item(kind, eid, latex, body, first, file,
                          _places(latex, lines, joint, body)))
    return [assignment(i) for i in items]


def _places(latex: str, lines, joint: str, body: str) -> tuple[tuple[int, int], ...]:
    """(line, column) of each character of ``body``: ``latex`` is the lines joined, and
    ``body`` is ``latex`` without its \\tag, stripped."""
    where: list[tuple[int, int]] = []
    for k, (text, lineno, indent) in enumerate(lines):
        where += [(lineno, indent + c + 1) for c in range(len(text))]
        if k < len(lines) - 1:
            where += [(lineno, indent + len(text) + 1)] * len(joint)
    tags = [range(m.start(), m.end()) for m in _TAG.finditer(latex)]
    keep = [i for i in range(len(latex)) if not any(i in t for t in tags)]
    kept = "".join(latex[i] for i in keep)
    lead = len(kept) - len(kept.lstrip())
    keep = keep[lead:lead + len(body)]
    return tuple(where[i] for i in keep)


def _read_error():
    from .errors import ReadError      # the reader imports this package's errors
    return ReadError


def _strip_comment(line: str) -> str:
    """Drop a LaTeX comment (an unescaped %)."""
    out = []
    backslashes = 0
    for ch in line:
        if ch == "%" and backslashes % 2 == 0:   # \% is a percent sign, \\% a comment
            break
        out.append(ch)
        backslashes = backslashes + 1 if ch == "\\" else 0
    return "".join(out)


def _auto_id(kind: str, body: str, n: int) -> str:
    if kind == "graph":
        return "graph" if n == 1 else f"graph-{n}"
    if kind == "definition" and "=" in body:
        lhs = body.split("=", 1)[0].strip()
        if lhs and len(lhs) <= 40:
            return lhs
    return f"{kind}-{n}"


_ASSIGN = re.compile(r"\\leftarrow(?![A-Za-z])|\\gets(?![A-Za-z])|\\coloneqq(?![A-Za-z])|:=")
# an update rule may also be printed with a right arrow (Nielsen: w \rightarrow w - ...)
_STEP = re.compile(r"\\rightarrow(?![A-Za-z])|\\to(?![A-Za-z])|\\mapsto(?![A-Za-z])|→")


def assignment(item: Item) -> Item:
    """A definition printed as an assignment (``\\mu_B \\leftarrow \\frac{1}{m} ...`` in an
    algorithm box, ``a := b``) read as ``=``; the body keeps its length, so every column
    still points at the file. Other blocks are returned as they are.

    >>> assignment(Item("definition", "d", "", r"\\mu \\leftarrow x", 1, "f")).body
    '\\\\mu =          x'
    """
    if item.kind not in ("definition", "update"):
        return item
    found = list(_ASSIGN.finditer(item.body))
    if not found and item.kind == "update":
        found = list(_STEP.finditer(item.body))
    from .latex import split_chain
    if found and len(split_chain(item.body.replace(":=", "  "))) > 1:
        return item                      # an '=' of its own: not an assignment
    if len(found) != 1:
        return item
    m = found[0]
    body = item.body[:m.start()] + "=" + " " * (m.end() - m.start() - 1) + item.body[m.end():]
    from dataclasses import replace
    return replace(item, body=body)
