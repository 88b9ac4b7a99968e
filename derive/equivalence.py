"""Is ``a == b`` under the model's identities? Cheap and certain steps first.

1. In the chapter's variables (σ(z_k) = a_k, σ' = σ(1-σ), aliases already resolved):
   ``cancel(a - b) == 0`` is a proof.
2. Otherwise compose both down to the leaves (x, y, w, b, m) and evaluate the
   difference at random points with 50 significant digits: a clearly nonzero value is
   a counterexample, so ``a != b``.
3. Equal at every point: try a symbolic proof of the composed identity within the time
   limit; if none comes, the result is ``None`` (inconclusive) and says why.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

import mpmath
import sympy

from . import activations
from .derivation import Derivation
from .errors import CheckTimeout
from .timelimit import time_limit

DIGITS = 50
POINTS = 4


@dataclass(frozen=True)
class Comparison:
    equal: bool | None      # None: could not decide
    method: str             # symbolic | composed | evaluation | timeout
    detail: str = ""


class Equivalence:
    """Equality tests for one model, with a per-claim time limit."""

    def __init__(self, derivation: Derivation, *, seed: int = 0, limit: float = 20.0) -> None:
        self.derivation = derivation
        self.limit = limit
        self.rng = random.Random(seed)
        self.points = [self._point() for _ in range(POINTS)]

    def _point(self) -> dict:
        m = self.derivation.model
        point = {}
        for sym, role in m.roles.items():
            decl = m.manifest.symbols.get(m.latex(sym))
            lo, hi = (decl.range if decl and decl.range else
                      (0.05, 0.95) if role == "label" else (-1.5, 1.5))
            if role == "samples":
                point[sym] = sympy.Integer(self.rng.randint(7, 61))
            else:
                # a rational point, so the evaluation is exact up to the last digit
                point[sym] = sympy.Rational(round(self.rng.uniform(lo, hi) * 10**6), 10**6)
        return point

    def evaluate(self, expr: sympy.Expr, point: dict) -> mpmath.mpf | None:
        """expr composed to the leaves, evaluated at ``point`` with DIGITS digits."""
        e = activations.to_elementary(self.derivation.compose(expr))
        e = e.xreplace({s: v for s, v in point.items()})
        e = e.subs(sympy.Heaviside(0), sympy.Rational(1, 2))
        try:
            val = sympy.N(e, DIGITS)
        except (TypeError, ValueError, ZeroDivisionError):
            return None
        if not val.is_number or val.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
            return None
        try:
            return mpmath.mpf(sympy.re(val)) if val.is_real is not False else None
        except (TypeError, ValueError):
            return None

    def compare(self, a: sympy.Expr, b: sympy.Expr) -> Comparison:
        try:
            with time_limit(self.limit):
                return self._compare(a, b)
        except CheckTimeout:
            return Comparison(None, "timeout",
                              f"no decision within the {self.limit:g} s limit for one claim")

    def _compare(self, a, b) -> Comparison:
        diff = a - b
        try:
            if sympy.expand(diff) == 0 or sympy.cancel(sympy.together(diff)) == 0:
                return Comparison(True, "symbolic", "equal in the chapter's variables")
            inner = self._node_only(diff)
            if inner is not None and (sympy.expand(inner) == 0
                                      or sympy.cancel(sympy.together(inner)) == 0):
                return Comparison(True, "symbolic", "equal in the chapter's variables "
                                  "(with nodes such as softmax written out)")
        except sympy.PolynomialError:
            pass
        agreed = 0
        for point in self.points:
            va, vb = self.evaluate(a, point), self.evaluate(b, point)
            if va is None or vb is None:
                continue
            scale = max(abs(va), abs(vb), mpmath.mpf(10) ** -30)
            if abs(va - vb) / scale > mpmath.mpf(10) ** -(DIGITS // 2):
                return Comparison(False, "evaluation",
                                  f"differ at a random point: {mpmath.nstr(va, 8)} vs "
                                  f"{mpmath.nstr(vb, 8)}")
            agreed += 1
        if agreed == 0:
            return Comparison(None, "evaluation", "could not evaluate at any point")
        composed = activations.to_elementary(self.derivation.compose(diff))
        try:
            # rational in exp(...) (softmax, sigmoid): cancelling is a proof and cheap
            if sympy.cancel(sympy.together(composed)) == 0:
                return Comparison(True, "composed", "equal once composed to the inputs")
        except sympy.PolynomialError:
            pass
        proof = sympy.simplify(composed)
        if proof == 0:
            return Comparison(True, "composed", "equal once composed to the inputs")
        return Comparison(None, "evaluation",
                          f"equal at {agreed} random points to {DIGITS} digits, "
                          "but no symbolic proof was found")

    def _node_only(self, expr: sympy.Expr) -> sympy.Expr | None:
        """Substitute nodes defined from other nodes only (softmax: a_k = e^{z_k}/Σ e^{z_j}),
        which are rational in their parents, so that cancelling can see the identity."""
        from .derivation import node_only_definitions
        subs = node_only_definitions(self.derivation.model)
        if not subs or not (expr.free_symbols & set(subs)):
            return None
        for _ in range(len(subs)):
            new = expr.xreplace(subs)
            if new == expr:
                break
            expr = new
        return expr

    def ratio(self, a: sympy.Expr, b: sympy.Expr) -> sympy.Expr | None:
        """a/b when it is free of the model's variables (a constant or a power of m)."""
        if b == 0 or a == 0:
            return None
        try:
            with time_limit(self.limit):
                r = sympy.factor(sympy.cancel(sympy.together(a / b)))
        except (CheckTimeout, sympy.PolynomialError):
            return None
        m = self.derivation.model
        allowed = {m.samples} if m.samples is not None else set()
        if r.free_symbols <= allowed and r != 0:
            return r
        return None
