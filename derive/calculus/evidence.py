"""The numeric route's evidence for a claim: every side evaluated by NumPy at the sample
points and compared with the finite-difference oracle, in the chapter's convention or
the other; and the rule that both routes must agree before a verdict is given."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import sympy

from ..read.latex import Partial
from .numeric import NumericError, NumericRoute, rel_error
from ..report import BATCH_MEAN, PER_SAMPLE, NumericEvidence, Verdict
from ..rules.numeric import RoutesDisagree
from .batch import BatchEvidence, Kept
from .claim import Claim, agree, in_matrices

WRONG = "wrong"
UNKNOWN = "unknown"


def prefetch(checker, claims: list[Claim]) -> None:
    """Every finite difference the claims' numeric evidence will ask for, in batched
    forward passes (NumericRoute.prefetch): per claim, one pass each would cost the
    depth of the model again."""
    route = checker.numeric
    if route is None or in_matrices(checker):
        return             # (matrix notation: each claim's entries are fetched together)
    loss = checker.model.loss
    claims = [c for c in claims if checker.focused(c.item.id)]
    exprs = [Partial(loss, c.target) for c in claims if isinstance(c.target, sympy.Symbol)]
    exprs += [p.expr for c in claims for p in c.parsed[1:]]
    params = [c.target for c in claims if c.target in route.model.parameters]
    for draw in route.draws:
        route.prefetch(exprs, draw)
        route.prefetch_batch(params, draw)


def measure(checker, claim: Claim):
    """The numeric evidence of every side of the claim (None without a numeric route)."""
    if checker.numeric is None:
        return None
    if in_matrices(checker):
        from .matrix_sides import MatrixEvidence
        return MatrixEvidence(checker.numeric, claim.values, checker.manifest.numeric.tolerance)
    if any(isinstance(v, Kept) for v in claim.values):
        if claim.target not in checker.model.parameters:
            return None
        s = checker.manifest.numeric
        return BatchEvidence(checker.batches, claim,
                             [False] + per_sample(claim, *range(1, len(claim.values))),
                             draws=s.draws, seed=checker.seed, tol=s.tolerance)
    return SideEvidence.measure(checker.numeric, claim, checker.manifest.numeric.tolerance)


def agree_routes(checker, verdict, findings, claim: Claim, k: int, convention, evidence):
    """Both routes must agree; a disagreement is never turned into a verdict.

    Returns (verdict, findings, the numeric evidence shown for the link)."""
    if evidence is None:
        return verdict, findings, None
    chapter = evidence.link(k, checker.convention, scale=False)
    if chapter.max_rel_error is None:
        return verdict, findings, chapter
    if verdict == Verdict.VERIFIED:
        shown = evidence.link(k, convention or checker.convention)
        ok = shown.agrees
    elif verdict == Verdict.MISMATCH:
        shown, ok = chapter, not chapter.agrees
    elif verdict == Verdict.INCONSISTENT and convention in (PER_SAMPLE, BATCH_MEAN) \
            and convention != checker.convention:
        own = evidence.link(k, convention)
        shown = replace(chapter, note=f"holds read as {convention}: max rel. error "
                                      f"{own.max_rel_error:.2e}")
        ok = own.agrees and (claim.summed[k] or not chapter.agrees)
    elif verdict == Verdict.INCONSISTENT:
        shown, ok = chapter, not chapter.agrees
    else:
        return verdict, findings, chapter
    if not ok:
        detail = f"symbolic: {verdict}, numeric: max relative error {shown.max_rel_error:.3g}"
        if shown.convention is not None:
            detail += f" read as {shown.convention}"
        return (Verdict.INCONCLUSIVE,
                [*findings, RoutesDisagree(detail=detail).finding()], shown)
    return verdict, findings, shown


def per_sample(claim: Claim, *sides: int) -> list[bool]:
    """Which sides are per-sample formulas (read as batch means in a batch)."""
    return [not isinstance(claim.values[k], Kept) and not claim.summed[k] for k in sides]


class SideEvidence:
    """Numeric values of every side of one claim, per draw, and the FD oracle.

    Sides are compared in a *reading*: per-sample (each side as a per-sample gradient) or
    batch-mean (each side as its contribution to dJ/dθ, J = mean L). A side the symbolic
    route classified in one convention is scaled by m or 1/m to be read in the other, so
    that the numeric route checks the same statement; for parameters the batch reading is
    also checked as Σ_i side against the finite difference of J itself.
    """

    def __init__(self, route: NumericRoute, claim: Claim, tol: float) -> None:
        self.route = route
        self.claim = claim
        self.tol = tol
        self.sides: list[np.ndarray] = []
        self.batch_oracle: np.ndarray | None = None
        self.note = None
        self.left_out = 0

    @classmethod
    def measure(cls, route: NumericRoute, claim: Claim, tol: float) -> "SideEvidence | None":
        ev = cls(route, claim, tol)
        try:
            for k, p in enumerate(claim.parsed):
                vals = []
                for draw in route.draws:
                    if k == 0:
                        vals.append(route.oracle(claim.target, draw))
                    else:
                        vals.append(route.side(p.expr, draw))
                ev.sides.append(np.stack(vals))          # (draws, samples)
            if claim.target in route.model.parameters:
                ev.batch_oracle = np.array([route.batch_fd(claim.target, d)
                                            for d in route.draws])
            mask = np.stack([route.away_from_kinks(d) for d in route.draws])
            if not mask.all():
                # near a ReLU kink the finite differences are not derivatives: leave out
                ev.sides = [np.where(mask, s, 0.0) for s in ev.sides]
                ev.left_out = int((~mask).sum())
                ev.note = f"{ev.left_out} points near a ReLU kink left out"
                ev.batch_oracle = None
        except NumericError as exc:
            ev.note = str(exc)
            ev.sides = []
        return ev

    def _in(self, idx: int, reading: str, scale: bool) -> np.ndarray:
        cls = self.claim.classes[idx] if idx < len(self.claim.classes) else None
        base = PER_SAMPLE if cls in ("target", None, WRONG, UNKNOWN) else cls
        if idx == 0:
            base = PER_SAMPLE          # the oracle: per-sample dL/dv
        elif self.claim.summed[idx]:
            base = BATCH_MEAN          # Σ_i G^(i) is a batch quantity, whatever the reading
        elif not scale:
            base = reading             # read literally: the value is what the reading says
        vals = self.sides[idx]
        m = self.route.m
        if base == PER_SAMPLE and reading == BATCH_MEAN:
            return vals / m
        if base == BATCH_MEAN and reading == PER_SAMPLE:
            return vals * m
        return vals

    def compare(self, i: int, j: int, reading: str, scale: bool = True) -> NumericEvidence:
        """Side j against side i, both read in ``reading``; ``scale=False`` reads every side
        literally (what the chapter's own convention says it is)."""
        if not self.sides:
            return NumericEvidence(None, 0, note=self.note)
        a, b = self._in(i, reading, scale), self._in(j, reading, scale)
        err = rel_error(a, b)
        ok = agree(a, b, self.tol)
        note = None
        if reading == BATCH_MEAN and i == 0 and self.batch_oracle is not None:
            sums = b.sum(axis=1)
            err_sum = rel_error(sums, self.batch_oracle)
            ok = ok and agree(sums, self.batch_oracle, self.tol)
            err = max(err, err_sum)
            note = ("sum over the samples against the finite difference of J = mean(L): "
                    f"max rel. error {err_sum:.2e}")
        ratio, text = (None, None) if ok else self._ratio(b.ravel(), a.ravel())
        if self.note:
            note = f"{note}; {self.note}" if note else self.note
        points = self.route.points - self.left_out
        return NumericEvidence(err, points, reading, ratio, text, note, ok)

    def link(self, k: int, reading: str, scale: bool = True) -> NumericEvidence:
        return self.compare(k - 1, k, reading, scale)

    def _ratio(self, stated: np.ndarray, reference: np.ndarray):
        with np.errstate(all="ignore"):
            r = stated / reference
        r = r[np.isfinite(r)]
        if r.size == 0 or not np.allclose(r, r[0], rtol=1e-6, atol=0):
            return None, None
        value = float(r[0])
        m = self.route.m
        for text, cand in ((f"1/m at m={m}", 1 / m), (f"m at m={m}", m), ("-1", -1.0),
                           ("2", 2.0), ("1/2", 0.5)):
            if abs(value - cand) <= 1e-6 * abs(cand):
                return value, text
        return value, f"{value:.6g}"

    def final(self, convention: str | None) -> NumericEvidence:
        return self.compare(0, len(self.claim.parsed) - 1, convention or PER_SAMPLE)
