"""DV304 misplaced-transpose: the transpose on the other factor."""
from rule_cases import findings, matrix


def test_the_transpose_on_the_wrong_factor(tmp_path):
    r = matrix(tmp_path, r"""
        % derive: claim
        dW^{[1]} = \frac{1}{m} dZ^{[1]T} X \tag{P1}
        """, numeric=False)
    (f,) = findings(r, "P1")
    assert (f.code, f.kind) == ("DV304", "misplaced-transpose")
    assert f.suggestion.replace(" ", "") == r"\frac{1}{m}dZ^{[1]}{X}^{T}"
