"""Sums over the samples in a scalar chapter: a per-sample term where that is an identity,
the samples kept where it is not.

A scalar chapter's formulas are per sample. A side that sums over the samples,
``\\frac{1}{m}\\sum_{i=1}^{m} G^{(i)}``, is a batch quantity; derive reads it as its
per-sample term ``G/m`` (:func:`reduce_samples`) only when the side is linear in such sums
with coefficients free of the samples, every sum runs over the samples once, and each
body uses only its own sample:

    side = Σ_k c_k Σ_{i=1}^{m} G_k^{(i)} + R    =    Σ_{i=1}^{m} (Σ_k c_k G_k + R/m)^{(i)}

Then the side equals a batch gradient for every batch exactly when its per-sample term
equals the per-sample gradient over m (take every sample equal, and back). Anything
else (a product of sums, ``x^{(j)}`` inside the sum over i, a sum over j of a term in i,
a sum inside a sum) raises :class:`KeepSamples`, and the side is evaluated with the
samples kept, in an explicit batch (:func:`batch_model`, :func:`instantiate`).

"""
from __future__ import annotations

from dataclasses import replace

import sympy

from ..errors import InputError
from ..prose import Prose
from ..read.manifest import PARAMETER_ROLES
from ..model.chapter import Model, _topological
from ..model.functions import expand_calls
from ..model.objects import Partial, SampleOf

SIZES = (2, 3)            # explicit batches: two sizes, so no size hides in a constant


class KeepSamples(Exception):
    """The side is no sum of per-sample terms; the message says why."""


def varying(model) -> set[sympy.Symbol]:
    """Symbols with one value per sample: inputs, labels and every node."""
    out = set(model.definitions)
    for s, role in model.roles.items():
        if role not in PARAMETER_ROLES and role not in ("samples", "index", "loss", "cost"):
            out.add(s)
    return out


def is_sample_sum(e, model) -> bool:
    """A sum over the samples, \\sum_{i=1}^{m} (or several nested: SymPy writes
    \\sum_j \\sum_i as one Sum with two limits)."""
    return (isinstance(e, sympy.Sum) and model.samples is not None
            and all(lim[2] == model.samples and lim[1] == 1 for lim in e.limits))


def _span(lim, model) -> tuple[int, int] | None:
    """A limit (i, lo, m + c) over part of the samples: (lo, c); None for other sums."""
    _i, lo, hi = lim
    m = model.samples
    if m is None or not lo.is_Integer or lo < 1:
        return None
    c = sympy.expand(hi - m)
    if not c.is_Integer or c > 0:
        return None
    return int(lo), int(c)


def is_part_sample_sum(e, model) -> bool:
    """A sum over (part of) the samples: \\sum_{i=2}^{m}, \\sum_{i=1}^{m-1}, ..."""
    return isinstance(e, sympy.Sum) and all(_span(lim, model) for lim in e.limits)


def _outer(s: sympy.Sum) -> tuple[sympy.Expr, sympy.Symbol]:
    """The body and index of the outermost sum of a (possibly nested) Sum."""
    if len(s.limits) == 1:
        return s.function, s.limits[0][0]
    return sympy.Sum(s.function, *s.limits[:-1]), s.limits[-1][0]


def top_sample_sums(e, model) -> list[sympy.Sum]:
    """Sums over the samples not inside another one."""
    if is_sample_sum(e, model):
        return [e]
    out: list[sympy.Sum] = []
    for a in e.args:
        for s in top_sample_sums(a, model):
            if s not in out:
                out.append(s)
    return out


def _other_sums(e, model) -> None:
    """Sums with whole-number limits are repeated terms; any other limit is refused."""
    for s in e.atoms(sympy.Sum):
        if is_sample_sum(s, model):
            continue
        if is_part_sample_sum(s, model):
            raise KeepSamples("a sum over part of the samples")
        if not all(b.is_Integer for lim in s.limits for b in lim[1:]):
            raise KeepSamples(Prose.format(
                "a sum up to ${n}$: in a scalar chapter only sums over the samples, "
                "$\\sum_{{i=1}}^{{m}}$, are evaluated", n=sympy.latex(s.limits[0][2])))


def reduce_samples(e: sympy.Expr, model) -> sympy.Expr:
    """The per-sample term of a side (see the module doc), or :class:`KeepSamples`."""
    _other_sums(e, model)
    e = e.replace(lambda x: isinstance(x, sympy.Sum) and not is_sample_sum(x, model),
                  lambda x: x.doit()) if e.atoms(sympy.Sum) else e
    sums = top_sample_sums(e, model)
    if not sums:
        return _one_sample(e)
    dummies = {s: sympy.Dummy(f"S{k}") for k, s in enumerate(sums)}
    d_set = set(dummies.values())
    flat = e.xreplace(dummies)
    var = varying(model)
    rest = sympy.sympify(flat.xreplace({d: sympy.Integer(0) for d in d_set}))
    total = sympy.Integer(0)
    for s, d in dummies.items():
        c = sympy.diff(flat, d)
        if c.free_symbols & d_set:
            raise KeepSamples("the side is not linear in its sums over the samples "
                              "(a product of sums, or a sum inside a function)")
        _sample_free(c, var, model, "multiplies a sum over the samples")
        total += c * _body(s, model)
    # every coefficient free of the sums: the side is affine in them, flat = Σ c d + rest
    _sample_free(rest, var, model, "stands outside the sums over the samples")
    return total + rest / model.samples


def _sample_free(e, var, model, where: str) -> None:
    if e.atoms(SampleOf) or (e.free_symbols & var) or top_sample_sums(e, model):
        names = sorted({sympy.latex(s) for s in e.free_symbols & var} |
                       {sympy.latex(s) for s in e.atoms(SampleOf)})
        raise KeepSamples(Prose.latex(", ".join(names)) + f" {where}" if names
                          else f"a sample {where}")


def _body(s: sympy.Sum, model) -> sympy.Expr:
    body, i = _outer(s)
    if top_sample_sums(body, model):
        raise KeepSamples("a sum over the samples inside another one")
    for so in body.atoms(SampleOf):
        if so.args[1] != i:
            raise KeepSamples(Prose.format("${so}$ inside the sum over ${i}$: another sample "
                                           "than the one summed over", so=sympy.latex(so),
                                           i=sympy.latex(i)))
    return body.replace(lambda x: isinstance(x, SampleOf), lambda x: x.args[0])


def _one_sample(e: sympy.Expr) -> sympy.Expr:
    """A per-sample formula: x^{(i)} is x; two different samples in it are refused."""
    samples = {so.args[1] for so in e.atoms(SampleOf)}
    if len(samples) > 1:
        names = ", ".join(sorted(sympy.latex(s) for s in samples))
        raise KeepSamples(Prose.format("samples ${names}$ in one formula without a sum over "
                                       "them", names=names))
    if not samples:
        return e
    return e.replace(lambda x: isinstance(x, SampleOf), lambda x: x.args[0])


# --- the samples kept: an explicit batch ------------------------------------------------

def copy_of(sym: sympy.Symbol, k: int) -> sympy.Symbol:
    """Sample k's copy of a per-sample symbol (k = 0: a sample outside the batch)."""
    return sympy.Symbol(f"{sym.name}^{{({k})}}", real=True)


def batch_model(model, size: int):
    """The model at an explicit batch of ``size`` samples: every per-sample symbol copied
    once per sample, parameters shared, ``m`` the number ``size``; and a copy 0 for a
    sample outside the batch (what a formula uses outside its sums). Its loss is the batch
    mean J of the per-sample loss."""
    var = varying(model)
    roles, defs = {}, {}
    copies = {}
    for k in range(size + 1):
        table = {s: copy_of(s, k) for s in var}
        copies[k] = table
        for s, role in model.roles.items():
            if s in var:
                roles[table[s]] = role
        for node, d in model.definitions.items():
            rhs = d.rhs.xreplace(table)
            defs[table[node]] = replace(d, node=table[node], rhs=rhs, printed_rhs=rhs)
    for s, role in model.roles.items():
        if s not in var:
            roles[s] = role
    m = model.samples
    loss_expr = None
    if model.loss_expr is not None:
        loss_expr = sympy.Add(*[model.loss_expr.xreplace(copies[k])
                                for k in range(1, size + 1)]) / size
        if m is not None:
            loss_expr = loss_expr.xreplace({m: sympy.Integer(size)})
    leaves = [s for s in roles if s not in defs and roles[s] not in ("loss", "cost", "samples",
                                                                      "index")]
    out = Model(model.vocab, model.manifest, roles, {}, defs, _topological(defs, leaves),
                set(), model.functions, model.loss, loss_expr, None, m)
    return out, copies


def instantiate(e: sympy.Expr, model, size: int, copies) -> sympy.Expr:
    """A side (its derivatives already evaluated) at the explicit batch: each sum over
    the samples written out, sample k's symbols as their copies, m as the number."""
    m = model.samples
    var = varying(model)

    def walk(x, current):
        # current: which sample each summed index stands for; "_" the sample that bare
        # per-sample symbols belong to (inside a sum: the one summed over; outside: 0)
        if isinstance(x, sympy.Sum) and is_part_sample_sum(x, model):
            body, i = _outer(x)
            lo, c = _span(x.limits[-1], model)
            return sympy.Add(*[walk(body, {**current, i: k, "_": k})
                               for k in range(lo, size + c + 1)])
        if isinstance(x, sympy.Sum):
            if all(b.is_Integer for lim in x.limits for b in lim[1:]):
                return walk(x.doit(), current)
            raise KeepSamples(Prose.format("a sum up to ${n}$ cannot be written out",
                                           n=sympy.latex(x.limits[0][2])))
        if isinstance(x, SampleOf):
            base, i = x.args
            return base.xreplace(copies[current.get(i, 0)])
        if isinstance(x, Partial):
            raise KeepSamples("a derivative left unevaluated in a batch side")
        if isinstance(x, sympy.Symbol):
            if x in var:
                return copies[current.get("_", 0)][x]
            return sympy.Integer(size) if x == m else x
        if not x.args:
            return x
        return x.func(*[walk(a, current) for a in x.args])
    return walk(e, {})


def batch_target(gradient: sympy.Expr, size: int, copies) -> sympy.Expr:
    """The batch-mean gradient (1/size) Σ_k g^{(k)} from the per-sample gradient g."""
    return sympy.Add(*[gradient.xreplace(copies[k]) for k in range(1, size + 1)]) / size


def cost_model(model: Model) -> Model:
    """The model whose loss is the chapter's cost J, as a per-sample loss L_J with
    J = (1/m) Σ_i L_J^{(i)}: claims about J are checked against J's own definition
    (its constant included), in the batch-mean convention. Raises InputError when J
    is no sum of per-sample terms."""
    if model.cost is None or model.cost_expr is None:
        raise InputError("the cost is not defined in the chapter (a definition block "
                         "'J = \\frac{1}{m}\\sum_{i=1}^{m} ...' or 'J(w, b) = ...')")
    expr = model.cost_expr
    if model.loss is not None and model.loss_expr is not None:
        expr = expr.xreplace({model.loss: model.loss_expr})     # J = mean of L^{(i)}
    expr = expand_calls(expr, model)
    if model.samples is None:
        raise InputError(f"the cost {model.latex(model.cost)} needs the samples symbol "
                         "(conventions.samples) to be read as a mean over the samples")
    try:
        per_sample = model.samples * reduce_samples(expr, model)
    except KeepSamples as exc:
        raise InputError(f"the cost {model.latex(model.cost)} is not a sum of per-sample "
                         f"terms ({exc}): its gradient is not derived") from None
    m = replace(model, loss=model.cost, loss_expr=sympy.expand(per_sample)
                if per_sample.is_Add else per_sample)
    return m
