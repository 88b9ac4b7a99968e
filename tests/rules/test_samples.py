"""DV110 samples: a side that mixes the samples is no per-sample gradient, and read with
the samples kept, not the batch-mean gradient either."""
from rule_cases import claim, codes, findings, verdict


def test_a_product_of_two_sums_over_the_samples(tmp_path):
    r = claim(tmp_path, r"\frac{1}{m}\sum_{i=1}^{m} (a^{(i)} - y^{(i)}) \sum_{i=1}^{m} x^{(i)}")
    assert verdict(r, "9") == "mismatch"
    (f,) = findings(r, "9")
    assert (f.code, f.kind) == ("DV110", "samples") and "per-sample terms" in f.message


def test_the_batch_mean_form_is_not_this_rule(tmp_path):
    r = claim(tmp_path, r"\frac{1}{m}\sum_{i=1}^{m} (a^{(i)} - y^{(i)}) x^{(i)}")
    assert "DV110" not in codes(r, "9")
