"""A generic layer index: ``W^{[l]}``, ``Z^{[l-1]}``, ``^{[L]}`` instantiated for every layer.

A deep network is written once with a layer index l (``Z^{[l]} = W^{[l]} A^{[l-1]} +
b^{[l]}``). The manifest's ``[layers]`` table gives the depth; every family symbol (a key
containing ``[l]``) and every block that mentions the index is copied for each concrete
layer, so that a claim about layer l is checked for l = 1, ..., L and the recurrence itself
is verified at every depth. Only text inside ``^{[...]}`` is rewritten.

>>> instantiate_text(r"Z^{[l]} = W^{[l]} A^{[l-1]} + b^{[l]}", 2, 3)
'Z^{[2]} = W^{[2]} A^{[1]} + b^{[2]}'
>>> instantiate_text(r"dZ^{[L]} = A^{[L]} - Y", 1, 3)
'dZ^{[3]} = A^{[3]} - Y'
"""
from __future__ import annotations

import re
from dataclasses import replace
from difflib import SequenceMatcher

from ..errors import InputError
from .manifest import Manifest, SymbolDecl
from .source import Item

_BRACKET = re.compile(r"\^\s*\{\s*\[([^\[\]{}]*)\]")


def _layer_value(expr: str, l: int, last: int) -> int | None:
    """The integer value of a layer expression like l, l-1, l+1, L, L-1, 2."""
    text = expr.replace(" ", "")
    if not re.fullmatch(r"(?:l|L|\d+)(?:[+-]\d+)?", text):
        return None
    head = re.match(r"l|L|\d+", text).group(0)
    base = l if head == "l" else last if head == "L" else int(head)
    rest = text[len(head):]
    return base + (int(rest) if rest else 0)


_PLAIN = re.compile(r"\^\s*(?:\{\s*([lL]\s*(?:[+-]\s*\d+)?)\s*\}|([lL])(?![A-Za-z]))")
_BIG = re.compile(r"\\(?:sum|prod|lim|int|bigcup|bigcap|max|min)\s*(?:\\limits)?\s*$")


def bracketed(text: str) -> str:
    """Plain layer superscripts (``z^l_j``, ``a^{l-1}``, ``a^L``; Nielsen's notation under
    ``superscript = "layer"``) written as ``^{[l]}``, the form the layer index rewrites.
    The limits of a sum or product (``\\sum_{j=1}^{L}``) are not layers.

    >>> bracketed(r"z^l_j = \\sum_k w^l_{jk} a^{l-1}_k + \\sum_{i=1}^{L} b^{L}_i")
    'z^{[l]}_j = \\\\sum_k w^{[l]}_{jk} a^{[l-1]}_k + \\\\sum_{i=1}^{L} b^{[L]}_i'
    """
    out, last = [], 0
    for m in _PLAIN.finditer(text):
        before = text[:m.start()].rstrip()
        if before.endswith("}"):
            depth, k = 0, len(before) - 1
            while k >= 0:
                depth += {"}": 1, "{": -1}.get(before[k], 0)
                if depth == 0:
                    break
                k -= 1
            head = before[:k].rstrip()
            if head.endswith("_") and _BIG.search(head[:-1]):
                continue                    # \sum_{...}^{L}: a limit
        elif _BIG.search(before):
            continue
        inner = (m.group(1) or m.group(2)).replace(" ", "")
        out.append(text[last:m.start()] + "^{[" + inner + "]}")
        last = m.end()
    out.append(text[last:])
    return "".join(out)


def mentions_index(text: str) -> bool:
    return any(re.search(r"(?<![A-Za-z])[lL](?![A-Za-z])", m.group(1))
               for m in _BRACKET.finditer(text))


def uses_l(text: str) -> bool:
    """Does some ^{[...]} use the generic index l (not only L or numbers)?"""
    return any(re.search(r"(?<![A-Za-z])l(?![A-Za-z])", m.group(1)) for m in _BRACKET.finditer(text))


def instantiate_text(text: str, l: int, last: int) -> str:
    def sub(m: re.Match) -> str:
        value = _layer_value(m.group(1), l, last)
        if value is None:
            return m.group(0)
        return m.group(0).replace(f"[{m.group(1)}]", f"[{value}]")
    return _BRACKET.sub(sub, text)


def layers_used(text: str, l: int, last: int) -> set[int]:
    out = set()
    for m in _BRACKET.finditer(text):
        v = _layer_value(m.group(1), l, last)
        if v is not None:
            out.add(v)
    return out


def expand(manifest: Manifest, items: list[Item]) -> tuple[Manifest, list[Item]]:
    """Concrete symbols and blocks for every layer; a no-op without a [layers] table."""
    last = manifest.layer_count
    if not last:
        return manifest, items
    symbols: dict[str, SymbolDecl] = {}
    available: dict[str, set[int]] = {}        # family key -> layers it exists for
    for key, decl in manifest.symbols.items():
        if not mentions_index(key):
            symbols[key] = decl
            continue
        lo, hi = decl.layers or (1, last)
        available[key] = set(range(lo, hi + 1))
        for l in range(lo, hi + 1):
            concrete = instantiate_text(key, l, last)
            shape = None
            if decl.shape is not None:
                shape = tuple(instantiate_text(d, l, last) if isinstance(d, str) else d
                              for d in decl.shape)
            entries = None
            if decl.entries is not None:
                entries = tuple(instantiate_text(d, l, last) if isinstance(d, str) else d
                                for d in decl.entries)
            of = instantiate_text(decl.of, l, last) if decl.of else None
            symbols[concrete] = replace(
                decl, latex=concrete, shape=shape, of=of, layer=l, entries=entries,
                aliases=tuple(instantiate_text(a, l, last) for a in decl.aliases))
    declared = set(symbols)
    out: list[Item] = []
    if manifest.conventions.superscript == "layer":
        items = [replace(i, body=bracketed(i.body), latex=bracketed(i.latex),
                         places=_copied_places(i, bracketed(i.body)))
                 for i in items]
    for item in items:
        if not mentions_index(item.body) or item.kind == "caption":
            out.append(item)
            continue
        made = 0
        generic = uses_l(item.body)
        for l in range(0, last + 1):
            body = instantiate_text(item.body, l, last)
            if not generic and l != last:
                continue                     # mentions only L: one instance
            if not _all_declared(body, declared):
                continue
            latex = instantiate_text(item.latex, l, last)
            new_id = instantiate_text(item.id, l, last)
            if generic and new_id == item.id:
                new_id = f"{item.id}[l={l}]"
            out.append(replace(item, id=new_id, latex=latex, body=body,
                               places=_copied_places(item, body)))
            made += 1
        if not made:
            raise InputError("this block mentions the layer index but no layer from 0 to "
                             f"{last} has all of its symbols declared", file=item.file,
                             line=item.line, equation=item.id)
    sizes = dict(manifest.sizes)
    for k, width in enumerate(manifest.layer_widths):
        sizes.setdefault(f"n^{{[{k}]}}", width)
    return replace(manifest, symbols=symbols, sizes=sizes), out


def _all_declared(body: str, declared: set[str]) -> bool:
    """Every layer-indexed name in body exists (e.g. W^{[0]} does not)."""
    for m in re.finditer(r"([A-Za-z\\]+[A-Za-z]*(?:_\{?[A-Za-z0-9]+\}?)?)\s*\^\s*\{\s*\[(\d+)\]",
                         body):
        name = f"{m.group(1)}^{{[{m.group(2)}]}}"
        if name not in declared and not any(
                d.replace(" ", "") == name.replace(" ", "") for d in declared):
            return False
    return True


def _copied_places(item: Item, body: str) -> tuple:
    """Where the copy's characters are in the file: text the copy kept is where it was in
    the block; a filled-in index (``[l-1]`` made ``[0]``) is where the index was."""
    if not item.places:
        return ()
    out = []
    for op, a0, a1, b0, b1 in SequenceMatcher(None, item.body, body, autojunk=False).get_opcodes():
        for k in range(b1 - b0):
            out.append(item.places[min(a0 + (k if op == "equal" else 0), len(item.places) - 1)])
    return tuple(out)
