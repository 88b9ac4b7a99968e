"""DV105 extra-factor: one small factor too many."""
from rule_cases import DW, claim, codes, findings, verdict
from test_diagnosis import fix_verifies


def test_an_extra_weight_factor(tmp_path):
    r = claim(tmp_path, "(a - y) x w")
    assert verdict(r, "9") == "mismatch"
    (f,) = findings(r, "9")
    assert (f.code, f.kind, f.message) == ("DV105", "extra-factor", "extra factor w")
    fix_verifies(tmp_path, DW, f.suggestion)


def test_not_reported_without_it(tmp_path):
    assert "DV105" not in codes(claim(tmp_path, "(a - y) x"), "9")
