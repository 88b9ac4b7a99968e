"""DV112 update: an update rule that adds the gradient climbs the loss."""
from rule_cases import codes, findings, run


def _update(tmp_path, sign: str):
    return run(tmp_path, rf"""
        % derive: update
        w^{{(new)}} = w^{{(old)}} {sign} \eta (a - y) x \tag{{u}}
        """)


def test_gradient_ascent_is_an_error(tmp_path):
    r = _update(tmp_path, "+")
    errors = [f for f in findings(r, "u") if f.severity == "error"]
    assert [(f.code, f.kind) for f in errors] == [("DV112", "update")]
    assert "ascent" in errors[0].message


def test_a_descent_step_has_only_the_info_note(tmp_path):
    r = _update(tmp_path, "-")
    assert codes(r, "u") == {"DV112"}
    assert all(f.severity == "info" for f in findings(r, "u"))
