"""--fix and --diff (issue 17): each verified correction written into the author's file,
every other byte kept; nothing written when the check did not complete."""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from derive.cli import main

ROOT = Path(__file__).resolve().parent.parent
EQUATIONS = ROOT / "equations"

# planted in logreg-batch by hand: a sign in 2-7, a factor 2 for the mean's 1/m in 2-9
PLANTED = [(r"\frac{\partial z}{\partial b} = a - y", r"\frac{\partial z}{\partial b} = y - a"),
           (r"\frac{\partial J}{\partial w_2} = \frac{1}{m}",
            r"\frac{\partial J}{\partial w_2} = \frac{2}{m}")]


def _copy(tmp_path: Path, name: str) -> Path:
    folder = tmp_path / name
    shutil.copytree(EQUATIONS / name, folder)
    return folder


def _planted(tmp_path: Path) -> Path:
    folder = _copy(tmp_path, "logreg-batch")
    tex = folder / "chapter.tex"
    text = tex.read_text(encoding="utf-8")
    for right, wrong in PLANTED:
        assert text.count(right) == 1
        text = text.replace(right, wrong)
    tex.write_bytes(text.encode("utf-8"))
    return folder


def test_fix_makes_a_chapter_with_planted_errors_check_clean(tmp_path, capsys):
    folder = _planted(tmp_path)
    before = (folder / "chapter.tex").read_text(encoding="utf-8").splitlines()
    # as ruff does, the report and the exit code are those of what remains: nothing
    assert main(["check", str(folder), "--fix", "--no-numeric", "--isolated"]) == 0
    captured = capsys.readouterr()
    assert "2 equations fixed in 1 file; checked again" in captured.err
    assert captured.out.splitlines()[-1].endswith("verified (numeric checks off)")
    after = (folder / "chapter.tex").read_text(encoding="utf-8").splitlines()
    changed = [k for k, (a, b) in enumerate(zip(before, after)) if a != b]
    assert len(before) == len(after) and len(changed) == 2       # only the two formulas
    assert all(after[k].endswith(before[k][before[k].rindex(r"\tag"):]) for k in changed)
    assert main(["check", str(folder), "-q", "--isolated"]) == 0


@pytest.mark.parametrize("name", ["logreg-batch", "two-layer-tanh-vectorized", "softmax-index"])
def test_fix_on_a_correct_chapter_changes_no_byte(tmp_path, name, capsys):
    folder = _copy(tmp_path, name)
    digest = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
    assert main(["check", str(folder), "--fix", "--no-numeric", "--isolated"]) == 0
    assert "0 equations fixed in 0 files" in capsys.readouterr().err
    assert digest == {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
                      for p in folder.iterdir()}


def test_diff_shows_the_fixes_and_writes_nothing(tmp_path, capsys):
    folder = _planted(tmp_path)
    original = (folder / "chapter.tex").read_bytes()
    assert main(["check", str(folder), "--diff", "--no-numeric", "--isolated"]) == 1
    out = capsys.readouterr().out
    assert (folder / "chapter.tex").read_bytes() == original
    removed = [line[1:] for line in out.splitlines() if line.startswith("-") and
               not line.startswith("---")]
    added = [line[1:] for line in out.splitlines() if line.startswith("+") and
             not line.startswith("+++")]
    assert len(removed) == len(added) == 2
    assert r"= y - a \tag{2-7}" in removed[0] and r"= a - y \tag{2-7}" in added[0]
    assert r"\frac{2}{m}" in removed[1] and r"\frac{1}{m}" in added[1]


def test_nothing_is_written_when_the_check_did_not_complete(tmp_path, capsys):
    folder = _planted(tmp_path)
    tex = folder / "chapter.tex"
    tex.write_text(tex.read_text(encoding="utf-8")
                   + "\n% derive: claim\n\\frac{\\partial L}{\\partial b} = a -- \\tag{9-9}\n",
                   encoding="utf-8")
    original = tex.read_bytes()
    assert main(["check", str(folder), "--fix", "--no-numeric", "--isolated"]) == 2
    err = capsys.readouterr().err
    assert "not fixed: the check did not complete" in err
    assert tex.read_bytes() == original


def test_a_formula_written_with_a_macro_is_left_as_it_is(tmp_path, capsys):
    # ch08-latex writes 8-14 with \pd{L}{a_2}: the text in the file is not the formula read
    folder = _copy(tmp_path, "ch08-latex")
    tex = folder / "ch08.tex"
    assert main(["check", str(tex), "--diff", "--no-numeric", "--isolated"]) == 1
    captured = capsys.readouterr()
    assert "8-14: not fixed: the file's text is not the formula as read" in captured.err
    assert r"\tag{8-14}" not in captured.out


def test_windows_line_endings_are_kept(tmp_path, capsys):
    folder = _planted(tmp_path)
    tex = folder / "chapter.tex"
    tex.write_bytes(tex.read_bytes().replace(b"\n", b"\r\n"))
    assert main(["check", str(folder), "--fix", "--no-numeric", "--isolated"]) == 0
    data = tex.read_bytes()
    assert data.count(b"\r\n") == data.count(b"\n") > 20
    assert main(["check", str(folder), "-q", "--isolated"]) == 0


def test_a_symlinked_chapter_file_stays_a_symlink(tmp_path, capsys):
    folder = _planted(tmp_path)
    real = tmp_path / "elsewhere.tex"
    (folder / "chapter.tex").rename(real)
    (folder / "chapter.tex").symlink_to(real)
    assert main(["check", str(folder), "--fix", "--no-numeric", "--isolated",
                 "--allow-outside"]) == 0
    assert (folder / "chapter.tex").is_symlink()
    assert r"= a - y \tag{2-7}" in real.read_text(encoding="utf-8")


def test_fix_reports_what_remains_and_fails_on_it(tmp_path, capsys):
    # ch08-latex writes 8-12 and 8-14 with a macro, so they are not fixed; z_2 is
    folder = _copy(tmp_path, "ch08-latex")
    tex = folder / "ch08.tex"
    assert main(["check", str(tex), "--fix", "--no-numeric", "--isolated", "-f", "concise"]) == 1
    captured = capsys.readouterr()
    assert "1 equation fixed in 1 file; checked again" in captured.err
    assert "8-12: not fixed" in captured.err and "8-14: not fixed" in captured.err
    codes = {line.split(": ")[1].split()[0] for line in captured.out.splitlines()[:-1]}
    assert "DV201" not in codes                      # z_2 = w_2 a_1 + b_2 now
    assert {"DV111", "DV202"} <= codes               # what remains, in the report



def test_a_fix_keeps_the_authors_spelling_of_a_quantity(tmp_path, capsys):
    # the seed chapter writes Z_2 in its claims (an alias of z_2): the fix of 8-14 too
    folder = _copy(tmp_path, "ch08-two-layer-bce")
    assert main(["check", str(folder), "--fix", "--no-numeric", "--isolated", "-q"]) == 0
    line = next(x for x in (folder / "chapter.tex").read_text(encoding="utf-8").splitlines()
                if x.endswith(r"\tag{8-14}"))
    assert r"= a_{1} \frac{\partial L}{\partial Z_2} = a_{1} \left(a_{2} - y\right)" in line
    assert "z_{2}" not in line and r"\frac{1}{m}" not in line
