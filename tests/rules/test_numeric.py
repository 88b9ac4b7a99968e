"""DV903 numeric: when the NumPy route disagrees with the proof, no verdict is given."""
from derive.calculus.numeric import NumericRoute
from rule_cases import claim, codes, findings, verdict


def test_a_planted_numeric_disagreement_leaves_a_proved_claim_open(tmp_path, monkeypatch):
    side = NumericRoute.side

    def off(self, expr, draw):              # the numeric route's sides all 10 % off
        return 1.1 * side(self, expr, draw)
    monkeypatch.setattr(NumericRoute, "side", off)
    r = claim(tmp_path, "(a - y) x")
    assert verdict(r, "9") == "inconclusive"
    assert any(f.code == "DV903" and "disagree" in f.message for f in findings(r, "9"))


def test_agreeing_routes_give_the_verdict(tmp_path):
    r = claim(tmp_path, "(a - y) x")
    assert verdict(r, "9") == "verified" and "DV903" not in codes(r, "9")
