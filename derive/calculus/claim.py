"""A claim as the checkers hold it, and when two sampled sides agree: shared by the
checker and the calculus modules (local derivatives, update rules, batches) without their
importing the checker."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import sympy

from .derivation import has_sample_sum
from ..read.latex import Parsed
from ..read.source import Item


@dataclass
class Claim:
    """A parsed claim: its sides (side 0 is the target ∂L/∂v) and their per-sample values."""

    item: Item
    texts: list[str]
    parsed: list[Parsed]
    target: sympy.Symbol
    values: list[sympy.Expr] = field(default_factory=list)
    classes: list[str] = field(default_factory=list)
    of: sympy.Symbol | None = None     # ∂A/∂v of a node A (calculus.local); None: the loss
    # the convention the head fixes (matrix notation: a dZ of per-sample columns is
    # per-sample); None: the chapter's
    convention: str | None = None
    failures: dict = field(default_factory=dict)   # side -> why it could not be evaluated

    @property
    def summed(self) -> list[bool]:
        """Which sides carry an explicit sum over the samples (batch quantities)."""
        return [has_sample_sum(p.expr) for p in self.parsed]


def in_matrices(checker) -> bool:
    """Is the chapter in matrix notation (its model instantiated at explicit sizes)?"""
    return getattr(checker, "explicit", None) is not None


def agree(a: np.ndarray, b: np.ndarray, tol: float) -> bool:
    """Equal within ``tol`` relatively, or within finite-difference noise absolutely
    (1e-9 of the largest value: a gradient that is exactly 0 comes out as ~1e-13)."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        return False
    scale = max(float(np.max(np.abs(a), initial=0.0)), float(np.max(np.abs(b), initial=0.0)),
                1.0)
    return bool(np.all(np.abs(a - b) <= tol * np.maximum(np.abs(a), np.abs(b)) + 1e-9 * scale))


def batch_form(model, claim: Claim) -> str:
    """∂J/∂v = \\frac{1}{m}\\sum_i (the per-sample gradient at sample i): the claim's
    gradient as the batch-mean cost's, each per-sample quantity indexed by the sample."""
    from ..read.latex import SampleOf
    from .display import display
    m = model
    i = sympy.Symbol("i")
    per_sample = [s for s in m.roles if s not in m.parameters
                  and m.roles[s] not in ("loss", "cost", "samples", "index")]
    body = display(claim.values[0]).xreplace({s: SampleOf(s, i) for s in per_sample})
    text = sympy.latex(body)
    if isinstance(body, sympy.Add):
        text = f"\\left({text}\\right)"
    cost = next((m.latex(s) for s, r in m.roles.items() if r == "cost"), "J")
    return (f"\\frac{{\\partial {cost}}}{{\\partial {m.latex(claim.target)}}} = "
            f"\\frac{{1}}{{{sympy.latex(m.samples)}}}\\sum_{{i=1}}^{{{sympy.latex(m.samples)}}}"
            f" {text}")


def author_names(checker, claim: Claim) -> dict:
    """{symbol: its spelling in this claim} for each quantity the claim writes one way
    other than the chapter's own name (``Z_2`` for ``z_2``): the fixes of the claim are
    printed with them (read.latex.spelled_as), so that --fix keeps the author's names.
    Scalar notation only: in index and matrix notation a name stands for many entries."""
    if in_matrices(checker) or checker.vocab.entries:
        return {}
    written: dict[str, set[str]] = {}
    for p in claim.parsed:
        for spelling, canonical in p.spellings:
            written.setdefault(canonical, set()).add(spelling)
    names = {}
    for canonical, spellings in written.items():
        (spelling, *others) = spellings
        symbol = checker.vocab.names.get(canonical)
        if not others and spelling != canonical and isinstance(symbol, sympy.Symbol):
            names[symbol] = spelling
    return names
