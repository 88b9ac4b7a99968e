"""Problems found in review, each reproduced as a small chapter: no traceback, a clear
verdict or a one-line error, and the right reading."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from derive.driver import check_chapter
from derive.cli import main
from derive.errors import InputError

from test_diagnosis import LOGISTIC, run  # noqa: E402  (tests/ is on sys.path)

EQUATIONS = Path(__file__).resolve().parent.parent / "equations"
DW = r"\frac{\partial L}{\partial w}"


def eq(result, eid):
    return next(e for e in result.equations if e.id == eid)


def test_odot_between_scalars_is_a_product(tmp_path):
    r = run(tmp_path, r"""
        % derive: claim
        \frac{\partial L}{\partial z} = (a - y) \odot 1 \tag{2}
        """)
    assert eq(r, "2").verdict == "verified"


def test_sum_with_numeric_limits_in_a_scalar_chapter(tmp_path):
    manifest = LOGISTIC.replace('p = { role = "constant" }',
                                'p = { role = "constant" }\ni = { role = "index" }')
    r = run(tmp_path, rf"""
        % derive: claim
        {DW} = \frac{{1}}{{2}}\sum_{{i=1}}^{{2}} (a - y) x \tag{{2}}
        """, manifest)
    assert eq(r, "2").verdict == "verified"


def test_softmax_in_a_scalar_chapter_is_a_clear_error(tmp_path):
    manifest = LOGISTIC.replace('activation = "sigmoid"', 'activation = "softmax"')
    with pytest.raises(InputError, match="softmax acts on vectors"):
        run(tmp_path, "", manifest)


def test_layer_sizes_without_widths_is_a_clear_error(tmp_path):
    folder = tmp_path / "ch"
    shutil.copytree(EQUATIONS / "nielsen-backprop", folder)
    man = (folder / "manifest.toml").read_text(encoding="utf-8")
    (folder / "manifest.toml").write_text(
        man.replace("widths = [2, 3, 2]", "count = 2"), encoding="utf-8")
    with pytest.raises(InputError, match="has no size"):
        check_chapter(folder / "manifest.toml", numeric=False)


def test_numbered_sample_superscript_is_rejected(tmp_path):
    r = run(tmp_path, rf"""
        % derive: claim
        {DW} = (a - y) x^{{(2)}} \tag{{2}}
        """, numeric=False)
    e = eq(r, "2")
    assert e.verdict == "error" and "index letter" in e.findings[0].message


def test_wrong_shape_definition_is_not_ok_and_claims_are_not_checked(tmp_path):
    folder = tmp_path / "ch"
    shutil.copytree(EQUATIONS / "logreg-vectorized", folder)
    tex = (folder / "chapter.tex").read_text(encoding="utf-8")
    (folder / "chapter.tex").write_text(tex.replace("Z = w^T X + b", "Z = X^T w + b"),
                                        encoding="utf-8")
    r = check_chapter(folder / "manifest.toml", numeric=False)
    assert eq(r, "Z").verdict == "mismatch"
    assert all(e.verdict == "inconclusive" for e in r.equations if e.kind == "claim")


def test_non_scalar_cost_says_so(tmp_path):
    folder = tmp_path / "ch"
    shutil.copytree(EQUATIONS / "logreg-vectorized", folder)
    tex = (folder / "chapter.tex").read_text(encoding="utf-8")
    bad = r"J = -\frac{1}{m}\left(Y \odot \log A + (1 - Y) \odot \log(1 - A)\right)"
    start = tex.index("J = ")
    end = tex.index("\n", start)
    (folder / "chapter.tex").write_text(tex[:start] + bad + tex[end:], encoding="utf-8")
    with pytest.raises(InputError, match="the cost must be a scalar"):
        check_chapter(folder / "manifest.toml", numeric=False)


def test_batch_mean_chapter_reports_a_per_sample_claim_as_inconsistent(tmp_path):
    manifest = LOGISTIC.replace('loss = "per-sample"', 'loss = "batch-mean"')
    r = run(tmp_path, rf"""
        % derive: claim
        {DW} = (a - y) x \tag{{2}}
        % derive: claim
        {DW} = \frac{{1}}{{m}}(a - y) x \tag{{3}}
        """, manifest)
    assert eq(r, "2").verdict == "inconsistent"      # numeric route agrees: not inconclusive
    assert eq(r, "3").verdict == "verified"


def test_cli_many_paths_one_bad(tmp_path, capsys):
    code = main(["check", str(EQUATIONS / "logreg-vectorized"), str(tmp_path / "nope"),
                 "--no-numeric", "-q"])
    err = capsys.readouterr().err
    assert code == 2 and "nope" in err and "Traceback" not in err


def test_softmax_of_a_scalar_is_an_error_not_a_traceback(tmp_path):
    # the numeric route raised KeyError('softmax'); the symbolic one proposed
    # softmax(a) - y as a fix
    r = run(tmp_path, r"""
        % derive: claim
        \frac{\partial L}{\partial z} = \mathrm{softmax}(z) - y \tag{2}
        """)
    e = eq(r, "2")
    assert e.verdict == "error" and "softmax" in e.findings[0].message
