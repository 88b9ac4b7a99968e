"""DV103 factor: a constant times the derivative; a sum over the samples without 1/m."""
from rule_cases import DW, claim, codes, findings, matrix, verdict
from test_diagnosis import fix_verifies


def test_twice_the_gradient_names_the_factor_and_its_fix_verifies(tmp_path):
    r = claim(tmp_path, "2 (a - y) x")
    (f,) = findings(r, "9")
    assert (f.code, f.kind) == ("DV103", "factor") and "2 times" in f.message
    fix_verifies(tmp_path, DW, f.suggestion)


def test_a_sum_over_the_samples_without_the_mean_is_a_factor_m(tmp_path):
    r = claim(tmp_path, r"\sum_{i=1}^{m} (a^{(i)} - y^{(i)}) x^{(i)}")
    assert verdict(r, "9") == "mismatch" and codes(r, "9") == {"DV103"}
    assert "1/m of the mean" in findings(r, "9")[0].message


def test_a_matrix_formula_without_its_one_over_m(tmp_path):
    r = matrix(tmp_path, r"""
        % derive: claim
        dW^{[1]} = dZ^{[1]} X^T \tag{F1}
        """, numeric=False)
    (f,) = findings(r, "F1")
    assert f.code == "DV103" and "1/m" in f.message


def test_the_gradient_itself_has_no_factor_finding(tmp_path):
    assert codes(claim(tmp_path, "(a - y) x"), "9") == set()
