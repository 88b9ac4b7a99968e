"""DV306 missing-sum: a bias gradient with one column per sample."""
from rule_cases import codes, findings, matrix


def test_a_bias_gradient_without_the_sum_over_the_samples(tmp_path):
    r = matrix(tmp_path, r"""
        % derive: claim
        db^{[1]} = \frac{1}{m} dZ^{[1]} \tag{B1}
        """, numeric=False)
    (f,) = findings(r, "B1")
    assert (f.code, f.kind) == ("DV306", "missing-sum") and "one column per sample" in f.message
    assert r"\sum_{i=1}^{m}" in f.suggestion


def test_the_summed_form_is_not_reported(tmp_path):
    r = matrix(tmp_path, r"""
        % derive: claim
        db^{[1]} = \frac{1}{m} \sum_{i=1}^{m} dZ^{[1](i)} \tag{B1}
        """, numeric=False)
    assert codes(r, "B1") == set()
