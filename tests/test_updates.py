"""Update rules (w := w - α dw): the step's gradient is checked as a claim, its sign as
descent. Verdicts by hand: for z = w x + b, a = σ(z) and the cross-entropy loss,
∂L/∂w = (a - y) x and ∂L/∂b = a - y (the standard result), so a descent step subtracts
α (a - y) x from w."""
from __future__ import annotations

import pytest

from derive.driver import check_chapter

MANIFEST = r"""
[chapter]
title = "updates"
[functions]
'\sigma' = { activation = "sigmoid" }
[symbols]
x = { role = "input" }
y = { role = "label" }
w = { role = "weight" }
b = { role = "bias" }
z = { role = "weighted_input" }
a = { role = "activation" }
L = { role = "loss" }
'\alpha' = { role = "constant", range = [0.01, 1] }
dw = { role = "gradient", of = "w" }
"""

FORWARD = r"""% derive: definition
z = w x + b
% derive: definition
a = \sigma(z)
% derive: definition
L = -(y \log a + (1 - y) \log(1 - a))
"""

# (update as printed, verdict, finding kind) — written by hand from ∂L/∂w = (a - y) x
UPDATES = [
    (r"w := w - \alpha (a - y) x", "verified", None),
    (r"w := w + \alpha (y - a) x", "verified", None),          # the same step, rearranged
    (r"b \leftarrow b - \alpha (a - y)", "verified", None),
    (r"w := w - \alpha dw", "verified", None),
    (r"w \gets w - \alpha \frac{\partial L}{\partial w}", "verified", None),
    (r"\Delta w = -\alpha (a - y) x", "verified", None),
    (r"w := w + \alpha (a - y) x", "mismatch", "update"),       # climbs the loss
    (r"w := w - \alpha \frac{\partial L}{\partial b}", "mismatch", "substitution"),
    (r"w := w - \alpha (a - y)", "mismatch", None),             # the bias's step
    (r"w := w - (a - y) x", "error", "parse"),                  # no learning rate
    (r"x := x - \alpha (a - y) w", "error", "parse"),           # not a parameter
]


@pytest.mark.parametrize("rule,verdict,kind", UPDATES)
def test_update_rules(rule, verdict, kind, tmp_path):
    (tmp_path / "manifest.toml").write_text(MANIFEST, encoding="utf-8")
    (tmp_path / "chapter.tex").write_text(FORWARD + f"% derive: update\n{rule} \\tag{{u}}\n",
                                          encoding="utf-8")
    r = {e.id: e for e in check_chapter(tmp_path / "manifest.toml", seed=2).equations}
    assert r["u"].verdict == verdict, (rule, r["u"].summary)
    if verdict == "verified":
        assert r["u"].numeric is not None and r["u"].numeric.agrees
    kinds = {f.kind for f in r["u"].findings} | {f.kind for link in r["u"].links
                                                 for f in link.findings}
    if kind is not None:
        assert kind in kinds, kinds


def test_update_rules_in_a_document_need_no_manifest(tmp_path):
    doc = tmp_path / "notes.md"
    doc.write_text(
        "The model is $z = w x + b$ and\n\n$$a = \\sigma(z)$$\n\nwith the loss\n\n"
        "$$L = -(y \\log a + (1 - y) \\log(1 - a)) \\tag{1}$$\n\n"
        "$$\\frac{\\partial L}{\\partial w} = (a - y) x \\tag{2}$$\n\n"
        "one step with the learning rate $\\eta$:\n\n"
        "$$w \\leftarrow w - \\eta \\frac{\\partial L}{\\partial w} \\tag{3}$$\n\n"
        "$$b \\leftarrow b + \\eta (a - y) \\tag{4}$$\n", encoding="utf-8")
    r = {e.id: e for e in check_chapter(doc, seed=1).equations}
    assert r["3"].verdict == "verified"
    assert r["4"].verdict == "mismatch"
    assert any(f.kind == "update" and "climbs" in f.message
               for link in r["4"].links for f in link.findings)


@pytest.mark.parametrize("claim,kind", [
    # ∂z/∂w printed where ∂L/∂w is meant: (a - y) x is the loss's derivative by w
    (r"\frac{\partial z}{\partial w} = (a - y) x", "wrong-derivative"),
    # ∂L/∂a printed where ∂L/∂z is meant: a - y is ∂L/∂z
    (r"\frac{\partial L}{\partial a} = a - y", "wrong-derivative"),
])
def test_a_derivative_of_another_quantity_is_named(claim, kind, tmp_path):
    (tmp_path / "manifest.toml").write_text(MANIFEST, encoding="utf-8")
    (tmp_path / "chapter.tex").write_text(FORWARD + f"% derive: claim\n{claim} \\tag{{c}}\n",
                                          encoding="utf-8")
    r = {e.id: e for e in check_chapter(tmp_path / "manifest.toml", seed=2).equations}
    assert r["c"].verdict == "mismatch"
    kinds = {f.kind for f in r["c"].findings} | {f.kind for link in r["c"].links
                                                 for f in link.findings}
    assert kind in kinds, kinds
