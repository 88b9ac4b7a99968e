"""DV305 product-order: matrix factors in the wrong order."""
from rule_cases import findings, matrix


def test_factors_in_the_order_the_chain_rule_names_them(tmp_path):
    r = matrix(tmp_path, r"""
        % derive: claim
        dW^{[1]} = \frac{1}{m} X^T dZ^{[1]} \tag{O1}
        """, numeric=False)
    (f,) = findings(r, "O1")
    assert (f.code, f.kind) == ("DV305", "product-order") and "order" in f.message
    assert f.suggestion.replace(" ", "") == r"\frac{1}{m}dZ^{[1]}{X}^{T}"
