"""DV104 missing-factor: one small factor left out (scalar), f'(Z) left out (matrix)."""
from rule_cases import DW, claim, codes, findings, matrix
from test_diagnosis import fix_verifies


def test_a_missing_input_factor(tmp_path):
    r = claim(tmp_path, "a - y")
    (f,) = findings(r, "9")
    assert (f.code, f.kind, f.message) == ("DV104", "missing-factor", "missing factor x")
    fix_verifies(tmp_path, DW, f.suggestion)


def test_a_missing_elementwise_factor_in_matrix_notation(tmp_path):
    r = matrix(tmp_path, r"""
        % derive: claim
        dZ^{[1]} = W^{[2]T} dZ^{[2]} \tag{F2}
        """, numeric=False)
    (f,) = findings(r, "F2")
    assert f.code == "DV104" and r"\tanh'" in f.message


def test_not_reported_when_the_factor_is_there(tmp_path):
    assert codes(claim(tmp_path, "x (a - y)"), "9") == set()
