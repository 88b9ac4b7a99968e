"""Bad input through the command line: exit code 2 and one located line on stderr, never a
traceback; plus the 0/1 exit codes on a tiny chapter written here."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from derive.cli import main

MANIFEST = r"""[chapter]
title = "tiny"

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
"""

CLAIM_LINE = 8
CHAPTER = r"""% derive: definition
z = w x + b
% derive: definition
a = \sigma(z)
% derive: definition
L(y, a) = -(y \log a + (1-y)\log(1-a))
% derive: claim
\frac{\partial L}{\partial w} = CLAIM \tag{1}
"""


def write_chapter(root: Path, claim: str = "(a - y) x", manifest: str = MANIFEST,
                  chapter: str | None = None) -> Path:
    folder = root / "ch01"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "manifest.toml").write_text(manifest, encoding="utf-8")
    text = chapter if chapter is not None else CHAPTER.replace("CLAIM", claim)
    (folder / "chapter.tex").write_text(text, encoding="utf-8")
    return folder


def run(argv, capsys):
    """main(argv) -> (exit code, stdout, stderr); usage errors exit through SystemExit."""
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    assert "Traceback" not in out and "Traceback" not in err
    return code, out, err


def error_lines(err: str) -> list[str]:
    return [ln for ln in err.splitlines() if ln.strip()]


# --- exit 0 and 1 -----------------------------------------------------------------------

def test_correct_chapter_exits_0(tmp_path, capsys):
    folder = write_chapter(tmp_path)
    code, out, err = run(["check", "--no-numeric", folder], capsys)
    assert code == 0
    assert err == ""


def test_correct_chapter_exits_0_with_numeric_checks(tmp_path, capsys):
    folder = write_chapter(tmp_path)
    code, _, err = run(["check", folder], capsys)
    assert code == 0
    assert err == ""


def test_wrong_claim_exits_1(tmp_path, capsys):
    folder = write_chapter(tmp_path, claim="(a - y)")
    code, _, err = run(["check", "--no-numeric", folder], capsys)
    assert code == 1
    assert err == ""          # a wrong formula is a verdict, not an input error


def test_json_report(tmp_path, capsys):
    folder = write_chapter(tmp_path, claim="(a - y)")
    code, out, _ = run(["check", "--no-numeric", "--format", "json", folder], capsys)
    assert code == 1
    report = json.loads(out)
    assert report["version"] == 1
    (chapter,) = report["chapters"]
    verdicts = {e["id"]: e["verdict"] for e in chapter["equations"]}
    assert verdicts["1"] != "verified"
    assert verdicts["z"] == "verified"


def test_json_report_of_correct_chapter_to_file(tmp_path, capsys):
    folder = write_chapter(tmp_path)
    target = tmp_path / "report.json"
    code, out, _ = run(["check", "--no-numeric", "--format", "json", "-o", target, folder],
                       capsys)
    assert code == 0
    report = json.loads(target.read_text(encoding="utf-8"))
    assert report["version"] == 1
    assert report["errors"] == []
    assert all(e["verdict"] == "verified" for e in report["chapters"][0]["equations"])


def test_json_report_of_bad_input_still_parses(tmp_path, capsys):
    missing = tmp_path / "nope"
    code, out, err = run(["check", "--format", "json", missing], capsys)
    assert code == 2
    report = json.loads(out)
    assert report["version"] == 1
    assert len(report["errors"]) == 1 and str(missing) in report["errors"][0]


# --- exit 2: files and folders ----------------------------------------------------------

def test_missing_path(tmp_path, capsys):
    missing = tmp_path / "nope"
    code, _, err = run(["check", "--no-numeric", missing], capsys)
    assert code == 2
    (line,) = error_lines(err)
    assert str(missing) in line


def test_folder_without_manifest(tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = run(["check", "--no-numeric", empty], capsys)
    assert code == 2
    (line,) = error_lines(err)
    assert str(empty) in line and "manifest" in line


def test_file_that_is_not_a_manifest(tmp_path, capsys):
    folder = write_chapter(tmp_path)
    other = folder / "notes.csv"
    other.write_text("a,b\n", encoding="utf-8")
    code, _, err = run(["check", "--no-numeric", other], capsys)
    assert code == 2
    (line,) = error_lines(err)
    assert str(other) in line and "expected a chapter folder" in line
    # the chapter's own file stands for its chapter (the manifest beside it)
    code, _, err = run(["check", "--no-numeric", folder / "chapter.tex"], capsys)
    assert code != 2 and not error_lines(err)


@pytest.mark.parametrize("manifest,words", [
    ("[symbols\nx = 1\n", ["invalid TOML", "manifest.toml:1:"]),
    (MANIFEST + "[extra]\nq = 1\n", ["'extra'"]),
    (MANIFEST.replace('role = "weight"', 'role = "wieght"'), ["symbols.w.role", "wieght"]),
    (MANIFEST.replace("w = {", "w1 = {"), ["symbols.w1", "w_1"]),
    (MANIFEST.replace("[symbols]", '[conventions]\nsamples = "m"\n[symbols]'),
     ["conventions.samples", "'m'"]),
], ids=["toml", "unknown key", "bad role", "w1 not one symbol", "samples undeclared"])
def test_broken_manifest(tmp_path, capsys, manifest, words):
    folder = write_chapter(tmp_path, manifest=manifest)
    code, _, err = run(["check", "--no-numeric", folder], capsys)
    assert code == 2
    (line,) = error_lines(err)
    assert str(folder / "manifest.toml") in line
    for word in words:
        assert word in line


def test_chapter_file_missing(tmp_path, capsys):
    folder = write_chapter(tmp_path, manifest=MANIFEST.replace(
        '[chapter]\n', '[chapter]\nsource = "missing.tex"\n'))
    code, _, err = run(["check", "--no-numeric", folder], capsys)
    assert code == 2
    (line,) = error_lines(err)
    assert str(folder / "missing.tex") in line


def test_no_loss_defined(tmp_path, capsys):
    chapter = CHAPTER.replace(r"L(y, a) = -(y \log a + (1-y)\log(1-a))", "z = z")
    chapter = chapter.replace("% derive: definition\nz = z\n", "")
    folder = write_chapter(tmp_path, chapter=chapter.replace("CLAIM", "(a - y) x"))
    code, _, err = run(["check", "--no-numeric", folder], capsys)
    assert code == 2
    (line,) = error_lines(err)
    assert "chapter.tex" in line and "L" in line


def test_bad_chapter_structure(tmp_path, capsys):
    folder = write_chapter(tmp_path, chapter="z = w x + b\n% derive: definition\nz = w x\n")
    code, _, err = run(["check", "--no-numeric", folder], capsys)
    assert code == 2
    (line,) = error_lines(err)
    assert f"{folder / 'chapter.tex'}:1:" in line


# --- exit 2: formulas -------------------------------------------------------------------

def test_unknown_symbol_in_claim(tmp_path, capsys):
    folder = write_chapter(tmp_path, claim="(a - y) q")
    code, out, err = run(["check", "--no-numeric", folder], capsys)
    assert code == 2
    (line,) = error_lines(err)
    assert f"{folder / 'chapter.tex'}:{CLAIM_LINE}:" in line
    assert "equation 1" in line
    assert "'q'" in line


def test_unknown_symbol_in_definition(tmp_path, capsys):
    folder = write_chapter(tmp_path, chapter=CHAPTER.replace("w x + b", "w x + q")
                           .replace("CLAIM", "(a - y) x"))
    code, _, err = run(["check", "--no-numeric", folder], capsys)
    assert code == 2
    (line,) = error_lines(err)
    assert f"{folder / 'chapter.tex'}:2:" in line
    assert "equation z" in line and "'q'" in line


def test_unknown_function_in_claim(tmp_path, capsys):
    folder = write_chapter(tmp_path, claim="(a - y) g(x)")
    code, _, err = run(["check", "--no-numeric", folder], capsys)
    assert code == 2
    (line,) = error_lines(err)
    assert "equation 1" in line and "'g'" in line


@pytest.mark.parametrize("claim", [r"(a - y) \frac{x", "(a - y) x +", "(a - y x",
                                   "(a - y)'' x", r"(a - y) \partial x"])
def test_unparseable_latex(tmp_path, capsys, claim):
    folder = write_chapter(tmp_path, claim=claim)
    code, _, err = run(["check", "--no-numeric", folder], capsys)
    assert code == 2
    (line,) = error_lines(err)
    assert f"{folder / 'chapter.tex'}:{CLAIM_LINE}:" in line and "equation 1" in line


def test_claim_without_equals(tmp_path, capsys):
    chapter = CHAPTER.replace(r"\frac{\partial L}{\partial w} = CLAIM", r"(a - y) x")
    folder = write_chapter(tmp_path, chapter=chapter)
    code, _, err = run(["check", "--no-numeric", folder], capsys)
    assert code == 2
    (line,) = error_lines(err)
    assert "equation 1" in line


def test_code_in_a_claim_never_runs(tmp_path, capsys):
    target = tmp_path / "pwned"
    folder = write_chapter(tmp_path, claim=f'__import__("os").system("touch {target}")')
    code, _, err = run(["check", "--no-numeric", folder], capsys)
    assert code == 2
    assert "equation 1" in err
    assert not target.exists()


# Regression (fixed in 1eb7c6c): x^T in a claim escaped as KeyError 'dvxTR' (a traceback).
def test_transpose_of_scalar_in_claim(tmp_path, capsys):
    folder = write_chapter(tmp_path, claim="(a - y) x^T")
    code, _, _ = run(["check", "--no-numeric", folder], capsys)
    assert code == 0


# --- exit 2: usage ----------------------------------------------------------------------

@pytest.mark.parametrize("argv", [
    ["check", "--bogus"],
    ["check", "--seed", "abc"],
    ["check", "--format", "xml"],
    ["frobnicate"],
    [],
])
def test_bad_usage(argv, capsys):
    code, out, err = run(argv, capsys)
    assert code == 2
    (line,) = error_lines(err)
    assert line.startswith("derive: error:")
    assert out == ""


def test_unwritable_output(tmp_path, capsys):
    folder = write_chapter(tmp_path)
    code, _, err = run(["check", "--no-numeric", "-o", tmp_path / "no" / "dir" / "r.txt",
                        folder], capsys)
    assert code == 2
    (line,) = error_lines(err)
    assert "cannot write" in line
