"""The sides of a claim: each evaluated and classified against the derived gradient.

One path for every notation. A side is a list of entries: one for a scalar side, every
entry of the matrix at the chapter's sizes for a side in matrix notation (a
:class:`~derive.calculus.matrix_sides.Side`). Each side gets one class:

- ``per-sample`` or ``batch-mean``: it equals the gradient in that convention (a side in
  matrix notation can only be in the convention its head fixes, :attr:`Claim.convention`);
- ``wrong``: it differs; ``unknown``: the comparison could not decide;
- ``failed``: it could not be evaluated (the reason in :attr:`Claim.failures`);
- ``shape``: its shape is not the gradient's.
"""
from __future__ import annotations

import sympy

from ..prose import text_of
from .batch import Kept
from .claim import Claim, in_matrices
from .derivation import Derivation, has_sample_sum
from .evidence import UNKNOWN, WRONG
from .frontier import prove_equal
from .matrix_sides import Side, cols, equal_at_frontier, matrix_values, shape_of
from .samples import KeepSamples
from ..model.explicit import NotEvaluated, ShapeMismatch
from ..model.explicit_model import is_parameter
from ..model.objects import PartialBy
from ..read.latex import Partial, SampleOf
from ..report import BATCH_MEAN, PER_SAMPLE

FAILED = "failed"
SHAPE = "shape"
FRONTIER_PROOF = ("equal, proved one chain-rule step at a time with the gradients it names "
                  "kept as unknowns")


def evaluate(checker, claim: Claim, derivation: Derivation | None = None) -> None:
    """The value of every side (``claim.values``; side 0 is the derived gradient).

    A scalar side is written down to the inputs, or, when it is no sum of per-sample
    terms, keeps its samples (a :class:`Kept`, checked in explicit batches). A side in
    matrix notation is its explicit value (a :class:`Side`); one that cannot be evaluated
    is None, with the reason in ``claim.failures``."""
    if in_matrices(checker):
        return _evaluate_matrices(checker, claim)
    d = derivation or checker.derivation
    target = d.gradient(d.model.loss, claim.target)
    claim.values = [target]
    for p in claim.parsed[1:]:
        try:
            claim.values.append(d.value(p.expr))
        except KeepSamples as exc:
            claim.values.append(Kept(p.expr, text_of(exc)))


def _evaluate_matrices(checker, claim: Claim) -> None:
    target = matrix_values(checker, claim.parsed[0].expr)
    # dV of a per-sample V (m columns) holds the per-sample gradients: m ∂J/∂V
    per_sample = (claim.parsed[0].expr in checker.gradient_symbols
                  and not is_parameter(checker, claim.target)
                  and checker.m_value and cols(target[0]) == checker.m_value)
    claim.convention = PER_SAMPLE if per_sample else checker.convention
    claim.values, claim.failures = [target], {}
    for k, p in enumerate(claim.parsed[1:], start=1):
        try:
            claim.values.append(matrix_values(checker, p.expr))
        except NotEvaluated as exc:
            claim.values.append(None)
            claim.failures[k] = exc
        except ShapeMismatch as exc:
            claim.values.append(None)
            claim.failures[k] = text_of(exc)


def classify_side(checker, claim: Claim, k: int) -> tuple[str, str]:
    """Side k's class and the reason (for ``unknown``, ``failed`` and ``shape``)."""
    value, stated = claim.values[k], claim.parsed[k].expr
    if k in claim.failures:
        failure = claim.failures[k]
        return FAILED, failure if isinstance(failure, str) else text_of(failure)
    if isinstance(value, Side):
        return _classify_entries(checker, claim, value)
    if isinstance(value, Kept):
        cls, why = checker.batches.classify(value.expr, claim.target, checker.model.parameters)
        return cls, f"with the samples kept: {why}" if cls == UNKNOWN else why
    if at_frontier(checker, claim, stated):
        return PER_SAMPLE, FRONTIER_PROOF
    return classify(checker, value, claim.values[0], claim.target,
                    summed=has_sample_sum(stated))


def _classify_entries(checker, claim: Claim, side: Side) -> tuple[str, str]:
    """Entry by entry against the gradient, in the one convention the head fixes."""
    target = claim.values[0]
    if shape_of(side[0]) != shape_of(target[0]):
        return SHAPE, "its shape is not the gradient's"
    if equal_at_frontier(checker, target, side):
        return claim.convention, FRONTIER_PROOF
    results = [checker.equivalence.compare(x, y) for x, y in zip(target[1], side[1])]
    if all(r.equal for r in results):
        return claim.convention, ""
    if any(r.equal is False for r in results):
        return WRONG, next(r.detail for r in results if r.equal is False)
    return UNKNOWN, next(r.detail for r in results if r.equal is None)


def compare_sides(checker, a, b):
    """Two evaluated sides compared directly (entry by entry in matrix notation)."""
    if not isinstance(a, Side):
        return checker.equivalence.compare(a, b)
    results = [checker.equivalence.compare(x, y) for x, y in zip(a[1], b[1])]
    for outcome in (False, None):
        found = next((r for r in results if r.equal is outcome), None)
        if found is not None:
            return found
    return results[0]


def at_frontier(checker, claim: Claim, expr) -> bool:
    """The side equals ∂L/∂target per sample, proved with the gradients it names kept
    as unknowns (calculus.frontier): a one-step formula, ∂L/∂z_3 = ∂L/∂z_4 w_4 σ'(z_3),
    is proved in a few local steps however deep the model. Only plain sides (no sums,
    operators or calls, which have their own readings); otherwise, or without a
    proof, the side is classified the long way. A partial of one quantity by another,
    ∂h^{(t+1)}/∂h^{(t)}, is a local Jacobian entry: it takes its value from the graph,
    as on the long way, and only the loss's gradients stay unknown."""
    if claim.of is not None or not isinstance(claim.target, sympy.Symbol) or \
            expr.has(sympy.Sum, SampleOf, sympy.Derivative, PartialBy,
                     sympy.core.function.AppliedUndef):
        return False
    loss = checker.model.loss
    local = {p: checker.derivation.gradient(*p.args) for p in expr.atoms(Partial)
             if p.args[0] != loss}
    if local:
        expr = expr.xreplace(local)
    if not any(p.args[0] == loss for p in expr.atoms(Partial)):
        return False
    return prove_equal(checker.derivation, checker.equivalence, expr,
                       Partial(checker.model.loss, claim.target))


def classify(checker, value, target_value, target_var, summed=False) -> tuple[str, str]:
    """PER_SAMPLE / BATCH_MEAN / WRONG / UNKNOWN, with the reason for UNKNOWN.

    A side with an explicit sum over the samples can only be batch-mean (or wrong)."""
    cmp = checker.equivalence.compare(value, target_value)
    if cmp.equal and not summed:
        return PER_SAMPLE, cmp.detail
    if cmp.equal and summed:
        return WRONG, "a sum over the samples without the 1/m of the mean"
    m = checker.model.samples
    if m is not None and target_value != 0:
        cmp_b = checker.equivalence.compare(value, target_value / m)
        if cmp_b.equal:
            return BATCH_MEAN, cmp_b.detail
        if cmp_b.equal is None and cmp.equal is False:
            return UNKNOWN, cmp_b.detail
    if cmp.equal is None:
        return UNKNOWN, cmp.detail
    return WRONG, cmp.detail


def chapter_convention(checker, claims: list[Claim]) -> str:
    """The declared convention; else the one more claims about parameters hold in (in
    matrix notation, batch-mean when the chapter has samples)."""
    declared = checker.manifest.conventions.loss
    if in_matrices(checker):
        return BATCH_MEAN if checker.samples_symbol is not None else PER_SAMPLE
    if declared:
        return declared
    if checker.model.samples is None:
        return PER_SAMPLE          # no samples: nothing else a claim could be
    counts = {PER_SAMPLE: 0, BATCH_MEAN: 0}
    for c in claims:
        if c.target in checker.model.parameters and c.of is None:
            try:
                evaluate(checker, c)
                if isinstance(c.values[-1], Kept):
                    continue
                cls, _ = classify(checker, c.values[-1], c.values[0], c.target)
            except Exception:  # noqa: BLE001 - counted as neither
                continue
            if cls in counts:
                counts[cls] += 1
    return BATCH_MEAN if counts[BATCH_MEAN] > counts[PER_SAMPLE] else PER_SAMPLE
