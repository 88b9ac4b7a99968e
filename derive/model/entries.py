"""Index notation: quantities written by their entries (``w_{jk}``, ``\\delta^l_j``), each
entry a scalar of the chapter at explicit sizes.

A symbol declared with ``entries = ["K", "n"]`` is written ``w_{kj}``: each entry is a
scalar symbol of its own (``w_{21}``), so the scalar chain-rule engine, the equivalence
prover and the numeric route work on entries unchanged. A formula with free indices
(``z_j = \\sum_k w_{jk} x_k + b_j``, ``\\frac{\\partial C}{\\partial w_{jk}} = a_k \\delta_j``)
stands for one formula per value of its free indices: :func:`expand_entries` makes one
instance of the block per value (its ``env``), and :func:`merge_instances` folds their
verdicts back into one row per printed equation. A sum over a unit, class or time index
is written out term by term (its range from its limits, or from the sizes of the entries
its index stands in).

>>> from derive.read.manifest import parse_manifest
>>> man = parse_manifest('''
... [sizes]
... n = 2
... [symbols]
... x = { role = "input", entries = ["n"] }
... k = { role = "index", kind = "unit" }
... ''')
>>> from derive.model.chapter import build_vocabulary
>>> v = build_vocabulary(man)
>>> sorted(str(s) for s in v.entry_symbols.values())
['x_{1}', 'x_{2}']
"""
from __future__ import annotations

import itertools
from dataclasses import replace

import sympy

from ..errors import InputError
from ..prose import Prose
from ..read import ReadError, read
from ..read import tree as T
from ..read.printer import latex as tree_latex
from .arrays import array_axes, as_index, components
from .index_fit import layer_hint, swapped_indices
from .outside import first_outside
from .vocabulary import sympy_name

MAX_INSTANCES = 144       # values of a block's free indices (12 × 12)
MAX_SUM_TERMS = 5000      # terms of one written-out sum (nested sums multiply)
EXPANDED_KINDS = ("unit", "class", "time")


def register_entries(vocab, manifest) -> None:
    """Every entry of every symbol declared with ``entries`` becomes a scalar symbol."""
    from .vocabulary import symbol_name
    vocab.sizes = dict(manifest.sizes)
    loss = next((d for d in manifest.symbols.values() if d.role == "loss"), None) or \
        next((d for d in manifest.symbols.values() if d.role == "cost"), None)
    for latex, decl in manifest.symbols.items():
        if decl.entries is None or any(isinstance(d, str) and d not in manifest.sizes
                                       for d in decl.entries):
            continue          # a layer family (n^{[l]}) before its layers are made
        name = vocab.written[symbol_name(latex, "", vocab.convention())]
        sizes = tuple(d if isinstance(d, int) else manifest.sizes[d] for d in decl.entries)
        vocab.entries[name] = sizes
        spelled = vocab.spelled[name]
        for idx in itertools.product(*(range(1, n + 1) for n in sizes)):
            written = ("," if max(sizes) > 9 else "").join(str(i) for i in idx)
            # h_0's entries: {h_0}_{1}, not h_0_{1} (a double subscript, which TeX rejects)
            ename = f"{{{name}}}_{{{written}}}" if "_" in name else f"{name}_{{{written}}}"
            if ename in vocab.names:
                raise InputError(f"symbols.{latex}: its entry {ename} is also declared as a "
                                 "symbol of its own", file=manifest.path)
            sym = sympy.Symbol(ename, real=True)
            vocab.entry_symbols[(name, idx)] = sym
            shown = f"{{{spelled}}}" if "_" in spelled else spelled
            vocab.canonical_latex[sym] = f"{shown}_{{{written}}}"
        if decl.identity:                  # I_{kj}: the identity's entries, numbers
            for idx in itertools.product(*(range(1, n + 1) for n in sizes)):
                vocab.entry_values[(name, idx)] = sympy.Integer(int(idx[0] == idx[1]))
        if decl.simplex:
            # a label whose entries sum to one (one-hot, probabilities): the last entry is
            # one minus the others
            if len(sizes) > 2:
                raise InputError(f"symbols.{latex}: simplex = true is for a vector of entries "
                                 "(or a vector per time step or example)", file=manifest.path)
            if decl.role == "label":
                vocab.one_hot.add(name)
            for row in itertools.product(*(range(1, n + 1) for n in sizes[:-1])):
                vocab.entry_values[(name, (*row, sizes[-1]))] = 1 - sympy.Add(*[
                    vocab.entry_symbols[(name, (*row, i))] for i in range(1, sizes[-1])])
        if decl.role == "gradient" and loss is not None:
            of = vocab.written[symbol_name(decl.of, "", vocab.convention())]
            of_decl = manifest.symbols[decl.of]
            if of_decl.entries is None or len(of_decl.entries) != len(sizes):
                raise InputError(f"symbols.{latex}: a gradient written by its entries is of a "
                                 f"quantity with as many indices ({decl.of} has "
                                 f"{len(of_decl.entries or ())})", file=manifest.path)
            vocab.entry_gradients[name] = (
                vocab.names[symbol_name(loss.latex, "", vocab.convention())], of)


def entry_roles(vocab, manifest) -> dict[sympy.Symbol, tuple[str, int | None]]:
    """Each entry symbol's (role, layer), from its symbol's declaration."""
    from .vocabulary import symbol_name
    out = {}
    for latex, decl in manifest.symbols.items():
        if decl.entries is None or decl.role == "gradient":
            continue
        name = vocab.written[symbol_name(latex, "", vocab.convention())]
        for (base, idx), sym in vocab.entry_symbols.items():
            if base == name and (base, idx) not in vocab.entry_values:
                out[sym] = (decl.role, decl.layer)
    return out


# --- free indices and their ranges -------------------------------------------------------

def index_ranges(node: T.Node, vocab, bound: frozenset = frozenset()) -> dict[str, dict]:
    """Each index used free in ``node``: the sizes of the entry positions it stands in,
    each with the entries that say so (``{3: ["w_{kj}"], 2: ["x_k"]}``; empty when it
    stands in none, e.g. only in ``1\\{y = k\\}``)."""
    out: dict[str, dict] = {}

    def index_name(n) -> str | None:
        if isinstance(n, T.Sym) and _kind(vocab, n.name) in EXPANDED_KINDS:
            return n.name
        return None

    def visit(n, bound):
        n = as_index(n, vocab)                 # h^{(t)}: t is h's first index
        if isinstance(n, (T.Sum, T.Prod)) and isinstance(n.index, T.Sym):
            for part in (n.lower, n.upper):
                if part is not None:
                    visit(part, bound)
            if n.cond is not None:                 # \sum_{j \neq k}: j is the sum's own
                visit(n.cond, bound | {n.index.name})
            visit(n.body, bound | {n.index.name})
            return
        if isinstance(n, T.Index) and isinstance(n.x, T.Sym):
            sizes = vocab.entries.get(vocab.written.get(sympy_name(n.x.name), ""))
            for p, i in enumerate(n.indices):
                name = index_name(i)
                if name is not None and name not in bound:
                    out.setdefault(name, {})
                    if sizes is not None and p < len(sizes):
                        out[name].setdefault(sizes[p], []).append(tree_latex(n))
                else:
                    visit(i, bound)
            return
        name = index_name(n)
        if name is not None and name not in bound:
            out.setdefault(name, {})
            return
        for c in n.children():
            visit(c, bound)

    visit(node, bound)
    return out


def _kind(vocab, name: str) -> str | None:
    return vocab.indices.get(name)


def the_range(name: str, sizes: dict, where: str, vocab=None) -> int:
    """The one size an index ranges over, or an error naming the disagreement (a
    :class:`WrongIndices` when the index runs over entries of different sizes)."""
    if not sizes:
        raise InputError(f"{where}: cannot tell the range of the index {name} (it stands in "
                         f"no entry); write its limits, \\sum_{{{name}=1}}^{{K}}", token=name)
    if len(sizes) > 1:
        said = Prose("; ").join(Prose.latex(", ".join(dict.fromkeys(ws))) + f" give {size}"
                                for size, ws in sorted(sizes.items()))
        raise WrongIndices(Prose.format("the index ${name}$ runs over entries of different "
                                        "sizes: {said}", name=name, said=said)
                           + layer_hint(sizes, vocab))
    return next(iter(sizes))


class WrongIndices(Exception):
    """Indices that do not fit the entries they stand in (one index over two ranges, or an
    entry's indices swapped): a wrong formula, not an unreadable one."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def expand_entries(items, vocab):
    """One instance of each definition and claim per value of its free indices; returns
    the items and the errors of blocks whose indices have no range (by block id)."""
    out, errors = [], {}
    for item in items:
        if item.kind not in ("definition", "claim", "update"):
            out.append(item)
            continue
        try:
            reading = read(item.body, vocab.lexicon())
        except ReadError:
            out.append(item)            # the checker reports the reading error itself
            continue
        ranges: dict[str, dict] = {}
        for side in reading.sides:
            for name, sizes in index_ranges(side, vocab).items():
                for size, written in sizes.items():
                    ranges.setdefault(name, {}).setdefault(size, []).extend(written)
                ranges.setdefault(name, {})
        bare = _bare(reading.sides, vocab)
        axes = array_axes(reading.sides[0], vocab)
        if bare and not ranges and axes == tuple(vocab.entries[bare[0]]):
            # \frac{\partial C}{\partial w} = ... w: "w" stands for any one weight (and
            # \nabla_W L = <a matrix>: the entry of the matrix at that weight's place)
            base = bare[0]
            entries = sorted((idx, sym) for (b, idx), sym in vocab.entry_symbols.items()
                             if b == base)
            for idx, sym in entries[:MAX_INSTANCES]:
                label = "entry=" + ",".join(map(str, idx))
                env = ((f"@{base}", str(sym)), ("#", ",".join(map(str, idx))))
                out.append(replace(item, id=f"{item.id}[{label}]", env=env))
            continue
        if axes and not ranges:
            ranges = {}                     # h = tanh(W x + b): each entry of the array
        elif not ranges:
            out.append(item)
            continue
        try:
            names = sorted(ranges)
            if any(len(ranges[n]) > 1 for n in names):
                swapped = swapped_indices(reading.sides, vocab, index_ranges)
                if swapped is not None:
                    raise WrongIndices(swapped)
            sizes = [the_range(n, ranges[n], "free index", vocab) for n in names]
            count = 1
            for s in (*sizes, *(axes or ())):
                count *= s
            if count > MAX_INSTANCES:
                raise InputError(f"{count} values of the free indices {', '.join(names)}: "
                                 f"derive checks up to {MAX_INSTANCES}; use smaller sizes")
        except WrongIndices as wrong:
            errors[item.id] = wrong
            out.append(item)
            continue
        except InputError as exc:
            errors[item.id] = item.locate(exc)
            out.append(item)
            continue
        made = 0
        outside = []
        for values in itertools.product(*(range(1, s + 1) for s in sizes)):
            env = tuple(zip(names, values))
            label = ",".join(f"{n}={v}" for n, v in env)
            beyond = first_outside(reading.sides, vocab, dict(env))
            if beyond is not None:
                outside.append(Prose(f"{label} (") + beyond + ")")
                continue                  # h_{t+1} at t = T: the formula is for t < T
            for comp in (components(axes) if axes else [None]):
                extra = ((("#", ",".join(map(str, comp))),) if comp else ())
                shown = ",".join(x for x in (label, comp and
                                             "entry=" + ",".join(map(str, comp))) if x)
                out.append(replace(item, id=f"{item.id}[{shown}]", env=env + extra,
                                   where=item.where))
                made += 1
        if not made:
            errors[item.id] = item.locate(InputError(
                "at every value of its free indices the formula uses an entry that does "
                f"not exist: {'; '.join(outside[:3])}"))
            out.append(item)
        elif outside and item.kind == "definition":
            # a quantity left undefined at some index values would be a free leaf of the
            # model there (a^{(1)} without h^{(0)}): refused, not checked on another model
            del out[len(out) - made:]
            errors[item.id] = item.locate(InputError(
                f"the definition does not apply at {'; '.join(outside[:3])}: declare the "
                "entry it needs there (an initial state h_0) or define those values apart"))
            out.append(item)
        elif outside:
            vocab.outside[item.id] = outside
    return out, errors


def instance_of(equation_id: str) -> tuple[str, str] | None:
    """``("BP4", "j=1,k=2")`` for an instance's id, None for a printed equation's."""
    if not equation_id.endswith("]") or "[" not in equation_id:
        return None
    base, _, label = equation_id[:-1].rpartition("[")
    if not label or "=" not in label or label.startswith("l="):
        return None
    return base, label


def merge_instances(result, outside: dict | None = None, fixes: dict | None = None):
    """One row per printed equation: the worst instance stands for it, with a finding that
    says at which index values it was checked and where it fails."""
    from ..report import EquationResult, Verdict
    from ..rules.instances import Instances
    groups: dict[str, list[EquationResult]] = {}
    order: list[str] = []
    for e in result.equations:
        inst = instance_of(e.id)
        key = inst[0] if inst else e.id
        if key not in groups:
            order.append(key)
            groups[key] = []
        groups[key].append(e)
    out = []
    for key in order:
        group = groups[key]
        if len(group) == 1 and instance_of(group[0].id) is None:
            fix = (fixes or {}).get(key)
            out.append(replace(group[0], findings=(fix, *group[0].findings))
                       if fix else group[0])
            continue
        worst = Verdict.worst(e.verdict for e in group)
        failing = [e for e in group if e.verdict != Verdict.VERIFIED]
        shown = next(e for e in group if e.verdict == worst)
        labels = [instance_of(e.id)[1] for e in group]
        if failing:
            where = ", ".join(instance_of(e.id)[1] for e in failing[:4])
            more = f" and {len(failing) - 4} more" if len(failing) > 4 else ""
            text = (f"index notation: checked at each of {len(group)} index values "
                    f"({labels[0]} … {labels[-1]}); {shown.verdict} at {where}{more}; "
                    f"shown: {instance_of(shown.id)[1]}")
        else:
            text = (f"index notation: holds at each of {len(group)} index values "
                    f"({labels[0]} … {labels[-1]})")
        skipped = outside.get(key) if outside else None
        if skipped:
            text += (Prose("; not checked at ") + Prose(", ").join(skipped[:3])
                     + (f" and {len(skipped) - 3} more" if len(skipped) > 3 else "")
                     + ", where the formula does not apply")
        note = Instances(text=text).finding()
        fix = (fixes or {}).get(key)
        out.append(replace(shown, id=key, corrected=None,
                           findings=((fix,) if fix else ()) + (*shown.findings, note)))
    return replace(result, equations=tuple(out))


BOLD = (r"\mathbf", r"\boldsymbol", r"\bm", r"\vec", r"\pmb", r"\mathbold")


def _bare(sides, vocab) -> list[str]:
    """Symbols written by entries that a formula uses whole, outside a sum over them
    (Nielsen's "w" for any weight): their names."""
    out = []

    def visit(n, bound):
        n = as_index(n, vocab)
        if isinstance(n, T.Sum) and isinstance(n.index, T.Sym):
            visit(n.body, bound | {n.index.name})
            return
        if isinstance(n, T.Index):
            for i in n.indices:
                visit(i, bound)
            return
        if isinstance(n, T.Sym) and n.name not in bound and not n.name.startswith(BOLD):
            # a bold name (\mathbf{h}) is the vector itself, not "any one entry"
            base = vocab.written.get(sympy_name(n.name))
            if base in vocab.entries and base not in out:
                out.append(base)
            return
        for c in n.children():
            visit(c, bound)
    for side in sides:
        visit(side, frozenset())
    return out
