"""DV102 sign, on the logistic unit: ∂L/∂w = (a - y) x."""
from rule_cases import DW, claim, codes, findings, verdict
from test_diagnosis import fix_verifies


def test_negated_gradient_is_a_sign_error_with_a_fix_that_verifies(tmp_path):
    r = claim(tmp_path, "(y - a) x")
    assert verdict(r, "9") == "mismatch" and codes(r, "9") == {"DV102"}
    (f,) = findings(r, "9")
    assert f.kind == "sign" and "negative" in f.message
    fix_verifies(tmp_path, DW, f.suggestion)


def test_the_right_sign_is_not_reported(tmp_path):
    assert "DV102" not in codes(claim(tmp_path, "(a - y) x"), "9")
