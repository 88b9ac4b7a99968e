"""DV302 missing-transpose: on one matrix, or on the whole side."""
from rule_cases import codes, findings, matrix


def test_a_missing_transpose_and_a_transposed_result(tmp_path):
    r = matrix(tmp_path, r"""
        % derive: claim
        dZ^{[1]} = W^{[2]} dZ^{[2]} \odot (1 - A^{[1]2}) \tag{M1}
        % derive: claim
        dW^{[2]} = \frac{1}{m} A^{[1]} dZ^{[2]T} \tag{M2}
        """, numeric=False)
    (f1,) = findings(r, "M1")
    assert (f1.code, f1.kind) == ("DV302", "missing-transpose")
    assert f1.message.endswith("missing transpose on W^{[2]}")
    (f2,) = findings(r, "M2")
    assert f2.code == "DV302" and "whole right side" in f2.message


def test_the_transposed_weight_is_not_reported(tmp_path):
    r = matrix(tmp_path, r"""
        % derive: claim
        dZ^{[1]} = W^{[2]T} dZ^{[2]} \odot (1 - A^{[1]2}) \tag{M1}
        """, numeric=False)
    assert codes(r, "M1") == set()
