"""DV205 cross-check: a bug planted in the chain rule is reported by the second route."""
import derive.calculus.derivation as derivation
from derive.api import clear_caches
from rule_cases import claim, codes


def test_a_wrong_local_partial_is_reported(tmp_path, monkeypatch):
    right = derivation.local_partial

    def planted(model, node, var):          # every local partial doubled: a chain-rule bug
        return 2 * right(model, node, var)
    clear_caches()
    monkeypatch.setattr(derivation, "local_partial", planted)
    try:
        r = claim(tmp_path, "(a - y) x", numeric=False)
    finally:
        clear_caches()
    found = [f for f in r.findings if f.code == "DV205"]
    assert found and all(f.kind == "cross-check" and f.severity == "error" for f in found)


def test_the_chain_rule_as_written_is_confirmed(tmp_path):
    clear_caches()
    assert "DV205" not in codes(claim(tmp_path, "(a - y) x", numeric=False))
