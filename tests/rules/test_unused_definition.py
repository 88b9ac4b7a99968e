"""DV206 unused-definition: a defined quantity the loss does not depend on."""
from rule_cases import FORWARD, MANIFEST, all_codes, findings, run

CLAIM = r"""
    % derive: claim
    \frac{\partial L}{\partial w} = (a - y) x \tag{2}
    """


def test_a_definition_the_loss_never_reaches(tmp_path):
    forward = FORWARD.replace("% derive: graph", "% derive: definition\nh = \\tanh(z)\n"
                              "% derive: graph")
    manifest = MANIFEST.replace('p = { role = "constant" }',
                                'p = { role = "constant" }\nh = { role = "activation" }')
    r = run(tmp_path, CLAIM, forward=forward, manifest=manifest)
    defn = next(e for e in r.equations if e.latex.startswith("h ="))
    (f,) = findings(r, defn.id)
    assert (f.code, f.kind, f.severity) == ("DV206", "unused-definition", "warning")
    assert "does not depend on h" in f.message
    assert next(e for e in r.equations if e.id == "2").verdict == "verified"


def test_every_definition_on_the_loss_path_is_used(tmp_path):
    assert "DV206" not in all_codes(run(tmp_path, CLAIM))
