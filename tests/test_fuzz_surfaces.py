"""The fuzz harness (tools/fuzz.py) over every input surface, with a small fixed budget:
mutated formulas, manifests, chapters (.tex, Markdown, notebook) and command lines end in
a reading, a refusal or exit code 0, 1 or 2 with one-line errors; no crash, no hang. The
longer run and its counts are in docs/soundness.md."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import fuzz  # noqa: E402


@pytest.mark.parametrize("surface", ["formula", "manifest", "chapter", "markdown", "notebook",
                                     "arguments"])
def test_no_crash_and_no_hang_on_any_surface(surface):
    out = fuzz.run(budget=4, seed=11, jobs=2, surfaces=[surface])
    counts = out["results"][surface]
    assert sum(counts.values()) >= 4
    assert not out["bad"], out["bad"]


def test_the_harness_catches_a_crash(monkeypatch):
    # the harness itself must be able to fail: a reader that raises KeyError is a crash
    import derive.read.latex

    def broken(*args, **kwargs):
        raise KeyError("planted")
    monkeypatch.setattr(derive.read.latex, "parse_formula", broken)
    out = fuzz.run(budget=1, seed=0, jobs=1, surfaces=["formula"])
    assert out["results"]["formula"].get("crash", 0) > 0


def test_errors_are_classified_without_their_particulars():
    a = fuzz.kind_of("derive: error: /a/b/chapter.tex:12: equation 8-3: cannot read '\\foo' "
                     "at line 12, column 7: \\foo is not a command; fix: write it out")
    b = fuzz.kind_of("derive: error: /c/chapter.tex:3: equation z: cannot read '\\bar' at "
                     "line 3, column 1: \\bar is not a command; fix: other")
    assert a == b and "foo" not in a and "12" not in a
