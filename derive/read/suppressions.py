"""Suppressions: ``% derive: ignore[CODE, ...]`` (LaTeX) or ``<!-- derive: ignore[CODE]
-->`` (Markdown, and a notebook's markdown cells) accepts a finding on one equation.

A suppression belongs to the equation whose block it is in (a trailing comment on one
of the formula's lines) or to the block right below it (the comment, other ``derive:``
markers, other comments, blank lines and a display's opening line such as
``\\begin{equation}`` or ``$$`` between them). It is not a block marker: the readers skip
it (:func:`is_suppression`).

``% derive: ignore-chapter[CODE, ...]``, anywhere in the chapter's files, accepts those
findings everywhere in the chapter, including the chapter-level ones that name no
equation (:func:`find_chapter`).

>>> codes_in("% derive: ignore[DV202, DV204]")
('DV202', 'DV204')
>>> codes_in("% derive: claim") is None, codes_in("% derive: ignore-chapter[DV202]")
(True, None)
>>> codes_in("<!-- derive: ignore-chapter[DV202] -->", chapter=True)
('DV202',)
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

_SUPPRESSION = re.compile(r"derive:\s*ignore(?P<chapter>-chapter)?\s*\[(?P<codes>[^\]]*)\]")
_COMMENT = re.compile(r"^\s*(%|<!--)")
_OPENER = re.compile(r"^\s*(\\begin\s*\{[A-Za-z]+\*?\}|\\\[|\$\$)\s*$")


@dataclass(frozen=True)
class Suppression:
    codes: tuple[str, ...]
    file: str
    line: int
    where: str | None = None          # a notebook's cell ("cell 3"); line counts in it

    @property
    def place(self) -> str:
        """``12``, or ``3 of cell 2`` in a notebook."""
        return f"{self.line} of {self.where}" if self.where else str(self.line)


def codes_in(text: str, chapter: bool = False) -> tuple[str, ...] | None:
    """The codes a comment suppresses on its equation (on the whole chapter with
    ``chapter``), or None when it is no such suppression."""
    m = _SUPPRESSION.search(text)
    if m is None or bool(m.group("chapter")) != chapter:
        return None
    return tuple(c.strip() for c in m.group("codes").split(",") if c.strip())


def is_suppression(comment: str) -> bool:
    """Any suppression, of one equation or of the chapter: the readers pass it over."""
    return _SUPPRESSION.search(comment) is not None


def _comment_of(line: str) -> str:
    """The LaTeX comment (after an unescaped %) or the HTML comment of a line."""
    if "<!--" in line:
        return line[line.index("<!--"):]
    backslashes = 0
    for k, ch in enumerate(line):
        if ch == "%" and backslashes % 2 == 0:
            return line[k:]
        backslashes = backslashes + 1 if ch == "\\" else 0
    return ""


def _lines(file: str, where: str | None) -> list[str]:
    """The lines an item's line numbers count: its file's, or its notebook cell's (a
    notebook's items are placed by ``where = "cell K"`` and the line in that cell)."""
    try:
        text = Path(file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    if not where:
        return text.splitlines()
    cell = re.fullmatch(r"cell (\d+)", where)
    try:
        source = json.loads(text)["cells"][int(cell.group(1)) - 1]["source"] if cell else ""
    except (ValueError, KeyError, IndexError, TypeError, RecursionError):
        return []
    if isinstance(source, list):
        source = "".join(s for s in source if isinstance(s, str))
    return source.splitlines() if isinstance(source, str) else []


def find(items) -> dict[str, Suppression]:
    """The suppression of each block that has one: {block id: Suppression}."""
    texts: dict[tuple[str, str | None], list[str]] = {}
    out: dict[str, Suppression] = {}
    for item in items:
        if item.kind == "caption" or not item.file or item.file.startswith("<"):
            continue
        key = (item.file, item.where or None)
        if key not in texts:
            texts[key] = _lines(item.file, item.where)
        lines = texts[key]
        own = sorted({line for line, _ in item.places} | {item.line})
        codes, at = [], None
        for n in own:                                  # trailing comments
            found = codes_in(_comment_of(lines[n - 1])) if 0 < n <= len(lines) else None
            if found is not None:
                codes += found
                at = at or n
        n = own[0] - 1
        while 0 < n <= len(lines):                      # the lines above the block
            line = lines[n - 1]
            if not (_COMMENT.match(line) or _OPENER.match(line) or not line.strip()):
                break
            found = codes_in(line)
            if found is not None:
                codes += found
                at = at or n
            n -= 1
        if at is not None:
            out[item.id] = Suppression(tuple(dict.fromkeys(codes)), item.file, at,
                                       item.where or None)
    return out


def find_chapter(items) -> list[Suppression]:
    """The ``ignore-chapter`` comments in the files (and notebook cells) the chapter's
    blocks come from, in file order."""
    out = []
    places = dict.fromkeys((i.file, i.where or None) for i in items
                           if i.file and not i.file.startswith("<"))
    for file, where in places:
        for n, line in enumerate(_lines(file, where), start=1):
            found = codes_in(_comment_of(line), chapter=True)
            if found is not None:
                out.append(Suppression(found, file, n, where))
    return out

