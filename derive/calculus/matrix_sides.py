"""A matrix claim's sides as the vectorized checker holds them (the explicit value and,
on first use, each entry written down to the inputs), and their numeric evidence."""
from __future__ import annotations

import sympy

from .numeric import NumericRoute
from ..report import BATCH_MEAN, NumericEvidence
from .claim import agree


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
        except Exception as exc:  # noqa: BLE001 - the numeric route says why it stopped
            self.note = f"numeric route stopped: {exc}"
            self.values = []

    def link(self, k: int) -> NumericEvidence:
        from .numeric import rel_error

        if not self.values or self.values[k] is None or self.values[k - 1] is None \
                or self.shapes[k] != self.shapes[k - 1]:
            return NumericEvidence(None, 0, note=self.note or "shapes differ")
        return NumericEvidence(rel_error(self.values[k - 1], self.values[k]),
                               int(self.values[k].size),
                               agrees=agree(self.values[k - 1], self.values[k], self.tol))

    def final_vector(self, last: int) -> NumericEvidence:
        from .numeric import rel_error

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
