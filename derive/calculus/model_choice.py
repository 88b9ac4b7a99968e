"""Which definitions the gradients are derived from: the printed ones, or the ones the
stated graph implies (model.definition_issues), whichever more of the chapter's claims
hold with. What each supports is kept for the definition rule (DV201) to report."""
from __future__ import annotations

from .derivation import Derivation
from .equivalence import Equivalence
from ..model import Model, definition_issues
from .claim import Claim


def choose_model(checker, printed: Model, claims: list[Claim]):
    issues = definition_issues(printed)
    checker.printed, checker.definition_issues, checker.support = printed, issues, {}
    fixable = {i.definition.node: i.corrected for i in issues if i.corrected is not None}
    if not fixable:
        return printed, issues
    corrected = printed.with_definitions(fixable)
    for name, m in (("printed", printed), ("corrected", corrected)):
        d = Derivation(m)
        eq = Equivalence(d, seed=checker.seed, limit=checker.limit)
        ok = []
        for c in claims:
            try:
                target = d.gradient(c.of if c.of is not None else m.loss, c.target)
                val = d.value(c.parsed[-1].expr)
                if eq.compare(val, target).equal or (
                        m.samples is not None and target != 0
                        and eq.compare(val, target / m.samples).equal):
                    ok.append(c.item.id)
            except Exception:  # noqa: BLE001 - unsupported under this model: not support
                continue
        checker.support[name] = ok
    if len(checker.support["printed"]) > len(checker.support["corrected"]):
        return printed, issues
    return corrected, issues
