"""Each ``=`` of a claim, in any notation: every side classified against the derived
gradient (derive.calculus.sides), each link judged from its two sides' classes, a wrong
side diagnosed (derive.rules), and the verdict confirmed by the numeric route."""
from __future__ import annotations

from dataclasses import replace

import sympy

from ..errors import InputError
from ..model.explicit import NotEvaluated
from ..read.latex import parse_formula, spelled_as, to_latex
from ..report import (
    BATCH_MEAN,
    PER_SAMPLE,
    EquationResult,
    Finding,
    LinkResult,
    Verdict,
)
from ..rules import argument_order
from ..rules.convention import side_finding
from ..rules.factor import MissingMean
from ..rules.matrix_diagnose import matrix_fix
from ..rules.mismatch import ChainStep, Mismatch
from ..rules.notation import read_notes
from ..rules.samples import KeptSamples
from ..rules.shape import Shape
from ..rules.timeout import Inconclusive
from .batch import Kept
from .claim import Claim, author_names, batch_form, in_matrices
from .display import display
from .evidence import UNKNOWN, WRONG, agree_routes, measure, per_sample
from .frontier import shown_gradient
from .local import check_local
from .matrix_sides import derived_text, shape_of
from .samples import KeepSamples
from .sides import (FAILED, FRONTIER_PROOF, SHAPE, chapter_convention,  # noqa: F401
                    classify_side, compare_sides, evaluate)

GOOD = (PER_SAMPLE, BATCH_MEAN)


def check_claim(checker, claim: Claim) -> EquationResult:
    if claim.of is not None:
        return check_local(checker, claim)          # ∂A/∂v of a node: calculus.local
    item = claim.item
    evaluate(checker, claim)
    target = claim.values[0]
    if in_matrices(checker):
        expected = target                   # already in the convention its head fixes
    else:
        expected = target if checker.convention == PER_SAMPLE else target / checker.model.samples
    claim.classes = ["target"]
    details = [""]
    for k in range(1, len(claim.parsed)):
        cls, why = classify_side(checker, claim, k)
        claim.classes.append(cls)
        details.append(why)
    evidence = measure(checker, claim)
    links = []
    for k in range(1, len(claim.texts)):
        links.append(check_link(checker, claim, k, expected, details, evidence))
    verdict = Verdict.worst(link.verdict for link in links)
    final_cls = claim.classes[-1]
    convention = final_cls if final_cls in GOOD else None
    findings = read_notes(claim)
    corrected = None
    if verdict in (Verdict.MISMATCH, Verdict.INCONSISTENT) and not in_matrices(checker):
        corrected = corrected_chain(checker, claim, expected)
    return EquationResult(
        item.id, "claim", item.latex, verdict, item.line, read_as=checker._read_as(claim),
        convention=convention, corrected=corrected, derived=derived(checker, claim, details),
        links=tuple(links), findings=tuple(findings),
        numeric=evidence.final(convention) if evidence is not None else None)


def derived(checker, claim: Claim, details: list[str]) -> str:
    """The derived gradient shown with the claim."""
    target = claim.values[0]
    if in_matrices(checker):
        return derived_text(checker, target, all(d == FRONTIER_PROOF for d in details[1:]))
    if checker.cost_run and checker.model.samples is not None:
        return batch_form(checker.model, claim)
    model = checker.model
    shown = (shown_gradient(checker.derivation, claim.target, target)
             if isinstance(claim.target, sympy.Symbol) and claim.of is None else display(target))
    return (f"\\frac{{\\partial {model.latex(model.loss)}}}"
            f"{{\\partial {model.latex(claim.target)}}} = " + sympy.latex(shown))


def check_link(checker, claim: Claim, k: int, expected, details, evidence) -> LinkResult:
    a_cls, b_cls = claim.classes[k - 1], claim.classes[k]
    a_val, b_val = claim.values[k - 1], claim.values[k]
    stated = claim.parsed[k].expr
    want = claim.convention or checker.convention
    findings: list[Finding] = []
    convention = None
    if FAILED in (a_cls, b_cls) or SHAPE in (a_cls, b_cls):
        verdict, findings = unevaluated_link(checker, claim, k)
    elif k == 1 or a_cls in GOOD and b_cls in GOOD:
        # compare side k with what the chain's target means in each convention
        ref_cls = PER_SAMPLE if k == 1 else a_cls
        if b_cls == UNKNOWN:
            verdict = Verdict.INCONCLUSIVE
            findings.append(Inconclusive(detail=details[k]).finding())
        elif b_cls == WRONG:
            verdict, findings = wrong_side(checker, claim, k, expected)
        elif k == 1 and b_cls == want or k > 1 and b_cls == ref_cls:
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
            cmp = compare_sides(checker, a_val, b_val)
        if cmp.equal:
            verdict = Verdict.VERIFIED
            convention = b_cls if b_cls in GOOD else None
        elif cmp.equal is None:
            verdict = Verdict.INCONCLUSIVE
            findings.append(Inconclusive(detail=cmp.detail).finding())
        elif b_cls in GOOD:
            swapped = (None if in_matrices(checker)
                       else argument_order.swapped_call(checker, claim, k - 1))
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
    verdict, findings, link_numeric = agree_routes(checker, verdict, findings, claim, k,
                                                   convention, evidence)
    return LinkResult(claim.texts[k - 1], claim.texts[k], verdict, convention,
                      to_latex(claim.parsed[k - 1].expr),
                      to_latex(stated), tuple(findings), link_numeric)


def unevaluated_link(checker, claim: Claim, k: int):
    """A link with a side that could not be evaluated, or whose shape is not the
    gradient's: open when derive cannot evaluate it, a shape mismatch otherwise (with the
    edit that makes side k hold, when one does)."""
    b_cls = claim.classes[k]
    failure = claim.failures.get(k) or claim.failures.get(k - 1)
    if isinstance(failure, NotEvaluated):
        # a side derive cannot evaluate entry by entry: open, never a mismatch
        return Verdict.INCONCLUSIVE, [Inconclusive(detail=f"not evaluated: {failure}").finding()]
    if failure is not None:
        fix = matrix_fix(checker, claim, k, claim.values[0]) if b_cls == FAILED else None
        return Verdict.MISMATCH, [_shape_finding(f"shape mismatch: {failure}", fix)]
    from ..model.explicit_model import shape_label
    a, b = claim.values[k - 1][0], claim.values[k][0]
    if shape_of(a) == shape_of(b):         # both of the same wrong shape: compared
        cmp = compare_sides(checker, claim.values[k - 1], claim.values[k])
        if cmp.equal:
            return Verdict.VERIFIED, []
        if cmp.equal is None:
            return Verdict.INCONCLUSIVE, [Inconclusive(detail=cmp.detail).finding()]
        a = claim.values[0][0]              # the gradient's shape, against this side's
    fix = matrix_fix(checker, claim, k, claim.values[0])
    return Verdict.MISMATCH, [_shape_finding(
        f"shape mismatch: the left side is {shape_label(shape_of(a))}, the right side "
        f"{shape_label(shape_of(b))}", fix)]


def _shape_finding(mismatch: str, fix):
    """DV301 with the shapes; or, when one edit makes the side hold, that edit's rule with
    the shapes before its message."""
    if fix is None:
        return Shape(detail=mismatch).finding()
    found = fix[0].finding(suggestion=fix[1])
    return replace(found, message=f"{mismatch}; {found.message}")


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


def convention_finding(checker, claim: Claim, k: int, cls: str):
    """The convention finding of side k, its fix in the claim's own spellings."""
    with spelled_as(author_names(checker, claim)):
        return side_finding(checker, claim, k, cls)


def wrong_side(checker, claim: Claim, k: int, expected):
    """The verdict and the diagnosis of a wrong side k, its fix in the claim's own
    spellings."""
    with spelled_as(author_names(checker, claim)):
        return _wrong_side(checker, claim, k, expected)


def _wrong_side(checker, claim: Claim, k: int, expected):
    stated = claim.parsed[k].expr
    if in_matrices(checker):
        # the first single matrix edit that makes the side hold (rules.matrix_diagnose)
        fix = matrix_fix(checker, claim, k, claim.values[0])
        return Verdict.MISMATCH, [fix[0].finding(suggestion=fix[1]) if fix
                                  else Mismatch().finding()]
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
