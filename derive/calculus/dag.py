"""Walks that visit each shared subexpression once.

The chain rule builds a node's gradient as ``g * local`` from its children's gradients
``g``: in a recurrence the same ``g`` object is reused on every path, so the gradient is
a DAG whose tree (what ``preorder_traversal``, ``atoms`` and ``xreplace`` walk) grows as
n^T in the steps T. These walks remember what they have seen, by object identity, and
cost the size of the DAG (the ids they key by are of subexpressions of the argument,
alive for the whole walk).

>>> import sympy
>>> x, y = sympy.symbols("x y")
>>> g = x + y
>>> for _ in range(40):            # a tree of 2^40 leaves, a DAG of 40 nodes
...     g = sympy.Mul(g, g + 1, evaluate=False)
>>> sorted(t.__name__ for t in kinds(g))
['Add', 'Mul', 'One', 'Symbol']
>>> sorted(map(str, dag_atoms(dag_xreplace(g, {y: x}), sympy.Symbol)))
['x']
"""
from __future__ import annotations

from collections.abc import Callable

import sympy


def subexpressions(expr: sympy.Basic):
    """Every distinct subexpression object of expr, each once (by identity)."""
    seen: set[int] = set()
    todo = [expr]
    while todo:
        e = todo.pop()
        if id(e) not in seen:
            seen.add(id(e))
            yield e
            todo.extend(e.args)


def kinds(expr: sympy.Basic) -> set[type]:
    """The types of every subexpression of expr, each shared subexpression walked once."""
    return {type(e) for e in subexpressions(expr)}


def dag_atoms(expr: sympy.Basic, *types: type) -> set:
    """``expr.atoms(*types)``, each shared subexpression walked once."""
    return {e for e in subexpressions(expr) if isinstance(e, types)}


def has_kind(expr: sympy.Basic, *types: type) -> bool:
    """Whether some subexpression is an instance of one of ``types``."""
    return any(issubclass(k, types) for k in kinds(expr))


def dag_replace(expr: sympy.Basic, rule: Callable[[sympy.Basic], sympy.Basic | None]
                ) -> sympy.Basic:
    """expr rebuilt bottom-up, each shared subexpression once: ``rule(e)`` gives the
    replacement of e (after its arguments were rebuilt), or None to keep it."""
    done: dict[int, sympy.Basic] = {}

    def walk(e: sympy.Basic) -> sympy.Basic:
        key = id(e)
        if key in done:
            return done[key]
        new = e
        if e.args:
            args = tuple(walk(a) for a in e.args)
            if any(a is not b for a, b in zip(args, e.args)):
                new = e.func(*args)
        out = rule(new)
        out = new if out is None else out
        done[key] = out
        return out

    return walk(expr)


def dag_xreplace(expr: sympy.Basic, mapping: dict) -> sympy.Basic:
    """``expr.xreplace(mapping)`` (exact subexpressions, the outermost first), each
    shared subexpression once."""
    if not mapping:
        return expr
    done: dict[int, sympy.Basic] = {}

    def walk(e: sympy.Basic) -> sympy.Basic:
        key = id(e)
        if key in done:
            return done[key]
        out = mapping.get(e)
        if out is None:
            out = e
            if e.args:
                args = tuple(walk(a) for a in e.args)
                if any(a is not b for a, b in zip(args, e.args)):
                    out = e.func(*args)
        done[key] = out
        return out

    return walk(expr)
