"""DV203 caption: a caption naming another role or another quantity than its equation."""
from rule_cases import codes, findings, run

CLAIMS = r"""
    % derive: claim
    \frac{\partial L}{\partial z} = a - y \tag{2}
    % derive: claim
    \frac{\partial L}{\partial w} = (a - y) x \tag{3}
    % derive: caption 2
    CAPTION2
    % derive: caption 3
    Gradient of the loss with respect to the weight w
    """


def test_a_caption_calling_a_weighted_input_an_activation(tmp_path):
    r = run(tmp_path, CLAIMS.replace("CAPTION2", "Derivative with respect to the activation z"))
    (f,) = [f for f in findings(r, "2") if f.code == "DV203"]
    assert f.severity == "warning" and "weighted input" in f.message
    assert f.suggestion == "Derivative with respect to the weighted input z"


def test_a_caption_about_another_quantity(tmp_path):
    r = run(tmp_path, CLAIMS.replace("CAPTION2", "Derivative with respect to the weight w"))
    assert any(f.code == "DV203" and "is about z" in f.message for f in findings(r, "2"))


def test_a_caption_for_no_equation(tmp_path):
    r = run(tmp_path, CLAIMS.replace("CAPTION2", "x").replace("caption 3", "caption 7"))
    assert any(f.code == "DV203" and f.equation == "7" for f in r.findings)


def test_right_captions_are_not_reported(tmp_path):
    r = run(tmp_path, CLAIMS.replace("CAPTION2", "Derivative with respect to the weighted input z"))
    assert "DV203" not in codes(r, "2") | codes(r, "3") | codes(r)
