"""A recurrence over time with shared weights (equations/rnn-bptt-unit): the verdicts
against a key computed here with SymPy alone (sympy.diff of the loss unrolled over T = 3
steps), and planted errors — the wrong time step, a missing path, a wrong sign, a product
over the wrong steps — caught with the diagnosis that names them."""
from __future__ import annotations

import random
from pathlib import Path

import pytest
import sympy
from chapter_keys import check_planted, checked_as_key_says, holds

CHAPTER = Path(__file__).resolve().parent.parent / "equations" / "rnn-bptt-unit"
T = 3


def key():
    x = [None] + [sympy.Symbol(f"x{t}") for t in range(1, T + 1)]
    y = [None] + [sympy.Symbol(f"y{t}") for t in range(1, T + 1)]
    h0, w, u, v, b, c = sympy.symbols("h0 w u v b c")
    s = sympy.Symbol("s")

    def unroll(at=None, value=None, of="h"):
        """h_1..h_T and o_1..o_T, with h_at (or o_at) replaced by ``value``."""
        h, o = [h0], [None]
        for t in range(1, T + 1):
            ht = sympy.tanh(b + w * h[t - 1] + u * x[t])
            if of == "h" and at == t:
                ht = value
            h.append(ht)
            ot = c + v * ht
            if of == "o" and at == t:
                ot = value
            o.append(ot)
        return h, o

    def loss(o):
        return sum(sympy.Rational(1, 2) * (o[t] - y[t]) ** 2 for t in range(1, T + 1))

    h, o = unroll()
    whole = loss(o)
    dL_do = [None] + [sympy.diff(loss(unroll(t, s, "o")[1]), s).subs(s, o[t])
                      for t in range(1, T + 1)]
    dL_dh = [None] + [sympy.diff(loss(unroll(t, s, "h")[1]), s).subs(s, h[t])
                      for t in range(1, T + 1)]

    def dh_last_dh(k):              # ∂h_T/∂h_k, h_k replaced by a variable
        return sympy.diff(unroll(k, s, "h")[0][T], s).subs(s, h[k])
    claims = {
        "10.18": [(dL_do[t], o[t] - y[t]) for t in range(1, T + 1)],
        "10.19": [(dL_dh[T], v * dL_do[T])],
        "10.21": [(dL_dh[t], w * (1 - h[t + 1] ** 2) * dL_dh[t + 1] + v * dL_do[t])
                  for t in range(1, T)],
        "10.22": [(sympy.diff(whole, c), sum(dL_do[1:]))],
        "10.23": [(sympy.diff(whole, b), sum((1 - h[t] ** 2) * dL_dh[t]
                                             for t in range(1, T + 1)))],
        "10.24": [(sympy.diff(whole, v), sum(dL_do[t] * h[t] for t in range(1, T + 1)))],
        "10.26": [(sympy.diff(whole, w), sum((1 - h[t] ** 2) * dL_dh[t] * h[t - 1]
                                             for t in range(1, T + 1)))],
        "10.28": [(sympy.diff(whole, u), sum((1 - h[t] ** 2) * dL_dh[t] * x[t]
                                             for t in range(1, T + 1)))],
        "P5": [(dh_last_dh(k), sympy.Mul(*[w * (1 - h[i] ** 2) for i in range(k + 1, T + 1)]))
               for k in range(1, T + 1)],
    }
    return [*x[1:], *y[1:], h0, w, u, v, b, c], claims


def _holds(pairs, leaves, rng) -> bool:
    return holds(pairs, leaves, rng)


def test_the_chapter_verifies_as_the_key_says():
    leaves, claims = key()
    rng = random.Random(5)
    r = checked_as_key_says(CHAPTER, claims, lambda p: _holds(p, leaves, rng), seed=6)
    assert not [f for f in r.findings if f.kind == "cross-check"]   # proved, not only sampled
    by_id = {e.id: e for e in r.equations}
    note = next(f for f in by_id["10.21"].findings if f.kind == "instances")
    assert "t=1 … t=2" in note.message and "not checked at t=3" in note.message


def test_the_key_can_fail():
    leaves, claims = key()
    (lhs, rhs), = claims["10.26"]
    h_shifted = rhs.subs(sympy.Symbol("h0"), 0)          # a different right side
    assert not _holds([(lhs, h_shifted + 1)], leaves, random.Random(0))


PLANTED = [
    # (printed, planted, finding kind, words in its message)
    (r"\frac{\partial L}{\partial h_t} h_{t-1} \tag{10.26}",
     r"\frac{\partial L}{\partial h_t} h_{t} \tag{10.26}", "index", "h_{t-1} is needed"),
    (r"\sum_t \frac{\partial L}{\partial o_t} h_t \tag{10.24}",
     r"\sum_t \frac{\partial L}{\partial o_t} h_{t-1} \tag{10.24}", "index", "the wrong step"),
    (r"w (1 - h_{t+1}^2) \frac{\partial L}{\partial h_{t+1}}",
     r"w (1 - h_{t}^2) \frac{\partial L}{\partial h_{t+1}}", "index", "h_{t+1} is needed"),
    (r"\frac{\partial L}{\partial h_{t+1}} + v \frac{\partial L}{\partial o_t} \tag{10.21}",
     r"\frac{\partial L}{\partial h_{t+1}} \tag{10.21}", None, ""),
    (r"\frac{\partial L}{\partial h_T} = v \frac{\partial L}{\partial o_T}",
     r"\frac{\partial L}{\partial h_T} = -v \frac{\partial L}{\partial o_T}", "sign", ""),
    (r"\prod_{i=k+1}^{T}", r"\prod_{i=k}^{T}", None, ""),
    (r"\sum_t (1 - h_t^2) \frac{\partial L}{\partial h_t} x_t \tag{10.28}",
     r"\sum_t \frac{\partial L}{\partial h_t} x_t \tag{10.28}", None, ""),
]


@pytest.mark.parametrize("printed,planted,kind,words", PLANTED)
def test_planted_errors_are_caught(printed, planted, kind, words, tmp_path):
    bad, found = check_planted(CHAPTER, printed, planted, tmp_path)
    assert len(bad) == 1 and bad[0].verdict == "mismatch", [(e.id, e.verdict) for e in bad]
    if kind is not None:
        assert kind in found and words in found[kind], found
