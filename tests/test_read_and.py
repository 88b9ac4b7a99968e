r"""Two equations in one display joined by "and" (d2l writes
``\frac{\partial J}{\partial L} = 1 \text{ and } \frac{\partial J}{\partial s} = 1``): each
is read on its own; an "and" that does not join two whole equations is refused, never
read as a product. Meanings written by hand."""
from __future__ import annotations

import pytest

import derive
from derive.read import ReadError, read_display, sexpr

# (display, its equations as s-expressions, written by hand)
GOOD = [
    (r"a = b \text{ and } c = d", ["a = b", "c = d"]),
    (r"a = b \mbox{and} c = d", ["a = b", "c = d"]),
    (r"a = b \quad\text{and}\quad c = d + e", ["a = b", "c = (add d e)"]),
    (r"a = b = c \text{ and } d = 2", ["a = b = c", "d = 2"]),
    (r"a = b \text{ and } c = d \text{ and } e = f", ["a = b", "c = d", "e = f"]),
]

# (display, what the refusal names): "and" that joins no two whole equations
BAD = [
    (r"a = b \text{ and } c", r"\text{ and }"),             # "b and c" is no product
    (r"\text{ and } c = d", r"\text{ and }"),                # nothing before it
    (r"f(a = b \text{ and } c = d)", r"\text{ and }"),      # inside a bracket
    (r"a = b \text{ and hence } c = d", r"\text{and hence}"),  # other words: not read
    (r"a \text{ and } b", r"\text{ and }"),
]


def _chains(latex: str) -> list[str]:
    out = []
    for eq in read_display(latex):
        words = [sexpr(eq.sides[0])]
        for relation, side in zip(eq.relations, eq.sides[1:]):
            words += [relation, sexpr(side)]
        out.append(" ".join(words))
    return out


@pytest.mark.parametrize("latex, chains", GOOD)
def test_two_equations_joined_by_and_are_read_each_on_its_own(latex, chains):
    assert _chains(latex) == chains


@pytest.mark.parametrize("latex, construct", BAD)
def test_an_and_that_joins_no_two_equations_is_refused(latex, construct):
    with pytest.raises(ReadError) as caught:
        read_display(latex)
    assert construct in str(caught.value)


def _logistic_document(tmp_path, gradients: str):
    """A Markdown logistic unit whose forward pass is one "and" display, the display
    ``gradients`` (line 7) last; its report."""
    doc = tmp_path / "ch.md"
    doc.write_text("# A logistic unit\n\n"
                   "$$z = w x + b \\text{ and } a = \\sigma(z)$$\n\n"
                   "$$L = -(y \\log a + (1 - y) \\log(1 - a))$$\n\n"
                   f"$${gradients}$$\n", encoding="utf-8")
    (chapter,) = derive.check(doc, numeric=False).chapters
    return chapter


def test_a_document_checks_each_equation_of_an_and_display(tmp_path):
    chapter = _logistic_document(tmp_path, r"\frac{\partial L}{\partial w} = (a - y) x "
                                           r"\text{ and } \frac{\partial L}{\partial b} = a + y")
    verdicts = [(e.kind, e.verdict, e.line) for e in chapter.equations]
    assert verdicts == [("definition", "verified", 3), ("definition", "verified", 3),
                        ("definition", "verified", 5), ("claim", "verified", 7),
                        ("claim", "mismatch", 7)]
    wrong = chapter.equations[-1]
    assert wrong.latex == r"\frac{\partial L}{\partial b} = a + y"
    assert [f.code for f in wrong.all_findings] == ["DV106"]       # missing term - 2 y
    assert wrong.column == 58                  # where the second equation starts


# a comma and a wide space between two derivatives' equations (Bishop 5.67): two equations
COMMA_GOOD = [
    (r"\frac{\partial L}{\partial w} = x, \quad \frac{\partial L}{\partial b} = 1",
     ["(partial L w) = x", "(partial L b) = 1"]),
    (r"\frac{dL}{dw} = x, \qquad \frac{dL}{db} = 1", ["(partial L w) = x", "(partial L b) = 1"]),
    # a comma before an equation number or the end is punctuation, as before
    (r"a = b, \quad (3)", ["a = b"]),
    (r"a = b, \quad", ["a = b"]),
]
COMMA_BAD = [
    r"a_i = b_i, \quad i = 1",                          # a condition, not a definition of i
    r"a = b, \quad c = d",
    r"\frac{\partial L}{\partial w} = x, \quad b = 2",
    r"\frac{\partial L}{\partial w} = x, \quad f(x, \quad y) = 2",   # f(...) is none
    r"\frac{\partial L}{\partial w} = x, y",             # no wide space: a list
]


@pytest.mark.parametrize("latex, chains", COMMA_GOOD)
def test_two_derivatives_separated_by_a_comma_and_a_wide_space(latex, chains):
    assert _chains(latex) == chains


@pytest.mark.parametrize("latex", COMMA_BAD)
def test_any_other_comma_is_refused(latex):
    with pytest.raises(ReadError) as caught:
        read_display(latex)
    assert "cannot read ','" in str(caught.value)


def test_a_document_checks_each_gradient_of_a_comma_display(tmp_path):
    chapter = _logistic_document(tmp_path, r"\frac{\partial L}{\partial w} = (a - y) x, \quad "
                                           r"\frac{\partial L}{\partial b} = a + y.")
    first, wrong = chapter.equations[-2:]
    assert (first.latex, first.verdict) == (r"\frac{\partial L}{\partial w} = (a - y) x",
                                            "verified")
    assert (wrong.verdict, wrong.line, wrong.column) == ("mismatch", 7, 52)
    assert [f.code for f in wrong.all_findings] == ["DV106"]
