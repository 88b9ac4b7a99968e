"""Multiclass logistic regression as in Bishop, PRML 4.3.4 (equations/softmax-bishop):
weight vectors w_k, feature vectors phi_n, a_nk = w_k^T phi_n, the softmax, the identity
I_kj and the gradient by a weight vector. The key is computed here with SymPy alone
(sympy.diff of the composed error, entry by entry); planted errors written into the
chapter text must be caught."""
from __future__ import annotations

import random
from pathlib import Path

import pytest
import sympy
from chapter_keys import caught_as_named, check_planted, checked_as_key_says, holds

CHAPTER = Path(__file__).resolve().parent.parent / "equations" / "softmax-bishop"
N, K, M = 2, 3, 2


def key():
    w = sympy.Matrix(K, M, lambda k, m: sympy.Symbol(f"w{k + 1}{m + 1}"))
    phi = sympy.Matrix(N, M, lambda n, m: sympy.Symbol(f"phi{n + 1}{m + 1}"))
    free_t = sympy.Matrix(N, K - 1, lambda n, k: sympy.Symbol(f"t{n + 1}{k + 1}"))
    t = sympy.Matrix(N, K, lambda n, k: free_t[n, k] if k < K - 1
                     else 1 - sum(free_t[n, :]))                 # 1-of-K: rows sum to one
    a = sympy.Matrix(N, K, lambda n, k: (w[k, :] * phi[n, :].T)[0])
    s = sympy.Symbol("s")

    def softmax_row(row, k):
        return sympy.exp(row[k]) / sum(sympy.exp(e) for e in row)
    y = sympy.Matrix(N, K, lambda n, k: softmax_row(a[n, :], k))
    E = -sum(t[n, k] * sympy.log(y[n, k]) for n in range(N) for k in range(K))

    def dy_da(n, k, j):                   # a_nj replaced by a variable
        row = a[n, :].copy()
        row[j] = s
        return sympy.diff(softmax_row(row, k), s).subs(s, a[n, j])
    claims = {
        "4.106": [(dy_da(n, k, j), y[n, k] * (int(k == j) - y[n, j]))
                  for n in range(N) for k in range(K) for j in range(K)],
        "4.109": [(sympy.diff(E, w[j, m]), sum((y[n, j] - t[n, j]) * phi[n, m]
                                                for n in range(N)))
                  for j in range(K) for m in range(M)],
    }
    return [*w, *phi, *free_t], claims


def test_the_chapter_verifies_as_the_key_says():
    leaves, claims = key()
    rng = random.Random(3)
    r = checked_as_key_says(CHAPTER, claims, lambda p: holds(p, leaves, rng), seed=4)
    by_id = {e.id: e for e in r.equations}
    note = next(f for f in by_id["4.109"].findings if f.kind == "instances")
    assert "each of 6 index values" in note.message      # K classes × M entries of w_j


def test_the_key_can_fail():
    leaves, claims = key()
    (lhs, rhs), *_ = claims["4.109"]
    assert not holds([(lhs, -rhs)], leaves, random.Random(0))


PLANTED = [
    # (printed, planted, finding kind, words in its message)
    (r"(y_{nj} - t_{nj}) \boldsymbol{\phi}_n", r"(t_{nj} - y_{nj}) \boldsymbol{\phi}_n", "sign", ""),
    (r"(y_{nj} - t_{nj}) \boldsymbol{\phi}_n", r"(y_{nj} - t_{nj})", "shape",
     "a scalar where an array is compared"),
    (r"(y_{nj} - t_{nj}) \boldsymbol{\phi}_n", r"(y_{nk} - t_{nj}) \boldsymbol{\phi}_n", "index",
     "y_{n,j} is needed"),
    (r"y_{nk} (I_{kj} - y_{nj})", r"y_{nk} (I_{kj} + y_{nj})", "mismatch", ""),
    (r"y_{nk} (I_{kj} - y_{nj})", r"y_{nk} (1 - y_{nj})", "mismatch", ""),
    (r"= \sum_{n=1}^{N} (y_{nj} - t_{nj})", r"= \frac{1}{N} \sum_{n=1}^{N} (y_{nj} - t_{nj})",
     "factor", "\\frac{1}{2}"),
]


@pytest.mark.parametrize("printed,planted,kind,words", PLANTED)
def test_planted_errors_are_caught(printed, planted, kind, words, tmp_path):
    caught_as_named(CHAPTER, printed, planted, kind, words, tmp_path)


def test_the_kronecker_delta_as_many_books_print_it(tmp_path):
    """(4.106) with \\delta_{kj} (the name \\delta not declared) for I_{kj}: the same."""
    bad, _ = check_planted(CHAPTER, r"y_{nk} (I_{kj} - y_{nj})", r"y_{nk} (\delta_{kj} - y_{nj})",
                           tmp_path)
    assert bad == []
    bad, found = check_planted(CHAPTER, r"y_{nk} (I_{kj} - y_{nj})",
                               r"y_{nk} (\delta_{nj} - y_{nj})", tmp_path / "wrong")
    assert [e.verdict for e in bad] == ["mismatch"]
