"""Nodes defined from other nodes only (softmax entries a_k = e^{z_k}/Σ_j e^{z_j}, an
elementwise h = tanh(a)): written out where cancelling must see the identities they carry,
and the quotients among them, where a gradient is cancelled over one denominator."""
from __future__ import annotations

from typing import TYPE_CHECKING

import sympy

from . import activations
from ..calculus.dag import dag_atoms, dag_xreplace

if TYPE_CHECKING:
    from .chapter import Model


def quotient_nodes(model: Model) -> set:
    """The nodes defined as a quotient of other nodes (a_k = e^{z_k}/Σ_j e^{z_j}), and the
    nodes they read; an elementwise h = tanh(a) is no quotient."""
    cache = getattr(model, "_quotient_nodes", None)
    if cache is None:
        nodes = set(model.definitions)
        quotients = [(n, rhs) for n, rhs in node_only_definitions(model).items()
                     if any(p.exp.is_negative and p.base.free_symbols & nodes
                            for p in rhs.atoms(sympy.Pow))]
        cache = {n for n, _ in quotients}.union(*(rhs.free_symbols for _, rhs in quotients))
        model._quotient_nodes = cache
    return cache


def node_only_definitions(model: Model) -> dict:
    """Nodes defined from other nodes only, not by an activation of the manifest (softmax
    entries a_k = e^{z_k}/Σ_j e^{z_j}, an elementwise h = tanh(a)): written out."""
    cache = getattr(model, "_node_only", None)
    if cache is None:
        nodes = set(model.definitions)
        cache = {n: d.rhs for n, d in model.definitions.items()
                 if not isinstance(d.rhs, activations.Activation)
                 and d.rhs.free_symbols and d.rhs.free_symbols <= nodes}
        model._node_only = cache
    return cache


def write_out_node_only(expr: sympy.Expr, model: Model) -> sympy.Expr:
    """expr with every node defined from other nodes only written out (repeatedly, for
    chains of them), so that cancelling sees the identities they carry."""
    subs = node_only_definitions(model)
    if not subs or not (dag_atoms(expr, sympy.Symbol) & set(subs)):
        return expr
    for _ in range(len(subs)):
        new = dag_xreplace(expr, subs)
        if new is expr or new == expr:
            break
        expr = new
    return expr
