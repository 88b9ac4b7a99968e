"""DV901 parse: a block that cannot be read is an error naming the token."""
from rule_cases import claim, findings, verdict


def test_an_unknown_symbol(tmp_path):
    r = claim(tmp_path, "(a - y) q")
    assert verdict(r, "9") == "error"
    (f,) = findings(r, "9")
    assert (f.code, f.kind) == ("DV901", "parse") and "q" in f.message


def test_a_claim_whose_first_side_is_no_derivative_of_the_loss(tmp_path):
    r = claim(tmp_path, "(a - y) x", lhs="w")
    (f,) = findings(r, "9")
    assert f.code == "DV901" and "derivative of the loss" in f.message


def test_a_readable_claim_has_no_parse_finding(tmp_path):
    assert verdict(claim(tmp_path, "(a - y) x"), "9") == "verified"
