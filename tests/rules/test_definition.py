"""DV201 definition: a forward definition that does not use what the stated graph says."""
from rule_cases import FORWARD, codes, findings, run, verdict

CLAIM = r"""
    % derive: claim
    \frac{\partial L}{\partial w} = (a - y) x \tag{2}
    """


def test_a_definition_using_another_variable_than_the_graph(tmp_path):
    wrong = FORWARD.replace(r"a = \sigma(z)", r"a = \sigma(x)")
    r = run(tmp_path, CLAIM, forward=wrong)
    defn = next(e for e in r.equations if e.kind == "definition" and "(x)" in e.latex)
    fs = findings(r, defn.id)
    assert {(f.code, f.severity) for f in fs} == {("DV201", "error"), ("DV201", "info")}
    error = next(f for f in fs if f.severity == "error")
    assert "uses x" in error.message and error.suggestion.replace(" ", "") == r"a=\sigma(z)"
    assert verdict(r, defn.id) == "inconsistent"
    assert verdict(r, "2") == "verified"          # derived from the graph's definition


def test_a_definition_that_fits_the_graph_is_not_reported(tmp_path):
    r = run(tmp_path, CLAIM)
    assert not any("DV201" in codes(r, e.id) for e in r.equations)
