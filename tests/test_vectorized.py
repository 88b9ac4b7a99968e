"""Vectors and matrices: the bundled vectorized chapters verify, and each wrong variant is
caught with the diagnosis that names the error (misplaced transposes, a missing 1/m or sum,
wrong product order, a missing elementwise f'(Z))."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from derive.driver import check_chapter
from derive.read.layers import instantiate_text
from derive.rules.registry import by_kind

EQUATIONS = Path(__file__).resolve().parent.parent / "equations"


@pytest.mark.parametrize("chapter", ["logreg-vectorized", "two-layer-tanh-vectorized",
                                     "softmax-regression", "deep-sigmoid-network",
                                     "nielsen-backprop"])
def test_bundled_vectorized_chapters_verify(chapter):
    r = check_chapter(EQUATIONS / chapter / "manifest.toml", seed=2)
    bad = [(e.id, e.verdict, e.summary) for e in r.equations if e.verdict != "verified"]
    assert bad == []
    claims = [e for e in r.equations if e.kind == "claim"]
    assert claims and all(e.numeric.agrees for e in claims)


def test_generic_layer_index_is_checked_at_every_layer():
    r = check_chapter(EQUATIONS / "deep-sigmoid-network" / "manifest.toml", numeric=False)
    ids = {e.id for e in r.equations}
    assert {"4-3[l=1]", "4-3[l=2]", "4-3[l=3]"} <= ids       # dW at every layer
    assert {"4-5[l=2]", "4-5[l=3]"} <= ids and "4-5[l=1]" not in ids   # no dA^{[0]}
    assert instantiate_text(r"W^{[l+1]T} dZ^{[l+1]}", 1, 3) == r"W^{[2]T} dZ^{[2]}"


@pytest.fixture(scope="module")
def wrong_variants(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tanh")
    shutil.copytree(EQUATIONS / "two-layer-tanh-vectorized", folder / "ch")
    tex = (folder / "ch" / "chapter.tex").read_text(encoding="utf-8").split("% Back propagation")[0]
    tex += r"""
% derive: claim
dZ^{[1]} = W^{[2]} dZ^{[2]} \odot (1 - A^{[1]2}) \tag{T1}
% derive: claim
dZ^{[1]} = W^{[2]T} dZ^{[2]} \tag{T2}
% derive: claim
dW^{[1]} = dZ^{[1]} X^T \tag{T3}
% derive: claim
db^{[1]} = \frac{1}{m} dZ^{[1]} \tag{T4}
% derive: claim
dW^{[2]} = \frac{1}{m} A^{[1]} dZ^{[2]T} \tag{T5}
% derive: claim
dW^{[1]} = \frac{1}{m} dZ^{[1]T} X \tag{T6}
% derive: claim
dW^{[1]} = \frac{1}{m} X^T dZ^{[1]} \tag{T7}
% derive: claim
dZ^{[2]} = Y - A^{[2]} \tag{T8}
"""
    (folder / "ch" / "chapter.tex").write_text(tex, encoding="utf-8")
    return check_chapter(folder / "ch" / "manifest.toml", seed=1)


@pytest.mark.parametrize("eid, kind, words", [
    ("T1", "missing-transpose", "W^{[2]}"),
    ("T2", "missing-factor", r"\tanh'"),
    ("T3", "factor", "1/m"),
    ("T4", "missing-sum", "sum over the samples"),
    ("T5", "missing-transpose", "transposed"),
    ("T6", "misplaced-transpose", "transposes"),
    ("T7", "product-order", "order"),
    ("T5", "missing-transpose", "transposed"),
    ("T8", "sign", "negative"),
])
def test_wrong_matrix_formulas_are_diagnosed(wrong_variants, eid, kind, words):
    e = next(e for e in wrong_variants.equations if e.id == eid)
    assert e.verdict == "mismatch"
    (f,) = e.links[0].findings
    assert f.kind == kind and f.kind in by_kind()
    assert words in f.message
    assert f.suggestion


def test_suggested_matrix_fixes_verify(wrong_variants, tmp_path):
    folder = tmp_path / "fixed"
    shutil.copytree(EQUATIONS / "two-layer-tanh-vectorized", folder)
    tex = (folder / "chapter.tex").read_text(encoding="utf-8").split("% Back propagation")[0]
    for e in wrong_variants.equations:
        if e.kind == "claim":
            lhs = e.links[0].lhs
            tex += f"% derive: claim\n{lhs} = {e.links[0].findings[0].suggestion} \\tag{{{e.id}}}\n"
    (folder / "chapter.tex").write_text(tex, encoding="utf-8")
    fixed = check_chapter(folder / "manifest.toml", numeric=False)
    assert [(e.id, e.verdict) for e in fixed.equations if e.verdict != "verified"] == []


def test_shape_errors_name_both_shapes(tmp_path):
    folder = tmp_path / "ch"
    shutil.copytree(EQUATIONS / "logreg-vectorized", folder)
    tex = (folder / "chapter.tex").read_text(encoding="utf-8")
    tex += "\n% derive: claim\ndw = \\frac{1}{m} dZ X \\tag{X1}\n"
    (folder / "chapter.tex").write_text(tex, encoding="utf-8")
    r = check_chapter(folder / "manifest.toml", numeric=False)
    e = next(e for e in r.equations if e.id == "X1")
    assert e.verdict == "mismatch"
    msg = e.links[0].findings[0].message
    assert "1×4" in msg and "3×4" in msg


def test_seed_vectorized_forms_are_verified():
    r = check_chapter(EQUATIONS / "ch08-two-layer-bce" / "manifest.toml", numeric=False)
    forms = {v.of: v for v in r.vectorized}
    assert {"dZ_2", "dW_2", "db_2", "dA_1", "dZ_1", "dW_1", "db_1"} <= set(forms)
    assert all(v.verdict == "verified" for v in forms.values())
    assert "A_1^T" in forms["dW_2"].latex and "W_2^T" in forms["dA_1"].latex
    assert "n_h=3" in r.vectorized_sizes and "n_x=2" in r.vectorized_sizes


def test_softmax_needs_one_hot_labels(tmp_path):
    folder = tmp_path / "ch"
    shutil.copytree(EQUATIONS / "softmax-regression", folder)
    man = (folder / "manifest.toml").read_text(encoding="utf-8")
    (folder / "manifest.toml").write_text(man.replace("simplex = true", "range = [0.05, 0.95]"),
                                          encoding="utf-8")
    r = check_chapter(folder / "manifest.toml", numeric=False, claim_seconds=2)
    # A - Y is the gradient only when each column of Y sums to one: never "verified" here
    e = next(e for e in r.equations if e.id == "S-1")
    assert e.verdict != "verified"


def test_a_side_that_cannot_be_evaluated_is_inconclusive_not_a_mismatch(tmp_path):
    # issue 14: "a step derive cannot evaluate is inconclusive with the reason, never
    # mismatch" (∂Z/∂W is a Jacobian, not evaluated entry by entry here)
    folder = tmp_path / "ch"
    shutil.copytree(EQUATIONS / "softmax-regression", folder)
    with (folder / "chapter.tex").open("a", encoding="utf-8") as f:
        f.write("\n% derive: claim\n\\frac{\\partial J}{\\partial W} = "
                "\\frac{\\partial Z}{\\partial W} \\tag{loc}\n")
    r = {e.id: e for e in check_chapter(folder / "manifest.toml", numeric=False).equations}
    assert r["loc"].verdict == "inconclusive"
    assert "only derivatives of the cost" in r["loc"].links[0].findings[0].message


ROWS_MANIFEST = """
[chapter]
title = "softmax regression, one example per row (d2l's minibatch O = XW + b)"
[conventions]
samples = "n"
loss = "batch-mean"
examples = "rows"
[sizes]
d = 2
q = 3
n = 4
[functions]
'\\mathrm{softmax}' = { activation = "softmax" }
[symbols]
X = { role = "input", shape = ["n", "d"] }
Y = { role = "label", shape = ["n", "q"], simplex = true }
W = { role = "weight", shape = ["d", "q"] }
b = { role = "bias", shape = [1, "q"] }
O = { role = "weighted_input", shape = ["n", "q"] }
A = { role = "activation", shape = ["n", "q"] }
J = { role = "cost" }
n = { role = "samples" }
i = { role = "index" }
"""

ROWS_FORWARD = r"""% derive: definition
O = X W + b
% derive: definition
A = \mathrm{softmax}(O)
% derive: definition
J = -\frac{1}{n}\sum_{i=1}^{n} Y^{(i)} \log A^{(i)T}
"""


@pytest.mark.parametrize("claim,verdict", [
    # by hand: with one example per row, dJ/dW = X^T (A - Y) / n, dJ/db = the mean row
    (r"\frac{\partial J}{\partial W} = \frac{1}{n} X^T (A - Y)", "verified"),
    (r"\frac{\partial J}{\partial O} = \frac{1}{n}(A - Y)", "verified"),
    (r"\frac{\partial J}{\partial b} = \frac{1}{n}\sum_{i=1}^{n} (A - Y)^{(i)}", "verified"),
    (r"\frac{\partial J}{\partial W} = \frac{1}{n} (A - Y) X^T", "mismatch"),   # columns' form
    (r"\frac{\partial J}{\partial W} = X^T (A - Y)", "mismatch"),               # no 1/n
])
def test_examples_as_rows(claim, verdict, tmp_path):
    (tmp_path / "manifest.toml").write_text(ROWS_MANIFEST, encoding="utf-8")
    (tmp_path / "chapter.tex").write_text(ROWS_FORWARD + f"% derive: claim\n{claim} \\tag{{c}}\n",
                                          encoding="utf-8")
    r = {e.id: e for e in check_chapter(tmp_path / "manifest.toml", seed=1).equations}
    assert r["c"].verdict == verdict, r["c"].summary
    assert all(r[k].verdict == "verified" for k in ("O", "A", "J"))


def test_softmax_by_row_is_not_softmax_by_column():
    import sympy

    from derive.model.activations import softmax_columns, softmax_rows
    z = sympy.Matrix([[1, 2], [3, 4]])
    assert all(abs(sum(softmax_rows(z)[r, :]) - 1) < 1e-12 for r in range(2))
    assert softmax_rows(z) != softmax_columns(z)
