"""Batch normalization as Ioffe & Szegedy print it (equations/batchnorm-ioffe): the
verdicts against a key computed here with SymPy alone, for a concrete loss (the chapter
leaves the loss unspecified, so its claims must hold for this one too), and planted
errors caught with the diagnosis that names them.
"""
from __future__ import annotations

import random
from pathlib import Path

import pytest
import sympy
from chapter_keys import check_planted, checked_as_key_says, holds

CHAPTER = Path(__file__).resolve().parent.parent / "equations" / "batchnorm-ioffe"
M = 3


def key():
    """Every claim's two sides, by hand, for ℓ = Σ_i y_i^3 / 3 + y_1 y_2 (any loss would
    do: the paper's equations are the chain rule for all of them)."""
    x = [sympy.Symbol(f"x{i}") for i in range(1, M + 1)]
    gamma, beta, eps = sympy.symbols("gamma beta epsilon")
    t = sympy.Symbol("t")

    def forward(mu=None, var=None, xhat=None):
        mu_ = sum(x) / M if mu is None else mu
        var_ = sum((xi - mu_) ** 2 for xi in x) / M if var is None else var
        xh = [(xi - mu_) / sympy.sqrt(var_ + eps) for xi in x] if xhat is None else xhat
        y = [gamma * v + beta for v in xh]
        return mu_, var_, xh, y

    def loss(y):
        return sum(v ** 3 / 3 for v in y) + y[0] * y[1]

    mu, var, xh, y = forward()
    dl_dy = [sympy.diff(loss([*y[:i], t, *y[i + 1:]]), t).subs(t, y[i]) for i in range(M)]
    dl_dxhat = [sympy.diff(loss(forward(xhat=[*xh[:i], t, *xh[i + 1:]])[3]), t).subs(t, xh[i])
                for i in range(M)]
    dl_dvar = sympy.diff(loss(forward(var=t)[3]), t).subs(t, var)
    dl_dmu = sympy.diff(loss(forward(mu=t)[3]), t).subs(t, mu)
    whole = loss(y)
    claims = {
        "dxhat": [(dl_dxhat[i], dl_dy[i] * gamma) for i in range(M)],
        "dvar": [(dl_dvar, sum(dl_dxhat[i] * (x[i] - mu) for i in range(M))
                  * sympy.Rational(-1, 2) * (var + eps) ** sympy.Rational(-3, 2))],
        "dmean": [(dl_dmu, sum(dl_dxhat[i] * -1 / sympy.sqrt(var + eps) for i in range(M))
                   + dl_dvar * sum(-2 * (x[i] - mu) for i in range(M)) / M)],
        "dx": [(sympy.diff(whole, x[i]), dl_dxhat[i] / sympy.sqrt(var + eps)
                + dl_dvar * 2 * (x[i] - mu) / M + dl_dmu / M) for i in range(M)],
        "dgamma": [(sympy.diff(whole, gamma), sum(dl_dy[i] * xh[i] for i in range(M)))],
        "dbeta": [(sympy.diff(whole, beta), sum(dl_dy))],
    }
    return [*x, gamma, beta, eps], claims


def _holds(pairs, leaves, rng) -> bool:
    return holds(pairs, leaves, rng, positive=leaves[-1:], low=-20, high=20, den=9)   # ε > 0


def test_the_printed_equations_verify_as_the_key_says():
    leaves, claims = key()
    rng = random.Random(1)
    r = checked_as_key_says(CHAPTER, claims, lambda p: _holds(p, leaves, rng), seed=3)
    for e in r.equations:
        if e.kind == "claim":
            assert e.numeric is not None and e.numeric.agrees, e.id


def test_the_key_can_fail():
    leaves, claims = key()
    (lhs, rhs), = claims["dvar"]
    assert not _holds([(lhs, -rhs)], leaves, random.Random(0))


PLANTED = [
    # (as printed, planted, finding kind that names it)
    (r"\cdot \frac{-1}{2} (\sigma_{\mathcal{B}}^2 + \epsilon)^{-3/2}",
     r"\cdot \frac{1}{2} (\sigma_{\mathcal{B}}^2 + \epsilon)^{-3/2}", "sign"),
    (r"\cdot \frac{-1}{2} (\sigma_{\mathcal{B}}^2 + \epsilon)^{-3/2}",
     r"\cdot \frac{-1}{2} (\sigma_{\mathcal{B}}^2 + \epsilon)^{-1/2}", "extra-factor"),
    (r"\frac{\partial \ell}{\partial y_i} \cdot \gamma \tag{dxhat}",
     r"\frac{\partial \ell}{\partial y_i} \cdot \beta \tag{dxhat}", "substitution"),
    (r"\sum_{i=1}^{m} \frac{\partial \ell}{\partial y_i} \tag{dbeta}",
     r"\sum_{i=1}^{m} \frac{\partial \ell}{\partial \widehat{x}_i} \tag{dbeta}", "extra-factor"),
    (r"\frac{\partial \ell}{\partial \mu_{\mathcal{B}}} \cdot \frac{1}{m} \tag{dx}",
     r"\frac{\partial \ell}{\partial \mu_{\mathcal{B}}} \tag{dx}", None),
    (r"\frac{\partial \ell}{\partial y_i} \cdot \widehat{x}_i \tag{dgamma}",
     r"\frac{\partial \ell}{\partial y_i} \tag{dgamma}", None),
    (r"\frac{2(x_i - \mu_{\mathcal{B}})}{m}", r"\frac{(x_i - \mu_{\mathcal{B}})}{m}", None),
]


@pytest.mark.parametrize("printed,planted,kind", PLANTED)
def test_planted_errors_are_caught(printed, planted, kind, tmp_path):
    bad, found = check_planted(CHAPTER, printed, planted, tmp_path)
    assert len(bad) == 1 and bad[0].verdict == "mismatch", [(e.id, e.verdict) for e in bad]
    if kind is not None:
        assert kind in found, found
