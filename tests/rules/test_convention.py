"""DV202 convention: the batch-mean gradient in a per-sample chapter; a mixed chapter."""
from rule_cases import DB, DW, codes, findings, run
from test_diagnosis import fix_verifies

MEAN = r"\frac{1}{m}\sum_{i=1}^{m} (a^{(i)} - y^{(i)}) x^{(i)}"


def test_a_batch_mean_gradient_in_a_per_sample_chapter(tmp_path):
    r = run(tmp_path, rf"""
        % derive: claim
        {DW} = {MEAN} \tag{{2}}
        """)
    e = next(e for e in r.equations if e.id == "2")
    assert e.verdict == "inconsistent"
    (f,) = findings(r, "2")
    assert (f.code, f.kind) == ("DV202", "convention") and "per-sample" in f.message
    fix_verifies(tmp_path, DW, f.suggestion)


def test_a_chapter_mixing_conventions_gets_one_chapter_finding(tmp_path):
    r = run(tmp_path, rf"""
        % derive: claim
        {DW} = {MEAN} \tag{{2}}
        % derive: claim
        {DB} = a - y \tag{{3}}
        """)
    (mixed,) = [f for f in r.findings if f.code == "DV202"]
    assert "mixes conventions" in mixed.message and "2" in mixed.message


def test_the_chapter_convention_is_not_reported(tmp_path):
    r = run(tmp_path, rf"""
        % derive: claim
        {DW} = (a - y) x \tag{{2}}
        """)
    assert "DV202" not in codes(r, "2") | codes(r)
