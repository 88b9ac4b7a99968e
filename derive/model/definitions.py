"""The chapter's definitions as printed: ``node = expression``, functions the chapter defines
(``L(y, a) = ...``), nodes written as functions of what they depend on (``u(a, b) = ...``)
and the chapter's statement of its own activation (``\\sigma(z) = ...``).
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy

from ..errors import InputError
from ..read.latex import Vocabulary, parse_formula, split_chain, unreadable
from ..read.manifest import Manifest
from ..read.reading import read_header
from ..read.source import Item
from .objects import Partial
from .vocabulary import sympy_name


@dataclass(frozen=True)
class Definition:
    """``node = rhs`` as printed (``item``) and as used (``rhs``)."""

    node: sympy.Symbol
    rhs: sympy.Expr
    item: Item
    printed_rhs: sympy.Expr


@dataclass(frozen=True)
class UserFunction:
    """``L(y, a) = body``: a function the chapter defines."""

    name: str
    params: tuple[sympy.Symbol, ...]
    body: sympy.Expr
    item: Item


def roles_by_name(manifest: Manifest, vocab: Vocabulary) -> dict[str, str]:
    """Each declared symbol's role, by its SymPy name."""
    from ..read.latex import symbol_name
    return {symbol_name(latex, "", vocab.convention()): d.role
            for latex, d in manifest.symbols.items()}


def _name_of_safe(vocab: Vocabulary, latex: str) -> bool:
    try:
        _name_of(vocab, latex.strip())
        return True
    except InputError:
        return False


def _header(text: str):
    """``L(y, a)``: (function key, [(parameter's SymPy name, its LaTeX)]) or None."""
    found = read_header(text)
    if found is None:
        return None
    fname, params = found
    return fname, [(sympy_name(p), p) for p in params]


def _node_style(fname: str, params, vocab: Vocabulary, roles: dict, nodes: set) -> bool:
    """``u(a, b) = ...`` names a quantity of the chapter (declared as a symbol) and its
    arguments are all quantities of the model (declared inputs, labels, parameters or
    nodes): a node written as a function of what it depends on, not a function with
    placeholders (``L(y, a)`` with ``a`` undeclared, or declared a constant)."""
    sym = vocab.symbol(sympy_name(fname))
    if sym is None or fname in vocab.functions or not params or not all(
            vocab.symbol(name) is not None and roles.get(name) not in
            (None, "constant", "samples", "index", "loss", "cost", "gradient")
            for name, _ in params):
        return False
    # a loss of one node (L(a, y)) is the loss of the output, bound as such; a loss of
    # several nodes (f(u, v)) can only be the quantity computed from them
    return roles.get(sympy_name(fname)) not in ("loss", "cost") or \
        sum(name in nodes for name, _ in params) >= 2


def _activation_statement(vocab: Vocabulary, fname: str, param: str, body: str) -> None:
    """A definition of a declared activation must be that activation."""
    u = sympy.Symbol(param, real=True)
    stated = parse_formula(body, vocab, bound={param: u}).expr
    cls_ = vocab.functions[fname]
    want = cls_(u).elementary()
    if sympy.simplify(stated - want) != 0:
        points = [sympy.Rational(k, 7) for k in (-5, -1, 2, 6)]
        if any(abs(sympy.N((stated - want).subs(u, p))) > 1e-12 for p in points):
            raise InputError(f"{fname}({param}) = {body.strip()} is not the {cls_.kind} "
                             f"activation {fname} is declared as; declare {fname} with its "
                             "activation in a manifest (derive init writes one)")


def read_definitions(items: list[Item], vocab: Vocabulary, roles: dict | None = None):
    """Parse definition items; returns (node definitions, user functions, errors by item id).

    User functions are read first so that node definitions may call them. ``roles`` (the
    manifest's, by SymPy name) tells a node written as a function (``u(a, b) = ...``) from
    a function with placeholders.
    """
    roles = roles or {}
    functions: dict[str, UserFunction] = {}
    defs: dict[sympy.Symbol, Definition] = {}
    errors: dict[str, InputError] = {}
    def_items = [i for i in items if i.kind == "definition"]
    defs_by_name: set[str] = set()
    nodes: set[str] = set()           # every name a definition defines (u of u(a, b) too)
    for item in def_items:
        parts = split_chain(item.body)
        if len(parts) == 2:
            header = _header(parts[0])
            if header is not None:
                nodes.add(header[0])
            elif _name_of_safe(vocab, parts[0]):
                nodes.add(_name_of(vocab, parts[0].strip()))
    # every function's name first, so that a body may call one defined further down
    for item in def_items:
        parts = split_chain(item.body)
        header = _header(parts[0]) if len(parts) == 2 else None
        if header is not None and header[0] not in vocab.functions:
            vocab.user_functions.setdefault(header[0], tuple(
                sympy.Symbol(name, real=True) for name, _ in header[1]))
    for item in def_items:
        parts = split_chain(item.body)
        if len(parts) != 2:
            continue
        header = _header(parts[0])
        if header is None:
            continue
        fname, params = header
        if _node_style(fname, params, vocab, roles, nodes) and fname not in defs_by_name:
            # u(a, b) = (a + b)^2 with a, b quantities of the chapter: the node u, which
            # depends on them (and may also be called as u(a, b))
            try:
                sym = vocab.symbol(sympy_name(fname))
                bound = {name: vocab.symbol(name) for name, _ in params}
                vocab.user_functions[fname] = tuple(bound.values())
                body = parse_formula(parts[1], vocab, bound=bound).expr
                functions[fname] = UserFunction(fname, tuple(bound.values()), body, item)
                defs[sym] = Definition(sym, body, item, body)
                defs_by_name.add(fname)
            except InputError as exc:
                errors[item.id] = item.locate(exc)
            continue
        if fname in vocab.functions and len(params) == 1:
            # \sigma(z) = \frac{1}{1 + e^{-z}}: the chapter states its activation
            try:
                _activation_statement(vocab, fname, params[0][0], parts[1])
            except InputError as exc:
                errors[item.id] = item.locate(exc)
            continue
        try:
            bound = {}
            for name, _latex in params:
                sym = vocab.symbol(name)
                bound[name] = sym if sym is not None else sympy.Symbol(name, real=True)
            vocab.user_functions[fname] = tuple(bound.values())
            vocab.user_latex[parts[0].split("(")[0].strip()] = fname
            body = parse_formula(parts[1], vocab, bound=bound).expr
            functions[fname] = UserFunction(fname, tuple(bound.values()), body, item)
        except InputError as exc:
            vocab.user_functions.pop(fname, None)
            vocab.user_latex.pop(parts[0].split("(")[0].strip(), None)
            errors[item.id] = item.locate(exc)
    for item in def_items:
        if item.id in errors:
            continue
        parts = split_chain(item.body)
        if len(parts) != 2:
            try:
                unreadable(item.body, vocab)
                raise InputError("a definition needs exactly one '=': 'v = expression'")
            except InputError as exc:
                errors[item.id] = item.locate(exc)
            continue
        if _header(parts[0]) is not None:
            continue
        try:
            lhs = parse_formula(parts[0], vocab, bound=item.bound()).expr
            if isinstance(lhs, Partial):
                # \delta^l_j \equiv \frac{\partial C}{\partial z^l_j}: the name of a
                # derivative, declared so; the definition must say the same
                rhs = parse_formula(parts[1], vocab, bound=item.bound()).expr
                if rhs != lhs:
                    raise InputError(f"{parts[0].strip()} names "
                                     f"\\frac{{\\partial {lhs.args[0]}}}{{\\partial "
                                     f"{lhs.args[1]}}}, but this definition says "
                                     f"{parts[1].strip()}", token=parts[0])
                continue
            if not isinstance(lhs, sympy.Symbol):
                raise InputError(f"the left side of a definition must be one declared symbol, "
                                 f"not {parts[0]!r}", token=parts[0])
            rhs = parse_formula(parts[1], vocab, bound=item.bound()).expr
            if lhs in defs:
                raise InputError(f"{parts[0]} is defined twice")
            defs[lhs] = Definition(lhs, rhs, item, rhs)
        except InputError as exc:
            errors[item.id] = item.locate(exc)
    return defs, functions, errors


def _name_of(vocab: Vocabulary, latex: str) -> str:
    from ..read.latex import symbol_name
    return symbol_name(latex, "", vocab.convention())
