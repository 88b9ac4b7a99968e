"""Index values at which a formula uses an entry that does not exist (``h_{t+1}`` at
t = T): the formula is checked at the other values only (derive.model.entries)."""
from __future__ import annotations

from ..prose import Prose
from ..read import tree as T
from ..read.printer import latex as tree_latex
from .arrays import as_index
from .vocabulary import sympy_name


def first_outside(sides, vocab, env: dict) -> str | None:
    """The first entry outside its range at these index values (``h_{t+1}`` at t = T),
    written as printed, or None. Entry 0 of a vector with a declared ``h_0`` exists."""
    def value(n):
        if isinstance(n, T.Num) and n.text.isdigit():
            return int(n.text)
        if isinstance(n, T.Sym):
            return env.get(n.name)
        if isinstance(n, T.Neg):
            v = value(n.x)
            return None if v is None else -v
        if isinstance(n, T.Add):
            vs = [value(t) for t in n.terms]
            return None if None in vs else sum(vs)
        return None

    def entries(node):
        # each entry once, as read: o^t_i is the entry (t, i), not also o_i inside it
        n = as_index(node, vocab)
        yield node, n
        if n is node:
            for c in node.children():
                yield from entries(c)
        elif isinstance(n, T.Index):
            for i in n.indices:
                yield from entries(i)

    for side in sides:
        for printed, n in entries(side):
            if not (isinstance(n, T.Index) and isinstance(n.x, T.Sym)):
                continue
            name = vocab.written.get(sympy_name(n.x.name))
            sizes = vocab.entries.get(name)
            if sizes is None or len(sizes) < len(n.indices):
                continue
            for p, (i, size) in enumerate(zip(n.indices, sizes)):
                v = value(i)
                if v is None or 1 <= v <= size:
                    continue
                of = vocab.entry_gradients.get(name, (None, name))[1]   # \delta c: c
                if v == 0 and p == 0 and any(
                        vocab.symbol(sympy_name(f"{b}{z}")) is not None
                        for b in (n.x.name, vocab.spelled.get(name) or n.x.name,
                                  vocab.spelled.get(of) or of)
                        for z in ("_0", "_{0}")):
                    continue
                return Prose.format("${x}$ would be entry {v} of 1 to {size}",
                                    x=tree_latex(printed), v=v, size=size)
    return None
