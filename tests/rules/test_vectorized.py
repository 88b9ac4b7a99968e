"""DV309 vectorized: a scalar chapter whose batch forms could not be made says so."""
import derive.driver as driver
from derive.errors import CheckTimeout
from rule_cases import claim


def test_a_failed_vectorization_is_reported_not_dropped(tmp_path, monkeypatch):
    def fails(*args, **kwargs):
        raise CheckTimeout("the forms took too long")
    monkeypatch.setattr(driver, "vectorized_forms", fails)
    r = claim(tmp_path, "(a - y) x", numeric=False)
    (f,) = [f for f in r.findings if f.code == "DV309"]
    assert f.kind == "vectorized" and f.severity == "info" and "took too long" in f.message
    assert not r.vectorized


def test_no_finding_when_the_forms_are_made(tmp_path):
    r = claim(tmp_path, "(a - y) x", numeric=False)
    assert r.vectorized and not any(f.code == "DV309" for f in r.findings)
