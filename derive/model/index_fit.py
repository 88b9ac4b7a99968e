"""Indices that do not fit the entries they stand in: which entry's indices are swapped,
which layer is probably wrong (derive.model.entries reports them)."""
from __future__ import annotations

import itertools

from ..prose import Prose
from ..read import tree as T
from ..read.printer import latex as tree_latex
from ..read.tree import replace_node
from .vocabulary import sympy_name


def layer_hint(sizes: dict, vocab) -> str:
    """Where one entry of a layer family is the odd one out and another layer of the same
    family has the size the others agree on: the layer is probably wrong."""
    if vocab is None:
        return ""
    count = {size: len(ws) for size, ws in sizes.items()}
    usual = max(count, key=count.get)
    hints = []
    for size, written in sizes.items():
        if size == usual:
            continue
        for w in dict.fromkeys(written):
            family = w.split("^{[")[0].split("_")[0]
            if "^{[" not in w:
                continue
            layer = w.split("^{[")[1].split("]")[0]
            others = sorted(b for b, dims in vocab.entries.items()
                            if b.startswith(("\\mathrm{" + family + "^{[", family + "^{["))
                            and f"[{layer}]" not in b and dims[0] == usual)
            if others:
                shown = [b.removeprefix("\\mathrm{").removesuffix("}") for b in others]
                hints.append(Prose.format("${w}$: {shown} has {usual} entries (the wrong layer?)",
                                          w=w, usual=usual,
                                          shown=Prose(" or ").join(map(Prose.latex, shown))))
    return ("; " + Prose("; ").join(hints)) if hints else ""


def swapped_indices(sides, vocab, index_ranges) -> str | None:
    """``w_{kj}`` printed where the ranges need ``w_{jk}``: the message naming the entry
    whose indices, put in another order, give every free index one range."""
    entries = [n for side in sides for n in side.walk()
               if isinstance(n, T.Index) and len(n.indices) > 1 and isinstance(n.x, T.Sym)
               and vocab.written.get(sympy_name(n.x.name), "") in vocab.entries]
    for node in dict.fromkeys(entries):
        for order in itertools.permutations(node.indices):
            if order == node.indices:
                continue
            fixed = T.Index(node.x, tuple(order))
            ranges: dict[str, set] = {}
            for side in sides:
                new = replace_node(side, node, fixed, by_value=True)
                for name, sizes in index_ranges(new, vocab).items():
                    ranges.setdefault(name, set()).update(sizes)
            if all(len(v) <= 1 for v in ranges.values()):
                sizes = vocab.entries[vocab.written[sympy_name(node.x.name)]]
                return Prose.format("the indices of ${node}$ are swapped: its entries run over "
                                    "{sizes}, so the formula needs ${fixed}$",
                                    node=tree_latex(node), fixed=tree_latex(fixed),
                                    sizes=" × ".join(str(d) for d in sizes))
    return None
