"""Docs that cannot go stale (issue 17, item 10, in part): every output block marked with
``<!-- output: derive … -->`` in README.md and docs/ is compared with the real output of
its command (tools/doc_outputs.py)."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("doc_outputs", ROOT / "tools" / "doc_outputs.py")
doc_outputs = importlib.util.module_from_spec(_spec)
sys.modules["doc_outputs"] = doc_outputs          # (its dataclass looks itself up there)
_spec.loader.exec_module(doc_outputs)

BLOCKS = doc_outputs.blocks()
OUTPUTS: dict = {}


def test_the_comparison_finds_a_changed_line_and_allows_elisions():
    block = doc_outputs.Block(Path("x.md"), 1, "check", ".", ("a", "…", "d"))
    assert doc_outputs.missing(block, ["a", "b", "c", "d"]) == []
    assert doc_outputs.missing(block, ["a", "b", "c", "e"]) == ["d"]
    assert doc_outputs.missing(block, ["d", "a"]) == ["d"]          # order matters


def test_the_tutorial_has_marked_blocks():
    assert sum(b.page.name == "tutorial.md" for b in BLOCKS) >= 7


@pytest.mark.parametrize("block", BLOCKS, ids=lambda b: f"{b.page.name}:{b.line}")
def test_each_marked_output_is_the_real_one(block):
    key = (block.args, block.cwd)
    if key not in OUTPUTS:
        OUTPUTS[key] = doc_outputs.run(block)
    assert doc_outputs.missing(block, OUTPUTS[key]) == []
