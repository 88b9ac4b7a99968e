"""What is wrong with a stated formula, and the smallest change that makes it hold.

Tried in order, each confirmed by the equivalence checker before it is reported:
a constant factor (sign, 1/m, 2, ...), one wrong variable, a missing or extra factor,
a missing or extra term. Failing all, the derived formula is the suggestion.
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy

from . import activations, messages
from .derivation import Derivation
from .equivalence import MAX_TERMS, Equivalence, expanded_terms
from .latex import Partial, to_latex
from .memo import Memo
from .errors import CheckTimeout
from .report import Finding
from .timelimit import time_limit


@dataclass(frozen=True)
class Diagnosis:
    finding: Finding
    corrected: sympy.Expr | None       # the corrected side (SymPy), verified


class Diagnoser:
    def __init__(self, derivation: Derivation, equivalence: Equivalence) -> None:
        self.d = derivation
        self.eq = equivalence
        m = derivation.model
        # f'(z_k) written with nodes, to name a missing factor as the author would
        self.primes: dict[sympy.Expr, sympy.Expr] = {}
        for node, dfn in m.definitions.items():
            if isinstance(dfn.rhs, activations.Activation):
                z = dfn.rhs.args[0]
                prime = activations.prime_class(type(dfn.rhs))(z)
                self.primes[sympy.expand(derivation.value(prime))] = prime

    def holds(self, stated: sympy.Expr, target: sympy.Expr) -> bool:
        from .calculus.samples import KeepSamples
        try:
            value = self.d.value(stated)
        except KeepSamples:            # a candidate fix that is no per-sample formula
            return False
        return self.eq.compare(value, target).equal is True

    def diagnose(self, stated: sympy.Expr, value: sympy.Expr, target: sympy.Expr) -> Diagnosis:
        """Why ``stated`` (value ``value``) is not ``target``, with a verified fix."""
        try:
            with time_limit(self.eq.limit):       # a diagnosis is a search: bound it
                # a derivative of another quantity before an extra factor (∂z/∂w printed
                # as ∂L/∂w), after a missing one (∂L/∂z printed without σ'(z))
                for attempt in (self._factor, self._substitution, self._missing_factor,
                                self._other_derivative, self._extra_factor, self._term):
                    found = attempt(stated, value, target)
                    if found is not None:
                        return found
        except CheckTimeout:
            pass
        corrected = self._derived_form(target)
        return Diagnosis(messages.Mismatch().finding(
            suggestion=to_latex(display(corrected))), corrected)

    # --- one rule each ------------------------------------------------------------

    def _factor(self, stated, value, target):
        # stated = c * target with c constant (c = -1 is a sign error)
        c = self.eq.ratio(value, target)
        if c is None or c == 1:
            return None
        fixed = stated / c
        if not self.holds(fixed, target):
            return None
        if c == -1:
            return Diagnosis(messages.Sign().finding(suggestion=to_latex(fixed)), fixed)
        return Diagnosis(messages.Factor(factor=sympy.latex(c)).finding(
            suggestion=to_latex(fixed)), fixed)

    def _substitution(self, stated, value, target):
        m = self.d.model
        candidates = [s for s in m.roles if m.roles[s] not in ("loss", "cost", "samples",
                                                                "index")]
        used = sorted(stated.free_symbols & set(candidates), key=str)
        point = self.eq.points[0]
        want = self.eq.evaluate(target, point)
        for u in used:
            for v in candidates:
                if v == u:
                    continue
                trial = stated.xreplace({u: v})
                try:
                    got = self.eq.evaluate(self.d.value(trial), point)
                except Exception:  # noqa: BLE001 - a candidate that cannot be evaluated
                    continue
                if got is None or want is None or abs(got - want) > 1e-20 * max(1, abs(want)):
                    continue
                if self.holds(trial, target):
                    return Diagnosis(messages.Substitution(
                        wrong=m.latex(u), right=m.latex(v)).finding(
                            suggestion=to_latex(trial)), trial)
        return None

    def _simple(self, r: sympy.Expr) -> bool:
        factors = sympy.Mul.make_args(r)
        def plain(f):   # a symbol, a power of one, or a two-term factor like (1 - a)
            base, exp = f.as_base_exp()
            return (exp.is_positive is True
                    and (not isinstance(base, sympy.Add) or len(base.args) <= 2))
        return 0 < len(factors) <= 3 and bool(r.free_symbols) and all(map(plain, factors))

    def _named(self, r: sympy.Expr) -> sympy.Expr:
        key = sympy.expand(r)
        return self.primes.get(key, r)

    def _missing_factor(self, stated, value, target):
        if value == 0 or target == 0:
            return None
        r = sympy.factor(sympy.cancel(target / value))
        if self._simple(r):
            f = self._named(r)
            fixed = stated * f
            if self.holds(fixed, target):
                return Diagnosis(messages.MissingFactor(factor=sympy.latex(f)).finding(
                    suggestion=to_latex(fixed)), fixed)
        # nodes whose quotient does not cancel in the chapter's variables (softmax entries):
        # the factors an author drops are the formula's own quantities, s or (1 - s)
        for s in sorted(stated.free_symbols, key=str)[:8]:
            for f in (1 - s, s):
                fixed = stated * f
                if self.holds(fixed, target):
                    return Diagnosis(messages.MissingFactor(factor=sympy.latex(f)).finding(
                        suggestion=to_latex(fixed)), fixed)
        return None

    def _extra_factor(self, stated, value, target):
        if value == 0 or target == 0:
            return None
        r = sympy.factor(sympy.cancel(value / target))
        if self._simple(r):
            f = self._named(r)
            fixed = stated / f
            if self.holds(fixed, target):
                return Diagnosis(messages.ExtraFactor(factor=sympy.latex(f)).finding(
                    suggestion=to_latex(fixed)), fixed)
        return None

    def _term(self, stated, value, target):
        # one term apart: "extra" when the stated form has it, else "missing"
        missing = sympy.expand(sympy.cancel(target - value))
        if missing != 0 and not isinstance(missing, sympy.Add):
            if -missing in sympy.Add.make_args(sympy.expand(value)):
                fixed = stated + missing
                if self.holds(fixed, target):
                    return Diagnosis(messages.ExtraTerm(term=sympy.latex(-missing)).finding(
                        suggestion=to_latex(fixed)), fixed)
            fixed = stated + missing
            if self.holds(fixed, target):
                return Diagnosis(messages.MissingTerm(term=sympy.latex(missing)).finding(
                    suggestion=to_latex(fixed)), fixed)
        elif isinstance(missing, sympy.Add):
            # a whole path of the chain rule left out (v (o_t - y_t) in ∂L/∂h_t): the
            # difference in the nodes' names (tanh(a_2) is h_2) factors into one term
            try:
                term = sympy.factor(sympy.cancel(self.d.abstract(target) - self.d.abstract(value)))
            except Exception:  # noqa: BLE001 - no common form: no diagnosis of this kind
                term = missing
            # only a short term names an error (any difference is "the missing term")
            if not isinstance(term, sympy.Add) and sympy.count_ops(term) <= 8:
                fixed = stated + term
                if self.holds(fixed, target):
                    return Diagnosis(messages.MissingTerm(term=sympy.latex(term)).finding(
                        suggestion=to_latex(fixed)), fixed)
        # where the difference does not cancel (softmax entries): one printed term too many
        terms = sympy.Add.make_args(stated)
        if 1 < len(terms) <= 8:
            for t in terms:
                fixed = stated - t
                if self.holds(fixed, target):
                    return Diagnosis(messages.ExtraTerm(term=sympy.latex(t)).finding(
                        suggestion=to_latex(fixed)), fixed)
        return None

    def _other_derivative(self, stated, value, target):
        """∂z/∂W printed where ∂J/∂W is meant, ∇_u for ∇_v: the stated form is the loss's
        derivative by another variable (or the claim's variable, of the loss)."""
        m = self.d.model
        if m.loss is None or value == 0:
            return None
        candidates = [v for v in m.order + list(m.leaves)
                      if m.roles.get(v) not in ("loss", "cost", "samples", "index", "label")]
        for u in candidates[:40]:
            try:
                g = self.d.gradient(m.loss, u)
            except Exception:  # noqa: BLE001 - not differentiable here: no candidate
                continue
            if g == 0 or g == target:
                continue
            if self.eq.compare(value, g).equal is True:
                other = f"\\frac{{\\partial {m.latex(m.loss)}}}{{\\partial {m.latex(u)}}}"
                return Diagnosis(messages.OtherDerivative(other=other).finding(
                    suggestion=to_latex(display(target))), target)
        return None

    def _derived_form(self, target):
        return target


def display(expr: sympy.Expr) -> sympy.Expr:
    """A textbook-looking form: factored, with signs pulled out of factors like (y - a).

    >>> a, y, x = sympy.symbols("a y x")
    >>> display(-x*(y - a))
    x*(a - y)
    """
    if not expr.has(Partial):
        expr = _tidy(expr)
    if not isinstance(expr, sympy.Mul):
        return expr
    coeff, factors = sympy.Integer(1), []
    for f in expr.args:
        base, exp = (f.base, f.exp) if isinstance(f, sympy.Pow) else (f, sympy.Integer(1))
        if f.is_Number:
            coeff *= f
        elif (isinstance(base, sympy.Add) and exp.is_integer and exp.is_odd
              and (base.could_extract_minus_sign()
                   or len(base.args) == 2 and sympy.Integer(-1) in base.args)):
            # (y - a) -> -(a - y) and (a - 1) -> -(1 - a): the forms textbooks print
            coeff, factors = -coeff, factors + [sympy.Pow(-base, exp)]
        else:
            factors.append(f)
    if coeff.is_negative:
        for i, f in enumerate(factors):
            if isinstance(f, sympy.Add) and len(f.args) == 2 and sympy.Integer(-1) in f.args:
                factors[i] = -f
                coeff = -coeff
                break
    return sympy.Mul(coeff, *factors, evaluate=False) if coeff != 1 else \
        sympy.Mul(*factors, evaluate=False)


_TIDIED = Memo(4096)

# Symbols beyond which an expression is tidied part by part: factoring a polynomial in
# many variables costs far more than its size (0.3 s for 48 terms in 20 symbols, a sum
# over the 6 units of a layer), and what it returns is the sum multiplied out, which no
# textbook prints. The bundled chapters' gradients have at most 14.
WHOLE_FACTOR_SYMBOLS = 16


def _tidy(expr: sympy.Expr) -> sympy.Expr:
    """cancel + factor; a long chain-rule product, or a sum over many units, is tidied
    factor by factor (term by term) instead, as multiplying it out is exponential in the
    depth of the network (and factoring it back costly in the number of symbols)."""
    if expr not in _TIDIED:
        whole = len(expr.free_symbols) <= WHOLE_FACTOR_SYMBOLS
        if whole and expanded_terms(expr) <= MAX_TERMS:
            tidied = sympy.factor(sympy.cancel(sympy.together(expr)))
        elif isinstance(expr, sympy.Mul):
            tidied = sympy.Mul(*[_tidy(f) for f in expr.args])
        elif isinstance(expr, sympy.Add) and not whole:
            tidied = sympy.Add(*[display(t) for t in expr.args])
        else:
            tidied = expr
        _TIDIED.put(expr, tidied)
    return _TIDIED[expr]
