"""Chapters in real book layouts (tests/books): LaTeX split over \\input files with a preamble
of macros, Markdown (MyST, d2l) and a notebook, each a transcription of a public
derivation, checked with no markers and no manifest. Each claim's verdict is asserted
against the chapter's answer key, whose verdicts are recomputed from the key's own SymPy
model (tests/books_key.py), never from derive."""
from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path

import pytest

from books_key import key_verdicts
from derive.driver import check_chapter
from derive.cli import main

BOOKS = Path(__file__).resolve().parent / "books"
FOLDERS = sorted(p for p in BOOKS.iterdir() if (p / "expected.toml").is_file())


def _key(folder: Path) -> dict:
    return tomllib.loads((folder / "expected.toml").read_text(encoding="utf-8"))


def _expanded(folder: Path, latex: str) -> str:
    """The key's LaTeX with the chapter's own macros expanded (as derive reports it)."""
    from derive.read.macros import Macros
    macros = Macros()
    for tex in folder.glob("*.tex"):
        macros.define_all(tex.read_text(encoding="utf-8"))
    return macros.expand(latex)


def _norm(latex: str) -> str:
    latex = re.sub(r"\\(?:label|tag\*?)\s*\{[^{}]*\}|\\(?:begin|end)\s*\{[^{}]*\}|"
                   r"\\nonumber|\\notag|&|\\\\", "", latex)
    return re.sub(r"\s+", "", latex).rstrip(".,")


@pytest.fixture(scope="module", params=FOLDERS, ids=[f.name for f in FOLDERS])
def book(request):
    folder = request.param
    key = _key(folder)
    return folder, key, check_chapter(folder / key["file"], numeric=True)


def test_each_key_agrees_with_its_own_model(book):
    folder, key, _ = book
    hand = {c["label"]: c["verdict"] for c in key["claims"]}
    assert key_verdicts(folder) == hand


def test_the_key_can_disagree():
    # a wrong side planted in a copy of a key flips its recomputed verdict
    folder = BOOKS / "nielsen-single-neuron"
    text = (folder / "expected.toml").read_text(encoding="utf-8")
    assert 'sides = ["x*(sigmoid(z) - y)"]' in text
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "k"
        copy.mkdir()
        (copy / "expected.toml").write_text(text.replace(
            'sides = ["x*(sigmoid(z) - y)"]', 'sides = ["x*(sigmoid(z) + y)"]'), encoding="utf-8")
        assert key_verdicts(copy)["eq:ce-dw"] == "mismatch"


def test_every_claim_of_the_key_gets_its_verdict(book):
    folder, key, result = book
    equations = [(e, _norm(e.latex)) for e in result.equations if e.kind == "claim"]
    for claim in key["claims"]:
        want = _norm(_expanded(folder, claim["latex"]))
        found = [e for e, text in equations if want and (want in text or text in want)]
        assert found, f"{folder.name}: no claim for {claim['label']}"
        allowed = {claim["verdict"], *claim.get("accept", [])}
        got = {e.verdict for e in found}
        assert got <= allowed, f"{folder.name} {claim['label']}: {got} not in {allowed}"


def test_no_claim_is_left_unread(book):
    # a chapter read as the author wrote it: nothing refused but what its key allows
    folder, key, result = book
    accepted_errors = {_norm(c["latex"]) for c in key["claims"] if "error" in c.get("accept", [])}
    errors = [e for e in result.equations if e.verdict == "error"
              and not any(a in _norm(e.latex) or _norm(e.latex) in a for a in accepted_errors)]
    assert not errors, [(e.id, e.findings[0].message) for e in errors]


@pytest.mark.parametrize("folder", FOLDERS, ids=[f.name for f in FOLDERS])
def test_init_writes_a_manifest_that_checks_the_same(folder, tmp_path, capsys):
    copy = tmp_path / folder.name
    shutil.copytree(folder, copy)
    doc = copy / _key(folder)["file"]
    before = check_chapter(doc, numeric=False)
    assert main(["init", str(doc)]) == 0
    assert doc.with_name(doc.stem + ".derive.toml").is_file()
    after = check_chapter(doc, numeric=False)

    def shape(r):
        return [(e.id, e.verdict, tuple(sorted(f.kind for f in e.findings)))
                for e in r.equations]
    assert shape(after) == shape(before)
    assert main(["init", str(doc)]) == 2                      # never over a kept manifest
    assert "exists" in capsys.readouterr().err
