"""A chapter's claims checked one by one, or shared with a forked helper when a CPU is
spare: the model, the derivation and the numeric prefetch are the fork's for free, and
each claim's outcome is the same wherever it was computed."""
from __future__ import annotations

import os

from .. import background
from ..errors import CheckTimeout, InputError
from ..report import EquationResult, Verdict
from ..rules.timeout import Inconclusive
from ..timelimit import cpu_seconds, time_limit
from .claim import Claim
from .evidence import prefetch

# a chapter with at least this many claims, and a spare CPU, shares them with a helper
SPLIT_CLAIMS = 4


def check_claims(checker, claims: list[Claim], broken: list[str]) -> None:
    """Check every claim, unless the model is incomplete (then its gradients would be
    wrong): each claim is then reported as not checked, naming what is missing.

    With a spare CPU worth using (``checker.spare``), no rule already running beside the
    claims (derive.rules.run) and at least SPLIT_CLAIMS claims, a forked helper checks
    every other claim: it shares the model, the derivation and the numeric
    prefetch with this process, and each claim's outcome is the same wherever it is
    computed (the helper's are taken in the claims' order, a claim whose helper died
    is checked here)."""
    if not broken:
        prefetch(checker, claims)
    todo = [c for c in claims if checker.focused(c.item.id)]
    if broken:
        for claim in todo:
            f = Inconclusive(detail="not checked: the model is incomplete because "
                                    f"{', '.join(broken)} could not be used").finding()
            checker.results[claim.item.id] = EquationResult(
                claim.item.id, "claim", claim.item.latex, Verdict.INCONCLUSIVE,
                claim.item.line, read_as=checker._read_as(claim), findings=(f,))
        return
    mine, helper = todo, None
    if checker.spare and not checker.beside and len(todo) >= SPLIT_CLAIMS:
        mine = todo[0::2]
        helper = background.start(check_group, checker, todo[1::2], os.getpid(),
                                  cpu_seconds() - checker.started)
    try:
        outcomes = check_group(checker, mine)
        if helper is not None:
            outcomes.update(helper.result())
    finally:
        if helper is not None:
            helper.cancel()
    for claim in todo:                     # in order: the first error is the first
        outcome = outcomes.get(claim.item.id)
        if outcome is None:
            continue                       # the chapter's time limit came first
        if isinstance(outcome, InputError):
            raise outcome
        # the classes of its sides, which the conventions rule (DV202) reads, come back
        # with a claim checked in the helper
        checker.results[claim.item.id], claim.classes = outcome


def check_group(checker, claims: list[Claim], parent: int | None = None,
                used: float = 0.0) -> dict:
    """{claim id: (result, its sides' classes) or the InputError it raised}, in order,
    up to the first error. In a helper forked by process ``parent`` (which had used
    ``used`` CPU seconds of the chapter's limit), within what is left of that limit: the
    helper's own CPU clock starts at zero and the parent's timer is not inherited. Run
    in the parent itself (the helper died), as any other group."""
    if parent is None or os.getpid() == parent:
        return _group(checker, claims)
    checker.started = cpu_seconds() - used
    try:
        with time_limit(max(checker.remaining(), 1e-3)):
            return _group(checker, claims)
    except CheckTimeout:
        return {}                # not reached: reported as the chapter's time limit


def _group(checker, claims: list[Claim]) -> dict:
    outcomes: dict = {}
    for claim in claims:
        try:
            outcomes[claim.item.id] = (checker._check_claim(claim), claim.classes)
        except InputError as exc:
            outcomes[claim.item.id] = exc
            break
    return outcomes
