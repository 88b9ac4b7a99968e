"""DV206 unused-definition: a quantity the chapter defines but its loss does not depend on.

Why: every gradient derive checks goes from the loss back through the definitions. A
definition the loss does not reach (h = \\tanh(z) printed, but the output computed from z)
is checked by none of them: either the chapter's graph skips a step the author meant,
or the definition is decoration. Either way the reader should know that nothing
confirms it.

Example::

    z = w x + b;  a = \\sigma(z);  h = \\tanh(z);  L(y, a) = ...
    -> DV206 unused-definition: the loss L does not depend on h: no gradient of the
       loss goes through this definition, so none checks it
"""
from __future__ import annotations

from .base import Message

CODE = "DV206"
KIND = "unused-definition"
ORDER = 40
MODELS = ("scalar",)


class Unused(Message):
    severity = "warning"
    template = ("the loss {loss} does not depend on {node}: no gradient of the loss goes "
                "through this definition, so none checks it")
    math = ("loss", "node")


def check(checker, claims) -> None:
    """Each defined node that the loss's definition does not reach, walking the
    definitions from the loss back."""
    model = checker.model
    if model.loss is None or model.loss_expr is None or checker.vocab.entries:
        return
    reached, todo = set(), list(model.loss_expr.free_symbols)
    while todo:
        s = todo.pop()
        if s in reached:
            continue
        reached.add(s)
        if s in model.definitions:
            todo.extend(model.definitions[s].rhs.free_symbols)
    for node in model.order:
        d = model.definitions.get(node)
        if d is not None and node not in reached and node != model.loss:
            checker.add(Unused(loss=model.latex(model.loss), node=model.latex(node)).finding(),
                        on=d.item.id)
