"""What each formula of a document is, without markers: the blocks of a chapter.

- a display whose first side is a derivative (``\\frac{\\partial L}{\\partial w}``,
  ``\\frac{dL}{dw}``, ``\\partial_w L``, ``\\nabla_w L``) or a named gradient (``dz``,
  ``dw_1``: ``d`` before a name the chapter uses) is a **claim**;
- ``name = expression`` introducing a name, or ``f(a, b) = expression``, is a
  **definition** (the same definition written again is a restatement, not a block);
- an arrow chain ``x \\to z \\to a`` is a **graph**;
- a display that is none of these is **not checked**, and listed with the reason (an
  inline formula that is none of these is prose, and left alone);
- a prose line that starts by naming an equation ("公式8-13：…", "Equation (5.12) gives
  …", "\\eqref{eq:x} is …") is that equation's **caption**.

A ``derive:`` marker before a display decides its kind (and id) instead. Each formula
keeps its ids: its marker id, ``\\tag``, ``\\label``, printed number, or its line.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..source import Item
from .document import Display, Document

_ARROW = re.compile(r"\\to\b|\\rightarrow\b|\\longrightarrow\b|→|->|\\Rightarrow\b")
_DERIVATIVE = re.compile(
    r"^\s*(?:\\[dt]?c?frac\s*\{?\s*(?:\\partial|d(?![a-zA-Z]{2})|\\mathrm\s*\{?\s*d\b|\{\\rm\s*d\})"
    r"|\\partial\b|\\nabla\b|\\mathrm\{d\}\s*/|∂|∇)")
_NAME = r"(?:\\[A-Za-z]+\s*\{[^{}]*\}|\\[A-Za-z]+|[A-Za-z])(?:\s*[_^]\s*(?:\{[^{}]*\}|\\?[A-Za-z0-9]+))*"
_DEFINED = re.compile(rf"^\s*({_NAME}(?:\s*\([^()=]*\))?)\s*(?::=|=|\\coloneqq|\\triangleq|\\equiv)")
_GRADIENT = re.compile(rf"^\s*d({_NAME})\s*=")
_RELATION = re.compile(r"(?<![<>!:\\])=|\\coloneqq|:=|\\triangleq|\\equiv")
_REFERENCE = re.compile(
    r"^\s*(?:(?:公式|式|等式|方程)\s*[（(]?\s*(?P<zh>[0-9]+(?:[-.][0-9]+)*)\s*[)）]?"
    r"|(?:equations?|eqs?\.?|formula)\s*~?\s*\(?\s*(?P<en>[0-9]+(?:[-.][0-9]+)*[a-z]?)\s*\)?"
    r"|\\eqref\s*\{(?P<ref>[^{}]*)\}|\\ref\s*\{(?P<ref2>[^{}]*)\}|\{eq\}`(?P<myst>[^`]*)`"
    r"|:eqref:`(?P<d2l>[^`]*)`|\((?P<num>[0-9]+(?:[-.][0-9]+)*)\))", re.IGNORECASE)


@dataclass
class NotChecked:
    """A display derive does not check, and why (reported as info)."""

    file: str
    line: int
    text: str
    why: str


def blocks(doc: Document) -> tuple[list[Item], list[NotChecked]]:
    """The chapter's blocks (as :class:`derive.source.Item`) and the displays not checked."""
    items: list[Item] = []
    skipped: list[NotChecked] = []
    defined: dict[str, str] = {}           # name -> its definition's right side, as written
    used_ids: set[str] = set()
    pieces = [(d, text, start) for d in doc.displays for text, start in _equations(d)]
    names, forward = _names_defined(pieces)
    counters: dict[str, int] = {}
    for display, text, start in pieces:
        kind, why, head = _kind(display, text, defined, names, forward)
        if kind == "restated":
            continue
        if kind is None:
            if not display.inline:
                skipped.append(NotChecked(display.place.file, display.place.line,
                                          _short(text), why))
            continue
        if kind == "definition" and head is not None:
            defined[head] = _rhs(text)
        ident = _ident(display, text, start, kind, head, used_ids, counters)
        items.append(_item(display, text, start, kind, ident))
    items += _captions(doc, items)
    return items, skipped


def _equations(d: Display) -> list[tuple[str, int]]:
    """The equations of one display: (text, start) of each chain (rows with a left side of
    their own start a new one)."""
    from .errors import ReadError
    from .layout import equations, strip_rows
    from .tokens import tokenize
    try:
        toks, _, breaks = strip_rows(tokenize(d.text))
        groups = equations(toks, breaks) if toks else []
    except ReadError:
        return [(d.text, 0)]
    if len(groups) <= 1:
        return [(d.text, 0)]
    out = []
    for k, g in enumerate(groups):
        a = g[0].start if k else 0
        b = groups[k + 1][0].start if k + 1 < len(groups) else len(d.text)
        piece = d.text[a:b]
        piece = re.sub(r"\\\\\s*(\[[^\]]*\])?\s*$", "", piece.rstrip())
        out.append((piece.strip(), a + len(piece) - len(piece.lstrip())))
    return out


def _names_defined(pieces) -> tuple[set[str], set[str]]:
    """Names that some formula defines (``z = …``: a named gradient ``dz`` needs one), and
    every name of the forward pass (those and the names on their right sides)."""
    defined, known = set(), set()
    for _, text, _ in pieces:
        m = _DEFINED.match(text)
        if m and not _DERIVATIVE.match(text) and not _GRADIENT.match(text):
            if "(" not in m.group(1):
                defined.add(_plain(m.group(1)))
            known |= {_plain(n) for n in re.findall(_NAME, _RELATION.split(text, 1)[-1])}
    return defined, known | defined


def _plain(name: str) -> str:
    return re.sub(r"\s+", "", name).replace("{", "").replace("}", "")


def _kind(display: Display, text: str, defined: dict, names: set, forward: set):
    """(kind, why not, the defined name): kind is claim, definition, graph, restated or None."""
    if display.marker is not None:
        kind = display.marker[0]
        head = _DEFINED.match(text)
        return kind, "", (_plain(head.group(1)) if head and kind == "definition" else None)
    relations = _RELATION.findall(text)
    if _ARROW.search(text) and not relations:
        nodes = [_plain(n) for n in _ARROW.split(re.sub(r"\tag\*?\s*\{[^{}]*\}", "", text))]
        if all(n in forward for n in nodes):
            return "graph", "", None
        return None, "an arrow chain over names that are not all in the forward pass", None
    first = _RELATION.split(text, maxsplit=1)[0]
    if not relations:
        return None, "no '=': nothing to check", None
    if _DERIVATIVE.match(first):
        return "claim", "", None
    g = _GRADIENT.match(text)
    if g and _plain(g.group(1)) in forward and _plain("d" + g.group(1)) not in names:
        return "claim", "", None                    # dz = a - y: the gradient named dz
    head = _DEFINED.match(text)
    if head:
        name = _plain(head.group(1))
        if name in defined:
            if _rhs(text) == defined[name]:
                return "restated", "", None
            return None, f"{head.group(1).strip()} is defined again, differently", None
        if len(relations) > 1:
            return None, "a chain of equalities that starts with a name, not a derivative", None
        if display.inline and not _looks_defined(text):
            return None, "", None
        return "definition", "", name
    return None, "its first side is neither a derivative nor a new name", None


def _looks_defined(text: str) -> bool:
    """An inline formula is a definition only when its right side is a formula (not a
    number or a single name, which is prose: "with $m = 4$ samples")."""
    rhs = _rhs(text)
    return bool(rhs) and not re.fullmatch(r"[0-9.]+|[A-Za-z]", rhs)


def _rhs(text: str) -> str:
    return re.sub(r"\s+", "", re.sub(r"\\tag\*?\s*\{[^{}]*\}|\\label\s*\{[^{}]*\}", "",
                                     _RELATION.split(text, maxsplit=1)[-1])).rstrip(".,;")


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= 80 else flat[:77] + "…"


def _ident(display, text, start, kind, head, used, counters) -> str:
    row = next((r for r in display.rows if r[0] <= start < r[1] or r[0] >= start), None)
    tag = (row[3] if row else None) or display.tag
    labels = (row[2] if row and row[2] else display.labels)
    number = row[4] if row else (display.numbers[0] if display.numbers else None)
    if display.marker is not None and display.marker[1]:
        ident = display.marker[1]
    elif tag:
        ident = tag
    elif labels:
        ident = labels[0]
    elif number:
        ident = number
    elif kind == "definition" and head and len(head) <= 40:
        m = _DEFINED.match(text)
        ident = m.group(1).strip() if m else head
    elif kind == "claim" and _GRADIENT.match(text):
        ident = "d" + _GRADIENT.match(text).group(1).strip()      # dz = a - y: "dz"
    elif kind == "graph":
        counters["graph"] = counters.get("graph", 0) + 1
        ident = "graph" if counters["graph"] == 1 else f"graph-{counters['graph']}"
    else:
        p = display.places[start] if start < len(display.places) else display.place
        ident = f"line-{p.line}" + (f"@{p.where.replace(' ', '')}" if p.where else "")
    base, n = ident, 1
    while ident in used:
        n += 1
        ident = f"{base}[{n}]"
    used.add(ident)
    return ident


def _item(display: Display, text: str, start: int, kind: str, ident: str) -> Item:
    places = display.places[start:start + len(text)] or [display.place]
    first = places[0]
    body = re.sub(r"\\tag\*?\s*\{[^{}]*\}", lambda m: " " * len(m.group(0)), text)
    if kind == "graph":
        body = re.sub(r"\\(?:rightarrow|longrightarrow|Rightarrow)\b", r"\\to", body)
    return Item(kind, ident, " ".join(text.split()), body.strip() if kind == "graph" else body,
                first.line, first.file, tuple((p.line, p.column) for p in places),
                where=first.where)


def _captions(doc: Document, items: list[Item]) -> list[Item]:
    """Prose lines that start by naming an equation: that equation's caption."""
    aliases: dict[str, str] = {}
    for d in doc.displays:
        ids = [i.id for i in items if i.line == d.place.line and i.file == d.place.file]
        for ident in ids[:1]:
            for alias in [*d.labels, *(d.numbers or []), *([d.tag] if d.tag else [])]:
                aliases.setdefault(alias, ident)
    for i in items:
        aliases.setdefault(i.id, i.id)
    out = []
    seen: set[str] = set()
    for p in doc.prose:
        m = _REFERENCE.match(p.text)
        if not m:
            continue
        ref = next(g for g in m.groups() if g)
        target = aliases.get(ref)
        if target is None or target in seen:
            continue
        seen.add(target)
        out.append(Item("caption", target, p.text, p.text, p.place.line, p.place.file,
                        where=p.place.where))
    return out
