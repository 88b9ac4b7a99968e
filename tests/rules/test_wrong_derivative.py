"""DV109 wrong-derivative: the side is the loss's derivative by another variable."""
from rule_cases import claim, codes, findings


def test_the_loss_gradient_under_a_local_derivative(tmp_path):
    r = claim(tmp_path, "(a - y) x", lhs=r"\frac{\partial z}{\partial w}")
    fs = findings(r, "9")                 # on the equation and on its link
    assert fs and {(f.code, f.kind) for f in fs} == {("DV109", "wrong-derivative")}
    assert r"\frac{\partial L}{\partial w}" in fs[0].message


def test_not_reported_on_the_named_derivative(tmp_path):
    assert codes(claim(tmp_path, "x", lhs=r"\frac{\partial z}{\partial w}"), "9") == set()
