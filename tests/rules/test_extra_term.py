"""DV107 extra-term: one term too many."""
from rule_cases import DB, claim, codes, findings
from test_diagnosis import fix_verifies


def test_an_extra_term(tmp_path):
    r = claim(tmp_path, "a - y + x", lhs=DB)
    (f,) = findings(r, "9")
    assert (f.code, f.kind, f.message) == ("DV107", "extra-term", "extra term x")
    fix_verifies(tmp_path, DB, f.suggestion)


def test_not_reported_on_the_gradient(tmp_path):
    assert codes(claim(tmp_path, "a - y", lhs=DB), "9") == set()
