"""The chapter's model: symbols by role, forward definitions, the stated graph, the loss.

Also checks each printed forward definition against the stated computation graph and
proposes the corrected definition when they disagree (e.g. ``z_2 = w_2 x + b_2`` where the
graph says ``a_1 → z_2``).
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field, replace

import sympy

from ..errors import InputError
from ..read.latex import Vocabulary, parse_formula
from ..read.manifest import PARAMETER_ROLES, Manifest
from ..read.source import Item
from .binding import bind_cost, bind_loss, inline_calls, inline_functions

# read_definitions and roles_by_name are importable from here (and from derive.model)
from .definitions import (  # noqa: F401
    Definition,
    UserFunction,
    _name_of,
    read_definitions,
    roles_by_name,
)


@dataclass(frozen=True)
class DefinitionIssue:
    """A forward definition that contradicts the stated graph."""

    definition: Definition
    uses: tuple[sympy.Symbol, ...]        # graph variables the printed rhs uses
    parents: tuple[sympy.Symbol, ...]     # what the graph says it is computed from
    corrected: sympy.Expr | None          # rhs with the wrong variables replaced


@dataclass
class Model:
    """A computable model. Symbols are SymPy symbols; the maths lives in derive.calculus.derivation."""

    vocab: Vocabulary
    manifest: Manifest
    roles: dict[sympy.Symbol, str]
    layers: dict[sympy.Symbol, int]
    definitions: dict[sympy.Symbol, Definition]
    order: list[sympy.Symbol]                 # nodes, inputs first
    edges: set[tuple[sympy.Symbol, sympy.Symbol]]
    functions: dict[str, UserFunction]
    loss: sympy.Symbol | None
    loss_expr: sympy.Expr | None              # per-sample loss in terms of the output node
    output: sympy.Symbol | None
    samples: sympy.Symbol | None
    graph_items: list[Item] = field(default_factory=list)
    corrected_nodes: tuple[sympy.Symbol, ...] = ()
    cost: sympy.Symbol | None = None          # J (role cost), when the chapter defines it
    cost_expr: sympy.Expr | None = None       # its definition as printed (sums, calls)

    def latex(self, sym: sympy.Symbol) -> str:
        return self.vocab.canonical_latex.get(sym, sympy.latex(sym))

    def content_key(self) -> tuple:
        """The model's mathematics as a hashable value (its definitions in order, the loss,
        the bodies of the chapter's functions): what derive's in-process memos
        (derive.memo) are keyed by."""
        return (tuple((n, self.definitions[n].rhs) for n in self.order if n in self.definitions),
                self.loss, self.loss_expr,
                # the chapter's functions too: L = H(y, a) means H's body (issue 11, class 7)
                tuple(sorted((f.name, f.params, f.body) for f in self.functions.values())))

    def of_role(self, *roles: str) -> list[sympy.Symbol]:
        return [s for s, r in self.roles.items() if r in roles]

    @property
    def parameters(self) -> list[sympy.Symbol]:
        return self.of_role(*PARAMETER_ROLES)

    @property
    def leaves(self) -> list[sympy.Symbol]:
        return [s for s in self.roles if s not in self.definitions
                and self.roles[s] not in ("loss", "cost", "samples", "index", "gradient")]

    def is_node(self, sym) -> bool:
        return sym in self.definitions

    def variables(self) -> set[sympy.Symbol]:
        return set(self.definitions) | set(self.leaves)

    def with_definitions(self, new_rhs: dict[sympy.Symbol, sympy.Expr]) -> "Model":
        defs = dict(self.definitions)
        for node, rhs in new_rhs.items():
            defs[node] = replace(defs[node], rhs=rhs)
        m = replace(self, definitions=defs, corrected_nodes=tuple(new_rhs))
        m.order = _topological(defs, m.leaves)
        return m


def build_vocabulary(manifest: Manifest) -> Vocabulary:
    """The closed world of a chapter, from its manifest."""
    conv = manifest.conventions
    vocab = Vocabulary(log=conv.log, star=conv.star, superscript=conv.superscript,
                       parenthesised=conv.parenthesised)
    from ..read.latex import symbol_name

    def is_matrix(decl) -> bool:
        if decl.shape is not None:
            return True
        ref = decl.of or decl.column_of
        return ref is not None and manifest.symbols[ref].shape is not None

    for latex, decl in manifest.symbols.items():
        try:
            name = symbol_name(latex, f"symbols.{latex}", vocab.convention())
            vocab.add_symbol(latex, name, is_matrix(decl))
            if decl.role == "index":
                vocab.indices[vocab.spelled[name]] = decl.kind or "sample"
                if decl.values is not None:          # w_j, w_O: the index j, word 1
                    vocab.index_values[vocab.spelled[name]] = dict(decl.values)
            elif decl.index is not None:            # the gate i^t, and i in o^t_i
                vocab.indices[vocab.spelled[name]] = decl.index
        except InputError as exc:
            raise exc.located(file=manifest.path)
    for latex, values in manifest.sets.items():
        from .vocabulary import read_name
        try:
            vocab.sets[read_name(latex, vocab.convention())] = frozenset(values)
        except InputError as exc:
            raise InputError(f"sets.{latex}: {exc.message}", file=manifest.path) from None
    if manifest.conventions.samples:
        vocab.samples = vocab.names.get(symbol_name(manifest.conventions.samples, "",
                                                    vocab.convention()))
    for latex, decl in manifest.symbols.items():
        for alias in decl.aliases:
            try:
                vocab.add_alias(alias, latex)
            except InputError as exc:
                raise exc.located(file=manifest.path)
    if not manifest.vectorized:
        loss = next((d for d in manifest.symbols.values() if d.role == "loss"), None) or \
            next((d for d in manifest.symbols.values() if d.role == "cost"), None)
        for latex, decl in manifest.symbols.items():
            if decl.role == "gradient" and loss is not None and decl.of in manifest.symbols:
                name = symbol_name(latex, "", vocab.convention())
                vocab.gradients[name] = (
                    vocab.names[symbol_name(loss.latex, "", vocab.convention())],
                    vocab.names[symbol_name(decl.of, "", vocab.convention())])
    if any(d.entries is not None for d in manifest.symbols.values()):
        from .entries import register_entries
        register_entries(vocab, manifest)
    for latex, decl in manifest.functions.items():
        if decl.activation == "unspecified":
            from .vocabulary import function_name
            vocab.unspecified.add(function_name(latex))
            continue
        try:
            vocab.add_function(latex, decl.activation)
            for alias in decl.aliases:
                vocab.add_function(alias, None, same_as=latex)
        except InputError as exc:
            raise InputError(f"functions.{latex}: {exc.message}", file=manifest.path) from None
    return vocab


def read_graph(items: list[Item], vocab: Vocabulary):
    """Edges of the stated computation graph ``x → z_1 → a_1 → ...`` (one chain per block)."""
    edges: set[tuple[sympy.Symbol, sympy.Symbol]] = set()
    chains: list[list[sympy.Symbol]] = []
    for item in items:
        if item.kind != "graph":
            continue
        for line in re.split(r"[;\n]", item.body):
            names = [t.strip() for t in re.split(r"→|\\to\b|\\rightarrow\b|->|\\longrightarrow\b",
                                                  line)]
            if len(names) < 2 or not all(names):
                raise InputError("a graph is written as 'x → z_1 → a_1' (→, \\to, \\rightarrow "
                                 "or ->)", file=item.file, line=item.line, equation=item.id)
            chain = []
            for n in names:
                try:
                    sym = parse_formula(n, vocab).expr
                except InputError as exc:
                    raise item.locate(exc)
                if not isinstance(sym, sympy.Symbol):
                    raise InputError(f"graph node {n!r} is not one declared symbol",
                                     file=item.file, line=item.line, equation=item.id)
                chain.append(sym)
            chains.append(chain)
            edges |= set(zip(chain, chain[1:]))
    return edges, chains


def build_model(manifest: Manifest, vocab: Vocabulary, defs, functions, edges,
                graph_items) -> Model:
    # calls of the chapter's functions inside other functions and node definitions are
    # expanded once, here: the chain rule and the numeric route see only their bodies
    functions = inline_functions(functions)
    defs = {n: replace(d, rhs=inline_calls(d.rhs, functions)) for n, d in defs.items()}
    unspecified = _unspecified_nodes(manifest, vocab, defs)
    defs.update(unspecified)
    roles = {}
    layers = {}
    for latex, decl in manifest.symbols.items():
        if decl.entries is not None:
            continue                     # written by its entries: they are the symbols
        sym = vocab.names[vocab.written[_name_of(vocab, latex)]]
        roles[sym] = decl.role
        if decl.layer is not None:
            layers[sym] = decl.layer
    if vocab.entries:
        from .entries import entry_roles
        for sym, (role, layer) in entry_roles(vocab, manifest).items():
            roles[sym] = role
            if layer is not None:
                layers[sym] = layer
    for d in unspecified.values():
        for g in d.rhs.free_symbols:
            roles.setdefault(g, "input")      # ∂C_0/∂t: free, like an input
    for g in vocab.unspecified_symbols:
        roles.setdefault(g, "input")          # f(x_t, h_{t-1}, w)'s value and partials
    loss_syms = [s for s, r in roles.items() if r == "loss"]
    loss = loss_syms[0] if loss_syms else None
    cost = next((s for s, r in roles.items() if r == "cost"), None)
    leaves = [s for s in roles if s not in defs and roles[s] not in (
        "loss", "cost", "samples", "index", "gradient")]
    direct_loss = None
    if loss is not None and loss in defs:
        defs = dict(defs)
        direct_loss = defs.pop(loss).rhs          # L = ... written directly
    cost_expr = None
    if cost is not None and cost in defs:         # J = ... (a batch quantity, not a node)
        defs = dict(defs)
        cost_expr = defs.pop(cost).rhs
    elif cost is not None and str(cost) in functions:
        cost_expr = bind_cost(functions[str(cost)], roles, defs, vocab)
    order = _topological(defs, leaves)
    # the output: a node nothing else is computed from (the graph's last node if stated)
    consumers = {p for d in defs.values() for p in d.rhs.free_symbols}
    if direct_loss is not None:
        consumers |= direct_loss.free_symbols
    sinks = [n for n in order if n not in consumers and roles.get(n) != "loss"]
    graph_sinks = [b for (_, b) in edges if not any(a == b for (a, _) in edges)]
    output = (graph_sinks[0] if len(graph_sinks) == 1 else sinks[-1] if sinks else None)
    loss_expr = None
    if loss is not None:
        if direct_loss is not None:
            loss_expr = direct_loss
        elif str(loss) in functions:
            loss_expr = bind_loss(functions[str(loss)], roles, defs, output, vocab)
        if loss_expr is not None and any(
                not lim[2].is_Integer for s in loss_expr.atoms(sympy.Sum) for lim in s.limits):
            name = vocab.canonical_latex.get(loss, str(loss))
            raise InputError(f"the loss {name} is defined as a sum over the samples: that is "
                             f"a cost; declare {name} with role = \"cost\" (the loss is the "
                             "loss of one sample)", file=str(manifest.source_path()))
    if loss is not None and loss_expr is None:
        loss_expr = _abstract_loss(manifest, vocab, roles, loss)
        if loss_expr is not None:
            order = _topological(defs, [s for s in roles if s not in defs and roles[s] not in (
                "loss", "cost", "samples", "index", "gradient")])
    samples = None
    if manifest.conventions.samples:
        samples = vocab.names[_name_of(vocab, manifest.conventions.samples)]
    return Model(vocab, manifest, roles, layers, defs, order, set(edges), functions, loss,
                 loss_expr, output, samples, list(graph_items), cost=cost, cost_expr=cost_expr)


def _unspecified_nodes(manifest: Manifest, vocab: Vocabulary, defs: dict) -> dict:
    """A quantity declared with ``of`` and never defined (Nielsen's C_0, "the original,
    unregularized cost"): Σ_t g_t t over the entries t of its quantity, the g_t free
    (see :func:`_abstract_loss`); its first derivatives are those of any function."""
    out = {}
    for latex, decl in manifest.symbols.items():
        if decl.of is None or decl.role in ("gradient", "loss", "cost"):
            continue
        sym = vocab.names.get(vocab.written.get(_name_of(vocab, latex), ""))
        if sym is None or sym in defs:
            continue
        rhs = _linear_in(vocab, manifest, decl.of, vocab.canonical_latex.get(sym, latex))
        item = Item("definition", latex, latex, latex, 0, str(manifest.source_path()))
        out[sym] = Definition(sym, rhs, item, rhs)
    return out


def _linear_in(vocab: Vocabulary, manifest: Manifest, of_latex: str, name: str):
    of = vocab.written[_name_of(vocab, of_latex)]
    targets = [sym for (base, _), sym in sorted(vocab.entry_symbols.items(), key=str)
               if base == of] if of in vocab.entries else [vocab.names[of]]
    total = sympy.Integer(0)
    for t in targets:
        g = sympy.Symbol(f"\\frac{{\\partial {name}}}{{\\partial "
                         f"{vocab.canonical_latex.get(t, sympy.latex(t))}}}", real=True)
        total += g * t
    return total


def _abstract_loss(manifest: Manifest, vocab: Vocabulary, roles: dict, loss):
    """A loss left unspecified (``\\ell = { role = "loss", of = "y" }``, Ioffe & Szegedy's
    ℓ of the layer's outputs): ℓ = Σ_t g_t t over the entries t of its quantity, each g_t
    a free variable standing for ∂ℓ/∂t. Every first derivative of ℓ through the model is
    then what the chain rule makes of an arbitrary ℓ (it is linear in the g_t), so a claim
    holds for every g exactly when it holds for every loss; second derivatives of ℓ are
    not claims derive checks."""
    decl = next((d for d in manifest.symbols.values() if d.role == "loss"
                 and vocab.names.get(_name_of(vocab, d.latex)) == loss), None)
    if decl is None or decl.of is None:
        return None
    of = vocab.written[_name_of(vocab, decl.of)]
    targets = [sym for (base, _), sym in sorted(vocab.entry_symbols.items(), key=str)
               if base == of] if of in vocab.entries else [vocab.names[of]]
    name = vocab.canonical_latex.get(loss, str(loss))
    total = sympy.Integer(0)
    for t in targets:
        g = sympy.Symbol(f"\\frac{{\\partial {name}}}{{\\partial "
                         f"{vocab.canonical_latex.get(t, sympy.latex(t))}}}", real=True)
        roles[g] = "input"
        total += g * t
    return total


def definition_issues(model: Model) -> list[DefinitionIssue]:
    """Definitions whose graph variables disagree with the stated graph's edges."""
    if not model.edges:
        return []
    graph_vars = {v for e in model.edges for v in e}
    issues = []
    for node, d in model.definitions.items():
        if node not in graph_vars:
            continue
        parents = {a for (a, b) in model.edges if b == node}
        uses = d.printed_rhs.free_symbols & graph_vars
        if uses == parents:
            continue
        wrong = sorted(uses - parents, key=str)
        missing = sorted(parents - uses, key=str)
        corrected = None
        if len(wrong) == len(missing) and wrong:
            # the smallest fix: rename each wrong variable to a missing parent
            for perm in itertools.permutations(missing):
                corrected = d.printed_rhs.xreplace(dict(zip(wrong, perm)))
                break
        issues.append(DefinitionIssue(d, tuple(sorted(uses, key=str)),
                                      tuple(sorted(parents, key=str)), corrected))
    return issues


def _topological(defs, leaves) -> list[sympy.Symbol]:
    order: list[sympy.Symbol] = []
    state: dict[sympy.Symbol, int] = {}

    def visit(n, stack=()):
        if state.get(n) == 2:
            return
        if state.get(n) == 1:
            raise InputError("the forward definitions are circular: "
                             + " → ".join(str(s) for s in (*stack, n)))
        state[n] = 1
        for p in sorted(defs[n].rhs.free_symbols, key=str):
            if p in defs:
                visit(p, (*stack, n))
        state[n] = 2
        order.append(n)

    for n in sorted(defs, key=str):
        visit(n)
    return order
