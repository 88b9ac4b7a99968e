"""Claims whose sides keep the samples, checked in explicit batches by both routes.

A side that is no sum of per-sample terms (:class:`~derive.calculus.samples.KeepSamples`)
is compared, for a parameter v, with the batch-mean gradient ∂J/∂v, J = (1/m) Σ_i L^{(i)},
written out at batches of 2 and 3 samples: symbolically by the randomized identity test
and proof (:class:`~derive.calculus.equivalence.Equivalence` on the batch model), numerically
against finite differences of J at a batch of 3 samples drawn by the numeric route.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy

from ..report import BATCH_MEAN, NumericEvidence
from .samples import SIZES, KeepSamples, batch_model, batch_target, instantiate

WRONG, UNKNOWN = "wrong", "unknown"


@dataclass(frozen=True)
class Kept:
    """A side's value when it keeps the samples: the printed side and why."""

    expr: sympy.Expr
    reason: str


class BatchCheck:
    """One chapter's explicit batches (built on first use)."""

    def __init__(self, derivation, *, seed: int, limit: float) -> None:
        self.d = derivation
        self.model = derivation.model
        self.seed = seed
        self.limit = limit
        self._batches: dict[int, tuple] = {}

    def batch(self, size: int):
        if size not in self._batches:
            from .derivation import Derivation
            from .equivalence import Equivalence
            bm, copies = batch_model(self.model, size)
            bd = Derivation(bm)
            self._batches[size] = (bm, copies, bd, Equivalence(bd, seed=self.seed,
                                                              limit=self.limit))
        return self._batches[size]

    def side(self, expr, size: int, per_sample: bool = False) -> sympy.Expr:
        """A printed side at the batch: as printed (its sums written out), or, for a
        per-sample side, read as the batch mean of its per-sample value."""
        bm, copies, _bd, _eq = self.batch(size)
        value = self.d.resolve(expr)
        if per_sample:
            return batch_target(self.d.value(expr), size, copies)
        return instantiate(value, self.model, size, copies)

    def target(self, var, size: int) -> sympy.Expr:
        _bm, copies, _bd, _eq = self.batch(size)
        return batch_target(self.d.gradient(self.model.loss, var), size, copies)

    def classify(self, expr, var, parameters) -> tuple[str, str]:
        """BATCH_MEAN when the side is ∂J/∂v at every batch size, else WRONG or UNKNOWN."""
        if var not in parameters:
            return WRONG, (f"a side that keeps the samples cannot be the gradient for "
                           f"{sympy.latex(var)}, which has one value per sample")
        for size in SIZES:
            _bm, _copies, _bd, eq = self.batch(size)
            try:
                stated = self.side(expr, size)
            except (KeepSamples, ValueError, TypeError) as exc:
                return UNKNOWN, str(exc) or type(exc).__name__
            target = self.target(var, size)
            cmp = eq.compare(stated, target)
            if cmp.equal is None:
                return UNKNOWN, cmp.detail
            if cmp.equal is False:
                if eq.compare(stated, size * target).equal:
                    return WRONG, "a sum over the samples without the 1/m of the mean"
                return WRONG, (f"with the samples kept (a batch of {size}) it is not the "
                               f"batch-mean gradient: {cmp.detail}")
        return BATCH_MEAN, "the batch-mean gradient at batches of " + \
            " and ".join(map(str, SIZES)) + " samples"

    def compare(self, a, b, a_per_sample: bool, b_per_sample: bool):
        """Two sides read in the batch (per-sample sides as their batch means)."""
        from .equivalence import Comparison
        out = None
        for size in SIZES:
            _bm, _copies, _bd, eq = self.batch(size)
            try:
                sa, sb = self.side(a, size, a_per_sample), self.side(b, size, b_per_sample)
            except (KeepSamples, ValueError, TypeError) as exc:
                return Comparison(None, "evaluation", str(exc) or type(exc).__name__)
            cmp = eq.compare(sa, sb)
            if cmp.equal is not True:
                return cmp
            out = cmp
        return out


class BatchEvidence:
    """The numeric route for a claim with a side that keeps the samples: every side read
    in a batch of the largest size (per-sample sides as batch means), the first side as
    finite differences of the batch-mean cost."""

    def __init__(self, check: BatchCheck, claim, per_sample: list[bool], draws: int,
                 seed: int, tol: float) -> None:
        from .numeric import NumericError, NumericRoute
        self.tol = tol
        self.note = None
        self.values: list[np.ndarray] = []
        size = SIZES[-1]
        bm, _copies, bd, _eq = check.batch(size)
        self.points = draws * size
        try:
            route = NumericRoute(bd, samples=1, draws=draws, seed=seed)
            for k, p in enumerate(claim.parsed):
                if k == 0:
                    vals = [route.fd(bm.loss, claim.target, d)[0] for d in route.draws]
                else:
                    e = check.side(p.expr, size, per_sample[k])
                    vals = [route.side(e, d)[0] for d in route.draws]
                self.values.append(np.array(vals, dtype=float))
        except (NumericError, KeepSamples, ValueError, TypeError) as exc:
            self.note = f"numeric route stopped: {exc}"
            self.values = []

    def _compare(self, i: int, j: int) -> NumericEvidence:
        from .claim import agree
        from .numeric import rel_error
        if not self.values:
            return NumericEvidence(None, 0, note=self.note)
        a, b = self.values[i], self.values[j]
        return NumericEvidence(rel_error(a, b), self.points, BATCH_MEAN,
                               note=f"in a batch of {SIZES[-1]} samples, every side as a "
                                    "batch quantity", agrees=agree(a, b, self.tol))

    def link(self, k: int, reading: str = BATCH_MEAN, scale: bool = True) -> NumericEvidence:
        return self._compare(k - 1, k)

    def final(self, convention) -> NumericEvidence:
        return self._compare(0, len(self.values) - 1 if self.values else 0)
