"""Names a chapter gives to derivatives: error signals written with a bar (Grosse's
\\bar{y}, after \\bar{L} = 1) and names defined as a derivative (Nielsen's
\\delta^l_j \\equiv \\partial C / \\partial z^l_j); a later display that starts with
such a name is a claim (derive.read.blocks)."""
from __future__ import annotations

import re

from .patterns import _LAYOUT, _NAME, _RELATION, _base_name, _flat, _plain

_NAMING = re.compile(rf"^\s*({_NAME})\s*(?:\\equiv|:=|\\coloneqq|=)\s*\\[dt]?frac\s*\{{\s*\\partial"
                     rf"[^{{}}]*\}}\s*\{{\s*\\partial[^{{}}]*(?:\{{[^{{}}]*\}}[^{{}}]*)*\}}\s*[.,;]?\s*$")


def _named_derivatives(pieces) -> dict[str, str]:
    r"""Names given to a derivative (Nielsen's \delta^l_j \equiv \partial C/\partial z^l_j):
    their base name; a later display that starts with the name is a claim about it."""
    out = {}
    for _, text, _ in pieces:
        flat = _flat(_LAYOUT.sub(" ", text)).strip()
        flat = re.sub(r"\\tag\*?\s*\{[^{}]*\}", "", flat).strip()
        if _NAMING.match(flat):
            out[_base_name(flat)] = _NAMING.match(flat).group(1)
    return out


_BAR = re.compile(rf"^\s*\\(?:bar|overline)\s*\{{\s*({_NAME})\s*\}}\s*$")


def _adjoints(pieces, forward: set) -> dict[str, str]:
    r"""Error signals written with a bar (\bar{y} = \partial L/\partial y, Grosse's notation):
    only when the chapter starts its backward pass with \bar{L} = 1 for a quantity L."""
    seeds = [p for _, text, _ in pieces for p in [_RELATION.split(_flat(text), 1)]
             if len(p) == 2 and _BAR.match(p[0]) and p[1].strip().rstrip(".,") == "1"
             and _plain(_BAR.match(p[0]).group(1)) in forward]
    if not seeds:
        return {}
    out = {}
    for _, text, _ in pieces:
        first = _RELATION.split(_flat(text), 1)[0]
        m = _BAR.match(first)
        if m and _plain(m.group(1)) in forward:
            out[first.strip()] = m.group(1).strip()
    return out
