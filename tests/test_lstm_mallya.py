"""An LSTM cell as in Mallya's notes (equations/lstm-mallya): gates with hatted
pre-activations, c^t = i ⊙ a + f ⊙ c^{t-1}, h^t = o ⊙ tanh(c^t), the backward pass in
index form and in vector form, time as a plain superscript, the letter i both the input
gate and the entry index, and the printed error of the notes (tanh applied twice in
δâ^t) kept. The key is computed here with SymPy alone, for a concrete loss of h (the
chapter leaves E unspecified; its claims are first derivatives, true for every loss
exactly when true for all)."""
from __future__ import annotations

import random
from pathlib import Path

import pytest
import sympy
from chapter_keys import check_planted, holds, key_verdicts

from derive.driver import check_chapter

CHAPTER = Path(__file__).resolve().parent.parent / "equations" / "lstm-mallya"
n, d = 2, 3


def vec(name, size):
    return sympy.Matrix(size, 1, lambda k, _: sympy.Symbol(f"{name}{k + 1}"))


def mat(name, rows, cols):
    return sympy.Matrix(rows, cols, lambda r, k: sympy.Symbol(f"{name}{r + 1}{k + 1}"))


def key():
    x, h0, c0 = vec("x", d), vec("h0_", n), vec("c0_", n)
    W = {g: mat(f"W{g}", n, d) for g in "cifo"}
    U = {g: mat(f"U{g}", n, n) for g in "cifo"}

    def sigma(z):
        return 1 / (1 + sympy.exp(-z))
    pre = {g: W[g] * x + U[g] * h0 for g in "cifo"}          # \hat{a}, \hat{i}, \hat{f}, \hat{o}
    a = pre["c"].applyfunc(sympy.tanh)
    i, f, o = (pre[g].applyfunc(sigma) for g in "ifo")
    had = sympy.matrix_multiply_elementwise

    def loss(h):                                             # any smooth function of h
        return sympy.sin(h[0]) + h[0] * h[1] ** 2 + sympy.log(2 + h[1] ** 2)

    def cell(a_, i_, f_, o_, c0_):
        c_ = had(i_, a_) + had(f_, c0_)
        return c_, had(o_, c_.applyfunc(sympy.tanh))
    c, h = cell(a, i, f, o, c0)

    def grad(of_what):
        """∂E/∂v for a quantity v of the cell: v made a free vector, E written through it."""
        s = vec("s", n)
        parts = {"a": a, "i": i, "f": f, "o": o, "c0": c0}
        if of_what in parts:
            args = dict(parts, **{of_what: s})
            E = loss(cell(args["a"], args["i"], args["f"], args["o"], args["c0"])[1])
            at = parts[of_what]
        elif of_what == "c":
            E, at = loss(had(o, s.applyfunc(sympy.tanh))), c
        elif of_what == "h":
            E, at = loss(s), h
        else:                                                # a pre-activation, by gate
            act = {"c": sympy.tanh, "i": sigma, "f": sigma, "o": sigma}[of_what[0]]
            gate = {"c": "a", "i": "i", "f": "f", "o": "o"}[of_what[0]]
            args = dict(parts, **{gate: s.applyfunc(act)})
            E = loss(cell(args["a"], args["i"], args["f"], args["o"], args["c0"])[1])
            at = pre[of_what[0]]
        return [sympy.diff(E, s[k]).subs(dict(zip(s, at))) for k in range(n)]
    dh, do, dc, di, df, da, dc0 = (grad(q) for q in ("h", "o", "c", "i", "f", "a", "c0"))
    dahat, dihat, dfhat, dohat = (grad(g + "^") for g in "cifo")
    T = sympy.tanh
    claims = {
        "do_i": [(do[k], dh[k] * T(c[k])) for k in range(n)],
        "do": [(do[k], dh[k] * T(c[k])) for k in range(n)],
        "dc_i": [(dc[k], dh[k] * o[k] * (1 - T(c[k]) ** 2)) for k in range(n)],
        "di_i": [(di[k], dc[k] * a[k]) for k in range(n)],
        "di": [(di[k], dc[k] * a[k]) for k in range(n)],
        "df_i": [(df[k], dc[k] * c0[k]) for k in range(n)],
        "df": [(df[k], dc[k] * c0[k]) for k in range(n)],
        "da_i": [(da[k], dc[k] * i[k]) for k in range(n)],
        "da": [(da[k], dc[k] * i[k]) for k in range(n)],
        "dc0_i": [(dc0[k], dc[k] * f[k]) for k in range(n)],
        "dc0": [(dc0[k], dc[k] * f[k]) for k in range(n)],
        # as printed: tanh applied to a^t = tanh(\hat{a}^t) once more
        "da-hat": [(dahat[k], da[k] * (1 - T(a[k]) ** 2)) for k in range(n)],
        "di-hat": [(dihat[k], di[k] * i[k] * (1 - i[k])) for k in range(n)],
        "df-hat": [(dfhat[k], df[k] * f[k] * (1 - f[k])) for k in range(n)],
        "do-hat": [(dohat[k], do[k] * o[k] * (1 - o[k])) for k in range(n)],
    }
    corrected = [(dahat[k], da[k] * (1 - a[k] ** 2)) for k in range(n)]
    leaves = [*x, *h0, *c0, *(e for g in "cifo" for e in (*W[g], *U[g]))]
    return leaves, claims, corrected


def test_the_chapter_is_checked_as_the_key_says():
    leaves, claims, corrected = key()
    rng = random.Random(3)
    expected = key_verdicts(claims, lambda p: holds(p, leaves, rng, low=-8, high=8))
    assert expected["da-hat"] == "mismatch"                 # the notes' error, by the key
    assert holds(corrected, leaves, rng, low=-8, high=8)    # and the correction, by the key
    assert list(expected.values()).count("mismatch") == 1
    r = check_chapter(CHAPTER / "manifest.toml", seed=4)
    assert {e.id: e.verdict for e in r.equations if e.kind == "claim"} == expected
    bad = next(e for e in r.equations if e.id == "da-hat")
    fix = next(f for f in bad.findings if f.kind == "index")
    assert r"a^{t} where \hat{a}^{t} is needed" in fix.message
    assert r"\tanh\left(\hat{a}^{t}\right)" in fix.suggestion
    assert all(e.verdict == "verified" for e in r.equations if e.kind == "definition")


def test_the_key_can_fail():
    leaves, claims, _ = key()
    (lhs, rhs), *_ = claims["do"]
    assert not holds([(lhs, 2 * rhs)], leaves, random.Random(0), low=-8, high=8)


PLANTED = [
    # (printed, planted, finding kind, words in its message)
    (r"\therefore \delta f^t = \delta c^t \odot c^{t-1}", r"\therefore \delta f^t = \delta c^t \odot c^{t}",
     "index", "the wrong step"),
    (r"\delta \hat{i}^t = \delta i^t \odot i^t \odot (1-i^t)",
     r"\delta \hat{i}^t = \delta i^t \odot \hat{i}^t \odot (1-i^t)", "index",
     "with the accent and the one without"),
    (r"\therefore \delta c^{t-1} = \delta c^t \odot f^t", r"\therefore \delta c^{t-1} = \delta c^t \odot i^t",
     "substitution", "in place of"),
    (r"o^t_i \cdot (1-\tanh^2(c^t_i))", r"o^t_i \cdot (1-\tanh(c^t_i))", "missing-factor", ""),
    (r"= \delta c^t_i \cdot a^t_i", r"= \delta c^t_i \cdot a^t_1", "substitution", "in place of"),
    (r"\frac{\partial E}{\partial f^t_i} =", r"\frac{\partial E}{\partial a^t_i} =",
     "substitution", "in place of"),
    (r"\delta o^t \odot o^t \odot (1-o^t)", r"\delta o^t \odot o^t \odot (1+o^t)", "missing-term", ""),
]


@pytest.mark.parametrize("printed,planted,kind,words", PLANTED)
def test_planted_errors_are_caught(printed, planted, kind, words, tmp_path):
    bad, _ = check_planted(CHAPTER, printed, planted, tmp_path)
    new = [e for e in bad if e.id != "da-hat"]                # the notes' own error stays
    assert len(new) == 1 and new[0].verdict == "mismatch", [(e.id, e.verdict) for e in bad]
    kinds = {f.kind: f.message for f in (*new[0].findings, *(f for link in new[0].links
                                                             for f in link.findings))}
    assert kind in kinds and words in kinds[kind], kinds
