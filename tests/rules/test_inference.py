"""DV905 inference: a chapter without a manifest says what was inferred."""
from derive.driver import check_chapter
from rule_cases import EQUATIONS

DOC = r"""# Logistic regression

The unit computes $z = w x + b$ and $a = \sigma(z)$, with the loss

$$L = -(y \log a + (1 - y) \log(1 - a))$$

Its gradient is

$$\frac{\partial L}{\partial w} = (a - y) x$$
"""


def test_what_was_inferred_is_reported(tmp_path):
    doc = tmp_path / "chapter.md"
    doc.write_text(DOC, encoding="utf-8")
    r = check_chapter(doc, numeric=False)
    inferred = [f for f in r.findings if f.code == "DV905"]
    assert inferred and all(f.kind == "inference" and f.severity == "info" for f in inferred)
    assert all(f.message.startswith("inferred ") for f in inferred)


def test_a_chapter_with_its_manifest_infers_nothing():
    r = check_chapter(EQUATIONS / "logreg-batch" / "manifest.toml", numeric=False)
    assert not [f for f in r.findings if f.code == "DV905"]
