"""The seed chapter end to end: its findings, not a text snapshot.

The expectations come from deriving chapter 8 by hand (see docs/verdicts.md):
z_2 = w_2 x + b_2 contradicts the graph x → z_1 → a_1 → z_2 → a_2 (and 8-14, 8-16..8-19
use a_1); 8-12 calls L(a_2, y) while 8-11 defines L(y, a); 8-14 carries the 1/m of the
batch-mean cost while 8-15, 8-18, 8-19 are per-sample; caption 8-13 calls Z2 an
activation value; z_2 and Z_2 (z_1, Z_1) are one quantity written two ways.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from derive import check
from derive.driver import check_chapter

SEED = Path(__file__).resolve().parent.parent / "equations" / "ch08-two-layer-bce"


@pytest.fixture(scope="module")
def seed():
    return check_chapter(SEED / "manifest.toml", seed=0)


def eq(result, eid):
    return next(e for e in result.equations if e.id == eid)


def test_every_printed_equation_is_reported(seed):
    ids = [e.id for e in seed.equations]
    for tag in ["8-11", "8-12", "8-13", "8-14", "8-15", "8-16", "8-17", "8-18", "8-19"]:
        assert tag in ids
    assert {"z_1", "a_1", "z_2", "a_2", "graph"} <= set(ids)
    assert seed.convention == "per-sample"


def test_w2_x_definition_contradicts_the_graph(seed):
    z2 = eq(seed, "z_2")
    assert z2.verdict == "inconsistent"
    (main,) = [f for f in z2.findings if f.kind == "definition" and f.severity == "error"]
    assert main.suggestion.replace(" ", "") == "z_2=w_2a_1+b_2"
    for supporting in ("8-14", "8-16", "8-17", "8-18", "8-19"):
        assert supporting in main.message
    # what the printed definition would imply: no gradient reaches the first layer
    (implied,) = [f for f in z2.findings if f.severity == "info"]
    assert r"\frac{\partial L}{\partial w_1} = 0" in implied.message
    assert r"\frac{\partial L}{\partial w_2} = x" in implied.message
    for ok in ("z_1", "a_1", "a_2", "graph", "8-11"):
        assert eq(seed, ok).verdict == "verified"


def test_8_12_argument_order_and_the_rest_of_its_chain(seed):
    e = eq(seed, "8-12")
    assert e.verdict == "inconsistent"
    assert [link.verdict for link in e.links] == ["inconsistent", "inconsistent", "verified"]
    assert e.links[0].findings[0].kind == "argument-order"
    assert "L" in e.links[0].findings[0].suggestion
    # the prime is read as d/da_2 and said so
    assert any("d/da_{2}" in f.message for f in e.findings)
    assert e.numeric.max_rel_error < 1e-6


def test_8_14_one_over_m_is_the_batch_mean_convention(seed):
    e = eq(seed, "8-14")
    assert e.verdict == "inconsistent" and e.convention == "batch-mean"
    assert [link.verdict for link in e.links] == ["verified", "inconsistent", "verified"]
    assert [link.convention for link in e.links] == ["per-sample", "batch-mean", "batch-mean"]
    (f,) = e.links[1].findings
    assert f.kind == "convention"
    assert e.links[1].numeric.ratio_text == "1/m at m=32"
    assert e.numeric.convention == "batch-mean" and e.numeric.max_rel_error < 1e-6


@pytest.mark.parametrize("eid", ["8-13", "8-15", "8-16", "8-17", "8-18", "8-19"])
def test_correct_equations_are_verified_both_ways(seed, eid):
    e = eq(seed, eid)
    assert e.verdict == "verified" and e.convention == "per-sample"
    assert all(link.verdict == "verified" for link in e.links)
    assert e.numeric.max_rel_error < 1e-6 and e.numeric.points >= 32
    for link in e.links:
        assert link.numeric.max_rel_error < 1e-6


def test_chapter_level_findings(seed):
    kinds = [f.kind for f in seed.findings]
    assert kinds.count("convention") == 1
    conv = next(f for f in seed.findings if f.kind == "convention")
    assert "8-14" in conv.message and "8-15" in conv.message
    assert conv.suggestion.startswith(r"\frac{\partial L}{\partial w_2} =")
    notation = " ".join(f.message for f in seed.findings if f.kind == "notation")
    assert "Z_1" in notation and "z_1" in notation and "Z_2" in notation
    assert "cross-check" not in kinds        # chain rule agrees with sympy.diff


def test_caption_8_13_calls_a_weighted_input_an_activation(seed):
    caps = [f for f in eq(seed, "8-13").findings if f.kind == "caption"]
    assert len(caps) == 1 and "激活值" in caps[0].message
    assert "加权输入" in caps[0].suggestion
    for eid in ("8-14", "8-15", "8-16", "8-17", "8-18", "8-19"):
        assert not [f for f in eq(seed, eid).findings if f.kind == "caption"]


def test_derived_gradients_are_listed(seed):
    grads = dict(seed.gradients)
    assert grads[r"\frac{\partial L}{\partial z_2}"] == "a_{2} - y"
    assert grads[r"\frac{\partial L}{\partial w_2}"] == r"a_{1} \left(a_{2} - y\right)"


def test_applying_every_suggested_fix_gives_a_verified_chapter(seed, tmp_path):
    """Each suggested correction must itself verify."""
    folder = tmp_path / "fixed"
    shutil.copytree(SEED, folder)
    tex = (folder / "chapter.tex").read_text(encoding="utf-8")
    definition_fix = next(f.suggestion for f in eq(seed, "z_2").findings
                          if f.kind == "definition" and f.suggestion)
    tex = tex.replace("z_2 = w_2 x + b_2", definition_fix)
    order_fix = eq(seed, "8-12").links[0].findings[0].suggestion
    tex = tex.replace(r"\frac{d}{da_2}L(a_2, y)", order_fix)
    conv = next(f for f in seed.findings if f.kind == "convention")
    lhs, rhs = conv.suggestion.split(" = ", 1)
    tex = tex.replace(r"= \frac{1}{m}\frac{\partial L}{\partial Z_2} a_1= \frac{1}{m}(a_2 - y)a_1",
                      r"= \frac{\partial L}{\partial Z_2} a_1 = " + rhs)
    (folder / "chapter.tex").write_text(tex, encoding="utf-8")
    fixed = check_chapter(folder / "manifest.toml", seed=5)
    assert [(e.id, e.verdict) for e in fixed.equations if e.verdict != "verified"] == []
    assert not [f for f in fixed.findings if f.kind == "convention"]


def test_library_api_and_json_round_trip():
    report = check(str(SEED), numeric=False)
    assert report.exit_code == 1
    data = json.loads(json.dumps(report.to_dict()))
    assert data["version"] == 1
    assert data["chapters"][0]["equations"][0]["kind"] == "definition"


def test_each_corrected_equation_verifies(seed, tmp_path):
    """The report's whole corrected chains, pasted into the chapter, verify."""
    folder = tmp_path / "corrected"
    shutil.copytree(SEED, folder)
    tex = (folder / "chapter.tex").read_text(encoding="utf-8")
    corrected = {e.id: e for e in seed.equations if e.corrected}
    assert {"z_2", "8-12", "8-14"} <= set(corrected)
    for e in corrected.values():
        tex = tex.replace(e.latex, e.corrected)
    (folder / "chapter.tex").write_text(tex, encoding="utf-8")
    fixed = check_chapter(folder / "manifest.toml", numeric=False)
    assert [(e.id, e.verdict) for e in fixed.equations if e.verdict != "verified"] == []
