"""DV310 instances: how many index values an index-notation claim was checked at."""
from derive.driver import check_chapter
from rule_cases import EQUATIONS


def test_each_printed_index_claim_says_where_it_was_checked():
    r = check_chapter(EQUATIONS / "softmax-index" / "manifest.toml", seed=5, numeric=False)
    claims = [e for e in r.equations if e.kind == "claim"]
    notes = {e.id: [f for f in e.findings if f.code == "DV310"] for e in claims}
    assert claims and all(len(n) == 1 for n in notes.values())
    assert all(n[0].severity == "info" and "index values" in n[0].message
               for n in notes.values())


def test_scalar_chapters_have_no_instances(tmp_path):
    r = check_chapter(EQUATIONS / "logreg-batch" / "manifest.toml", numeric=False)
    assert not any(f.code == "DV310" for e in r.equations for f in e.findings)
