"""Vectors and matrices of entries (derive.model.arrays), tested without trusting the
reader: random formulas are built from a small grammar together with their value, computed
here with NumPy from the same numbers; derive's reading of the text, evaluated at those
numbers, must give that value (every entry of a vector side, through the ``#`` of an
instance). Then a table of readings written by hand."""
from __future__ import annotations

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from derive.errors import InputError
from derive.read.latex import parse_formula
from derive.read.manifest import parse_manifest
from derive.model.chapter import build_vocabulary

MANIFEST = r"""
[sizes]
n = 3
m = 2
[symbols]
x = { role = "input", entries = ["n"], aliases = ['\mathbf{x}'] }
v = { role = "input", entries = ["m"] }
W = { role = "weight", entries = ["m", "n"], aliases = ['\boldsymbol{W}'] }
"""
VOCAB = build_vocabulary(parse_manifest(MANIFEST))
RNG = np.random.default_rng(7)
X, V, W = RNG.uniform(-1, 1, 3), RNG.uniform(-1, 1, 2), RNG.uniform(-1, 1, (2, 3))


def _point():
    """The numbers of the entry symbols, as derive names them (x_{1}, W_{21}, …)."""
    values = {}
    for (name, idx), sym in VOCAB.entry_symbols.items():
        array = {"x": X, "v": V, "W": W}[name]
        values[sym] = float(array[tuple(i - 1 for i in idx)])
    return values


POINT = _point()


def _group(text: str) -> str:
    return rf"\left({text}\right)"


@st.composite
def formula(draw, size: int, depth: int = 0):
    """(LaTeX, value) of a vector of ``size`` entries (3: like x, 2: like v), or of a
    number when ``size`` is 0."""
    leaf = depth >= 2 or draw(st.booleans())
    if size == 0:
        if leaf:
            k = draw(st.integers(1, 3))
            return str(k), float(k)
        kind = draw(st.sampled_from(["inner", "quad", "norm", "sum"]))
        if kind == "inner":
            a, av = draw(formula(3, depth + 1))
            b, bv = draw(formula(3, depth + 1))
            return rf"{_group(a)}^T {_group(b)}", float(av @ bv)
        if kind == "quad":
            a, av = draw(formula(2, depth + 1))
            b, bv = draw(formula(3, depth + 1))
            return rf"{_group(a)}^T W {_group(b)}", float(av @ W @ bv)
        if kind == "norm":
            a, av = draw(formula(2, depth + 1))
            return rf"\|{a}\|^2", float(av @ av)
        a, av = draw(formula(0, depth + 1))
        b, bv = draw(formula(0, depth + 1))
        return f"{a} + {b}", av + bv
    base = ("x", X) if size == 3 else ("v", V)
    if leaf:
        return base
    kind = draw(st.sampled_from(["add", "scale", "tanh", "had", "diag", "one_minus_sq",
                                 "matrix"]))
    a, av = draw(formula(size, depth + 1))
    if kind == "add":
        b, bv = draw(formula(size, depth + 1))
        return f"{a} - {_group(b)}", av - bv
    if kind == "scale":
        c, cv = draw(formula(0, depth + 1))
        return rf"{_group(c)} {_group(a)}", cv * av
    if kind == "tanh":
        return rf"\tanh{_group(a)}", np.tanh(av)
    if kind == "had":
        b, bv = draw(formula(size, depth + 1))
        return rf"{_group(a)} \odot {_group(b)}", av * bv
    if kind == "diag":
        b, bv = draw(formula(size, depth + 1))
        return rf"\mathrm{{diag}}{_group(a)} {_group(b)}", av * bv
    if kind == "one_minus_sq":
        return rf"1 - {_group(a)}^2", 1 - av ** 2
    if size == 2:                                  # W (3-vector)
        b, bv = draw(formula(3, depth + 1))
        return rf"W {_group(b)}", W @ bv
    b, bv = draw(formula(2, depth + 1))            # W^T (2-vector)
    return rf"W^T {_group(b)}", W.T @ bv


def _derive_value(text: str, entry: tuple[int, ...] | None) -> float:
    bound = {"#": entry} if entry else {}
    expr = parse_formula(text, VOCAB, bound=bound).expr
    return float(sympy.N(expr.xreplace(POINT), 20))


@settings(deadline=None, max_examples=60)
@given(st.sampled_from([0, 2, 3]).flatmap(lambda size: st.tuples(st.just(size), formula(size))))
def test_a_formula_of_arrays_means_its_value(case):
    size, (text, value) = case
    if size == 0:
        assert _derive_value(text, None) == pytest.approx(value, rel=1e-9, abs=1e-12), text
        return
    for i in range(size):
        got = _derive_value(text, (i + 1,))
        assert got == pytest.approx(value[i], rel=1e-9, abs=1e-12), (text, i)


# the edge cases first: (formula, entry, value by hand)
GOOD = [
    (r"W x", (1,), W[0] @ X),
    (r"\boldsymbol{W}^\top v", (3,), W[:, 2] @ V),
    (r"x^T x", None, X @ X),
    (r"W", (2, 3), W[1, 2]),
    (r"v x^T", (2, 1), V[1] * X[0]),
    (r"\mathrm{diag}(v) W", (2, 2), V[1] * W[1, 1]),
    (r"\|W\|_F^2", None, float((W ** 2).sum())),
    (r"\tanh(W x) \odot v", (2,), np.tanh(W[1] @ X) * V[1]),
]


@pytest.mark.parametrize("text,entry,value", GOOD)
def test_readings_of_arrays(text, entry, value):
    assert _derive_value(text, entry) == pytest.approx(value, rel=1e-12)


BAD = [
    (r"x v", None, "the shapes do not fit"),
    (r"x + v", (1,), "a sum of arrays of shapes 3×1 and 2×1"),
    (r"W^2", (1, 1), "a power of a 2×3 matrix"),
    (r"x \odot v", (1,), "an elementwise product of shapes"),
    (r"W x", None, "this side is a 2×1 array"),
    (r"\mathrm{diag}(W)", (1, 1), "diag takes a vector"),
]


@pytest.mark.parametrize("text,entry,message", BAD)
def test_arrays_that_do_not_fit_are_refused(text, entry, message):
    with pytest.raises(InputError) as exc:
        _derive_value(text, entry)
    assert message in str(exc.value)
