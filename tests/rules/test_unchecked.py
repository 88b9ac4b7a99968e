"""DV904 unchecked: what a document holds that derive did not check is listed."""
from derive.driver import check_chapter

DOC = r"""# Logistic regression

The unit computes $z = w x + b$ and $a = \sigma(z)$, with the loss

$$L = -(y \log a + (1 - y) \log(1 - a))$$

Its gradient is

$$\frac{\partial L}{\partial w} = (a - y) x$$

The activation stays inside the unit interval: $$0 < a < 1$$
"""


def test_a_display_that_was_not_checked_is_listed(tmp_path):
    doc = tmp_path / "chapter.md"
    doc.write_text(DOC, encoding="utf-8")
    r = check_chapter(doc, numeric=False)
    unchecked = [f for f in r.findings if f.code == "DV904"]
    assert unchecked and all(f.kind == "unchecked" and f.severity == "info" for f in unchecked)
    assert any("0 < a < 1" in f.message for f in unchecked)


def test_a_document_with_every_display_read_lists_nothing(tmp_path):
    doc = tmp_path / "chapter.md"
    doc.write_text(DOC.split("The activation stays")[0], encoding="utf-8")
    r = check_chapter(doc, numeric=False)
    assert not [f for f in r.findings if f.code == "DV904" and "not checked (line" in f.message]
