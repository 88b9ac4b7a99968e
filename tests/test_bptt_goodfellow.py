"""Back-propagation through time as printed in Goodfellow et al., Deep Learning 10.2.2:
vectors h^{(t)}, matrices W, U, V, diag(1 - (h^{(t)})^2), the indicator 1_{i = y^{(t)}}
(equations/bptt-goodfellow). The key is computed here with SymPy alone: the network
unrolled by hand with matrices, each gradient by sympy.diff of the loss with the quantity
replaced by a variable (the total derivative), each printed right side written by hand
with SymPy matrices; planted errors written into the chapter text must be caught."""
from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest
import sympy
from chapter_keys import check_planted, checked_as_key_says, holds

from derive.driver import check_chapter

CHAPTER = Path(__file__).resolve().parent.parent / "equations" / "bptt-goodfellow"
TAU, N, D, Q = 2, 2, 1, 2          # the manifest's sizes


def M(name, rows, cols):
    return sympy.Matrix(rows, cols, lambda r, c: sympy.Symbol(f"{name}{r + 1}{c + 1}"))


def key():
    W, U, V = M("W", N, N), M("U", N, D), M("V", Q, N)
    b, c = M("b", N, 1), M("c", Q, 1)
    h0 = M("hzero", N, 1)
    x = {t: M(f"x{t}_", D, 1) for t in range(1, TAU + 1)}
    y1 = {t: sympy.Symbol(f"y{t}") for t in range(1, TAU + 1)}       # class 1's indicator
    onehot = {t: sympy.Matrix([y1[t], 1 - y1[t]]) for t in range(1, TAU + 1)}
    s = sympy.Symbol("s")

    def unroll(at=None):
        """h^{(t)}, o^{(t)} and the loss, with one entry (name, t, i) replaced by s."""
        h, o = {0: h0}, {}
        loss = 0
        for t in range(1, TAU + 1):
            ht = (b + W * h[t - 1] + U * x[t]).applyfunc(sympy.tanh)
            if at and at[:2] == ("h", t):
                ht = ht.copy()
                ht[at[2] - 1] = s
            h[t] = ht
            ot = c + V * ht
            if at and at[:2] == ("o", t):
                ot = ot.copy()
                ot[at[2] - 1] = s
            o[t] = ot
            total = sum(sympy.exp(e) for e in ot)
            loss += -sum(onehot[t][i] * sympy.log(sympy.exp(ot[i]) / total) for i in range(Q))
        return h, o, loss

    h, o, L = unroll()

    def grad(name, t, size):
        value = (h if name == "h" else o)[t]
        return sympy.Matrix([sympy.diff(unroll((name, t, i + 1))[2], s).subs(s, value[i])
                             for i in range(size)])

    g_o = {t: grad("o", t, Q) for t in range(1, TAU + 1)}
    g_h = {t: grad("h", t, N) for t in range(1, TAU + 1)}

    def by(X):
        return sympy.Matrix(X.rows, X.cols, lambda r, k: sympy.diff(L, X[r, k]))

    def jacobian(t):              # ∂h^{(t+1)}/∂h^{(t)}: h^{(t)} replaced by variables
        free = sympy.symbols(f"v1:{N + 1}")
        step = (b + W * sympy.Matrix(free) + U * x[t + 1]).applyfunc(sympy.tanh)
        return step.jacobian(free).subs(dict(zip(free, h[t])))

    def dg(t):
        return sympy.diag(*[1 - e ** 2 for e in h[t]])

    def softmax(v):
        total = sum(sympy.exp(e) for e in v)
        return sympy.Matrix([sympy.exp(e) / total for e in v])

    def pairs(a, b_):
        return list(zip(a, b_))
    T = range(1, TAU + 1)
    claims = {
        "10.18": [p for t in T for p in pairs(g_o[t], softmax(o[t]) - onehot[t])],
        "10.19": pairs(g_h[TAU], V.T * g_o[TAU]),
        "10.20": [p for t in range(1, TAU)
                  for p in (pairs(g_h[t], jacobian(t).T * g_h[t + 1] + V.T * g_o[t])
                            + pairs(g_h[t], W.T * dg(t + 1) * g_h[t + 1] + V.T * g_o[t]))],
        "10.22": pairs(by(c), sum((g_o[t] for t in T), sympy.zeros(Q, 1))),
        "10.23": pairs(by(b), sum((dg(t) * g_h[t] for t in T), sympy.zeros(N, 1))),
        "10.24": pairs(by(V), sum((g_o[t] * h[t].T for t in T), sympy.zeros(Q, N))),
        "10.26": pairs(by(W), sum((dg(t) * g_h[t] * h[t - 1].T for t in T), sympy.zeros(N, N))),
        "10.28": pairs(by(U), sum((dg(t) * g_h[t] * x[t].T for t in T), sympy.zeros(N, D))),
    }
    leaves = [*W, *U, *V, *b, *c, *h0, *[e for t in T for e in x[t]], *y1.values()]
    return leaves, claims


def _holds(pairs, leaves, rng) -> bool:
    return holds(pairs, leaves, rng, low=-8, high=8)


@pytest.fixture(scope="module")
def the_key():
    return key()


def test_the_chapter_verifies_as_the_key_says(the_key):
    leaves, claims = the_key
    rng = random.Random(5)
    r = checked_as_key_says(CHAPTER, claims, lambda p: _holds(p, leaves, rng), seed=6)
    assert not [f for f in r.findings if f.kind in ("cross-check", "notation")]
    by_id = {e.id: e for e in r.equations}
    note = next(f for f in by_id["10.20"].findings if f.kind == "instances")
    assert "not checked at t=2" in note.message          # h^{(t+1)} at t = tau
    note = next(f for f in by_id["10.26"].findings if f.kind == "instances")
    assert "each of 4 index values" in note.message      # every entry of W


def test_the_key_can_fail(the_key):
    leaves, claims = the_key
    (lhs, rhs), *_ = claims["10.26"]
    assert not _holds([(lhs, rhs + sympy.Rational(1, 3))], leaves, random.Random(0))
    (lhs, rhs), *_ = claims["10.20"]
    assert not _holds([(lhs, -rhs)], leaves, random.Random(0))


PLANTED = [
    # (printed, planted, finding kind or None, words in its message)
    (r"\boldsymbol{W}^\top \mathrm{diag}", r"\boldsymbol{W} \mathrm{diag}", "index",
     "a transpose missing"),
    (r"(\nabla_{\boldsymbol{h}^{(t)}} L) \boldsymbol{h}^{(t-1)\top} \tag{10.26}",
     r"(\nabla_{\boldsymbol{h}^{(t)}} L) \boldsymbol{h}^{(t)\top} \tag{10.26}", "index",
     "the wrong step"),
    (r"\hat{y}_i^{(t)} - \mathbf{1}_{i = y^{(t)}} \tag{10.18}",
     r"\mathbf{1}_{i = y^{(t)}} - \hat{y}_i^{(t)} \tag{10.18}", "sign", ""),
    (r"\sum_t \mathrm{diag}\left(1 - \left(\boldsymbol{h}^{(t)}\right)^2\right) \nabla_{\boldsymbol{h}^{(t)}} L \tag{10.23}",
     r"\sum_t \mathrm{diag}\left(1 + \left(\boldsymbol{h}^{(t)}\right)^2\right) \nabla_{\boldsymbol{h}^{(t)}} L \tag{10.23}", None, ""),
    (r"\nabla_{\boldsymbol{c}} L = \sum_t \nabla_{\boldsymbol{o}^{(t)}} L \tag{10.22}",
     r"\nabla_{\boldsymbol{c}} L = \nabla_{\boldsymbol{o}^{(\tau)}} L \tag{10.22}", None, ""),
    (r"\boldsymbol{V}^\top (\nabla_{\boldsymbol{o}^{(t)}} L) \tag{10.20}",
     r"\boldsymbol{V}^\top (\nabla_{\boldsymbol{o}^{(t+1)}} L) \tag{10.20}", "index",
     "the wrong step"),
]


@pytest.mark.parametrize("printed,planted,kind,words", PLANTED)
def test_planted_errors_are_caught(printed, planted, kind, words, tmp_path):
    bad, found = check_planted(CHAPTER, printed, planted, tmp_path)
    assert len(bad) == 1 and bad[0].verdict == "mismatch", [(e.id, e.verdict) for e in bad]
    if kind is not None:
        assert kind in found and words in found[kind], found


def test_a_definition_that_does_not_apply_everywhere_is_refused(tmp_path):
    """Without h_0 declared, a^{(1)} = b + W h^{(0)} + U x^{(1)} has no h^{(0)}: the
    definition is an error (a^{(1)} is not left as a free leaf), and no claim that goes
    through it is verified."""
    folder = tmp_path / CHAPTER.name
    shutil.copytree(CHAPTER, folder)
    manifest = folder / "manifest.toml"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text("\n".join(line for line in text.splitlines()
                                  if not line.startswith("h_0 =")), encoding="utf-8")
    r = check_chapter(manifest, numeric=False)
    by_id = {e.id: e for e in r.equations}
    assert by_id["10.8"].verdict == "error"
    assert "does not apply at t=1" in by_id["10.8"].findings[0].message
    assert by_id["10.26"].verdict != "verified" and by_id["10.23"].verdict != "verified"
