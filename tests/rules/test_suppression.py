"""DV906 unused-suppression, and what a suppression does: % derive: ignore[CODE] accepts
that finding on one equation (kept, marked suppressed, no longer failing the check)."""
import shutil

from rule_cases import EQUATIONS, findings, run

from derive.api import check
from derive.report import Report

WRONG_SIGN = r"\frac{\partial L}{\partial w} = -(a - y) x"


def test_a_suppression_above_the_equation_accepts_its_finding(tmp_path):
    r = run(tmp_path, f"""
        % derive: claim
        % derive: ignore[DV102]
        {WRONG_SIGN} \\tag{{9}}
        """)
    (f,) = [f for f in findings(r, "9") if f.severity == "error"]
    assert (f.code, f.suppressed) == ("DV102", True)
    e = next(e for e in r.equations if e.id == "9")
    assert e.verdict == "mismatch" and e.accepted           # the verdict stays what it is
    assert Report((r,)).exit_code == 0
    assert "DV906" not in {f.code for f in findings(r, "9")}


def test_a_trailing_suppression_of_another_code_accepts_nothing_and_says_so(tmp_path):
    r = run(tmp_path, f"""
        % derive: claim
        {WRONG_SIGN} \\tag{{9}} % derive: ignore[DV103]
        """)
    fs = findings(r, "9")
    assert not any(f.suppressed for f in fs)
    (unused,) = [f for f in fs if f.code == "DV906"]
    assert (unused.kind, unused.severity) == ("unused-suppression", "warning")
    assert "ignore[DV103]" in unused.message
    assert Report((r,)).exit_code == 1


def test_an_unused_suppression_on_a_right_formula(tmp_path):
    r = run(tmp_path, r"""
        % derive: ignore[DV102]
        % derive: claim
        \frac{\partial L}{\partial w} = (a - y) x \tag{9}
        """)
    e = next(e for e in r.equations if e.id == "9")
    assert e.verdict == "verified"
    assert [f.code for f in e.findings] == ["DV906"]


def test_a_markdown_suppression(tmp_path):
    folder = tmp_path / "md"
    shutil.copytree(EQUATIONS / "ch08-markdown", folder)
    md = folder / "ch08.md"
    lines = md.read_text(encoding="utf-8").splitlines()
    at = next(k for k, line in enumerate(lines) if r"\tag{8-14}" in line)
    opener = at - 1 if lines[at - 1].strip() == "$$" else at
    lines.insert(opener, "<!-- derive: ignore[DV202] -->")
    md.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (r,) = check([str(folder)], numeric=False).chapters
    e = next(e for e in r.equations if e.id == "8-14")
    dv202 = [f for f in findings(r, "8-14") if f.code == "DV202"]
    assert dv202 and all(f.suppressed for f in dv202)
    assert e.accepted
    others = [e for e in r.equations if e.verdict == "inconsistent" and e.id != "8-14"]
    assert others and not any(e.accepted for e in others)   # one equation only


def _notebook_with(tmp_path, formula: str, above: str | None):
    """The notebook of tests/books with 2.9.8 replaced by ``formula``, and the comment
    ``above`` on the line before it, in its markdown cell."""
    import json
    source = EQUATIONS.parent / "tests" / "books" / "notebook-logistic-regression-zh"
    nb = json.loads((source / "chapter.ipynb").read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if r"\tag{2.9.8}" in "".join(c["source"]))
    lines = "".join(cell["source"]).splitlines()
    at = next(k for k, line in enumerate(lines) if r"\tag{2.9.8}" in line)
    lines[at] = f"$${formula} \\tag{{2.9.8}}$$"
    if above is not None:
        lines.insert(at, above)
    cell["source"] = [line + "\n" for line in lines]
    folder = tmp_path / "nb"
    folder.mkdir(parents=True)
    (folder / "chapter.ipynb").write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    (r,) = check([str(folder / "chapter.ipynb")], numeric=False).chapters
    return next(e for e in r.equations if e.id == "2.9.8")


NEGATED = r"\frac{dL(a,y)}{da}=y/a-(1-y)/(1-a)"


def test_a_suppression_in_a_notebook_cell(tmp_path):
    e = _notebook_with(tmp_path, NEGATED, None)
    assert [(f.code, f.suppressed) for f in e.all_findings] == [("DV102", False)]
    e = _notebook_with(tmp_path / "1", NEGATED, "<!-- derive: ignore[DV102] -->")
    assert [(f.code, f.suppressed) for f in e.all_findings] == [("DV102", True)]
    assert e.verdict == "mismatch" and e.accepted
    e = _notebook_with(tmp_path / "2", NEGATED, "<!-- derive: ignore[DV103] -->")
    unused = [f for f in e.all_findings if f.code == "DV906"]
    assert len(unused) == 1 and " of cell 4 " in unused[0].message
    assert not any(f.suppressed for f in e.all_findings)


def test_a_chapter_wide_suppression_accepts_a_code_everywhere_in_the_chapter(tmp_path):
    folder = tmp_path / "seed"
    shutil.copytree(EQUATIONS / "ch08-two-layer-bce", folder)
    tex = folder / "chapter.tex"
    tex.write_text("% derive: ignore-chapter[DV202, DV204]\n" + tex.read_text(encoding="utf-8"),
                   encoding="utf-8")
    (r,) = check([str(folder)], numeric=False).chapters
    # the chapter-level findings that name no equation (mixed conventions, notation)...
    assert {f.code for f in r.findings if f.equation is None} >= {"DV202", "DV204"}
    assert all(f.suppressed for f in r.findings if f.code in ("DV202", "DV204"))
    # ... and 8-14's own DV202; the other codes stay as they were
    e = next(e for e in r.equations if e.id == "8-14")
    assert [(f.code, f.suppressed) for f in e.all_findings if f.severity == "error"] == \
        [("DV202", True)] and e.accepted
    assert not any(f.suppressed for e in r.equations for f in e.all_findings
                   if f.code in ("DV201", "DV111"))
    assert "DV906" not in {f.code for f in r.findings}
    assert Report((r,)).exit_code == 1            # DV201 and DV111 still fail it


def test_an_unused_chapter_wide_suppression_is_reported_with_its_place(tmp_path):
    folder = tmp_path / "md"
    shutil.copytree(EQUATIONS / "ch08-markdown", folder)
    md = folder / "ch08.md"
    lines = md.read_text(encoding="utf-8").splitlines()
    lines.insert(3, "<!-- derive: ignore-chapter[DV103] -->")
    md.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (r,) = check([str(folder)], numeric=False).chapters
    (unused,) = [f for f in r.findings if f.code == "DV906"]
    assert "ignore-chapter[DV103] on line 4 of ch08.md accepts nothing" in unused.message
    assert unused.severity == "warning" and not any(f.suppressed for f in r.findings)
