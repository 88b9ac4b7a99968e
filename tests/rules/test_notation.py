"""DV204 notation: one quantity written two ways (z and its alias Z)."""
from rule_cases import codes, run


def _chapter(tmp_path, second: str):
    return run(tmp_path, rf"""
        % derive: claim
        \frac{{\partial L}}{{\partial z}} = a - y \tag{{2}}
        % derive: claim
        \frac{{\partial L}}{{\partial b}} = \frac{{\partial L}}{{\partial {second}}} \tag{{3}}
        """)


def test_two_spellings_of_one_quantity(tmp_path):
    r = _chapter(tmp_path, "Z")
    (f,) = [f for f in r.findings if f.code == "DV204"]
    assert f.kind == "notation" and f.severity == "warning"
    assert "Z in 3" in f.message and "z in 2" in f.message
    assert f.suggestion == "write z throughout"


def test_one_spelling_is_not_reported(tmp_path):
    assert "DV204" not in codes(_chapter(tmp_path, "z"))
