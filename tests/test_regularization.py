"""L2 regularization as Nielsen prints it (equations/l2-regularization-nielsen): "w" for any
weight, a sum over all the weights, an unspecified cost C_0, update rules written with an
arrow. The key is computed here with SymPy for a concrete C_0 (the claims hold for every
C_0, so also for this one); planted errors are caught with their diagnosis."""
from __future__ import annotations

import random
from pathlib import Path

import pytest
import sympy
from chapter_keys import check_planted, holds, key_verdicts

from derive.driver import check_chapter

CHAPTER = Path(__file__).resolve().parent.parent / "equations" / "l2-regularization-nielsen"


def key():
    K, N = 2, 3
    x = [sympy.Symbol(f"x{k}") for k in range(N)]
    w = [[sympy.Symbol(f"w{j}{k}") for k in range(N)] for j in range(K)]
    b = [sympy.Symbol(f"b{j}") for j in range(K)]
    lam, n, eta = sympy.symbols("lambda n eta", positive=True)
    a = [1 / (1 + sympy.exp(-(sum(w[j][k] * x[k] for k in range(N)) + b[j])))
         for j in range(K)]
    c0 = (a[0] - sympy.Rational(1, 3)) ** 2 + a[0] * a[1] ** 3      # any C_0 of the outputs
    c = c0 + lam / (2 * n) * sum(v ** 2 for row in w for v in row)
    pairs86 = [(sympy.diff(c, w[j][k]), sympy.diff(c0, w[j][k]) + lam / n * w[j][k])
               for j in range(K) for k in range(N)]
    pairs87 = [(sympy.diff(c, b[j]), sympy.diff(c0, b[j])) for j in range(K)]
    # (88), (89): the new value is the old one minus eta times dC/d(parameter)
    pairs88 = [(b[j] - eta * sympy.diff(c, b[j]), b[j] - eta * sympy.diff(c0, b[j]))
               for j in range(K)]
    pairs89 = [(w[j][k] - eta * sympy.diff(c, w[j][k]),
                w[j][k] - eta * sympy.diff(c0, w[j][k]) - eta * lam / n * w[j][k])
               for j in range(K) for k in range(N)]
    leaves = [*x, *[v for row in w for v in row], *b, lam, n, eta]
    return leaves, {"86": pairs86, "87": pairs87, "88": pairs88, "89": pairs89}


def _holds(pairs, leaves, rng) -> bool:
    return holds(pairs, leaves, rng, low=1, high=30, den=11)      # n, λ, η positive


def test_the_chapter_verifies_as_the_key_says():
    leaves, claims = key()
    rng = random.Random(2)
    expected = key_verdicts(claims, lambda p: _holds(p, leaves, rng))
    assert set(expected.values()) == {"verified"}
    r = check_chapter(CHAPTER / "manifest.toml", seed=4)
    got = {e.id: e.verdict for e in r.equations if e.id in expected}
    assert got == expected
    assert all(e.verdict == "verified" for e in r.equations)
    by_id = {e.id: e for e in r.equations}
    note = next(f for f in by_id["86"].findings if f.kind == "instances")
    assert "6 index values" in note.message                  # every weight w_{jk}


def test_the_key_can_fail():
    leaves, claims = key()
    lhs, rhs = claims["86"][0]
    assert not _holds([(lhs, 2 * rhs)], leaves, random.Random(0))


PLANTED = [
    (r"+ \frac{\lambda}{n} w \tag{86}", r"+ \frac{\lambda}{2n} w \tag{86}", "missing-term"),
    (r"\frac{\partial C}{\partial b} = \frac{\partial C_0}{\partial b} \tag{87}",
     r"\frac{\partial C}{\partial b} = \frac{\partial C_0}{\partial b} + \frac{\lambda}{n} b \tag{87}",
     "extra-term"),
    (r"-\frac{\eta \lambda}{n} w \tag{89}", r"+\frac{\eta \lambda}{n} w \tag{89}", None),
    (r"w-\eta \frac{\partial C_0}{\partial w}", r"w+\eta \frac{\partial C_0}{\partial w}", None),
    (r"b -\eta \frac{\partial C_0}{\partial b} \tag{88}",
     r"b +\eta \frac{\partial C_0}{\partial b} \tag{88}", "update"),
]


@pytest.mark.parametrize("printed,planted,kind", PLANTED)
def test_planted_errors_are_caught(printed, planted, kind, tmp_path):
    bad, found = check_planted(CHAPTER, printed, planted, tmp_path)
    assert len(bad) == 1 and bad[0].verdict == "mismatch", [(e.id, e.verdict) for e in bad]
    if kind is not None:
        assert kind in found, found
