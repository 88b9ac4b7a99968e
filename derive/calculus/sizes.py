"""A chapter in matrix notation is checked at explicit sizes, and a claim that holds
there is checked again at a second set of sizes, so that no size can hide in a constant.

The forward pass is instantiated at the sizes of ``[sizes]`` (distinct, so that a misplaced
transpose cannot cancel): each entry of each matrix becomes a scalar node, and the scalar
chain-rule engine derives dJ/d(entry) in the chapter's own variables (model.explicit_model).
The claims then take the one claim path (calculus.links), each side a list of entries.

Gradient symbols (role "gradient", ``of = "V"``) follow the common convention of vectorized
textbooks: for a per-sample quantity V (a batch matrix with m columns) dV holds the
per-sample loss gradients, dV = m ∂J/∂V; for a parameter dV = ∂J/∂V.
"""
from __future__ import annotations

from dataclasses import replace

from ..checker import ChapterChecker
from ..errors import CheckTimeout, InputError
from ..model import build_vocabulary
from ..model.explicit_model import DEFAULT_SAMPLES
from ..report import Verdict
from ..rules.size import OnlyAtSizes
from ..rules.timeout import Inconclusive
from ..timelimit import cpu_seconds, time_limit
from .build import matrix_model, numeric_route
from .claim import agree
from .matrix_sides import entries


def check_at_two_sizes(manifest, items, *, numeric, seed, claim_seconds, focus,
                       started=None, background=False):
    """Check a vectorized chapter at its sizes, then every claim that holds there again
    at a second set of sizes (each size above 1 plus one), so that no size can hide in a
    constant: at m = 4, \\frac{4}{m^2} is \\frac{1}{m} and \\sum_{i=1}^{4} is the sum over
    the samples. A claim that holds only at the first sizes is a mismatch that says so."""
    started = cpu_seconds() if started is None else started
    first = ChapterChecker(manifest, items, numeric=numeric, seed=seed,
                           claim_seconds=claim_seconds, focus=focus,
                           started=started, background=background).run()
    held = [e.id for e in first.equations if e.kind == "claim" and e.verdict == Verdict.VERIFIED]
    if not held:
        return first
    other = shifted_sizes(manifest)
    left = manifest.limits.chapter_seconds - (cpu_seconds() - started)
    try:
        with time_limit(max(left, 1e-3)):
            # numbers first (cheap, finite differences): only a claim whose sides differ
            # there is checked again at the second sizes, by the routes the run uses
            held = numeric_disagreements(ChapterChecker(other, items, numeric=True, seed=seed,
                                                        claim_seconds=claim_seconds,
                                                        focus=held))
            if not held:
                return first
            second = ChapterChecker(other, items, numeric=numeric, seed=seed,
                                    claim_seconds=claim_seconds, focus=held,
                                    started=started, background=background).run()
    except InputError:
        return first            # the chapter does not fit other sizes: the first stands
    except CheckTimeout:
        # a claim verified at one set of sizes only is not verified (a size may hide in a
        # constant): without the second check it stays open
        return _not_checked_again(first, held, manifest)
    again = {e.id: e for e in second.equations}
    out = []
    for e in first.equations:
        e2 = again.get(e.id)
        if e2 is None or e.verdict != Verdict.VERIFIED or e2.verdict == Verdict.VERIFIED:
            out.append(e)
            continue
        note = OnlyAtSizes(sizes=_sizes_text(manifest), other=_sizes_text(other)).finding()
        links = tuple(replace(l, findings=l.findings + (note,)) if l.verdict != Verdict.VERIFIED
                      else l for l in e2.links)
        out.append(replace(e2, links=links, findings=e2.findings + (note,)))
    return replace(first, equations=tuple(out))


def _not_checked_again(first, held, manifest):
    note = Inconclusive(detail="holds at the chapter's sizes, but the chapter's time "
                                 f"limit ({manifest.limits.chapter_seconds:g} s) was reached "
                                 "before the check at a second set of sizes").finding()
    return replace(first, equations=tuple(
        replace(e, verdict=Verdict.INCONCLUSIVE, findings=e.findings + (note,))
        if e.id in held else e for e in first.equations))


def shifted_sizes(manifest):
    """The manifest with every named size above 1 one larger (distinct sizes stay
    distinct; a size of 1, a row or a column, stays one)."""
    sizes = dict(manifest.sizes)
    samples = manifest.conventions.samples
    if samples and samples not in sizes:
        sizes[samples] = DEFAULT_SAMPLES
    return replace(manifest, sizes={k: v + 1 if v > 1 else v for k, v in sizes.items()})


def _sizes_text(manifest) -> str:
    sizes = dict(manifest.sizes)
    samples = manifest.conventions.samples
    if samples and samples not in sizes:
        sizes[samples] = DEFAULT_SAMPLES
    return ", ".join(f"{k}={v}" for k, v in sizes.items())


def numeric_disagreements(checker: ChapterChecker) -> list[str]:
    """Claims (of the checker's focus) whose sides differ numerically from the first side
    at the checker's sizes: derivatives by finite differences of the cost, no symbolic
    work."""
    claims = matrix_model(checker, build_vocabulary(checker.manifest))
    route = numeric_route(checker)
    tol = checker.manifest.numeric.tolerance
    out = []
    for claim in claims:
        if not checker.focused(claim.item.id):
            continue
        try:
            sides = [entries(checker.explicit.value(p.expr)) for p in claim.parsed]
            for d in route.draws:
                route.prefetch([e for entries in sides for e in entries], d)
            values = [[route.side(e, d)[0] for d in route.draws for e in entries]
                      for entries in sides]
            if any(len(v) != len(values[0]) or not agree(values[0], v, tol)
                   for v in values[1:]):
                out.append(claim.item.id)
        except Exception:  # noqa: BLE001 - anything unclear goes to the full check
            out.append(claim.item.id)
    return out
