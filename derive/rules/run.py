"""Running the chapter-level rules: in their order, each on the checker it applies to.

A rule that needs nothing the claims compute (``BESIDE = True``: the cross-check, the
costliest part of a deep chapter) runs in a forked helper when a CPU is spare, while the
claims are checked here; what it adds (findings on the chapter and on equations, listed
gradients) is put back where it would have been had it run here, so the report is the
same either way.
"""
from __future__ import annotations

from .. import background
from ..timelimit import cpu_seconds, time_limit
from . import registry


def run_rules(checker, claims, before_claims: bool) -> None:
    """The chapter-level rules for the checker's model, in order."""
    for rule in registry.chapter_checks(before_claims):
        if checker.notation not in rule.MODELS:
            continue
        if getattr(rule, "BESIDE", False) and checker.spare:
            place = (len(checker.chapter_findings), len(checker.gradients),
                     {k: len(v) for k, v in checker.eq_findings.items()})
            job = background.start(_added, checker, rule, claims, cpu_seconds() - checker.started)
            checker.beside.append((place, job))
        else:
            rule.check(checker, claims)


def collect_beside(checker) -> None:
    """Put what the rules run beside added where each would have added it."""
    jobs, checker.beside = checker.beside, []
    try:
        outcomes = [(place, job.result()) for place, job in jobs]
    finally:
        for _, job in jobs:
            job.cancel()
    for (at, at_gradient, lengths), (findings, on_equations, gradients) in reversed(outcomes):
        checker.chapter_findings[at:at] = findings
        checker.gradients[at_gradient:at_gradient] = gradients
        for key, added in on_equations.items():
            listed = checker.eq_findings.setdefault(key, [])
            n = lengths.get(key, 0)
            listed[n:n] = added


def cancel_beside(checker) -> None:
    for _, job in getattr(checker, "beside", []):
        job.cancel()
    checker.beside = []


def _added(checker, rule, claims, used: float):
    """What ``rule`` adds, run with empty lists (in the helper, or here if it died),
    within what is left of the chapter's time limit."""
    kept = checker.chapter_findings, checker.eq_findings, checker.gradients, checker.started
    checker.chapter_findings, checker.eq_findings, checker.gradients = [], {}, []
    try:
        checker.started = cpu_seconds() - used
        with time_limit(max(checker.remaining(), 1e-3)):
            rule.check(checker, claims)
        return checker.chapter_findings, checker.eq_findings, checker.gradients
    finally:
        (checker.chapter_findings, checker.eq_findings, checker.gradients,
         checker.started) = kept
