"""DV303 extra-transpose."""
from rule_cases import codes, findings, matrix


def test_a_transpose_too_many(tmp_path):
    r = matrix(tmp_path, r"""
        % derive: claim
        dW^{[2]} = \frac{1}{m} dZ^{[2]T} A^{[1]T} \tag{E1}
        """, numeric=False)
    (f,) = findings(r, "E1")
    assert (f.code, f.kind) == ("DV303", "extra-transpose")
    assert f.message.endswith("extra transpose on dZ^{[2]}")


def test_the_right_transposes_are_not_reported(tmp_path):
    r = matrix(tmp_path, r"""
        % derive: claim
        dW^{[2]} = \frac{1}{m} dZ^{[2]} A^{[1]T} \tag{E1}
        """, numeric=False)
    assert codes(r, "E1") == set()
