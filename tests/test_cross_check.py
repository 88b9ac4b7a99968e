"""The cross-check: the chain rule's gradients against a second derivation.

Small models are checked against sympy.diff of the composed loss, deep ones (more than
rules.cross_check.COMPOSED_CROSS_CHECK_NODES definitions) one chain-rule step per quantity, each local
partial by sympy.diff (derive.calculus.frontier.step_check). A bug planted in
the chain rule's local partials must be reported by either route, naming it.
"""
from __future__ import annotations

from pathlib import Path

import pytest

import derive.calculus.derivation as derivation
from derive.rules import cross_check
from derive.api import clear_caches
from derive.driver import check_chapter
from test_equivalence import SIGMOID_MANIFEST, deep_text

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "equations" / "ch08-two-layer-bce" / "manifest.toml"


def deep_chapter(folder: Path, layers: int) -> Path:
    """The sigmoid chain of test_equivalence, with one claim, as a chapter on disk."""
    claim = (f"% derive: claim\n\\frac{{\\partial L}}{{\\partial b_{{{layers}}}}} = "
             f"a_{{{layers}}} - y\n")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "manifest.toml").write_text(SIGMOID_MANIFEST, encoding="utf-8")
    (folder / "chapter.tex").write_text(deep_text(layers) + claim, encoding="utf-8")
    return folder / "manifest.toml"


def cross_check_findings(manifest: Path) -> list:
    clear_caches()          # the chain rule's gradients are memoized per model
    try:
        result = check_chapter(manifest, numeric=False)
    finally:
        clear_caches()
    return [f for f in result.findings if f.kind == "cross-check"]


def test_the_routes_agree_on_correct_gradients(tmp_path):
    deep = deep_chapter(tmp_path / "deep", 7)
    assert not cross_check_findings(SEED)
    assert not cross_check_findings(deep)


@pytest.mark.parametrize("layers,route", [
    (2, "sympy.diff of the composed loss"),                      # 4 definitions
    (7, "one chain-rule step per definition by sympy.diff"),     # 14 definitions
])
def test_a_wrong_local_partial_in_the_chain_rule_is_caught(tmp_path, monkeypatch, layers,
                                                            route):
    assert (2 * layers > cross_check.COMPOSED_CROSS_CHECK_NODES) == route.startswith("one")
    manifest = deep_chapter(tmp_path / "deep", layers)
    right = derivation.local_partial

    def planted(model, node, var):          # ∂z_1/∂w_1 doubled: a bug in the chain rule
        value = right(model, node, var)
        return 2 * value if (str(node), str(var)) == ("z_1", "w_1") else value
    monkeypatch.setattr(derivation, "local_partial", planted)
    found = cross_check_findings(manifest)
    assert found and all(f.severity == "error" for f in found)
    assert any("dL/dw_1" in f.message.replace("{", "").replace("}", "")
               and route in f.message for f in found)
