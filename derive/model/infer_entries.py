"""The manifest of a chapter written in index notation (``z^l_j = \\sum_k w^l_{jk}
a^{l-1}_k + b^l_j``), inferred from its formulas: the index letters, which names are
written by their entries and how many each index runs over, the layers when names carry a
layer superscript (``^l``, ``^{l-1}``, ``^L``), named derivatives (``\\delta^l_j \\equiv
\\frac{\\partial C}{\\partial z^l_j}``).

Sizes are chosen, not read (a book does not print them): every index position that one
formula links to another (the ``k`` of ``w^l_{jk}`` and of ``a^{l-1}_k``) gets the same size,
unlinked ones distinct sizes, so that a misplaced index cannot hide. With layers, a vector
at layer l has n^{[l]} entries, the network has 3 layers of widths 2, 3, 2, and each name
exists at the layers its definitions can be computed at (Nielsen's a^1 is the input).
"""
from __future__ import annotations

import re
from collections import Counter

from ..prose import Prose
from ..read.manifest import Conventions, FunctionDecl, Manifest, SymbolDecl
from ..read import Lexicon, ReadError, read_display
from ..read import tree as T
from ..read.source import Item
from .infer_names import (ACTIVATION_COMMANDS, CAPTION_WORDS, Inferred, _is_activation,
                          _leaf_role, _loss)

DEPTH = 3                      # layers 1..3 (Nielsen's input is layer 1)
WIDTHS = [1, 2, 3, 2]          # n^{[0]} (unused) .. n^{[3]}: adjacent layers differ
FREE_SIZES = [3, 2, 4, 5, 6]   # index classes of a chapter without layers
_SUM = re.compile(r"\\(?:sum|prod)\s*(?:\\limits\s*)?_\s*\{?\s*([a-z])\b")
_HEAD_SUB = re.compile(r"^\s*\{?\s*\\?[A-Za-z]+(?:\{[^{}]*\})?\s*(?:\^\s*(?:\{[^{}]*\}|\w))?"
                       r"\s*_\s*\{?\s*([a-z]{1,3})\s*\}?")
_LAYERED = re.compile(r"\^\s*(?:\{\s*[lL]\s*(?:[+-]\s*1)?\s*\}|[lL](?![A-Za-z]))")
_LAYER_NAME = re.compile(r"^(?P<base>.*?)\^\{\[(?P<layer>[^\]]*)\]\}$")


def index_letters(items: list[Item]) -> set[str]:
    """Letters used as indices: those of sums, and single letters subscripted on the left
    side of a definition or on the variable of a claim's derivative."""
    letters: set[str] = set()
    heads: set[str] = set()
    for item in items:
        letters |= set(_SUM.findall(item.body))
        if item.kind == "definition":
            m = _HEAD_SUB.match(item.body)
            if m:
                heads |= set(m.group(1))
        for m in re.finditer(r"\\partial\s+\\?[A-Za-z]+(?:\^\s*(?:\{[^{}]*\}|\w))?\s*_\s*"
                             r"\{?\s*([a-z]{1,3})\s*\}?", item.body):
            heads |= set(m.group(1))
    return (letters | heads) - {"l", "e", "d"} if heads else set()


def uses_index_notation(items: list[Item]) -> bool:
    return bool(index_letters(items))


def _family(name: str) -> tuple[str, str | None]:
    """``z^{[l-1]}`` → (``z``, ``l-1``); ``y`` → (``y``, None)."""
    m = _LAYER_NAME.match(name)
    return (m.group("base"), m.group("layer").replace(" ", "")) if m else (name, None)


def _offset(layer: str | None) -> tuple[str, int] | None:
    """``l-1`` → ("rel", -1); ``L`` → ("abs", DEPTH); ``2`` → ("abs", 2)."""
    if layer is None:
        return None
    m = re.fullmatch(r"([lL]|\d+)([+-]\d+)?", layer)
    if not m:
        return None
    shift = int(m.group(2)) if m.group(2) else 0
    if m.group(1) == "l":
        return "rel", shift
    return "abs", (DEPTH if m.group(1) == "L" else int(m.group(1))) + shift


class _Sizes:
    """Union-find over (family, position) with an offset: the size of position p of a
    layered family at its layer λ is n^{[λ + c]}; of an unlayered one, a size class."""

    def __init__(self) -> None:
        self.parent: dict = {}
        self.shift: dict = {}          # offset to the parent

    def find(self, x):
        self.parent.setdefault(x, x)
        self.shift.setdefault(x, 0)
        if self.parent[x] == x:
            return x, 0
        root, s = self.find(self.parent[x])
        self.parent[x], self.shift[x] = root, self.shift[x] + s
        return root, self.shift[x]

    def union(self, a, b, delta: int) -> None:
        """size(a) = size(b) + delta (in layers)."""
        ra, sa = self.find(a)
        rb, sb = self.find(b)
        if ra != rb:
            self.parent[ra], self.shift[ra] = rb, sb + delta - sa


def infer_entries(items: list[Item], path: str, *, title: str = "", language: str = ""):
    """The manifest of a chapter in index notation, with its notes; None when the chapter
    does not write indices."""
    letters = index_letters(items)
    if not letters:
        return None
    layered = any(_LAYERED.search(i.body) for i in items)
    lex = Lexicon(functions=frozenset(ACTIVATION_COMMANDS) | {r"\sigma"},
                  indices=tuple(sorted((c, "time" if c == "t" else "unit") for c in letters)),
                  plain="layer" if layered else "power")
    notes = [Prose.format("${c}$: an index (of a sum, or subscripted on what a formula "
                          "defines or differentiates)", c=c) for c in sorted(letters)]
    if layered:
        notes.append(Prose.format("superscripts on names are layers ($z^l$, $a^{{l-1}}$, "
                                  "$a^L$)"))
    defined: dict[str, tuple] = {}           # family -> (rhs tree, item, layer of the head)
    named: dict[str, str] = {}               # δ -> z (δ ≡ ∂C/∂z)
    used: dict[str, Item] = {}
    targets: Counter = Counter()
    wrt: set[str] = set()
    sizes = _Sizes()
    calls: dict[str, Item] = {}
    limits: dict[str, tuple] = {}            # q of \sum_{j=1}^{q} -> an entry position
    pairs: set = set()                       # (label, prediction) of y_j \log \hat{y}_j
    widths: dict = {}
    refs: dict[str, set] = {}                # family -> {(referenced family, offset)}
    for item in items:
        if item.kind not in ("definition", "claim", "update"):
            continue
        try:
            readings = read_display(item.body, lex)
        except ReadError:
            continue
        for r in readings:
            sides = list(r.sides)
            head = sides[0]
            if item.kind == "definition" and len(sides) == 2:
                fam, layer = _head(head)
                if fam is not None and isinstance(sides[1], T.Partial):
                    num, den = _head(sides[1].num), _head(sides[1].den)
                    if den[0] is not None:
                        named[fam] = den[0]
                        targets[num[0]] += 1
                        continue
                if fam is not None:
                    defined.setdefault(fam, (sides[1], item, layer))
                    refs.setdefault(fam, set()).update(_references(sides[1], layer))
            if item.kind == "claim" and isinstance(head, T.Partial):
                targets[_head(head.num)[0]] += 1
                wrt.add(_head(head.den)[0])
            elif item.kind == "claim" and isinstance(head, T.DiffOp):
                targets[_head(head.body)[0]] += 1             # \partial_{o_j} l
                wrt.add(_head(head.var)[0])
            _link(sides, sizes, letters)             # one formula: its sides share indices
            for side in sides:
                for n in side.walk():
                    if isinstance(n, T.Index) and isinstance(n.x, T.Sym):
                        used.setdefault(_family(n.x.name)[0], item)
                    elif isinstance(n, T.Sym) and n.name not in letters:
                        used.setdefault(_family(n.name)[0], item)
                    elif isinstance(n, T.Call):
                        calls.setdefault(n.func, item)
                    if isinstance(n, (T.Sum, T.Prod)) and isinstance(n.index, T.Sym) and \
                            isinstance(n.upper, T.Sym) and n.upper.name not in letters:
                        # \sum_{j=1}^{q}: q is the size the index runs over
                        for m in n.body.walk():
                            if isinstance(m, T.Index) and isinstance(m.x, T.Sym):
                                for p, i in enumerate(m.indices):
                                    if isinstance(i, T.Sym) and i.name == n.index.name:
                                        limits.setdefault(n.upper.name,
                                                          (_family(m.x.name)[0], p))
                    if isinstance(n, T.Sum) and isinstance(n.body, T.Mul):
                        _cross_entropy(n.body, defined, pairs)
    loss = _loss(targets, {}, {k: v[:2] for k, v in defined.items()})
    for name, position in limits.items():
        root = sizes.find(position)[0]
        widths.setdefault(root, name)            # the class is the book's own size name
        used.pop(name, None)
    first = _layers(defined, refs, named) if layered else {}
    symbols: dict[str, SymbolDecl] = {}

    dims = _dims(items, lex)
    anchors: dict = {}                       # class -> shift of a vector at its layer
    for fam, d in dims.items():
        if d == 1 and fam in first:
            root, s_ = sizes.find((fam, 0))
            anchors.setdefault(root, s_)

    def entries_of(fam: str, count: int):
        out = []
        for p in range(count):
            root, s_ = sizes.find((fam, p))
            if root in anchors:
                c = s_ - anchors[root]
                out.append((f"n^{{[l{c:+d}]}}" if c else "n^{[l]}") if fam in first
                           else f"n^{{[{min(max(c, 0), DEPTH)}]}}")
            else:
                out.append(widths.setdefault(root, f"n_{len(widths) + 1}"))
        return out

    for fam in sorted(set(used) | set(defined)):
        if fam in letters or fam in lex.functions or fam in calls:
            continue
        key = f"{fam}^{{[l]}}" if fam in first else fam
        kw: dict = {}
        if fam in first:
            kw["layers"] = (first[fam], DEPTH)
        if fam in dims:
            kw["entries"] = tuple(entries_of(fam, dims[fam]))
        if fam == loss:
            role, why = "loss", "the quantity the claims differentiate"
        elif fam in named:
            of = named[fam]
            role, why = "gradient", Prose.format("its definition names the derivative by "
                                                 "${of}$", of=of)
            kw["of"] = f"{of}^{{[l]}}" if of in first else of
        elif fam in defined:
            rhs = defined[fam][0]
            role = "activation" if isinstance(rhs, T.Call) and _is_activation(rhs.func) \
                else "weighted_input" if isinstance(rhs, (T.Add, T.Sum)) and not any(
                    isinstance(n, (T.Call, T.Div, T.Pow)) for n in rhs.walk()) \
                else "node"
            why = "defined in the chapter"
        else:
            role, why = _leaf_role(fam, fam in wrt)
            softmax = [p for y, p in pairs if y == fam and _normalized(defined.get(p))]
            if role == "label" and softmax and dims.get(fam) == 1:
                kw["simplex"] = True
                why += Prose.format("; its entries sum to one (one-hot or probabilities), as "
                                    "the target of the normalized ${p}$", p=softmax[0])
        symbols[key] = SymbolDecl(key, role, **kw)
        notes.append(Prose.format("${key}$: {role} — {why}", key=key,
                                  role=role.replace("_", " "), why=why)
                     + (Prose(", entries ") + Prose.latex(", ".join(map(str, kw["entries"])))
                        if "entries" in kw else "") + (f", layers {kw['layers'][0]} to {DEPTH}"
                                    if "layers" in kw else ""))
    for c in sorted(letters):
        symbols[c] = SymbolDecl(c, "index", kind="time" if c == "t" else "unit")
    size_table = {name: FREE_SIZES[k % len(FREE_SIZES)]
                  for k, name in enumerate(sorted(set(widths.values())))}
    funcs = {name: FunctionDecl(name, ACTIVATION_COMMANDS[name]) for name in calls
             if name in ACTIVATION_COMMANDS}
    if layered:
        notes.append(f"checked with {DEPTH} layers of widths {', '.join(map(str, WIDTHS[1:]))}")
    if size_table:
        notes.append("sizes chosen to check with (the chapter prints none): "
                     + Prose(", ").join(Prose.latex(f"{k} = {v}") for k, v in size_table.items()))
    words, hidden, output = CAPTION_WORDS.get(language or "en", CAPTION_WORDS["en"])
    manifest = Manifest(path=path, source=path.rsplit("/", 1)[-1], title=title,
                        language=language,
                        conventions=Conventions(superscript="layer" if layered else "power"),
                        symbols=symbols, functions=funcs, sizes=size_table,
                        layer_count=DEPTH if layered else 0,
                        layer_widths=tuple(WIDTHS) if layered else (),
                        caption_roles=dict(words))
    return Inferred(manifest, notes)


def _head(node):
    """(family, layer) of a name or an entry; (None, None) otherwise."""
    if isinstance(node, T.Index) and isinstance(node.x, T.Sym):
        node = node.x
    if isinstance(node, T.Sym):
        return _family(node.name)
    return None, None


def _references(rhs: T.Node, layer: str | None) -> set:
    out = set()
    head = _offset(layer)
    for n in rhs.walk():
        fam, lay = _head(n) if isinstance(n, (T.Index, T.Sym)) else (None, None)
        off = _offset(lay)
        if fam is not None and off is not None and head is not None and off[0] == head[0]:
            out.add((fam, off[1] - head[1]))
    return out


def _layers(defined: dict, refs: dict, named: dict) -> dict[str, int]:
    """The first layer each family exists at. A family is computed at layer l when every
    family it uses at its own layer or above is computed there and every one below is in
    range (computed there, or the input); a family used below every definition of it
    exists there as the input (Nielsen's a^1)."""
    layered = {fam for fam, (_, _, layer) in defined.items()
               if (_offset(layer) or ("", 0))[0] == "rel"}
    computed: dict[str, set] = {fam: set() for fam in layered}
    for _ in range(2 * DEPTH + 2):
        for fam in layered:
            for lay in range(1, DEPTH + 1):
                if all(1 <= lay + o <= DEPTH and not (o >= 0 and g in computed
                                                      and lay + o not in computed[g])
                       for g, o in refs.get(fam, ())):
                    computed[fam].add(lay)
    first: dict[str, int] = {fam: min(ls) for fam, ls in computed.items() if ls}
    for fam, fam_refs in refs.items():
        if fam not in first:
            continue
        for g, o in fam_refs:
            if o < 0 or g not in computed:        # the input below, or a leaf used here
                first[g] = min(first.get(g, DEPTH), first[fam] + o)
    for d, of in named.items():
        if of in first:
            first[d] = first[of]
    return {f: max(1, v) for f, v in first.items()}


def _link(sides: list, sizes: _Sizes, letters: set) -> None:
    """Positions one index letter links within a formula have the same size. The size of
    position p of a family at layer λ is n^{[λ + c]}; an entry at layer l + o links with
    offset o (an unlayered name, or a layer given by number or L, counts from layer 0)."""
    seen: dict[str, tuple] = {}
    for n in (n for side in sides for n in side.walk()):
        if not (isinstance(n, T.Index) and isinstance(n.x, T.Sym)):
            continue
        fam, lay = _family(n.x.name)
        off = _offset(lay)
        mode, o = ("rel", off[1]) if off and off[0] == "rel" else ("abs", off[1] if off else 0)
        for p, i in enumerate(n.indices):
            letter = i.name if isinstance(i, T.Sym) else None
            if letter not in letters:
                continue
            if letter in seen and seen[letter][1] == mode:
                other, _, o2 = seen[letter]
                sizes.union((fam, p), other, o2 - o)
            elif letter not in seen:
                seen[letter] = ((fam, p), mode, o)


def _dims(items, lex) -> dict[str, int]:
    out: dict[str, int] = {}
    for item in items:
        try:
            readings = read_display(item.body, lex)
        except ReadError:
            continue
        for r in readings:
            for side in r.sides:
                for n in side.walk():
                    if isinstance(n, T.Index) and isinstance(n.x, T.Sym):
                        fam = _family(n.x.name)[0]
                        out[fam] = max(out.get(fam, 0), len(n.indices))
    return out


def _cross_entropy(product: T.Mul, defined: dict, pairs: set) -> None:
    """``y_j \\log \\hat{y}_j`` in a sum: (y, \\hat{y})."""
    labels = [f for f in product.factors if isinstance(f, T.Index)]
    logs = [f for f in product.factors if isinstance(f, T.Call) and f.func in
            (r"\log", r"\ln") and len(f.args) == 1 and isinstance(f.args[0], T.Index)]
    for y in labels:
        for lg in logs:
            pairs.add((_head(y)[0], _head(lg.args[0])[0]))


def _normalized(entry) -> bool:
    """A definition e^{o_j} / \\sum_k e^{o_k}: entries that sum to one."""
    rhs = entry[0] if entry else None
    return isinstance(rhs, T.Div) and any(isinstance(n, T.Sum) for n in rhs.den.walk())
