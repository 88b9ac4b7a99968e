"""Binding a chapter's function definitions to its model: ``L(y, a) = ...`` is the loss of
one sample (its label parameter stays the label, the other stands for the output) and
``J(w, b) = ...``, a function of the parameters, is the cost itself."""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import sympy

from ..errors import InputError
from ..read.manifest import PARAMETER_ROLES

if TYPE_CHECKING:                      # the definitions' dataclass, without an import circle
    from .definitions import UserFunction


def bind_cost(f: UserFunction, roles: dict, defs: dict, vocab) -> sympy.Expr:
    """The cost from ``J(w, b) = ...``: a function of the parameters is the cost itself
    (issue 11: it was an unrelated function, or its parameter was bound to the output)."""
    def shown(s):
        return vocab.canonical_latex.get(s, sympy.latex(s))
    header = f"{f.name}({', '.join(shown(p) for p in f.params)})"
    # J(w, b): declared parameters, or names that only label what J depends on (w for
    # the weights w_1, w_2); never a quantity the body is then read with
    odd = [p for p in f.params if roles.get(p) not in PARAMETER_ROLES
           and (p in roles or p in f.body.free_symbols)]
    if odd:
        raise InputError(f"{header}: the cost is a function of the parameters, but "
                         f"{', '.join(shown(p) for p in odd)} is not a declared parameter "
                         "(role weight, bias or parameter)", file=f.item.file,
                         line=f.item.line, equation=f.item.id)
    return f.body


def bind_loss(f: UserFunction, roles: dict, defs: dict, output, vocab) -> sympy.Expr | None:
    """The per-sample loss from a definition ``L(y, a) = ...``: the label parameter stays
    the label and the other parameter stands for the model's output.

    A parameter named after a node means that node, never another one: ``L(y, a)`` with
    ``a`` a node whose value is not the output is rejected (issue 11: it was bound to
    the last node silently). A function of the parameters, ``J(w, b)``, is not bound at
    all: its body is the quantity itself.
    """
    def shown(s):
        return vocab.canonical_latex.get(s, sympy.latex(s))
    where = dict(file=f.item.file, line=f.item.line, equation=f.item.id)
    header = f"{f.name}({', '.join(shown(p) for p in f.params)})"
    for p in f.params:
        if p in defs and p != output:
            raise InputError(
                f"{header}: the parameter {shown(p)} is the node {shown(p)}, but the model's "
                f"output is {shown(output) if output is not None else 'another node'}; "
                "derive does not guess which one the loss is of: write the output's name, "
                f"or a name that is no node (as in L(y, p))", **where)
    free = [p for p in f.params if roles.get(p) != "label"]
    if free and all(roles.get(p) in PARAMETER_ROLES for p in free):
        return f.body                 # a function of the parameters: nothing to bind
    if any(roles.get(p) in PARAMETER_ROLES for p in free):
        raise InputError(f"{header} mixes parameters and placeholders: write the loss of "
                         "one sample as L(y, a), or the cost as J(w, b)", **where)
    if output is None:
        return None
    if len(free) == 1:
        return f.body.xreplace({free[0]: output})
    raise InputError(
        f"cannot tell which argument of {header} is the label: name it after a symbol "
        "declared with role = \"label\" (e.g. L(y, a) with y the label)", **where)


def inline_calls(expr: sympy.Expr, functions: dict) -> sympy.Expr:
    """Calls of the chapter's functions in ``expr`` replaced by their bodies (by position).
    The bodies must already be free of calls (:func:`inline_functions`)."""
    if not functions:
        return expr

    def is_call(x):
        return isinstance(x, sympy.core.function.AppliedUndef) and str(x.func) in functions

    def body(x):
        f = functions[str(x.func)]
        return f.body.xreplace(dict(zip(f.params, x.args)))
    return expr.replace(is_call, body)


def inline_functions(functions: dict) -> dict:
    """The chapter's functions with the calls of the others in their bodies expanded
    (``L(a, y) = G(a - y)`` with ``G(u) = u^2``), so that a loss or a node definition that
    uses them can be differentiated and evaluated. A function defined in terms of itself
    is refused."""
    done: dict = {}

    def inline(name: str, stack: tuple[str, ...]) -> None:
        if name in done:
            return
        f = functions[name]
        if name in stack:
            cycle = " → ".join((*stack[stack.index(name):], name))
            raise InputError(f"{name} is defined in terms of itself ({cycle}); derive cannot "
                             "expand it", file=f.item.file, line=f.item.line, equation=f.item.id)
        for call in f.body.atoms(sympy.core.function.AppliedUndef):
            if str(call.func) in functions:
                inline(str(call.func), (*stack, name))
        done[name] = replace(f, body=inline_calls(f.body, done))

    for name in functions:
        inline(name, ())
    return done
