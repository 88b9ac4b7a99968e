"""What is wrong with a stated side, and the smallest change that makes it hold.

The diagnoses are the rule modules with a ``diagnose`` function (sign, factor,
substitution, missing or extra factor, another derivative, missing or extra term), tried
in their ``ORDER``; each fix is confirmed by the equivalence checker before it is
reported. Failing all, the finding is DV101 mismatch, with the derived gradient as the
suggestion.
"""
from __future__ import annotations

import sympy

from ..model import activations
from ..calculus.display import display
from ..calculus.derivation import Derivation
from ..calculus.equivalence import Equivalence
from ..errors import CheckTimeout
from ..read.latex import to_latex
from ..timelimit import time_limit
from . import registry
from .base import Diagnosis
from .mismatch import Mismatch


class Diagnoser:
    """The diagnoses' shared means: the derivation, the equivalence checker, and the
    activation derivatives written with nodes (to name a missing σ'(z) as authors do)."""

    latex = staticmethod(to_latex)
    display = staticmethod(display)

    def __init__(self, derivation: Derivation, equivalence: Equivalence) -> None:
        self.d = derivation
        self.eq = equivalence
        self.primes: dict[sympy.Expr, sympy.Expr] = {}
        for node, dfn in derivation.model.definitions.items():
            if isinstance(dfn.rhs, activations.Activation):
                z = dfn.rhs.args[0]
                prime = activations.prime_class(type(dfn.rhs))(z)
                self.primes[sympy.expand(derivation.value(prime))] = prime
        self._ratios: dict = {}

    def holds(self, stated: sympy.Expr, target: sympy.Expr) -> bool:
        """Does the candidate side equal the target (proved)?"""
        from ..calculus.samples import KeepSamples
        try:
            value = self.d.value(stated)
        except KeepSamples:            # a candidate fix that is no per-sample formula
            return False
        return self.eq.compare(value, target).equal is True

    def ratio(self, value, target):
        """value/target when it is a proved constant (None otherwise); asked once."""
        key = (value, target)
        if key not in self._ratios:
            self._ratios[key] = self.eq.ratio(value, target)
        return self._ratios[key]

    def simple(self, r: sympy.Expr) -> bool:
        """A factor an author could have dropped: at most three plain factors, each a
        symbol, a power of one, or a two-term sum like (1 - a)."""
        factors = sympy.Mul.make_args(r)

        def plain(f):
            base, exp = f.as_base_exp()
            return (exp.is_positive is True
                    and (not isinstance(base, sympy.Add) or len(base.args) <= 2))
        return 0 < len(factors) <= 3 and bool(r.free_symbols) and all(map(plain, factors))

    def small_factor(self, ratio: sympy.Expr) -> sympy.Expr | None:
        """``ratio`` factored, when it is :meth:`simple`. A ratio whose lowest terms keep
        a symbol in the denominator never is (that would be a factor with a negative
        power), and is not factored: on a long side that costs seconds.

        >>> a, y = sympy.symbols("a y")
        >>> dx = Diagnoser.__new__(Diagnoser)          # (it needs no chapter)
        >>> dx.small_factor((a - a*y) / (1 - y)), dx.small_factor(a / y)
        (a, None)
        """
        r = sympy.cancel(ratio)
        if sympy.fraction(r)[1].free_symbols:
            return None
        r = sympy.factor(r)
        return r if self.simple(r) else None

    def named(self, r: sympy.Expr) -> sympy.Expr:
        """σ(z)(1 - σ(z)) written σ'(z), when it is an activation's derivative."""
        return self.primes.get(sympy.expand(r), r)

    def diagnose(self, stated: sympy.Expr, value: sympy.Expr, target: sympy.Expr) -> Diagnosis:
        """Why ``stated`` (value ``value``) is not ``target``, with a verified fix."""
        try:
            with time_limit(self.eq.limit):       # a diagnosis is a search: bound it
                for rule in registry.diagnoses():
                    found = rule.diagnose(self, stated, value, target)
                    if found is not None:
                        return found
        except CheckTimeout:
            pass
        finally:
            self._ratios.clear()
        return Diagnosis(Mismatch().finding(suggestion=to_latex(display(target))), target)
