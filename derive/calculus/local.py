"""Claims about the derivative of a quantity other than the loss: ``\\frac{\\partial a}
{\\partial z} = a(1 - a)``, ``\\frac{\\partial u}{\\partial a} = 2(a + b)``.

Books state the local derivatives their chain rule multiplies. Each side is checked
against the derivative of that quantity through the chapter's model (the chain rule
over its definitions), by both routes: a symbolic proof (derive.calculus.equivalence) and finite
differences of the forward model at the numeric route's points. There is no per-sample
or batch-mean reading: the quantity is one sample's.

    ∂A/∂v = S₁ = … = Sₙ   holds when every Sₖ equals d A / d v through the model
"""
from __future__ import annotations

import numpy as np
import sympy

from ..rules.mismatch import Mismatch
from ..rules.timeout import Inconclusive
from ..report import EquationResult, LinkResult, NumericEvidence, Verdict


def check_local(checker, claim) -> EquationResult:
    """The verdict of a claim whose first side is ∂A/∂v with A a node of the model."""
    from ..read.latex import to_latex
    from ..model.objects import PartialBy
    from .numeric import NumericError, rel_error
    from .claim import agree
    d, eq = checker.derivation, checker.equivalence
    of, var = claim.of, claim.target
    by = None if isinstance(var, sympy.Symbol) else PartialBy(of, var)   # ∂E/∂(v^T h)
    expected = d.gradient(of, var) if by is None else d.value(by)
    values = [d.value(p.expr) for p in claim.parsed[1:]]
    fd, measured = None, []
    route = checker.numeric
    if route is not None:
        try:
            fd = np.concatenate([route.fd(of, var, draw) if by is None else
                                 route.side(by, draw) for draw in route.draws])
            for p in claim.parsed[1:]:
                measured.append(np.concatenate([route.side(p.expr, draw, chain_var=var)
                                                for draw in route.draws]))
        except NumericError as exc:
            fd, note = None, str(exc)
    links, verdict, previous = [], Verdict.VERIFIED, True
    for k, (text, value) in enumerate(zip(claim.texts[1:], values)):
        symbolic = eq.compare(value, expected)
        findings = []
        numeric = None
        if fd is not None and k < len(measured):
            ok = agree(measured[k], fd, checker.manifest.numeric.tolerance)
            numeric = NumericEvidence(rel_error(measured[k], fd), int(fd.size), agrees=ok)
        elif route is not None:
            numeric = NumericEvidence(None, 0, note=f"not evaluated: {note}")
        if symbolic.equal is True and (numeric is None or numeric.agrees in (True, None)):
            link = Verdict.VERIFIED
        elif symbolic.equal is False and (numeric is None or numeric.agrees is not True):
            link = Verdict.MISMATCH
            if previous:
                diagnosis = checker.diagnoser.diagnose(claim.parsed[k + 1].expr, value, expected)
                findings.append(diagnosis.finding)
            else:
                findings.append(Mismatch().finding())
        else:
            link = Verdict.INCONCLUSIVE
            why = symbolic.detail if symbolic.equal is None else \
                "the symbolic and numeric routes disagree"
            findings.append(Inconclusive(detail=why).finding())
        previous = link == Verdict.VERIFIED
        lhs = claim.texts[k]
        links.append(LinkResult(str(lhs), str(text), link, None,
                                to_latex(claim.parsed[k].expr), to_latex(value),
                                tuple(findings), numeric))
        if link == Verdict.MISMATCH:
            verdict = Verdict.MISMATCH
        elif link == Verdict.INCONCLUSIVE and verdict == Verdict.VERIFIED:
            verdict = Verdict.INCONCLUSIVE
    item = claim.item
    derived = (f"\\frac{{\\partial {checker.model.latex(of)}}}"
               f"{{\\partial {checker.model.latex(var)}}}" if by is None else to_latex(by)) + \
        f" = {to_latex(expected)}"
    return EquationResult(item.id, "claim", item.latex, verdict, item.line,
                          read_as=" = ".join(to_latex(p.expr) for p in claim.parsed),
                          derived=derived, links=tuple(links),
                          findings=tuple(f for link in links for f in link.findings
                                         if verdict != Verdict.VERIFIED)[:1],
                          numeric=links[-1].numeric if links else None)


def is_local(target: sympy.Expr, model) -> bool:
    """∂A/∂v with A a node of the model (not the loss), or ∂A/∂(g) by an expression g
    with A the loss or a node (derive.calculus.by_expression)."""
    from ..model.objects import Partial, PartialBy
    if isinstance(target, PartialBy):
        return target.args[0] == model.loss or target.args[0] in model.definitions
    return isinstance(target, Partial) and target.args[0] != model.loss and \
        target.args[0] in model.definitions
