"""latex2sympy2 as a differential oracle on the notation both readers read.

latex2sympy2 never decides what a formula means in derive (it is a test dependency only);
here it checks the strict reader from the outside: for textbook-style formulas over plain
letters, numbers, sums, products, fractions, powers, roots, exponentials and natural logs,
both readings must be the same function (compared at random points, so no simplification
of either side is trusted)."""
from __future__ import annotations

import cmath
import random

import pytest
import sympy
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from derive.read.latex import Vocabulary, parse_formula
from derive.errors import InputError

latex2sympy2 = pytest.importorskip("latex2sympy2")

LETTERS = ["x", "y", "w", "b", "z", "a"]
VOCAB = Vocabulary.from_declarations(
    symbols={"x": "input", "y": "label", "w": "weight", "b": "bias", "z": "weighted_input",
             "a": "activation"}, aliases={}, activations={}, log="natural")


def oracle(text: str):
    """latex2sympy2's reading, or None where it cannot read the formula."""
    try:
        return latex2sympy2.latex2sympy(text)
    except Exception:  # noqa: BLE001 - the oracle's own failures only narrow the test
        return None


def values(expr, point):
    # exact rationals: a float substituted into the oracle's unevaluated w/w is not
    # exactly 1, and \sqrt{\ln(w/w)} would come out as 1e-8 i
    names = {s: sympy.Rational(repr(round(point[str(s)], 6)))
             for s in expr.free_symbols if str(s) in point}
    try:
        # evaluated numerically at the point (evalf with subs): substituting exact values
        # first makes SymPy compute towers such as 7^(7^7) exactly, for minutes
        out = complex(expr.evalf(30, subs=names))
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return None
    return None if cmath.isnan(out) or cmath.isinf(out) else out


def same_function(ours, theirs, seed: int = 0) -> bool:
    if {str(s) for s in theirs.free_symbols} - set(LETTERS):
        return False                               # the oracle read a name we did not
    rng = random.Random(seed)
    checked = 0
    for _ in range(6):
        point = {n: rng.uniform(0.3, 2.5) for n in LETTERS}
        u, v = values(ours, point), values(theirs, point)
        if u is None or v is None:
            continue
        checked += 1
        if abs(u - v) > 1e-8 * max(1.0, abs(u), abs(v)):
            return False
    return checked > 0


# --- a table of common formulas first ---------------------------------------------------

COMMON = [
    r"\frac{1}{2}(a - y)^2",
    r"-y \ln(a) - (1 - y) \ln(1 - a)",
    r"\frac{1}{1 + e^{-z}}",
    r"(a - y) \cdot x",
    r"w x + b",
    r"\frac{e^{z} - e^{-z}}{e^{z} + e^{-z}}",
    r"\sqrt{x^2 + y^2}",
    r"a (1 - a) w",
    r"\frac{a - y}{a (1 - a)}",
    r"2 (w x + b - y) x",
    r"\exp(-\frac{(x - a)^2}{2 b^2})",
    r"\frac{x}{y} \cdot \frac{w}{z}",
    r"-\frac{y}{a} + \frac{1 - y}{1 - a}",
    r"x^{3} - 3 x^{2} y + \frac{1}{3}",
]


@pytest.mark.parametrize("text", COMMON)
def test_common_formulas_agree_with_the_oracle(text):
    theirs = oracle(text)
    assert theirs is not None, "the oracle is expected to read these"
    ours = parse_formula(text, VOCAB).expr
    assert same_function(ours, theirs), (ours, theirs)


# --- generated formulas -------------------------------------------------------------------

def _formula():
    leaf = st.sampled_from(LETTERS + ["2", "3", "7"])

    def extend(inner):
        return st.one_of(
            st.tuples(inner, st.sampled_from([" + ", " - ", r" \cdot "]), inner)
            .map(lambda t: f"{t[0]}{t[1]}{t[2]}"),
            st.tuples(inner, inner).map(lambda t: rf"\frac{{{t[0]}}}{{{t[1]}}}"),
            st.tuples(inner, st.sampled_from(["2", "3"])).map(lambda t: f"({t[0]})^{{{t[1]}}}"),
            inner.map(lambda s: rf"\sqrt{{{s}}}"),
            inner.map(lambda s: f"e^{{{s}}}"),
            inner.map(lambda s: rf"\ln({s})"),
            inner.map(lambda s: f"-({s})"),
            st.tuples(inner, inner).map(lambda t: f"({t[0]}) ({t[1]})"),
        )
    return st.recursive(leaf, extend, max_leaves=7)


@settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(_formula())
def test_generated_formulas_agree_with_the_oracle(text):
    theirs = oracle(text)
    assume(theirs is not None)
    try:
        ours = parse_formula(text, VOCAB).expr
    except InputError:
        assume(False)                 # refused: (x) (2), a number in brackets; \ln(x - x)
    assume(values(ours, dict.fromkeys(LETTERS, 1.1)) is not None)
    assert same_function(ours, theirs), (text, ours, theirs)
