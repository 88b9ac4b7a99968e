"""DV202 convention: a gradient of the batch-mean cost where the chapter's are per sample
(or the other way round), and a chapter that mixes the two.

Why: \\frac{1}{m}\\sum_i is the difference between the gradient of one sample's loss L
and of the batch-mean cost J. Both are correct derivatives, so the side is reported as
inconsistent, not wrong; the fix writes it in the chapter's convention (manifest
``conventions.loss``, or the one most of its gradients follow). A chapter whose
gradients follow both gets one chapter-level finding with both ways of making it
consistent.

Example::

    loss = "per-sample"
    \\frac{\\partial L}{\\partial w} = \\frac{1}{m}\\sum_{i=1}^{m} (a^{(i)} - y^{(i)}) x^{(i)}
    -> DV202 convention: holds only for the batch-mean cost J = \\frac{1}{m}\\sum_i L^{(i)}
       (the 1/m of the mean), but the chapter's L is per-sample (manifest: loss = per-sample)
"""
from __future__ import annotations

import sympy

from ..calculus.claim import batch_form
from ..calculus.display import display
from ..calculus.samples import KeepSamples
from ..prose import Prose
from ..read.latex import to_latex
from ..report import BATCH_MEAN, PER_SAMPLE
from .base import Message

CODE = "DV202"
KIND = "convention"
ORDER = 10
MODELS = ("scalar",)


class Convention(Message):
    template = ("holds only for the batch-mean cost $J = \\frac{{1}}{{m}}\\sum_i L^{{(i)}}$ "
                "(the 1/m of the mean), but the chapter's L is per-sample ({why})")


class ConventionOther(Message):
    template = ("holds only per sample, but the chapter's gradients are of the batch-mean "
                "cost ({why})")


class MixedConventions(Message):
    template = ("the chapter mixes conventions: {batch} scale by 1/m (batch-mean cost) while "
                "{per} are per-sample; {advice}")


def side_finding(checker, claim, k: int, cls: str):
    """Side k holds in convention ``cls``, which is not the chapter's: the finding and its
    fix in the chapter's convention."""
    stated = claim.parsed[k].expr
    m = checker.model.samples
    why = _reason(checker)
    if cls == BATCH_MEAN:
        from ..calculus.derivation import strip_sample_sums
        try:
            fixed = to_latex(strip_sample_sums(stated, checker.model) * m)
        except KeepSamples:
            fixed = None
        return Convention(why=why).finding(suggestion=fixed)
    return ConventionOther(why=why).finding(suggestion=to_latex(stated / m))


def _reason(checker) -> str:
    model = checker.model
    if checker.cost_run:
        return Prose.format("by its definition, {loss} is a mean over the samples",
                            math=("loss",), loss=model.latex(model.loss))
    if checker.manifest.conventions.loss:
        return f"manifest: loss = {checker.manifest.conventions.loss}"
    return "most of the chapter's gradients"


def check(checker, claims) -> None:
    """The chapter's parameter gradients follow both conventions: one finding naming
    each, with the fixes to the chapter's convention and the batch-mean forms."""
    model = checker.model
    batch, per = [], []
    for c in claims:
        if c.target not in model.parameters or len(c.classes) != len(c.texts) \
                or c.of is not None:
            continue
        if not c.values:            # checked in a helper process: its gradient, here
            c.values = [checker.derivation.gradient(model.loss, c.target)]
        final = c.classes[-1]
        (batch if final == BATCH_MEAN else per if final == PER_SAMPLE else []).append(c)
    if not batch or not per:
        return
    minority = batch if checker.convention == PER_SAMPLE else per
    fixes = []
    for c in minority:
        form = c.values[0] if checker.convention == PER_SAMPLE else c.values[0] / model.samples
        fixes.append((c.item.id, f"{c.texts[0]} = {sympy.latex(display(form))}"))
    other = [(c.item.id, batch_form(model, c))
             for c in sorted(per + batch, key=lambda c: checker.items.index(c.item))]
    unsummed = [c.item.id for c in batch if not any(c.summed)]
    if checker.convention == PER_SAMPLE:
        advice = Prose.format(
            "to keep the per-sample L, change {fixes}. For the batch-mean cost instead, every "
            "parameter gradient needs the mean over the samples, "
            "$\\frac{{1}}{{m}}\\sum_{{i=1}}^{{m}}${unsummed}: {other}", fixes=_listed(fixes),
            unsummed=f" ({', '.join(unsummed)} has the 1/m but no sum)" if unsummed else "",
            other=_listed(other))
    else:
        advice = Prose.format("to follow the batch-mean cost throughout, change {fixes}",
                              fixes=_listed(fixes))
    f = MixedConventions(batch=", ".join(c.item.id for c in batch),
                         per=", ".join(c.item.id for c in per), advice=advice)
    checker.add(f.finding(suggestion=" \\\\ ".join(latex for _, latex in fixes)))


def _listed(pairs: list[tuple[str, str]]) -> Prose:
    """``id: formula; id: formula``, each formula LaTeX."""
    return Prose("; ").join(Prose(f"{eid}: ") + Prose.latex(latex) for eid, latex in pairs)
