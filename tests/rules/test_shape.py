"""DV301 shape: sides of different shapes that no single edit reconciles."""
from rule_cases import codes, findings, matrix, verdict


def test_sides_of_different_shapes(tmp_path):
    r = matrix(tmp_path, r"""
        % derive: claim
        dW^{[2]} = \frac{1}{m} dZ^{[2]} \tag{S1}
        """, numeric=False)
    assert verdict(r, "S1") == "mismatch"
    (f,) = findings(r, "S1")
    assert (f.code, f.kind) == ("DV301", "shape") and "1×3" in f.message and "1×4" in f.message


def test_a_definition_of_another_shape_than_declared(tmp_path):
    folder_result = matrix(tmp_path, "")
    tex = tmp_path / "tanh" / "chapter.tex"
    tex.write_text(tex.read_text(encoding="utf-8").replace(
        "A^{[1]} = \\tanh(Z^{[1]})", "A^{[1]} = \\tanh(Z^{[1]})^T"), encoding="utf-8")
    from derive.driver import check_chapter
    r = check_chapter(tmp_path / "tanh" / "manifest.toml", numeric=False)
    defn = next(e for e in r.equations if e.latex.startswith("A^{[1]}"))
    assert any(f.code == "DV301" and "declared 3×4" in f.message for f in defn.findings)
    assert not any(f.code == "DV301" for e in folder_result.equations for f in e.findings)


def test_a_claim_of_the_right_shape_is_not_reported(tmp_path):
    r = matrix(tmp_path, r"""
        % derive: claim
        dZ^{[2]} = A^{[2]} - Y \tag{S2}
        """, numeric=False)
    assert "DV301" not in codes(r, "S2")
