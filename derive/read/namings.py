r"""A chain that ends by naming its value: Rong's ``\frac{\partial E}{\partial \mathbf{h}} =
\sum_j \dots := \mathbf{EH}``.

The last ``:=`` (``\coloneqq``, ``\triangleq``, ``=:``) before one name is not a claim
that two things are equal: it gives the chain's value a name. The block is read as two:
the claim without its last side, and the definition ``\mathbf{EH} = <the side before>``
(reported under ``<id>:=``), so the name means that value wherever the chapter uses it.

>>> from derive.read.source import Item
>>> item = Item("claim", "7", r"a = b + c := s", r"a = b + c := s", 1, "ch.tex")
>>> [(i.kind, i.id, i.body) for i in split_namings([item])]
[('claim', '7', 'a = b + c'), ('definition', '7:=', 's = b + c')]
"""
from __future__ import annotations

import re
from dataclasses import replace

from . import layout
from .errors import ReadError
from .names import GREEK, STYLES
from .tokens import tokenize

NAME_CHARS = {"{", "}", "_", "^", "'", "(", ")"}


def split_namings(items: list, named_elsewhere=lambda name: False) -> list:
    """Each claim ending in ``:= name`` as a claim and a definition of the name, unless
    ``named_elsewhere(name)``: a name that already means something (a declared gradient,
    δ for ∂L/∂z) stays a side of the claim, checked against that meaning."""
    out = []
    for item in items:
        cut = _naming(item.body) if item.kind == "claim" else None
        if cut is not None and named_elsewhere(cut[2]):
            cut = None
        if cut is None:
            out.append(item)
            continue
        claim_end, previous, name = cut
        out.append(replace(item, body=item.body[:claim_end].rstrip()))
        body = f"{name} = {previous}"
        out.append(replace(item, kind="definition", id=f"{item.id}:=", body=body,
                           latex=body, places=()))
    return out


def _naming(body: str):
    """(where the claim ends, the named side's text, the name) or None."""
    try:
        tokens, _ = layout.strip(tokenize(body))
        sides, relations = layout.split_steps(tokens)
    except ReadError:
        return None
    if len(sides) < 3 or relations[-1] != ":=" or not sides[-1] or not sides[-2]:
        return None
    last, before = sides[-1], sides[-2]
    # one name with its scripts: \mathbf{EH}, \delta_j, g^{(t)}; no operator
    if len(last) > 12 or not all(t.kind in ("letter", "digit") or t.text in NAME_CHARS or
                                 t.kind == "cmd" and t.text in STYLES | GREEK for t in last):
        return None
    return before[-1].end, body[before[0].start:before[-1].end].strip(), \
        body[last[0].start:last[-1].end].strip()


def declared_gradient(text: str, vocab, gradients) -> bool:
    """Is ``text`` one of the declared gradients (their LaTeX keys, ``gradients``) at any
    layer and entry (\\delta^l_j of \\delta^{[l]}): a name that already has a meaning."""
    from .reading import read_name, read_side
    from .tree import Index, Sample, Sym

    def base(name: str) -> str:
        return re.sub(r"\^\{\[[^\]]*\]\}", "", name)        # W^{[l]}: W, any layer
    try:
        node = read_side(text, vocab.lexicon())
        while isinstance(node, (Index, Sample)):
            node = node.x
        if not isinstance(node, Sym):
            return False
        keys = {base(read_name(key, vocab.convention())) for key in gradients}
    except ReadError:
        return False
    spelled = vocab.spelled.get(vocab.written.get(node.name, ""), node.name)
    return base(node.name) in keys or base(spelled) in keys
