"""The manifest a chapter implies: roles, activations, layers and conventions inferred
from its own formulas and names, each inference with the reason and the place.

The closed world stays: only names the chapter introduces are declared — the left side
of a definition, a name on a definition's right side (a leaf), an index of a sum, the
variable of a derivative that is also a leaf. A name that appears only in a claim is not
declared (a typo is reported as an unknown symbol), unless it differs from a declared
name only in case (``Z_2`` for ``z_2``): then it is an alias, and the notation check
says so.

Roles of leaves come from the usual names (``w``, ``W``, ``\\theta`` weights, ``b``
biases, ``x`` inputs, ``y``, ``t`` labels, ``m``, ``n``, ``N`` the samples when they count
a sum or divide it, ``\\eta``, ``\\lambda`` constants); a leaf that a claim
differentiates by and no name explains is a parameter, any other an input.
"""
from __future__ import annotations

import re
from collections import Counter

from ..prose import Prose
from ..read.manifest import Conventions, FunctionDecl, Manifest, SymbolDecl
from ..read import Lexicon, ReadError, read_display, read_name, tree as T
from ..read.source import Item
from .infer_names import (ACTIVATION_COMMANDS, BUILTIN, CAPTION_WORDS, CONSTANTS,  # noqa: F401
                          INPUTS, LABELS, LOSS_NAMES, SAMPLES, WEIGHTS, _GRAD, BIASES,
                          Inferred, _base, _is_activation, _leaf_role, _loss)

def infer_manifest(items: list[Item], path: str, *, title: str = "",
                   language: str = "", aliases=(), adjoints=None) -> Inferred:
    """The manifest of a chapter that has none, from its blocks."""
    from .infer_entries import infer_entries
    indexed = infer_entries(items, path, title=title, language=language)
    if indexed is not None:
        return indexed                  # index notation (z^l_j = \sum_k w^l_{jk} a^{l-1}_k)
    lex = _lexicon(items)
    notes: list[str] = []
    defined: dict[str, tuple[T.Node, Item]] = {}     # node -> (right side, item)
    functions: dict[str, tuple[list[str], T.Node, Item]] = {}
    used: dict[str, Item] = {}                      # every name read, where first
    targets: Counter = Counter()                    # numerators of the claims' derivatives
    wrt: dict[str, Item] = {}                       # variables the claims differentiate by
    indices: dict[str, Item] = {}
    sample_counts: dict[str, Item] = {}
    calls: dict[str, Item] = {}
    for item in items:
        if item.kind not in ("definition", "claim", "graph", "update"):
            continue
        texts = re.split(r"→|\\to\b|->", item.body) if item.kind == "graph" else [item.body]
        if item.kind == "update":
            # w := w - \alpha dw: its names are used, nothing is defined (the rate is a
            # leaf, a constant by its name)
            texts = [re.split(r":=|\\leftarrow|\\gets|\\coloneqq|=", item.body, maxsplit=1)[-1]]
        for text in texts:
            try:
                readings = read_display(text, lex)
            except ReadError:
                continue                 # reported when the chapter is checked
            for r in readings:
                _collect(r, item, defined, functions, used, targets, wrt, indices,
                         sample_counts, calls)
    # u(a, b) = (a + b)^2 with a, b quantities of the chapter: the node u, written as a
    # function of what it depends on (L(y, a) with a placeholder a stays a function)
    quantities = set(defined) | set(used) | set(functions)
    for name, (params, body, item) in list(functions.items()):
        if params and name not in ACTIVATION_COMMANDS and all(p in quantities for p in params):
            defined.setdefault(name, (body, item))
            notes.append(Prose.format(
                "${name}({params})$: the quantity ${name}$, computed from ${params}$ "
                "(line {line})", name=name, params=", ".join(params), line=item.line))
            if name not in targets and name not in LOSS_NAMES:
                del functions[name]
    symbols: dict[str, SymbolDecl] = {}

    def declare(name: str, role: str, why: str, item: Item | None, **kw) -> None:
        if name in symbols:
            return
        symbols[name] = SymbolDecl(name, role, **kw)
        where = f" (line {item.line})" if item is not None else ""
        notes.append(Prose.format("${name}$: {role} — {why}{where}", name=name,
                                  role=role.replace("_", " "), why=why, where=where))

    loss = _loss(targets, functions, defined)
    for name, (rhs, item) in defined.items():
        if name == loss:
            role = "cost" if _has_sample_sum(rhs) else "loss"
            declare(name, role, "the quantity the claims differentiate", item)
            continue
        role = "activation" if isinstance(rhs, T.Call) and _is_activation(rhs.func) else \
            "weighted_input" if _affine(rhs) else "node"
        declare(name, role, f"defined as {'an activation' if role == 'activation' else 'a weighted sum' if role == 'weighted_input' else 'a formula'}",
                item, layer=_layer(name, defined))
    for name, (params, body, item) in list(functions.items()):
        if name in ACTIVATION_COMMANDS:
            del functions[name]             # \sigma(z) = ...: the activation, stated
            continue
        if name == loss or _has_sample_sum(body) and name in LOSS_NAMES + ("J",):
            role = "cost" if _has_sample_sum(body) else "loss"
            why = "the claims differentiate" if name == loss else \
                "a mean of the loss over the samples"
            declare(name, role, f"the function {name}({', '.join(params)}) {why}", item)
    samples = None
    for name, item in sample_counts.items():
        if name in used and name not in defined:
            declare(name, "samples", "it counts the samples of a sum or a mean", item)
            samples = samples or name
    for name, item in indices.items():
        declare(name, "index", "the index of a sum or a sample superscript", item)
    # \bar{y}: an error signal (the chapter starts its backward pass with \bar{L} = 1)
    for bar, of in (adjoints or {}).items():
        try:
            bar, of = read_name(bar), read_name(of)
        except ReadError:
            continue
        if of in defined or of in used:
            declare(bar, "gradient", Prose.format(
                "the error signal of ${of}$ ($\\partial {loss}/\\partial {of}$), written with "
                "a bar", of=of, loss=loss), used.get(bar), of=of)
    # dz, dw_1: named gradients of quantities the chapter has (Ng's notation)
    for name, item in used.items():
        m = re.fullmatch(r"d(.+)", name)
        if m and name not in defined and m.group(1) in (set(defined) | set(used)) and \
                loss is not None:
            declare(name, "gradient", f"the derivative of {loss} by {m.group(1)}, named "
                    f"d{m.group(1)}", item, of=m.group(1))
    stated = aliases
    # a name the chapter uses that only differs in case from a defined one: an alias
    aliases: dict[str, list[str]] = {}
    for a in stated:                                  # \hat{y} = a = \sigma(z)
        try:
            name, of = read_name(a.name), read_name(a.of)
        except ReadError:
            continue
        if (of in defined or of in used) and name not in aliases.get(of, []):
            aliases.setdefault(of, []).append(name)
            notes.append(Prose.format("${name}$: another name for ${of}$, written "
                                      "${written} = {of_written}$ (line {line})", name=name,
                                      of=of, written=a.name, of_written=a.of, line=a.line))
    for name, item in used.items():
        if name in defined or name in functions:
            continue
        twin = next((s for s in defined if s.lower() == name.lower()), None)
        if twin is not None:
            aliases.setdefault(twin, []).append(name)
            notes.append(Prose.format("${name}$: another spelling of ${twin}$ (line {line})",
                                      name=name, twin=twin, line=item.line))
    # \partial\sigma/\partial w: a bare activation name stands for the one node it makes
    for name, item in used.items():
        if name in calls or name in ACTIVATION_COMMANDS:
            makers = [n for n, (rhs, _) in defined.items()
                      if isinstance(rhs, T.Call) and rhs.func == name]
            if len(makers) == 1:
                aliases.setdefault(makers[0], []).append(name)
                notes.append(Prose.format(
                    "${name}$: written alone, the activation ${node} = {name}(...)$ "
                    "(line {line})", name=name, node=makers[0], line=item.line))
    spelled = {a for names in aliases.values() for a in names}
    for name, item in used.items():
        if name in symbols or name in defined or name in functions or name in spelled:
            continue
        role, why = _leaf_role(name, name in wrt)
        if role == "samples" and samples is None:
            samples = name
        declare(name, role, why, item, layer=_layer(name, {**defined, **dict.fromkeys(
            (n for n in used if n not in defined), None)}))
    for twin, names in aliases.items():
        if twin not in symbols:
            continue
        d = symbols[twin]
        symbols[twin] = SymbolDecl(d.latex, d.role, d.layer, tuple(names), d.range)
    funcs = {}
    for name, item in calls.items():
        kind = ACTIVATION_COMMANDS.get(name)
        if kind and name not in functions:
            funcs[name] = FunctionDecl(name, kind)
            notes.append(Prose.format("${name}$: the {kind} activation (line {line})",
                                      name=name, kind=kind, line=item.line))
    layered = {d.layer for d in symbols.values() if d.layer is not None}
    words, hidden, output = CAPTION_WORDS.get(language or "en", CAPTION_WORDS["en"])
    caption_layers = {}
    if layered:
        caption_layers[max(layered)] = output
        if len(layered) == 2:
            caption_layers[min(layered)] = hidden
    superscript = "layer" if _plain_layers(used) else "power"
    if superscript == "layer":
        notes.append(Prose.format("superscripts on names are layers ($z^l$, $a^{{l-1}}$ are "
                                  "written with the layer index $l$)"))
    manifest = Manifest(path=path, source=path.rsplit("/", 1)[-1], title=title,
                        language=language,
                        conventions=Conventions(samples=samples, superscript=superscript),
                        symbols=symbols, functions=funcs,
                        caption_roles=dict(words), caption_layers=caption_layers)
    return Inferred(manifest, notes)


def _flat_(text: str) -> str:
    from ..read.blocks import _flat
    return _flat(text)


def _lexicon(items: list[Item]) -> Lexicon:
    """What reading the chapter needs before its manifest exists: the functions it
    defines and applies, the named gradients, the indices of its sums."""
    funcs = set(ACTIVATION_COMMANDS) | {r"\sigma"}
    names = set()
    indices = set()
    gradients = any(item.kind == "claim" and re.match(rf"^\s*d{_GRAD}\s*=", _flat_(item.body))
                    for item in items)
    from ..read.blocks import _flat
    for item in items:
        body = _flat(item.body)
        m = re.match(r"^\s*(\\?[A-Za-z]+(?:_\{?[A-Za-z0-9]+\}?)?)\s*(?:\(|\\left\s*\()", body)
        if item.kind == "definition" and m:
            head = read_name(m.group(1))
            funcs.add(head)
            names.add(head)          # L(y, a) = ... defines L, which claims differentiate
        if gradients:                # Ng's dz, dw_1: the named gradients, as one name each
            for g in re.finditer(rf"(?<![A-Za-z\\{{])d{_GRAD}", body):
                base, sub = g.group("base"), g.group("sub")
                names.add(f"d{base}" + (f"_{sub}" if sub and len(sub) == 1 else
                                        f"_{{{sub}}}" if sub else ""))
        for g in re.finditer(r"\\sum\\?[a-z]*_\{?\s*([a-z])\s*[=}^]", body):
            indices.add(g.group(1))
        for g in re.finditer(r"\^\{\(([a-z])\)\}", body):
            indices.add(g.group(1))
    return Lexicon(names=frozenset(names), functions=frozenset(funcs),
                   indices=tuple((i, "sample") for i in sorted(indices)))


def _collect(r, item, defined, functions, used, targets, wrt, indices, counts, calls) -> None:
    sides = list(r.sides)
    in_function = False
    if item.kind == "definition" and len(sides) == 2:
        head = sides[0]
        if isinstance(head, T.Call):
            params = [p.name for p in head.args if isinstance(p, T.Sym)]
            functions.setdefault(head.func, (params, sides[1], item))
            sides = sides[1:]
            in_function = True
        elif isinstance(head, T.Sym):
            defined.setdefault(head.name, (sides[1], item))
    if item.kind == "claim" and sides and isinstance(sides[0], T.Partial):
        num, den = sides[0].num, sides[0].den      # the claim is about ∂num/∂den
        if isinstance(num, (T.Sym, T.Call)):
            targets[num.name if isinstance(num, T.Sym) else num.func] += 1
        if isinstance(den, T.Sym):
            wrt.setdefault(den.name, item)
    for side in sides:
        for n in side.walk():
            if isinstance(n, T.Sym):
                if not in_function:
                    used.setdefault(n.name, item)
            elif isinstance(n, T.Index) and isinstance(n.x, T.Sym):
                used.setdefault(n.x.name, item)
            elif isinstance(n, T.Call):
                calls.setdefault(n.func, item)
            elif isinstance(n, (T.Sum, T.Prod)):
                if isinstance(n.index, T.Sym):
                    indices.setdefault(n.index.name, item)
                if isinstance(n.upper, T.Sym):
                    counts.setdefault(n.upper.name, item)
            elif isinstance(n, T.Sample) and isinstance(n.index, T.Sym):
                indices.setdefault(n.index.name, item)
            elif isinstance(n, T.Div) and isinstance(n.den, T.Sym) and \
                    isinstance(n.num, T.Num) and n.den.name in SAMPLES:
                counts.setdefault(n.den.name, item)


def _has_sample_sum(node: T.Node) -> bool:
    return any(isinstance(n, T.Sum) and isinstance(n.upper, T.Sym) for n in node.walk())


def _affine(node: T.Node) -> bool:
    """A weighted sum: no function applied (w x + b, w_2 a_1 + b_2)."""
    return isinstance(node, (T.Add, T.Mul)) and not any(
        isinstance(n, (T.Call, T.Pow, T.Div)) for n in node.walk())


def _layer(name: str, family: dict) -> int | None:
    """w_1, b_2, z_2: the number of a family's member (when the family has others)."""
    m = re.fullmatch(r"(.+?)_\{?(\d)\}?", name)
    if m is None:
        m2 = re.fullmatch(r"(.+?)\^\{\[(\d)\]\}", name)
        return int(m2.group(2)) if m2 else None
    base = m.group(1)
    members = [n for n in family if re.fullmatch(rf"{re.escape(base)}_\{{?\d\}}?", n)]
    return int(m.group(2)) if len(members) >= 2 else None


def _plain_layers(used: dict) -> bool:
    return any(re.search(r"\^\{?l(?:[+-]1)?\}?$|\^\{?L\}?$", n) for n in used)


