"""DV902 timeout: a time limit reached is inconclusive, never a pass or a mismatch."""
import time

from derive.calculus.equivalence import Equivalence
from rule_cases import claim, codes, verdict


def test_a_claim_past_its_time_limit(tmp_path, monkeypatch):
    compare = Equivalence._compare

    def slow(self, a, b):                  # a comparison that uses up the claim's CPU time
        end = time.process_time() + 0.05
        while time.process_time() < end:
            pass
        return compare(self, a, b)
    monkeypatch.setattr(Equivalence, "_compare", slow)
    from derive.driver import check_chapter
    claim(tmp_path, "(a - y) x")            # writes the chapter
    r = check_chapter(tmp_path / "ch" / "manifest.toml", numeric=False, claim_seconds=1e-6)
    assert verdict(r, "9") == "inconclusive" and "DV902" in codes(r, "9")


def test_no_timeout_within_the_limit(tmp_path):
    assert "DV902" not in codes(claim(tmp_path, "(a - y) x"), "9")
