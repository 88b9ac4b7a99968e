"""DV101 mismatch: no single change explains it; a chain step after a wrong side."""
from rule_cases import claim, codes, findings, verdict


def test_no_small_change_explains_it_and_the_derived_gradient_is_offered(tmp_path):
    r = claim(tmp_path, r"\log(a) + x y + b")
    assert verdict(r, "9") == "mismatch"
    (f,) = [f for f in findings(r, "9") if f.severity == "error"]
    assert (f.code, f.kind) == ("DV101", "mismatch") and f.suggestion


def test_a_step_after_a_wrong_side_is_a_chain_step(tmp_path):
    r = claim(tmp_path, "2 (a - y) x = (a - y) x")
    link_codes = [{f.code for f in link.findings}
                  for link in next(e for e in r.equations if e.id == "9").links]
    assert link_codes == [{"DV103"}, {"DV101"}]


def test_not_reported_on_a_correct_chain(tmp_path):
    assert "DV101" not in codes(claim(tmp_path, "(a - y) x = x (a - y)"), "9")
