"""Is ``a == b`` under the model's identities? A randomized identity test first, then proof.

Both sides are in the chapter's variables (σ(z_k) = a_k, σ' = σ(1-σ), aliases resolved).

1. Evaluate both at random points of the inputs (x, y, w, b, m) with 50 significant
   digits: the forward pass gives every node its value at the point, and each side is
   evaluated from the node values (cost linear in the size of the side, never composed).
   A clearly nonzero difference is a counterexample: ``a != b``, at once.
2. Equal at every point: prove it with the cheapest strategy that applies, in the
   chapter's variables (nodes held as independent symbols, which is sound: an identity in
   independent symbols stays one when the nodes are substituted): the same tree; a
   quotient that cancels to 1; ``expand``/``cancel`` of the difference when its expansion
   is small; then composed down to the inputs (cancel, simplify) when that is small.
3. No proof within the time limit: the result is ``None`` (inconclusive) and says why.
"""
from __future__ import annotations

import itertools
import random
from dataclasses import dataclass

import mpmath
import sympy

from ..model import activations
from .exponentials import (exp_as_generators, normalised, polynomial_zero,
                                     rational_zero)
from .precise import NotPlain as _NotPlain
from .precise import mp_value as _mp_value
from .size import expanded_terms, monomials_bound
from .derivation import Derivation
from ..errors import CheckTimeout
from ..memo import Memo
from ..model.quotients import node_only_definitions, write_out_node_only
from ..timelimit import time_limit

DIGITS = 50
POINTS = 4
# expand/cancel multiply out products of sums: beyond this many terms (estimated before
# trying) they are skipped, as they would be exponential in the depth of the network
MAX_TERMS = 400
MAX_GENERIC_TERMS = 20_000   # exponentials as variables: terms before putting over one denominator
MAX_POLY_TERMS = 50_000      # polynomials expand in sparse arithmetic, far cheaper
CACHE_SIZE = 50_000
# memos shared by every Equivalence of the same model and points in this process (a
# chapter compares the same pair several times; a mutation run, across cases), keyed by a
# model id; ids come from a counter and are never reused, even after a clear
_MODELS = Memo(CACHE_SIZE)
_IDS = itertools.count()
_DECIDED = Memo(CACHE_SIZE)     # (model, a, b) -> Comparison (never a timeout)
_VALUES = Memo(CACHE_SIZE)      # (model, point index) -> node values
_EVALUATED = Memo(CACHE_SIZE)   # (model, point index, expression) -> value
# expressions proved equal, by model: (model, expr) -> the set of its proven equals, so that
# a new side equal to a known one in a few terms needs no second hard proof (transitivity)
_EQUALS = Memo(CACHE_SIZE)
CLASS_SIZE = 64
CHEAP_TERMS = 64


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
        # what a decision depends on: the definitions, the points and the time limit
        key = (derivation.model.content_key(),
               tuple(tuple(sorted(p.items(), key=lambda kv: str(kv[0]))) for p in self.points),
               limit)
        if key not in _MODELS:
            _MODELS.put(key, next(_IDS))
        self._model_id = _MODELS[key]

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

    def _index(self, point: dict) -> int | None:
        return next((i for i, p in enumerate(self.points) if p is point), None)

    def node_values(self, point: dict) -> dict | None:
        """Every input and node at ``point`` (the forward pass, DIGITS + 10 digits)."""
        i = self._index(point)
        if i is None:               # not one of self.points: not remembered
            return self._forward(point)
        key = (self._model_id, i)
        if key not in _VALUES:
            _VALUES.put(key, self._forward(point))
        return _VALUES[key]

    def _forward(self, point: dict) -> dict | None:
        m = self.derivation.model
        prec = DIGITS + 10
        values = {s: (v if v.is_Integer else sympy.Float(v, prec))
                  for s, v in point.items() if s not in m.definitions}
        for node in m.order:
            if node not in m.definitions:
                continue
            v = self._number(m.definitions[node].rhs, values, prec)
            if v is None:
                return None
            values[node] = v
        return values

    @staticmethod
    def _number(e: sympy.Expr, values: dict, prec: int) -> sympy.Expr | None:
        """e at ``values`` with ``prec`` digits: by mpmath directly when every node type
        is one it knows (fast), else through SymPy's evalf."""
        try:
            with mpmath.workdps(prec):
                v = _mp_value(e, values, {})
            if mpmath.isfinite(v):
                return sympy.Float(v, prec)
            return None
        except ZeroDivisionError:
            return None
        except _NotPlain:
            pass
        e = activations.to_elementary(e)
        e = e.xreplace(values).subs(sympy.Heaviside(0), sympy.Rational(1, 2))
        try:
            v = sympy.N(e, prec)
        except (TypeError, ValueError, ZeroDivisionError):
            return None
        if not v.is_number or v.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
            return None
        return v

    def evaluate(self, expr: sympy.Expr, point: dict) -> mpmath.mpf | None:
        """expr at ``point`` with DIGITS digits (nodes at their forward-pass values)."""
        i = self._index(point)
        if i is None:
            return self._evaluate(expr, point)
        key = (self._model_id, i, expr)
        if key not in _EVALUATED:
            _EVALUATED.put(key, self._evaluate(expr, point))
        return _EVALUATED[key]

    def _evaluate(self, expr: sympy.Expr, point: dict) -> mpmath.mpf | None:
        values = self.node_values(point)
        if values is None:          # a node does not evaluate: compose to the inputs
            values = {s: v for s, v in point.items()}
            expr = self.derivation.compose(expr)
        val = self._number(expr, values, DIGITS)
        if val is None:
            return None
        try:
            # at full precision: mpmath.mpf() alone would round to mpmath's 15 digits
            with mpmath.workdps(DIGITS + 10):
                return mpmath.mpf(sympy.re(val)) if val.is_real is not False else None
        except (TypeError, ValueError):
            return None

    def compare(self, a: sympy.Expr, b: sympy.Expr) -> Comparison:
        key = (self._model_id, a, b)
        if key in _DECIDED:
            return _DECIDED[key]
        try:
            with time_limit(self.limit):
                result = self._compare(a, b)
        except CheckTimeout:
            # not remembered: another try may have more time
            return Comparison(None, "timeout",
                              f"no decision within the {self.limit:g} s limit for one claim")
        return _DECIDED.put(key, result)

    def _compare(self, a, b) -> Comparison:
        diff = a - b
        if diff == 0:
            return Comparison(True, "symbolic", "equal in the chapter's variables")
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
        proof = self._via_known(a, b) or self._prove(a, b, diff)
        if proof is not None:
            self._remember(a, b)
            return proof
        if agreed == 0:
            return Comparison(None, "evaluation", "could not evaluate at any point")
        return Comparison(None, "evaluation",
                          f"equal at {agreed} random points to {DIGITS} digits, "
                          "but no symbolic proof was found")

    def _via_known(self, a, b) -> Comparison | None:
        """a = c cheaply (a few terms), for some c already proved equal to b (or b = c for
        some c proved equal to a): a = b by transitivity."""
        for x, y in ((a, b), (b, a)):
            for c in _EQUALS.get((self._model_id, y), ()):
                d = x - c
                if d == 0 or (expanded_terms(d) <= CHEAP_TERMS and sympy.expand(d) == 0):
                    return Comparison(True, "symbolic", "equal in the chapter's variables")
        return None

    def _remember(self, a, b) -> None:
        ka, kb = (self._model_id, a), (self._model_id, b)
        members = _EQUALS.get(ka, set()) | _EQUALS.get(kb, set()) | {a, b}
        if len(members) > CLASS_SIZE:
            return
        for e in members:
            _EQUALS.put((self._model_id, e), members)

    def _prove(self, a, b, diff) -> Comparison | None:
        """A symbolic proof that diff == 0, cheapest strategy first; None if none found."""
        in_vars = Comparison(True, "symbolic", "equal in the chapter's variables")
        try:
            # nodes defined from other nodes only (softmax) hide identities that only
            # writing them out shows: where the sides use such nodes, that proof first
            # (the quotients below cannot succeed and cost seconds on softmax sums)
            inner = self._node_only(diff)
            if inner is not None and expanded_terms(inner) <= MAX_TERMS and (
                    sympy.expand(inner) == 0 or sympy.cancel(sympy.together(inner)) == 0):
                return Comparison(True, "symbolic", "equal in the chapter's variables "
                                  "(with nodes such as softmax written out)")
            if inner is not None and self._normalised_zero(inner):
                return Comparison(True, "symbolic", "equal in the chapter's variables "
                                  "(softmax written as shares of its normalising sum)")
            # shared factors cancel on construction: a/b of two long chain-rule products
            # leaves only the factors where they differ
            if a != 0 and b != 0:
                if self._cancels_to(a / b, 1):
                    return in_vars
                # a sum of long products (sympy.diff's product rule) with its common
                # factors pulled out (no expansion), then the same quotient; not where
                # nodes hide exponential sums (softmax): there pulling factors out costs
                # seconds and the composed proof below is the one that succeeds
                if inner is None:
                    q = sympy.factor_terms(a) / sympy.factor_terms(b)
                    if self._cancels_to(q, 1):
                        return in_vars
            if expanded_terms(diff) <= MAX_TERMS and (
                    sympy.expand(diff) == 0 or sympy.cancel(sympy.together(diff)) == 0):
                return in_vars
            # activation nodes written out one level (a_1 -> 1/(1+e^{-z_1}), z_1 kept):
            # rational in exp(z_k), no nesting, so a sigmoid identity cancels cheaply
            for x, y in ((a, b), (diff, None)):
                x = self._activations_out(x)
                if y is not None:
                    y = self._activations_out(y)
                    if x == y or (y != 0 and self._cancels_to(x / y, 1)):
                        return in_vars
                elif self._cancels_to(x, 0):
                    return in_vars
        except sympy.PolynomialError:
            pass
        composed = activations.to_elementary(self.derivation.compose(diff))
        free = sorted(composed.free_symbols, key=str)
        if free and composed.is_polynomial(*free) and min(
                expanded_terms(composed), monomials_bound(composed, len(free))) <= MAX_POLY_TERMS:
            # a polynomial identity (an expanded chain rule, d2l's df/dw): sparse
            # polynomial arithmetic proves it where expand() would be too slow
            if polynomial_zero(composed, free):
                return Comparison(True, "composed", "equal as polynomials in the inputs")
            return None
        generic = exp_as_generators(composed)
        if generic is not None and (self._cancels_to(generic, 0) or (
                expanded_terms(generic) <= MAX_GENERIC_TERMS
                and rational_zero(generic, MAX_POLY_TERMS))):
            # (a recurrence under a softmax: too long to cancel whole, but its numerator
            # over one denominator vanishes in sparse polynomial arithmetic)
            return Comparison(True, "composed", "equal once composed to the inputs "
                              "(as a rational function of the exponentials)")
        if expanded_terms(composed) > MAX_TERMS:
            return None
        try:
            # rational in exp(...) (softmax, sigmoid): cancelling is a proof and cheap
            if sympy.cancel(sympy.together(composed)) == 0:
                return Comparison(True, "composed", "equal once composed to the inputs")
        except sympy.PolynomialError:
            pass
        if sympy.simplify(composed) == 0:
            return Comparison(True, "composed", "equal once composed to the inputs")
        return None

    def _normalised_zero(self, e: sympy.Expr) -> bool:
        """e == 0 with each softmax sum as a scale and shares (calculus.exponentials.
        normalised): the terms of a K-class softmax identity then cancel over monomial
        denominators instead of products of K-term sums."""
        n = normalised(activations.to_elementary(e))
        if n is None:
            return False
        return self._cancels_to(n, 0) or rational_zero(n, MAX_POLY_TERMS)

    @staticmethod
    def _cancels_to(e: sympy.Expr, value: int) -> bool:
        return expanded_terms(e) <= MAX_TERMS and sympy.cancel(sympy.together(e)) == value

    def _activations_out(self, expr: sympy.Expr) -> sympy.Expr:
        """Activation nodes replaced by their definitions with elementary functions."""
        m = self.derivation.model
        table = getattr(self, "_act_table", None)
        if table is None:
            table = self._act_table = {
                n: activations.to_elementary(d.rhs) for n, d in m.definitions.items()
                if isinstance(d.rhs, activations.Activation)}
        return activations.to_elementary(expr.xreplace(table))

    def _node_only(self, expr: sympy.Expr) -> sympy.Expr | None:
        """Substitute nodes defined from other nodes only (softmax: a_k = e^{z_k}/Σ e^{z_j}),
        which are rational in their parents, so that cancelling can see the identity."""
        model = self.derivation.model
        if not (expr.free_symbols & set(node_only_definitions(model))):
            return None
        return write_out_node_only(expr, model)

    def ratio(self, a: sympy.Expr, b: sympy.Expr) -> sympy.Expr | None:
        """a/b when it is free of the model's variables (a constant c or c m^k): guessed
        from the values at the random points (no symbolic work when a/b varies), then
        proved with :meth:`compare`."""
        if b == 0 or a == 0:
            return None
        m = self.derivation.model.samples
        values = []
        for point in self.points:
            va, vb = self.evaluate(a, point), self.evaluate(b, point)
            if va is None or vb is None or vb == 0:
                continue
            with mpmath.workdps(DIGITS + 10):
                values.append((va / vb, point.get(m) if m is not None else None))
        if not values:
            return None
        tol = mpmath.mpf(10) ** -(DIGITS // 2)
        for k in (0, -1, 1, -2, 2):
            if k and any(mv is None for _, mv in values):
                continue
            with mpmath.workdps(DIGITS + 10):
                cs = [r / mpmath.mpf(int(mv)) ** k if k else r for r, mv in values]
            if any(abs(c - cs[0]) > tol * max(1, abs(cs[0])) for c in cs):
                continue
            c = sympy.Rational(mpmath.nstr(cs[0], DIGITS // 2)).limit_denominator(10**6)
            with mpmath.workdps(DIGITS + 10):
                off = abs(mpmath.mpf(c.p) / c.q - cs[0])
            if c == 0 or off > tol * max(1, abs(cs[0])):
                continue
            candidate = c * m ** k if k else c
            # a / c is often the very expression of a correct side (decided before)
            if self.compare(a / candidate, b).equal is True:
                return candidate
            return None
        return None
