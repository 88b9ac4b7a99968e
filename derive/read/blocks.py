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
from dataclasses import dataclass, replace

from .source import Item
from .document import Display, Document
from .named import _NAMING, _adjoints, _named_derivatives
from .patterns import (_ARROW, _DEFINED, _DERIVATIVE, _GRADIENT, _LAYOUT, _NAME,  # noqa: F401
                       _REFERENCE, _RELATION, _base_name, _flat, _plain, _top_level)



@dataclass
class NotChecked:
    """A display derive does not check, and why (reported as info)."""

    file: str
    line: int
    text: str
    why: str


@dataclass
class Alias:
    r"""``\hat{y} = a``: two names for one quantity (a definition of neither)."""

    name: str
    of: str
    line: int


def blocks(doc: Document) -> tuple[list[Item], list[NotChecked]]:
    r"""The chapter's blocks (as :class:`derive.read.source.Item`) and the displays not checked.
    Names written equal to another (``\hat{y} = a``) are in ``doc.aliases``."""
    items: list[Item] = []
    skipped: list[NotChecked] = []
    doc.aliases = []
    defined: dict[str, str] = {}           # name -> its definition's right side, as written
    used_ids: set[str] = set()
    pieces = [(d, text, start) for d in doc.displays for text, start in _equations(d)]
    names, forward = _names_defined(pieces)
    doc.adjoints = _adjoints(pieces, forward)
    doc.adjoints.update(_named_derivatives(pieces))
    counters: dict[str, int] = {}
    part = 0
    for display, text, start in pieces:
        kind, why, head = _kind(display, text, defined, names, forward, doc.adjoints)
        if kind == "restated":
            continue
        if kind == "chain":
            # y = a = f(z): a = f(z), and y = a (each a definition of its own)
            cuts = [m for m in _RELATION.finditer(text)]
            starts = [0] + [m.end() for m in cuts]
            for k in range(len(cuts) - 1, -1, -1):
                end = cuts[k + 1].start() if k + 1 < len(cuts) else len(text)
                piece = text[starts[k]:end].strip()
                if k < len(cuts) - 1:                 # \hat{y} = a: another name for a
                    lhs, rhs = (_flat(x).strip() for x in _RELATION.split(piece, 1))
                    doc.aliases.append(Alias(lhs, rhs, display.place.line))
                    continue
                lead = start + starts[k] + len(text[starts[k]:]) - len(text[starts[k]:].lstrip())
                head_name = _plain(piece.split("=")[0])
                if defined.get(head_name) == _rhs(piece):
                    continue                          # written before: a restatement
                ident = _ident(display, piece, lead, "definition", head_name,
                               used_ids, counters)
                defined[head_name] = _rhs(piece)
                items.append(replace(_item(display, piece, lead, "definition", ident),
                                     part=part))
            continue
        if kind == "redefinition":
            # the chapter moves on to another model ("now take the cross-entropy cost"):
            # what follows is checked with the definitions in force from here
            part += 1
            kind = "definition"
        if kind is None:
            if not display.inline:
                skipped.append(NotChecked(display.place.file, display.place.line,
                                          _short(text), why))
            continue
        if kind == "definition" and head is not None:
            defined[head] = _rhs(text)
        ident = _ident(display, text, start, kind, head, used_ids, counters)
        items.append(replace(_item(display, text, start, kind, ident), part=part))
    items += _captions(doc, items)
    return items, skipped


def defined_name(item: Item) -> str | None:
    """The name a definition block defines (``z`` of ``z = w x + b``, ``L`` of ``L(y, a)``)."""
    m = _DEFINED.match(_LAYOUT.sub(" ", item.body).strip())
    return _plain(m.group(1).split("(")[0]) if m else None


def parts(items: list[Item]) -> list[list[Item]]:
    """The blocks each part of the chapter is checked with: its own blocks, and the
    definitions in force there (the latest of each name up to that part)."""
    last = max((i.part for i in items), default=0)
    out = []
    for p in range(last + 1):
        in_force: dict[str, Item] = {}
        for i in items:
            if i.kind in ("definition", "graph") and i.part <= p:
                in_force[defined_name(i) or i.id] = i
        keep = {id(i) for i in in_force.values()}
        out.append([i for i in items if id(i) in keep or i.part == p and
                    i.kind not in ("definition", "graph")])
    return out


def _equations(d: Display) -> list[tuple[str, int]]:
    """The equations of one display: (text, start) of each chain (rows with a left side of
    their own start a new one)."""
    from .errors import ReadError
    from .layout import JOINED_TAIL, equations, strip_rows
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
        piece = JOINED_TAIL.sub("", piece.rstrip())     # what joined it to the next one
        out.append((piece.strip(), a + len(piece) - len(piece.lstrip())))
    return out


def _names_defined(pieces) -> tuple[set[str], set[str]]:
    """Names that some formula defines (``z = …``: a named gradient ``dz`` needs one), and
    every name of the forward pass (those and the names on their right sides)."""
    defined, known = set(), set()
    for _, text, _ in pieces:
        text = _flat(_LAYOUT.sub(" ", text).strip())
        m = _DEFINED.match(text)
        if m and not _DERIVATIVE.match(text) and not _GRADIENT.match(text):
            if "(" not in m.group(1):
                defined.add(_plain(m.group(1)))
            known |= {_plain(n) for n in re.findall(_NAME, _RELATION.split(text, 1)[-1])}
    return defined, known | defined


def _kind(display: Display, text: str, defined: dict, names: set, forward: set,
          adjoints: dict | None = None):
    """(kind, why not, the defined name): kind is claim, definition, graph, restated or None."""
    text = _flat(_LAYOUT.sub(" ", text).strip())   # a &= b, \nonumber: as a = b
    if display.marker is not None:
        kind = display.marker[0]
        head = _DEFINED.match(text)
        return kind, "", (_plain(head.group(1)) if head and kind == "definition" else None)
    relations = _RELATION.findall(_top_level(text))       # not the = of \sum_{i=1}
    if _ARROW.search(text) and not relations:
        nodes = [_plain(n) for n in _ARROW.split(re.sub(r"\\tag\*?\s*\{[^{}]*\}", "", text))]
        if all(n in forward for n in nodes):
            return "graph", "", None
        return None, "an arrow chain over names that are not all in the forward pass", None
    first = _RELATION.split(text, maxsplit=1)[0]
    if not relations:
        return None, "no '=': nothing to check", None
    if _DERIVATIVE.match(first):
        # claims are displays: an inline derivative is part of the prose
        return ("claim", "", None) if not display.inline else (None, "", None)
    if adjoints and first.strip() in adjoints and not display.inline:
        return "claim", "", None                    # \bar{z} = \bar{y}\sigma'(z): an error signal
    if adjoints and _base_name(first) in adjoints and not display.inline and not \
            _NAMING.match(re.sub(r"\\tag\*?\s*\{[^{}]*\}", "", text).strip()):
        return "claim", "", None                    # \delta^L_j = ... after \delta^l_j \equiv ∂C/∂z^l_j
    plain_first = _plain(first)
    if plain_first.startswith("d") and plain_first[1:] in forward and \
            plain_first not in names and not display.inline:
        return "claim", "", None                    # dz = a - y: the gradient named dz
    head = _DEFINED.match(text)
    if head:
        name = _plain(head.group(1))
        if "(" not in head.group(1) and name in {_plain(n) for n in re.findall(_NAME, _rhs(text))}:
            if display.inline or len(relations) != 1:
                return None, f"an update rule ({head.group(1).strip()} on both sides)", None
            return "update", "", None             # w := w - \alpha dw: a descent step
        bare = name.split("(")[0]
        other = next((k for k in defined if k.split("(")[0] == bare and k != name), None)
        if name not in defined and other is not None and "(" in name and not display.inline:
            # f(w, x, y, z) = ... after f(u, v) = ...: the same quantity written out in
            # other variables, a restatement
            return None, f"{bare} written again as a function of other variables (a " \
                         "restatement; derive checks derivatives, not restatements)", None
        if name in defined:
            if _rhs(text) == defined[name]:
                return "restated", "", None
            if display.inline:
                return None, "", None
            return "redefinition", "", name          # a new part of the chapter starts
        if len(relations) > 1:
            sides = _RELATION.split(text)
            if all(re.fullmatch(rf"\s*\{{?\s*{_NAME}\s*\}}?\s*", x) for x in sides[:-1]):
                if display.inline and not _looks_defined("x = " + sides[-1]):
                    return None, "", None              # w_1 = w_2 = 100: prose
                return "chain", "", name              # \hat{y} = a = \sigma(z)
            return None, "a chain of equalities that starts with a name, not a derivative", None
        if display.inline and not _looks_defined(text):
            return None, "", None
        return "definition", "", name
    return None, "its first side is neither a derivative nor a new name", None


def _looks_defined(text: str) -> bool:
    """An inline formula is a definition only when its right side computes something
    from names: a function of them, or two of them combined. A number, a name, or a
    number times a name is prose ("with $m = 4$ samples", "choose $b_1 = -100 a_0$")."""
    rhs = _rhs(text)
    letters = set(re.findall(r"\\[A-Za-z]+|(?<![\\A-Za-z])[A-Za-z]", rhs)) - _OPERATORS
    return bool(re.search(r"\\[A-Za-z]+\s*\(|[A-Za-z]\s*\(", rhs)) or len(letters) >= 2


_OPERATORS = {r"\frac", r"\cdot", r"\times", r"\left", r"\right", r"\sqrt", r"\dfrac",
              r"\tfrac", r"\mathrm", r"\text"}


def _rhs(text: str) -> str:
    text = _LAYOUT.sub(" ", text)
    return re.sub(r"\s+", "", re.sub(r"\\tag\*?\s*\{[^{}]*\}", "",
                                     _RELATION.split(text, maxsplit=1)[-1])).rstrip(".,;")


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= 80 else flat[:77] + "…"


def _ident(display, text, start, kind, head, used, counters) -> str:
    row = next((r for r in display.rows if r[0] <= start < r[1] or r[0] >= start), None)
    single = len(display.rows) <= 1          # a display's own tag and labels: one row only
    tag = (row[3] if row else None) or (display.tag if single else None)
    labels = (row[2] if row and row[2] else display.labels if single else [])
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
        m = _DEFINED.match(_LAYOUT.sub(" ", text).strip())
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
        part = next((i.part for i in items if i.id == target), 0)
        out.append(Item("caption", target, p.text, p.text, p.place.line, p.place.file,
                        where=p.place.where, part=part))
    return out
