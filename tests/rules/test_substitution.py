"""DV108 substitution: one variable in place of another."""
from rule_cases import DW, claim, codes, findings
from test_diagnosis import fix_verifies


def test_the_weight_where_the_input_is_meant(tmp_path):
    r = claim(tmp_path, "(a - y) w")
    (f,) = findings(r, "9")
    assert (f.code, f.kind) == ("DV108", "substitution")
    assert f.message == "wrong variable: with x in place of w the formula holds"
    fix_verifies(tmp_path, DW, f.suggestion)


def test_not_reported_with_the_right_variable(tmp_path):
    assert codes(claim(tmp_path, "(a - y) x"), "9") == set()
