"""Docs that cannot go stale (issue 17, item 10): every output block marked with
``<!-- output: derive … -->`` in README.md and docs/ is compared with the real output of
its command (tools/doc_outputs.py); a page that writes out a chapter (``file``), copies
one (``copy``) or edits it (``edit``, a diff) runs its commands on those very files."""
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

PAGES = [p for p in doc_outputs.pages()
         if any(b.kind == "output" for b in doc_outputs.page_blocks(p))]


def test_the_comparison_finds_a_changed_line_and_allows_elisions():
    block = doc_outputs.Block(Path("x.md"), 1, "check", ".", ("a", "…", "d"))
    assert doc_outputs.missing(block, ["a", "b", "c", "d"]) == []
    assert doc_outputs.missing(block, ["a", "b", "c", "e"]) == ["d"]
    assert doc_outputs.missing(block, ["d", "a"]) == ["d"]          # order matters
    cut = doc_outputs.Block(Path("x.md"), 1, "check", ".", ("a long li…",))
    assert doc_outputs.missing(cut, ["a long line"]) == []
    assert doc_outputs.missing(cut, ["a short line"]) == ["a long li…"]


def test_a_page_builds_its_files_in_order_and_an_edit_must_apply(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("<!-- file: scratch/ch/a.tex -->\n```latex\nx = 1\ny = 2\nz = 3\n```\n"
                    "<!-- edit: scratch/ch/a.tex -->\n```diff\n-x = 1\n+x = 5\n@@\n"
                    " y = 2\n-z = 3\n+z = 4\n```\n", encoding="utf-8")
    scratch = tmp_path / "s"
    for b in doc_outputs.page_blocks(page):
        doc_outputs.apply(b, scratch)
    assert (scratch / "ch" / "a.tex").read_text(encoding="utf-8") == "x = 5\ny = 2\nz = 4\n"
    stale = doc_outputs.Block(page, 9, "scratch/ch/a.tex", ".", ("-x = 1", "+x = 6"), "edit")
    with pytest.raises(ValueError, match="not in"):
        doc_outputs.apply(stale, scratch)
    with pytest.raises(ValueError, match="under scratch/"):
        doc_outputs.apply(doc_outputs.Block(page, 1, "../x", ".", ("a",), "file"), scratch)


def test_the_readme_and_the_tutorial_have_marked_blocks():
    kinds = [(b.page.name, b.kind) for p in PAGES for b in doc_outputs.page_blocks(p)]
    assert kinds.count(("tutorial.md", "output")) >= 11
    assert ("tutorial.md", "file") in kinds and ("tutorial.md", "edit") in kinds
    assert ("README.md", "output") in kinds


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_each_marked_output_is_the_real_one(page):
    results = doc_outputs.check_page(page)
    assert results
    assert [(b.line, lost) for b, lost in results if lost] == []


def _vectorized_table() -> list[tuple[str, str, str, str]]:
    """The rows (kind, claim, message, fix) of the table of diagnoses of vectorized
    chapters in docs/verdicts.md."""
    text = (ROOT / "docs" / "verdicts.md").read_text(encoding="utf-8")
    table = text.split("| kind | claim | message | fix |", 1)[1].split("\n\n", 1)[0]
    rows = []
    for line in table.splitlines()[2:]:
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        rows.append((cells[0].split("`")[1], cells[1].strip("`"), cells[2], cells[3]))
    return rows


def test_the_table_of_vectorized_diagnoses_in_verdicts_md_is_real(tmp_path):
    from rule_cases import matrix
    rows = _vectorized_table()
    assert len(rows) >= 10
    claims = "".join(f"% derive: claim\n{claim} \\tag{{V{k}}}\n"
                     for k, (_, claim, _, _) in enumerate(rows, start=1))
    result = matrix(tmp_path, claims, numeric=False)
    for k, (kind, claim, message, fix) in enumerate(rows, start=1):
        e = next(e for e in result.equations if e.id == f"V{k}")
        said = [f for f in e.all_findings if f.severity == "error"]
        assert e.verdict == "mismatch", claim
        assert [f.kind for f in said] == [kind], claim
        assert said[0].message == message, claim
        assert (said[0].suggestion or "none") == fix.strip("`"), claim


# docs/formats/examples/, written by docs/formats/generate.sh: (format, options, file)
EXAMPLES = [("text", {}, "seed.txt"), ("text", {"verbose": True}, "seed-verbose.txt"),
            ("text", {"quiet": True}, "seed-quiet.txt"), ("json", {}, "seed.json"),
            ("markdown", {}, "seed.md"), ("html", {}, "seed.html"),
            ("junit", {}, "seed-junit.xml"), ("concise", {}, "seed-concise.txt"),
            ("github", {}, "seed-github.txt"), ("gitlab", {}, "seed-gitlab.json"),
            ("sarif", {}, "seed.sarif")]


def test_the_format_examples_are_what_derive_prints_now(monkeypatch):
    import derive
    from derive.report import render_to_string
    monkeypatch.chdir(ROOT)                  # generate.sh runs from the root, paths relative
    report = derive.check("equations/ch08-two-layer-bce")
    stale = [name for fmt, options, name in EXAMPLES
             if render_to_string(report, fmt, **options)
             != (ROOT / "docs" / "formats" / "examples" / name).read_text(encoding="utf-8")]
    assert stale == [], "run: sh docs/formats/generate.sh"


def test_the_example_blocks_of_the_format_pages_hold_the_example_files():
    import re
    blocks = 0
    for page in sorted((ROOT / "docs" / "formats").glob("*.md")):
        text = page.read_text(encoding="utf-8")
        for name, lang, body in re.findall(
                r"<!-- example (\S+) (\S+) -->\n````\2\n(.*?)\n````\n<!-- /example -->", text,
                flags=re.S):
            blocks += 1
            example = ROOT / "docs" / "formats" / "examples" / name
            assert body == example.read_text(encoding="utf-8").rstrip("\n"), (page.name, name)
    assert blocks >= 9
