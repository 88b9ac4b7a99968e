"""The mutation generator (tools/mutation.py) and a small end-to-end soundness sample.

The full corpus runs in tools/soundness.py (minutes); here: the generator's own
guarantees on the seed chapter, and 10 mutants + 5 rewrites checked end to end.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
from mutation import (EXPECTED, Case, Chapter, _factors, _split_terms,  # noqa: E402
                      check_cases, generate, replace_block, run_case, spread)

SEED = Path(__file__).resolve().parent.parent / "equations" / "ch08-two-layer-bce"
# 8-12's last side is a sum of fractions, 8-13 has a chain of partials and a difference,
# 8-17 a product with \sigma'(Z_1): between them every mutation kind of the seed appears
CLAIMS = {"8-12", "8-13", "8-17"}


@pytest.fixture(scope="module")
def chapter():
    return Chapter(SEED)


@pytest.fixture(scope="module")
def generated(chapter):
    return generate(chapter, equations=CLAIMS)


def norm(s: str) -> str:
    return re.sub(r"\s+", "", s)


# --- the text helpers ---------------------------------------------------------------

def test_terms_and_factors_of_printed_formulas():
    assert _split_terms(r"a_2 - y") == [("+", "a_2"), ("-", "y")]
    assert _split_terms(r"-(a_2 - y) e^{-z}") == [("-", "(a_2 - y) e^{-z}")]
    assert _factors(r"\frac{1}{m}\frac{\partial L}{\partial Z_2} a_1", set()) == [
        r"\frac{1}{m}", r"\frac{\partial L}{\partial Z_2}", "a_1"]
    assert _factors(r"x^{(i)} \cdot w_2^T", set()) == ["x^{(i)}", "w_2^T"]
    assert _factors(r"\frac{d}{da_2}L(a_2, y)", set()) is None    # an operator: not a product


def test_replace_block_swaps_exactly_one_claim():
    text = "% derive: claim\nA = 1 \\tag{1}\n\n% derive: claim\nB = 2\n  = 3 \\tag{2}\n" \
           "% note\n% derive: caption 2\nwords\n"
    out = replace_block(text, 5, r"B = 4 \tag{2}")
    assert "A = 1" in out and "B = 4 \\tag{2}" in out
    assert "= 3" not in out and "% derive: caption 2\nwords" in out


# --- mutants -------------------------------------------------------------------------

def test_bases_are_the_sides_equal_to_the_derived_gradient(generated):
    bases = {(eid, k) for eid, k, _ in generated.bases}
    assert {("8-12", 3), ("8-13", 1), ("8-13", 2), ("8-17", 1), ("8-17", 2)} <= bases
    # 8-12's first side calls L(a_2, y) against L(y, a): not equal, so not a base
    assert ("8-12", 1) not in bases
    assert any(eid == "8-12" and k == 1 for eid, k, _, _ in generated.skipped)


def test_every_mutant_differs_from_its_original(generated, chapter):
    assert len(generated.mutants) >= 60
    for m in generated.mutants:
        assert norm(m.rhs) != norm(m.original)
        assert m.latex.endswith(f" = {m.rhs} \\tag{{{m.equation}}}")
        assert m.expected == EXPECTED[m.kind] and not m.rewrite
    # and mathematically: a sample of them against the original, with the project's test
    for m in generated.mutants[::15]:
        var, _ = chapter.head(m.latex.split(" = ")[0])
        equal, _ = chapter.compare(chapter.value(m.rhs, var), chapter.value(m.original, var))
        assert equal is not True, m


def test_each_mutation_kind_appears_on_the_seed_chapter(generated):
    kinds = {m.kind for m in generated.mutants}
    assert {"factor", "samples-factor", "sign", "term-sign", "swap", "swap-one",
            "drop-factor", "drop-link", "drop-prime", "prime-expansion",
            "prime-as-function", "constant"} <= kinds
    # the seed is scalar and has no sums: no transpose or sum mutants, and that is fine
    assert not kinds & {"drop-transpose", "add-transpose", "drop-sum"}


def test_swaps_follow_the_manifest_roles(generated):
    notes = {m.note for m in generated.mutants if m.kind == "swap" and m.equation == "8-17"}
    assert "w_2 -> w_1" in notes and "w_2 -> b_2" in notes        # same role / same layer
    assert "z_1 -> a_1" in notes                                  # z_k <-> a_k
    assert not any(n.startswith("w_2 -> x") or n.startswith("w_2 -> a") for n in notes)
    sigma = [m.rhs for m in generated.mutants if m.kind == "drop-prime" and m.equation == "8-17"]
    assert any("\\sigma" not in s for s in sigma)


def test_equivalent_mutants_are_dropped_with_a_reason(chapter):
    g = generate(chapter, equations={"8-13"}, mutants=True, rewrites=False)
    reasons = {d.reason for d in g.dropped}
    # a_2 -> z_2 in dL/da_2 da_2/dZ_2 gives dL/dz_2 dz_2/dZ_2: the same value, dropped
    assert "equivalent to the original" in reasons
    eq = [d for d in g.dropped if d.reason == "equivalent to the original"]
    assert any(norm(d.rhs) == norm(r"\frac{\partial L}{\partial z_2}\frac{\partial z_2}"
                                   r"{\partial Z_2}") for d in eq)
    assert all(norm(d.rhs) not in {norm(m.rhs) for m in g.mutants} for d in eq)


VECTOR_MANIFEST = """
[chapter]
title = "Logistic regression, vectorized"
[conventions]
samples = "m"
loss = "batch-mean"
[sizes]
n_x = 3
m = 4
[functions]
'\\sigma' = { activation = "sigmoid" }
[symbols]
X  = { role = "input", shape = ["n_x", "m"] }
Y  = { role = "label", shape = [1, "m"] }
w  = { role = "weight", shape = ["n_x", 1] }
b  = { role = "bias" }
Z  = { role = "weighted_input", shape = [1, "m"] }
A  = { role = "activation", shape = [1, "m"] }
J  = { role = "cost" }
m  = { role = "samples" }
i  = { role = "index" }
dZ = { role = "gradient", of = "Z" }
dw = { role = "gradient", of = "w" }
db = { role = "gradient", of = "b" }
"""
VECTOR_TEX = r"""
% derive: definition
Z = w^T X + b
% derive: definition
A = \sigma(Z)
% derive: definition
J = -\frac{1}{m}\sum_{i=1}^{m}\left(Y^{(i)}\log A^{(i)} + (1 - Y^{(i)})\log(1 - A^{(i)})\right)
% derive: claim
dZ = A - Y \tag{LR-1}
% derive: claim
\frac{\partial J}{\partial w} = \frac{1}{m} X dZ^T \tag{LR-2}
% derive: claim
\frac{\partial J}{\partial b} = \frac{1}{m}\sum_{i=1}^{m} dZ^{(i)} \tag{LR-3}
"""


def test_vector_chapter_gets_transpose_and_sum_mutants(tmp_path):
    folder = tmp_path / "logreg"
    folder.mkdir()
    (folder / "manifest.toml").write_text(VECTOR_MANIFEST, encoding="utf-8")
    (folder / "chapter.tex").write_text(VECTOR_TEX, encoding="utf-8")
    ch = Chapter(folder)
    assert ch.vector
    g = generate(ch)
    kinds = {m.kind for m in g.mutants}
    assert {"drop-transpose", "add-transpose", "drop-sum", "factor", "sign", "swap"} <= kinds
    # dZ is one declared symbol, not d times Z
    assert not any("d Z" in m.rhs for m in g.mutants + g.rewrites)
    # matrix products are never reordered by a rewrite
    assert not {r.kind for r in g.rewrites} & {"reorder", "expand", "cdot", "prime-form"}
    assert any(r.rhs == r"\frac{X dZ^T}{m}" for r in g.rewrites)


# --- rewrites ------------------------------------------------------------------------

def test_rewrites_are_produced(generated):
    kinds = {r.kind for r in generated.rewrites}
    assert {"identity", "reorder", "cdot", "expand", "sign-pair", "prime-form", "alias",
            "fraction-combine", "fraction-split", "node-as-activation"} <= kinds
    forms = {r.rhs for r in generated.rewrites if r.kind == "prime-form"}
    assert r"(a_2 - y)w_2a_1\left(1-a_1\right)" in forms             # a(1-a), the chapter's a_1
    assert any(r"e^{-Z_1}" in f for f in forms)
    assert all(r.rewrite and r.expected == () for r in generated.rewrites)


def test_spread_keeps_every_kind(generated):
    kinds = {m.kind for m in generated.mutants}
    few = spread(generated.mutants, len(kinds))
    assert len(few) == len(kinds) and {m.kind for m in few} == kinds


# --- end to end: a small sample ------------------------------------------------------

def test_sample_of_mutants_is_caught_and_rewrites_still_verify(generated):
    final = {r"-\frac{y}{a_2}+ \frac{1-y}{1-a_2}", r"(a_2 - y)w_2\sigma'(Z_1)", "a_2 - y"}
    mutants = spread([m for m in generated.mutants if m.original in final], 10)
    rewrites = spread([r for r in generated.rewrites if r.original in final], 5)
    outcomes = check_cases(mutants + rewrites, jobs=2, seed=0)
    missed = [(o.case.kind, o.case.rhs, o.verdict) for o in outcomes[:10] if not o.caught]
    alarms = [(o.case.kind, o.case.rhs, o.verdict, o.message) for o in outcomes[10:]
              if not o.verified]
    assert not missed
    assert not alarms
    # the plain factor and sign errors are named as such
    for o in outcomes[:10]:
        if o.case.kind in ("factor", "sign", "samples-factor"):
            assert o.diagnosed, (o.case.rhs, o.kinds)


def test_partial_inside_a_fraction_still_verifies(chapter):
    item = next(i for i in chapter.claims if i.id == "8-15")
    rhs = r"\frac{\frac{\partial L}{\partial Z_2}}{2} + \frac{\frac{\partial L}{\partial Z_2}}{2}"
    case = Case(str(chapter.folder), str(chapter.manifest_path), "8-15", item.line,
                "fraction-split", (), rf"\frac{{\partial L}}{{\partial b_2}} = {rhs} \tag{{8-15}}",
                rhs, r"\frac{\partial L}{\partial Z_2}", rewrite=True)
    assert run_case(case).verdict == "verified"


def vector_case(tmp_path, rhs: str) -> Case:
    """A case replacing claim LR-4, \\frac{\\partial J}{\\partial w} = dw, of a vector chapter."""
    folder = tmp_path / "logreg"
    folder.mkdir(exist_ok=True)
    (folder / "manifest.toml").write_text(VECTOR_MANIFEST, encoding="utf-8")
    claim = r"\frac{\partial J}{\partial w} = dw \tag{LR-4}"
    text = VECTOR_TEX + "% derive: claim\n" + claim + "\n"
    (folder / "chapter.tex").write_text(text, encoding="utf-8")
    line = text.splitlines().index(claim) + 1
    return Case(str(folder), str(folder / "manifest.toml"), "LR-4", line, "rewrite", (),
                rf"\frac{{\partial J}}{{\partial w}} = {rhs} \tag{{LR-4}}", rhs, "dw",
                rewrite=True)


def test_a_vector_claim_is_replaced_and_checked(tmp_path):
    assert run_case(vector_case(tmp_path, r"\frac{1}{m} X dZ^T")).verdict == "verified"
    assert run_case(vector_case(tmp_path, r"\frac{1}{m} X dZ")).verdict == "mismatch"


@pytest.mark.parametrize("rhs", [r"\frac{1}{m} X {dZ}^T", r"\frac{dw}{2} + \frac{dw}{2}"])
def test_gradient_symbol_after_a_brace_still_verifies(tmp_path, rhs):
    assert run_case(vector_case(tmp_path, rhs)).verdict == "verified"


SOFTMAX_MANIFEST = """
[conventions]
samples = "m"
loss = "batch-mean"
[sizes]
n_x = 1
K = 2
m = 2
[functions]
'\\mathrm{softmax}' = { activation = "softmax" }
[symbols]
X = { role = "input", shape = ["n_x", "m"] }
Y = { role = "label", shape = ["K", "m"], simplex = true }
W = { role = "weight", shape = ["K", "n_x"] }
b = { role = "bias", shape = ["K", 1] }
Z = { role = "weighted_input", shape = ["K", "m"] }
A = { role = "activation", shape = ["K", "m"] }
J = { role = "cost" }
m = { role = "samples" }
i = { role = "index" }
"""
SOFTMAX_TEX = r"""
% derive: definition
Z = W X + b
% derive: definition
A = \mathrm{softmax}(Z)
% derive: definition
J = -\frac{1}{m}\sum_{i=1}^{m} Y^{(i)T} \log A^{(i)}
% derive: claim
\frac{\partial J}{\partial Z} = \frac{1}{m}(A - Y) \tag{S-1}
% derive: claim
\frac{\partial J}{\partial W} = \frac{2}{m}(A - Y) X^T \tag{S-2}
% derive: claim
\frac{\partial J}{\partial Z} = -\frac{1}{m}(A - Y) \tag{S-3}
"""


# regression: Equivalence.ratio used to cancel a/b symbolically and found no constant in
# softmax chapters; it now guesses the constant from the values and proves it
def test_softmax_factor_and_sign_are_named(tmp_path):
    from derive.driver import check_chapter

    folder = tmp_path / "softmax"
    folder.mkdir()
    (folder / "manifest.toml").write_text(SOFTMAX_MANIFEST, encoding="utf-8")
    (folder / "chapter.tex").write_text(SOFTMAX_TEX, encoding="utf-8")
    r = check_chapter(folder / "manifest.toml", numeric=False)
    eqs = {e.id: e for e in r.equations}
    assert eqs["S-1"].verdict == "verified"
    assert eqs["S-2"].verdict == eqs["S-3"].verdict == "mismatch"      # caught either way
    assert eqs["S-2"].links[0].findings[0].kind == "factor"
    assert eqs["S-3"].links[0].findings[0].kind == "sign"
