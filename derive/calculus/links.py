"""Each ``=`` of a scalar claim: every side classified (per-sample, batch-mean, wrong or
undecided) against the derived gradient, each link judged from its two sides' classes,
a wrong side diagnosed (derive.rules), and the verdict confirmed by the numeric route."""
from __future__ import annotations

from dataclasses import replace

import sympy

from .derivation import Derivation, has_sample_sum
from ..errors import InputError
from ..read.latex import Partial, SampleOf, parse_formula, to_latex
from ..model.objects import PartialBy
from ..report import (
    BATCH_MEAN,
    PER_SAMPLE,
    EquationResult,
    Finding,
    LinkResult,
    Verdict,
)
from ..rules import argument_order
from ..rules.convention import side_finding as convention_finding
from ..rules.factor import MissingMean
from ..rules.mismatch import ChainStep
from ..rules.notation import read_notes
from ..rules.samples import KeptSamples
from ..rules.timeout import Inconclusive
from .batch import Kept
from .claim import Claim, batch_form
from .display import display
from .evidence import UNKNOWN, WRONG, agree_routes, measure, per_sample
from .frontier import prove_equal, shown_gradient
from .local import check_local
from .samples import KeepSamples

FRONTIER_PROOF = ("equal, proved one chain-rule step at a time with the gradients it names "
                  "kept as unknowns")


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


def evaluate(checker, claim: Claim, derivation: Derivation | None = None) -> None:
    """The value of every side; a side that is no sum of per-sample terms keeps its
    samples (a :class:`Kept`, checked in explicit batches)."""
    d = derivation or checker.derivation
    target = d.gradient(d.model.loss, claim.target)
    claim.values = [target]
    for p in claim.parsed[1:]:
        try:
            claim.values.append(d.value(p.expr))
        except KeepSamples as exc:
            claim.values.append(Kept(p.expr, str(exc)))


def chapter_convention(checker, claims: list[Claim]) -> str:
    declared = checker.manifest.conventions.loss
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


def check_claim(checker, claim: Claim) -> EquationResult:
    if claim.of is not None:
        return check_local(checker, claim)          # ∂A/∂v of a node: calculus.local
    item = claim.item
    evaluate(checker, claim)
    target = claim.values[0]
    expected = target if checker.convention == PER_SAMPLE else target / checker.model.samples
    claim.classes = ["target"]
    details = [""]
    for p, v in zip(claim.parsed[1:], claim.values[1:]):
        if isinstance(v, Kept):
            cls, why = checker.batches.classify(v.expr, claim.target, checker.model.parameters)
            if cls == UNKNOWN:
                why = f"with the samples kept: {why}"
        elif at_frontier(checker, claim, p.expr):
            cls, why = PER_SAMPLE, FRONTIER_PROOF
        else:
            cls, why = classify(checker, v, target, claim.target,
                                      summed=has_sample_sum(p.expr))
        claim.classes.append(cls)
        details.append(why)
    evidence = measure(checker, claim)
    links = []
    for k in range(1, len(claim.texts)):
        links.append(check_link(checker, claim, k, expected, details, evidence))
    verdict = Verdict.worst(link.verdict for link in links)
    final_cls = claim.classes[-1]
    convention = final_cls if final_cls in (PER_SAMPLE, BATCH_MEAN) else None
    findings = read_notes(claim)
    corrected = None
    if verdict in (Verdict.MISMATCH, Verdict.INCONSISTENT):
        corrected = corrected_chain(checker, claim, expected)
    return EquationResult(
        item.id, "claim", item.latex, verdict, item.line, read_as=checker._read_as(claim),
        convention=convention, corrected=corrected,
        derived=batch_form(checker.model, claim) if checker.cost_run and checker.model.samples is not None
        else f"\\frac{{\\partial {checker.model.latex(checker.model.loss)}}}"
             f"{{\\partial {checker.model.latex(claim.target)}}} = "
             + sympy.latex(shown_gradient(checker.derivation, claim.target, target)
                           if isinstance(claim.target, sympy.Symbol) and claim.of is None
                           else display(target)),
        links=tuple(links), findings=tuple(findings),
        numeric=evidence.final(convention) if evidence is not None else None)


def check_link(checker, claim: Claim, k: int, expected, details, evidence) -> LinkResult:
    a_cls, b_cls = claim.classes[k - 1], claim.classes[k]
    a_val, b_val = claim.values[k - 1], claim.values[k]
    stated = claim.parsed[k].expr
    findings: list[Finding] = []
    convention = None
    if k == 1 or a_cls in (PER_SAMPLE, BATCH_MEAN) and b_cls in (PER_SAMPLE, BATCH_MEAN):
        # compare side k with what the chain's target means in each convention
        ref_cls = PER_SAMPLE if k == 1 else a_cls
        if b_cls == UNKNOWN:
            verdict = Verdict.INCONCLUSIVE
            findings.append(Inconclusive(detail=details[k]).finding())
        elif b_cls == WRONG:
            verdict, findings = wrong_side(checker, claim, k, expected)
        elif k == 1 and b_cls == checker.convention or k > 1 and b_cls == ref_cls:
            verdict, convention = Verdict.VERIFIED, b_cls
        elif k > 1 and a_cls != checker.convention and b_cls == checker.convention:
            # the step returns to the chapter's convention; the previous link said why
            verdict, convention = Verdict.INCONSISTENT, a_cls
            findings.append(convention_finding(checker, claim, k - 1, a_cls))
        else:
            verdict, convention = Verdict.INCONSISTENT, b_cls
            findings.append(convention_finding(checker, claim, k, b_cls))
    else:
        if isinstance(a_val, Kept) or isinstance(b_val, Kept):
            # two sides, one keeping the samples: compared in the explicit batches
            cmp = checker.batches.compare(claim.parsed[k - 1].expr, stated,
                                       *per_sample(claim, k - 1, k))
        else:
            cmp = checker.equivalence.compare(a_val, b_val)
        if cmp.equal:
            verdict = Verdict.VERIFIED
            convention = b_cls if b_cls in (PER_SAMPLE, BATCH_MEAN) else None
        elif cmp.equal is None:
            verdict = Verdict.INCONCLUSIVE
            findings.append(Inconclusive(detail=cmp.detail).finding())
        elif b_cls in (PER_SAMPLE, BATCH_MEAN):
            swapped = argument_order.swapped_call(checker, claim, k - 1)
            if swapped is not None:
                verdict = Verdict.INCONSISTENT
                findings.append(swapped)
            else:
                verdict = Verdict.MISMATCH
                findings.append(ChainStep(
                    detail="the previous side is already wrong (see the link before)"
                ).finding())
        else:
            verdict, findings = wrong_side(checker, claim, k, expected)
    verdict, findings, link_numeric = agree_routes(checker, verdict, findings, claim, k, convention,
                                                  evidence)
    return LinkResult(claim.texts[k - 1], claim.texts[k], verdict, convention,
                      to_latex(claim.parsed[k - 1].expr),
                      to_latex(stated), tuple(findings), link_numeric)


def corrected_chain(checker, claim: Claim, expected) -> str | None:
    """The printed chain with each side that does not hold in the chapter's convention
    replaced by its verified fix (None when some side has no fix)."""
    sides = [claim.texts[0]]
    for k in range(1, len(claim.texts)):
        cls = claim.classes[k]
        if cls == checker.convention:
            sides.append(claim.texts[k])
            continue
        if cls in (PER_SAMPLE, BATCH_MEAN):
            fix = convention_finding(checker, claim, k, cls).suggestion
        elif cls == WRONG:
            found = wrong_side(checker, claim, k, expected)[1]
            fix = found[0].suggestion if found else None
        else:
            fix = None
        if not fix:
            return None
        sides.append(fix)
    # the corrected chain must itself hold: parse and compare every fixed side
    try:
        for text in sides[1:]:
            value = checker.derivation.value(parse_formula(
                text, checker.vocab, chain_var=claim.target).expr)
            if checker.equivalence.compare(value, expected).equal is not True:
                return None
    except (InputError, KeepSamples):
        return None
    return " = ".join(sides) + f" \\tag{{{claim.item.id}}}"


def wrong_side(checker, claim: Claim, k: int, expected):
    stated = claim.parsed[k].expr
    m = checker.model.samples
    if isinstance(claim.values[k], Kept):
        # no per-sample term to diagnose: the fix is the batch-mean form itself
        detail = claim.values[k].reason
        form = batch_form(checker.model, claim).split(" = ", 1)[1] if m is not None else None
        return Verdict.MISMATCH, [KeptSamples(detail=detail).finding(
            suggestion=form)]
    if claim.summed[k] and m is not None and checker.equivalence.compare(
            claim.values[k], claim.values[0]).equal:
        # Σ_i G^(i) with G the per-sample gradient: the mean's 1/m is missing
        fixed = stated / m
        return Verdict.MISMATCH, [MissingMean().finding(
            suggestion=to_latex(fixed))]
    swapped = argument_order.swapped_call(checker, claim, k)
    if swapped is not None:
        return Verdict.INCONSISTENT, [swapped]
    diag = checker.diagnoser.diagnose(stated, claim.values[k], expected)
    if claim.summed[k] and m is not None:
        # a fix outside the sum would be misread; offer the whole batch-mean form
        form = batch_form(checker.model, claim).split(" = ", 1)[1]
        return Verdict.MISMATCH, [replace(diag.finding, suggestion=form)]
    return Verdict.MISMATCH, [diag.finding]
