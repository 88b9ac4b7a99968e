"""DV111 argument-order: L(a, y) called where L(y, a) is defined."""
from rule_cases import codes, run


def test_swapped_arguments_are_inconsistent_not_wrong(tmp_path):
    r = run(tmp_path, r"""
        % derive: claim
        \frac{\partial L}{\partial a} = \frac{d}{da}L(a, y) = -\frac{y}{a} + \frac{1-y}{1-a} \tag{2}
        """)
    e = next(e for e in r.equations if e.id == "2")
    first = e.links[0]
    assert first.verdict == "inconsistent"
    assert [(f.code, f.kind) for f in first.findings] == [("DV111", "argument-order")]
    assert "(y,a" in first.findings[0].suggestion.replace(" ", "")


def test_the_defined_order_is_not_reported(tmp_path):
    r = run(tmp_path, r"""
        % derive: claim
        \frac{\partial L}{\partial a} = \frac{d}{da}L(y, a) = -\frac{y}{a} + \frac{1-y}{1-a} \tag{2}
        """)
    assert "DV111" not in codes(r, "2")
