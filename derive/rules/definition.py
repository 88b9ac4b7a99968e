"""DV201 definition: a forward definition that does not fit the stated graph.

Why: a chapter states its graph (x → z1 → a1 → z2 → a2) and then defines each quantity;
z2 = w2·x where the graph computes z2 from a1 is the error every later gradient inherits.
The definition is compared with the graph; when the graph's version is the one the
chapter's claims hold with, the gradients are derived from it and the printed one is
reported with the fix, and with what the printed definition would have implied.

Example::

    x → z → a      z = w y + b
    -> DV201 definition: z = w y + b uses y, but the stated graph computes z from x, b,
       w; the gradients are derived from z = w x + b
"""
from __future__ import annotations

import re

import sympy

from ..calculus.display import display, gradient_order
from ..calculus.derivation import Derivation
from ..errors import InputError
from ..prose import Prose
from ..read.latex import parse_formula, split_chain
from .base import Message

CODE = "DV201"
KIND = "definition"
ORDER = 20
BEFORE_CLAIMS = True
MODELS = ("scalar",)


class DefinitionGraph(Message):
    template = ("${lhs} = {rhs}$ uses {uses}, but the stated graph computes {lhs} from "
                "{parents}{support}; the gradients are derived from ${lhs} = {fixed}$")
    math = ("lhs", "rhs", "uses", "parents", "fixed")


class DefinitionUnused(Message):
    template = ("${lhs} = {rhs}$ does not use {parents}, which the stated graph computes {lhs} "
                "from")
    math = ("lhs", "rhs", "parents")


class PrintedImplies(Message):
    severity = "info"
    template = "with the printed definition ${lhs} = {rhs}$ the gradients would be: {grads}"
    math = ("lhs", "rhs")


def check(checker, claims) -> None:
    """One finding per definition issue (model.definition_issues), on its equation."""
    model = checker.model
    support = checker.support
    only_corrected = [i for i in support.get("corrected", [])
                      if i not in support.get("printed", [])]
    for issue in checker.definition_issues:
        d = issue.definition
        lhs = model.latex(d.node)
        parents = ", ".join(model.latex(p) for p in issue.parents)
        if not issue.uses:
            checker.add(DefinitionUnused(lhs=lhs, rhs=sympy.latex(d.printed_rhs),
                                         parents=parents).finding(), on=d.item.id)
            continue
        used_fix = d.node in model.corrected_nodes
        fixed = _fixed_text(checker, d, issue) if issue.corrected is not None else "?"
        msg = DefinitionGraph(
            lhs=lhs, rhs=split_chain(d.item.body)[1],
            uses=", ".join(model.latex(u) for u in issue.uses), parents=parents,
            support=(" and equations " + ", ".join(only_corrected) + " hold only with it")
            if only_corrected else "",
            fixed=fixed if used_fix else sympy.latex(d.printed_rhs))
        checker.add(msg.finding(suggestion=f"{lhs} = {fixed}" if issue.corrected is not None
                                else None), on=d.item.id)
        if used_fix:
            checker.add(_printed_implies(checker, d), on=d.item.id)


def _fixed_text(checker, d, issue) -> str:
    """The corrected right side written as the author wrote the printed one."""
    vocab, model = checker.vocab, checker.model
    text = split_chain(d.item.body)[1]
    for wrong, right in zip(sorted(set(issue.uses) - set(issue.parents), key=str),
                            sorted(set(issue.parents) - set(issue.uses), key=str)):
        for written in vocab.written:
            if vocab.names[written] == wrong:
                text = re.sub(rf"(?<![A-Za-z\\]){re.escape(written)}(?![A-Za-z0-9_])",
                              lambda _m: model.latex(right), text)
    try:
        again = parse_formula(text, vocab).expr
        if sympy.cancel(again - issue.corrected) == 0:
            return text
    except InputError:
        pass
    return sympy.latex(issue.corrected)


def _printed_implies(checker, d):
    """The gradients the printed definition would give, where they differ."""
    printed = checker.printed
    pd = Derivation(printed)
    parts = []
    for v in gradient_order(printed):
        g_printed = pd.loss_grads.get(v, sympy.Integer(0))
        g_used = checker.derivation.loss_grads.get(v, sympy.Integer(0))
        if sympy.cancel(g_printed - g_used) != 0:
            parts.append(f"\\frac{{\\partial {printed.latex(printed.loss)}}}"
                         f"{{\\partial {printed.latex(v)}}} = {sympy.latex(display(g_printed))}")
    return PrintedImplies(lhs=checker.model.latex(d.node), rhs=split_chain(d.item.body)[1],
                          grads=Prose("; ").join(map(Prose.latex, parts)) or "unchanged"
                          ).finding()
