"""Update rules: ``w := w - \\alpha\\, dw``, ``w \\leftarrow w - \\eta \\frac{\\partial J}{\\partial w}``,
``\\Delta w = -\\eta \\frac{\\partial E}{\\partial w}``.

A gradient-descent step on a parameter v is v - η G with η the learning rate (a declared
constant) and G the derivative of the loss by v. derive reads the step (the right side
minus v, or the right side of ``\\Delta v = …``), takes out η, and checks G against the
derivative as a claim ``∂L/∂v = G`` by both routes, with the chapter's convention (G may
be the batch mean's gradient). A step that adds the gradient climbs the loss: reported as
a wrong sign. Steps without a rate, or whose rate is not a declared constant, are errors
that say so.

>>> import sympy
>>> w, eta, g = sympy.symbols("w eta g")
>>> split_step(w - eta * g, w, {eta})
(eta, g)
>>> split_step(w + eta * g, w, {eta})
(eta, -g)
"""
from __future__ import annotations

import re
from dataclasses import replace

import sympy

from ..errors import InputError
from ..read.latex import Parsed, Partial, parse_formula, split_chain, to_latex


def split_step(rhs: sympy.Expr, v: sympy.Symbol, rates: set, delta: bool = False):
    """(η, G) with ``rhs = v - η G`` (or ``rhs = -η G`` for a step Δv), or None."""
    step = rhs if delta else rhs - v          # v - η G - v: SymPy drops v itself
    if step == 0:
        return None
    for eta in sorted(rates & step.free_symbols, key=str):
        g = -step / eta
        if g.has(eta):
            g = sympy.cancel(g)
        if not g.has(eta):
            return eta, g
    return None


# ^{(new)}, ^{(old)}, ^{\text{new}}: which value of the parameter, before or after the step
_NEW_OLD = re.compile(r"\^\s*\{\s*\(?\s*(?:\\(?:text|mathrm|textrm)\s*\{)?\s*"
                      r"(new|old)\s*\}?\s*\)?\s*\}")


def without_new_old(body: str) -> str:
    r"""The update without its ^{(new)}/^{(old)} marks (Rong's v'^{(new)} = v'^{(old)} - ...).
    The marks become spaces, so every other character keeps its column.

    Only "new" on the left of the assignment and "old" on its right: any other mark is
    left as printed (and the reader then rejects it).

    >>> without_new_old(r"v^{(new)}_{j} = v^{(old)}_{j} - \eta g")
    'v        _{j} = v        _{j} - \\eta g'
    >>> without_new_old(r"v^{(old)} = v^{(new)} - \eta g") == r"v^{(old)} = v^{(new)} - \eta g"
    True
    """
    arrow = re.search(r"(?<![<>!:])=(?!:)|\\leftarrow|\\gets|:=|\\coloneqq", body)
    marks = list(_NEW_OLD.finditer(body))
    if arrow is None or any((m.group(1) == "new") != (m.start() < arrow.start())
                            for m in marks):
        return body
    return _NEW_OLD.sub(lambda m: " " * len(m.group(0)), body)


def read_update(item, checker):
    """The update rule's parameter, rate and gradient expression, or an InputError."""
    vocab, model = checker.vocab, checker.model
    sides = split_chain(item.body)
    if len(sides) != 2:
        raise InputError("an update rule is 'w := w - \\alpha\\, G' or 'w \\leftarrow w - "
                         "\\eta G' (one assignment)")
    left = sides[0].strip()
    delta = left.startswith(("\\Delta", "\\delta ", "Δ"))
    if delta:
        left = left.removeprefix("\\Delta").removeprefix("Δ").strip()
    env = item.bound()
    v = parse_formula(left, vocab, bound=env).expr
    if not isinstance(v, sympy.Symbol) or v not in model.parameters:
        raise InputError(f"the left side of an update rule must be a parameter, not {left}",
                         token=left)
    rhs = parse_formula(sides[1], vocab, chain_var=v, bound=env)
    rates = {s for s, role in model.roles.items() if role == "constant"}
    found = split_step(rhs.expr, v, rates, delta)
    if found is None:
        raise InputError(f"no learning rate in this update of {left}: the step must be a "
                         "declared constant (role = \"constant\", e.g. \\alpha or \\eta) times "
                         "the gradient", token=sides[1])
    eta, g = found
    return v, eta, g, rhs


def check_update(checker, item):
    """The verdict of one update rule: its gradient checked as the claim ∂L/∂v = G."""
    from .claim import Claim
    from ..rules.update import Ascent, Step
    v, eta, g, rhs = read_update(item, checker)
    model = checker.model
    head = Parsed(Partial(model.loss, v))
    texts = [f"\\frac{{\\partial {model.latex(model.loss)}}}{{\\partial {model.latex(v)}}}",
             to_latex(g)]
    claim = Claim(item, texts, [head, replace(rhs, expr=g)], v)
    result = checker._check_claim(claim)
    note = Step(v=model.latex(v), eta=sympy.latex(eta), g=to_latex(g),
                loss=model.latex(model.loss)).finding()
    findings = []
    for f in result.findings:
        findings.append(f)
    links = []
    for link in result.links:
        fs = tuple(Ascent().finding(suggestion=f.suggestion) if f.kind == "sign" else f
                   for f in link.findings)
        links.append(replace(link, findings=fs))
    return replace(result, id=item.id, latex=item.latex, line=item.line, corrected=None,
                   read_as=f"{model.latex(v)} - {sympy.latex(eta)} \\left({to_latex(g)}\\right)",
                   links=tuple(links), findings=(*findings, note))
