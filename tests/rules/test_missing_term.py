"""DV106 missing-term: one term left out."""
from rule_cases import DZ, claim, codes, findings
from test_diagnosis import fix_verifies


def test_a_missing_label_term(tmp_path):
    r = claim(tmp_path, "a", lhs=DZ)
    (f,) = findings(r, "9")
    assert (f.code, f.kind) == ("DV106", "missing-term") and "y" in f.message
    fix_verifies(tmp_path, DZ, f.suggestion)


def test_not_reported_on_the_whole_gradient(tmp_path):
    assert codes(claim(tmp_path, "a - y", lhs=DZ), "9") == set()
