"""DV307 size: a formula that holds only at the chapter's sizes (a size written as a number)."""
from rule_cases import codes, matrix, verdict


def test_the_number_of_samples_written_as_a_number(tmp_path):
    r = matrix(tmp_path, r"""
        % derive: claim
        db^{[1]} = \frac{1}{4} \sum_{i=1}^{m} dZ^{[1](i)} \tag{Z1}
        """, numeric=False)
    assert verdict(r, "Z1") == "mismatch" and "DV307" in codes(r, "Z1")


def test_the_size_written_as_its_name_is_not_reported(tmp_path):
    r = matrix(tmp_path, r"""
        % derive: claim
        db^{[1]} = \frac{1}{m} \sum_{i=1}^{m} dZ^{[1](i)} \tag{Z1}
        """, numeric=False)
    assert verdict(r, "Z1") == "verified" and "DV307" not in codes(r, "Z1")
