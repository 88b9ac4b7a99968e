"""A side in matrix notation as the claim path holds it: its explicit value at the
chapter's sizes (entries with the ∂J/∂x they name kept as unknowns) and, on first use,
each entry written down to the inputs; the numeric evidence of such sides; and the
derived gradient shown for them. A scalar side is one entry."""
from __future__ import annotations

import sympy

from .frontier import LONG_FORM, longer_than, one_step_display, prove_equal
from .numeric import NumericError, NumericRoute
from ..read.latex import Partial, to_latex
from ..report import BATCH_MEAN, NumericEvidence
from .claim import agree


def matrix_values(checker, expr) -> "Side":
    """The side ``expr`` at the chapter's sizes (raises ShapeMismatch, or NotEvaluated
    for what cannot be evaluated entry by entry)."""
    return Side(checker.explicit.value(expr), checker.derivation)


def equal_at_frontier(checker, a: "Side", b: "Side") -> bool:
    """Both sides proved equal entry by entry with the gradients they name kept as
    unknowns (derive.calculus.frontier): no side is written down to the inputs."""
    if shape_of(a[0]) != shape_of(b[0]):
        return False
    return all(prove_equal(checker.derivation, checker.equivalence, x, y)
               for x, y in zip(entries(a[0]), entries(b[0])))


def derived_text(checker, target: "Side", by_frontier: bool) -> str:
    """The derived gradient shown: entry (1,1) in the chapter's variables, or, when every
    side was proved at the frontier and that form is long (deep models), one step of the
    chain rule from it (calculus.frontier.shown_gradient's rule)."""
    from ..model.explicit_model import shape_label
    head_value = target[0]
    first = entries(head_value)[0]
    grads = [checker.derivation.loss_grads.get(p.args[1]) for p in first.atoms(Partial)
             if p.args[0] == checker.model.loss]
    if by_frontier and any(g is None or longer_than(g, LONG_FORM) for g in grads):
        text = to_latex(first) + " = " + sympy.latex(one_step_display(checker.derivation,
                                                                      first))
    else:
        text = sympy.latex(target.first())
    if isinstance(head_value, sympy.MatrixBase) and len(head_value) > 1:
        return f"{shape_label(head_value.shape)} matrix, entry (1,1): " + text
    return text


class MatrixEvidence:
    """The numeric route on a matrix claim: every entry of every side at each draw,
    compared with the entries of the first side (finite differences of the cost)."""

    def __init__(self, route: NumericRoute, sides, tol: float) -> None:
        import numpy as np

        self.route = route
        self.tol = tol
        self.values = []
        self.shapes = []
        self.note = None
        try:
            everything = [e for side in sides if side is not None for e in entries(side[0])]
            for d in route.draws:
                route.prefetch(everything, d)
            for side in sides:
                if side is None:
                    self.values.append(None)
                    self.shapes.append("none")
                    continue
                value = side[0]
                cells = entries(value)
                self.shapes.append(shape_of(value))
                per_draw = [np.concatenate([route.side(x, d) for x in cells])
                            for d in route.draws]
                self.values.append(np.concatenate(per_draw))
        except (NumericError, ArithmeticError) as exc:
            # the numeric route says why it stopped; anything else is a bug in derive and
            # goes up (the claim is reported open, never verified by one route alone)
            self.note = f"numeric route stopped: {exc}"
            self.values = []

    def link(self, k: int, reading: str | None = None, scale: bool = True) -> NumericEvidence:
        """Side k against side k-1, every entry at every draw (each side is read as what
        its shape makes it: ``reading`` and ``scale`` change nothing here)."""
        from .numeric import rel_error

        if not self.values or self.values[k] is None or self.values[k - 1] is None \
                or self.shapes[k] != self.shapes[k - 1]:
            return NumericEvidence(None, 0, note=self.note or "shapes differ")
        return NumericEvidence(rel_error(self.values[k - 1], self.values[k]),
                               int(self.values[k].size),
                               agrees=agree(self.values[k - 1], self.values[k], self.tol))

    def final(self, convention: str | None = None) -> NumericEvidence:
        """The last side against the first (``convention`` as in link)."""
        from .numeric import rel_error
        last = len(self.values) - 1

        if not self.values or self.values[last] is None or \
                self.shapes[last] != self.shapes[0]:
            return NumericEvidence(None, 0, note=self.note or "shapes differ")
        return NumericEvidence(rel_error(self.values[0], self.values[last]),
                               int(self.values[0].size), BATCH_MEAN,
                               note="every entry, against finite differences of the cost",
                               agrees=agree(self.values[0], self.values[last], self.tol))


class Side:
    """A side as the vectorized checker holds it: ``side[0]`` its explicit value (entries
    with ∂J/∂x atoms), ``side[1]`` each entry written down to the inputs' variables,
    computed on first use only (at depth, that is the costly part)."""

    def __init__(self, value, derivation) -> None:
        self.value, self._derivation, self._entries = value, derivation, None

    def __iter__(self):
        return iter((self[0], self[1]))

    def first(self):
        """Entry (1,1) written down (alone, when the others are not needed)."""
        if self._entries is not None:
            return self._entries[0]
        return self._derivation.value(entries(self.value)[0])

    def __getitem__(self, k):
        if k == 0:
            return self.value
        if self._entries is None:
            self._entries = [self._derivation.value(x) for x in entries(self.value)]
        return self._entries


def entries(value) -> list:
    return list(value) if isinstance(value, sympy.MatrixBase) else [value]


def shape_of(value):
    if isinstance(value, sympy.MatrixBase):
        return None if value.shape == (1, 1) else value.shape
    return None


def cols(value):
    return value.cols if isinstance(value, sympy.MatrixBase) else 1
