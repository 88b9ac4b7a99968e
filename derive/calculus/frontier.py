"""Proof at the frontier: two sides equal with the gradients they name kept as unknowns.

A side such as ``dA^{[l]} ⊙ σ'(Z^{[l]})`` names the gradient of a quantity further along
the graph. Written down to the inputs, that gradient is a product over every later layer,
and its expression grows with the depth of the network (exponentially, entry by entry, for
matrices). The book does not mean it that way: the formula is one step of the chain rule.

So each ∂L/∂v in the difference of two sides first stays an unknown G_v, and only the
unknown of the quantity nearest the inputs is replaced, one step at a time, by the chain
rule over the quantities computed from it::

    G_v = Σ_{c : v -> c} G_c ∂c/∂v   (+ ∂L/∂v where the loss uses v directly)

The difference is linear in the unknowns; when every coefficient (an expression in the
chapter's variables) and the constant term are proved zero, the sides are equal for every
value of the unknowns, hence for the gradients they stand for. That is a proof. The
converse does not hold (the sides may agree only because of the values the gradients
take), so anything short of a proof returns ``None`` and the caller goes the long way,
down to the inputs. Cost: a few local steps per claim, whatever the depth.

    dZ = dA ⊙ σ'(Z):  m G_Z − m G_A A(1−A)  →(G_Z = G_A A(1−A))→  0   proved
"""
from __future__ import annotations

import sympy

from .derivation import (
    Derivation,
    canonical,
    derivative,
    expand_calls,
    local_partial,
    to_nodes,
)
from ..read.latex import Partial

MAX_STEPS = 24          # chain-rule steps before giving up (then: the long way)
MAX_UNKNOWNS = 96       # unknowns alive at once


def prove_equal(derivation: Derivation, equivalence, a: sympy.Expr,
                b: sympy.Expr) -> bool:
    """True when ``a == b`` is proved with the loss gradients in them as unknowns (see
    the module's docstring); False means only "not proved this way".

    ``a`` and ``b`` are sides as printed (``Partial(L, v)`` atoms, not yet evaluated).
    """
    model = derivation.model
    loss = model.loss
    if a == b:
        return True
    partials = a.atoms(Partial) | b.atoms(Partial)
    if any(p.args[0] != loss or p.args[1] == loss for p in partials):
        return False
    unknown = {p.args[1]: sympy.Dummy(f"G_{p.args[1]}", real=True) for p in partials}
    as_unknowns = {p: unknown[p.args[1]] for p in partials}
    try:
        # the two sides stay apart: a difference compared with 0 has no scale to
        # judge a rounding error by
        a, b = (derivation.value(x.xreplace(as_unknowns)) for x in (a, b))
    except Exception:  # noqa: BLE001 - whatever this reading cannot do, the long way does
        return False
    rank = {v: k for k, v in enumerate(model.order)}
    for _ in range(MAX_STEPS):
        alive = {v: g for v, g in unknown.items()
                 if g in a.free_symbols or g in b.free_symbols}
        if len(alive) > MAX_UNKNOWNS:
            return False
        if not alive:
            # written down to the loss: no frontier left, and no gain over the long way
            # (which holds the forms its prover is tuned for)
            return a == b
        if _equal(equivalence, a, b, set(alive.values())):
            return True
        # an unknown on one side only first (the other side's unknowns are the frontier
        # the formula is written at: Σ_t (1 - h_t^2) ∂L/∂h_t for ∂L/∂b), the one nearest
        # the inputs among them; every step is an identity, so any order is sound
        one_sided = [v for v, g in alive.items()
                     if (g in a.free_symbols) != (g in b.free_symbols)]
        v = min(one_sided or alive, key=lambda s: rank.get(s, -1))
        step = {alive[v]: _one_step(derivation, v, unknown)}
        a, b = a.xreplace(step), b.xreplace(step)
    return False


def _one_step(derivation: Derivation, v: sympy.Symbol, unknown: dict) -> sympy.Expr:
    """∂L/∂v by one step of the chain rule, the later gradients as unknowns."""
    model = derivation.model
    terms = []
    for node, d in model.definitions.items():
        if node != model.loss and v in d.rhs.free_symbols:
            g = unknown.setdefault(node, sympy.Dummy(f"G_{node}", real=True))
            terms.append(g * local_partial(model, node, v))
    if model.loss_expr is not None:
        loss = expand_calls(model.loss_expr, model)
        if v in loss.free_symbols:
            terms.append(to_nodes(derivative(loss, v), model))
    return sympy.Add(*terms)


def _equal(equivalence, a: sympy.Expr, b: sympy.Expr, unknowns: set) -> bool:
    """``a == b`` whatever the unknowns: both linear in them, with equal coefficients and
    equal constant terms (each pair proved by the chapter's equivalence)."""
    if a == b:
        return True
    none = {g: sympy.Integer(0) for g in unknowns}
    pairs = [(a.xreplace(none), b.xreplace(none))]
    for g in unknowns:
        ca, cb = derivative(a, g), derivative(b, g)
        if (ca.free_symbols | cb.free_symbols) & unknowns:
            return False                    # not linear in the unknowns
        pairs.append((ca, cb))
    pairs = [(x, y) for x, y in pairs if x != y]
    # a cheap look at one point first: a pair that differs there is no identity, and
    # the next step of the chain rule may still make the sides agree
    point = equivalence.points[0]
    for x, y in pairs:
        vx, vy = equivalence.evaluate(x, point), equivalence.evaluate(y, point)
        if vx is None or vy is None or abs(vx - vy) > 1e-20 * max(1, abs(vx), abs(vy)):
            return False
    return all(equivalence.compare(x, y).equal is True for x, y in pairs)


def one_step_display(derivation: Derivation, expr: sympy.Expr) -> sympy.Expr:
    """``expr`` with each ∂L/∂v replaced by one step of the chain rule, the later gradients
    written as ∂L/∂c: the derived form a frontier proof stands on."""
    model = derivation.model
    steps = {}
    for p in expr.atoms(Partial):
        if p.args[0] == model.loss and p.args[1] != model.loss:
            unknown: dict = {}
            step = _one_step(derivation, p.args[1], unknown)
            steps[p] = step.xreplace({g: Partial(model.loss, n) for n, g in unknown.items()})
    return expr.xreplace(steps)


LONG_FORM = 240         # tree nodes of a derived gradient beyond which it is shown by one step


def shown_gradient(derivation: Derivation, v: sympy.Symbol, g: sympy.Expr) -> sympy.Expr:
    """The derived gradient dL/dv as a report shows it: tidied (diagnosis.display), or,
    when it is long (a product over many layers), one step of the chain rule from the
    gradients of the next quantities, ``∂L/∂z_4 w_4 a_3 (1 - a_3)``: the same gradient,
    readable, and printed at a cost independent of the depth."""
    from .display import display
    if not longer_than(g, LONG_FORM):
        shown = display(g)
        if not longer_than(shown, LONG_FORM):
            return shown
    # (a tidied form can be long too: a recurrence's gradient multiplied out)
    return display(one_step_display(derivation, Partial(derivation.model.loss, v)))


def longer_than(e: sympy.Expr, limit: int) -> bool:
    """More than ``limit`` nodes in e's tree (counted until the limit only)."""
    for count, _ in enumerate(sympy.preorder_traversal(e)):
        if count >= limit:
            return True
    return False


def _reaching_loss(derivation: Derivation) -> set:
    """The quantities on some path to the loss (once per derivation)."""
    cache = derivation.__dict__.get("_reaching")
    if cache is None:
        m = derivation.model
        cache = set()
        todo = list(expand_calls(m.loss_expr, m).free_symbols)
        while todo:
            n = todo.pop()
            if n not in cache:
                cache.add(n)
                if n in m.definitions:
                    todo.extend(m.definitions[n].rhs.free_symbols)
        derivation._reaching = cache
    return cache


def step_check(derivation: Derivation, equivalence, wrt: sympy.Symbol):
    """Independent check of the chain rule's dL/d wrt in deep models, at a cost linear in
    the model: one step of the chain rule from the gradients of the quantities computed
    from wrt, each local partial taken again by sympy.diff (not derivation.derivative),

        dL/dv = ∂L/∂v + Σ_{c : v -> c} (dL/dc) ∂c/∂v.

    Gradients that satisfy this at every quantity are the gradients (induction from the
    loss backwards). It is checked term by term: every local partial the chain rule
    used against sympy.diff's (small expressions), then the gradient against its own sum
    of those terms (the same tree unless it was put in a canonical form), never two whole
    gradients (at depth, a recurrence of 12 steps, that cannot be decided in time).
    Returns an equivalence Comparison; its detail names a local partial that differs.
    Raises LookupError when a quantity on a path to the loss has no gradient."""
    from .equivalence import Comparison
    m = derivation.model
    grads = derivation.loss_grads
    loss = expand_calls(m.loss_expr, m)
    reaching = _reaching_loss(derivation)
    terms = []

    def same(mine, theirs, what):
        if mine == theirs:
            return None
        c = equivalence.compare(mine, theirs)
        return None if c.equal is True else Comparison(c.equal, c.method, f"{what}: {c.detail}")
    for node, d in m.definitions.items():
        if node == m.loss or wrt not in d.rhs.free_symbols or node not in reaching:
            continue
        if node not in grads:
            raise LookupError(f"no chain-rule gradient for {node}, which the loss uses")
        mine = local_partial(m, node, wrt)
        differs = same(mine, to_nodes(sympy.diff(d.rhs, wrt), m), f"∂{node}/∂{wrt}")
        if differs is not None:
            return differs
        terms.append(grads[node] * mine)
    if wrt in loss.free_symbols:
        mine = to_nodes(derivative(loss, wrt), m)
        differs = same(mine, to_nodes(sympy.diff(loss, wrt), m), f"∂{m.loss}/∂{wrt}")
        if differs is not None:
            return differs
        terms.append(mine)
    total, g = sympy.Add(*terms), grads.get(wrt, sympy.Integer(0))
    if g == total:
        return Comparison(True, "symbolic", "the chain rule's own terms, each local partial "
                          "equal to sympy.diff's")
    if canonical(total, m, wrt) == g:
        # the chain rule's canonical form of that very sum; that the form keeps the sum's
        # value is checked apart from the code that made it, at the random points
        for point in equivalence.points:
            va, vb = equivalence.evaluate(g, point), equivalence.evaluate(total, point)
            if va is None or vb is None:
                continue
            if abs(va - vb) > 1e-20 * max(1, abs(va), abs(vb)):
                return Comparison(False, "evaluation", "the canonical form differs from the "
                                  "sum of the chain rule's terms at a random point")
        return Comparison(True, "symbolic", "the chain rule's own terms in its canonical form "
                          "(each local partial equal to sympy.diff's; equal at the random points)")
    return equivalence.compare(g, total)
