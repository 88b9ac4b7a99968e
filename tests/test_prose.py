"""Maths inside messages: derive.prose marks the LaTeX parts of a finding's message, the
report model keeps them, and the HTML (MathML) and Markdown (``$…$``) reports show them
as maths. Expected spans are written by hand."""
from __future__ import annotations

import importlib
import inspect
import pickle
import pkgutil
import re
import string

import pytest

import derive.rules
from derive.prose import Prose, text_of
from derive.report import chapter_from_dict, render_to_string
from derive.report.model import ChapterResult, EquationResult, Finding, Report
from derive.rules.base import Message

# (template, math fields, args, text, the LaTeX parts of the text)
FORMAT = [
    ("missing factor {f}", ("f",), {"f": "x_1"}, "missing factor x_1", ["x_1"]),
    ("no maths at all", (), {}, "no maths at all", []),
    (r"cost $J = \frac{{1}}{{m}}$ here", (), {}, r"cost J = \frac{1}{m} here",
     [r"J = \frac{1}{m}"]),
    ("${lhs} = {rhs}$ uses {uses}", ("uses",), {"lhs": "z", "rhs": "w x", "uses": "x"},
     "z = w x uses x", ["z = w x", "x"]),
    # a field inside $…$ is maths whether or not it is named
    (r"$\partial_{{{v}}} f$ and {v}", (), {"v": "o_t"}, r"\partial_{o_t} f and o_t",
     [r"\partial_{o_t} f"]),
    # an argument that is Prose brings its own spans, shifted
    ("read: {note}", (), {"note": Prose.latex("a^2") + " squared"}, "read: a^2 squared",
     ["a^2"]),
    # a plain str argument not named as maths stays text, LaTeX or not
    ("{detail}", (), {"detail": r"\frac{1}{2}"}, r"\frac{1}{2}", []),
    # blanks around a maths argument are not maths
    ("[{x}]", ("x",), {"x": "  y  "}, "[  y  ]", ["y"]),
    ("{n:>3} done", (), {"n": 7}, "  7 done", []),
]


@pytest.mark.parametrize("template, math, args, text, parts", FORMAT)
def test_format_marks_the_latex_parts(template, math, args, text, parts):
    p = Prose.format(template, math=math, **args)
    assert str(p) == text
    assert [text[a:b] for a, b in p.math] == parts
    # the plain text is what str.format gives (with the $ of the template dropped)
    assert str(p) == template.replace("$", "").format(**args)


def test_operations_that_keep_and_that_drop_the_spans():
    a, b = Prose.latex("a_1"), Prose.latex("b")
    joined = Prose(", ").join([a, "and", b])
    assert str(joined) == "a_1, and, b"
    assert [joined[s:e] for s, e in joined.math] == ["a_1", "b"]
    assert ("x = " + a).math == ((4, 7),)                   # str + Prose is Prose
    assert (a + " + " + b).math == ((0, 3), (6, 7))
    assert list((a + " is " + b).pieces()) == [("a_1", True), (" is ", False), ("b", True)]
    # anything else is a plain str: shown as text, never wrongly as maths
    assert type(str(a)) is str and type(a.upper()) is str and type(f"{a}") is str
    assert Prose.latex("   ").math == () and Prose("").math == ()
    # touching spans are one
    assert (Prose.latex("a") + Prose.latex("b")).math == ((0, 2),)


def test_prose_survives_pickling_and_exceptions():
    p = Prose.format("the index ${i}$ runs over {n}", i="k", n=3)
    back = pickle.loads(pickle.dumps(p))
    assert back == p and back.math == p.math == ((10, 11),)
    assert text_of(ValueError(p)).math == p.math
    assert text_of(ValueError("plain")) == "plain"
    assert text_of(ValueError("a", "b")) == "('a', 'b')"


def _message_classes():
    for info in pkgutil.iter_modules(derive.rules.__path__):
        module = importlib.import_module(f"derive.rules.{info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Message) and cls is not Message and cls.__module__ == \
                    module.__name__:
                yield cls


MESSAGES = sorted(_message_classes(), key=lambda c: (c.code, c.__name__))


def test_there_are_message_classes_to_check():
    assert len(MESSAGES) > 40


@pytest.mark.parametrize("cls", MESSAGES, ids=lambda c: f"{c.code}-{c.__name__}")
def test_every_message_marks_only_fields_it_has(cls):
    fields = {f for _, f, _, _ in string.Formatter().parse(cls.template) if f}
    assert set(cls.math) <= fields, f"{cls.__name__}.math names a field it does not have"
    literal = "".join(lit for lit, *_ in string.Formatter().parse(cls.template))
    assert literal.count("$") % 2 == 0, "an unclosed $ in the template"
    # each field named as maths comes out as a maths part, whatever its value
    values = {f: f"q_{{{k}}}" for k, f in enumerate(sorted(fields))}
    finding = cls(**values).finding()
    parts = [finding.message[a:b] for a, b in finding.math]
    for f in cls.math:
        assert any(values[f] in part for part in parts), f


def test_findings_keep_their_maths_through_json_and_the_cache():
    f = Finding("factor", "missing factor x_1 here", math=((15, 18),))
    assert f.prose.math == ((15, 18),)
    assert f.to_dict()["math"] == [[15, 18]]
    c = ChapterResult("ch.tex", "t", findings=(f,))
    assert chapter_from_dict(c.to_dict()).findings[0].math == ((15, 18),)
    assert "math" not in Finding("sign", "wrong sign").to_dict()     # only when there is any


@pytest.mark.parametrize("spans", [[[0, 99]], [[-1, 2]], [[True, 2]], [["0", "2"]]])
def test_a_report_with_spans_outside_its_message_is_refused(spans):
    d = ChapterResult("ch.tex", "t", findings=(Finding("k", "short"),)).to_dict()
    d["findings"][0]["math"] = spans
    with pytest.raises((ValueError, TypeError)):
        chapter_from_dict(d)


def _report(finding: Finding, eid: str = "8-14") -> Report:
    e = EquationResult(eid, "claim", r"\frac{\partial L}{\partial w} = x", "mismatch", 3,
                       findings=(finding,))
    return Report((ChapterResult("ch.tex", "t", equations=(e,)),))


def _finding(text: str, *maths: str) -> Finding:
    """A finding whose message is ``text``, the parts ``maths`` of it LaTeX."""
    return Finding("convention", text, math=tuple((text.index(m), text.index(m) + len(m))
                                                  for m in maths))


FINDING = _finding(r"holds only for J = \frac{1}{m}\sum_i L^{(i)} (the mean) | x",
                   r"J = \frac{1}{m}\sum_i L^{(i)}")


def test_html_shows_the_maths_of_a_message_as_mathml():
    page = render_to_string(_report(FINDING), "html")
    assert "holds only for <math" in page
    # the message's text outside its maths is escaped text
    assert "(the mean) | x" in page
    # the source is kept as alttext only
    visible = re.sub(r'alttext="[^"]*"', "", page)
    assert r"\frac{1}{m}" not in visible


def test_markdown_writes_the_maths_of_a_message_between_dollars():
    md = render_to_string(_report(FINDING), "markdown")
    assert r"holds only for $J = \frac{1}{m}\sum_i L^{(i)}$ (the mean) \| x" in md
    # in the table of equations too, where a bar would end the cell
    bar = _finding("norm |w| here", "|w|")
    md = render_to_string(_report(bar), "markdown")
    row = next(line for line in md.splitlines() if line.startswith("| [8-14]"))
    assert r"norm $\vert w\vert$ here" in row and row.count(" | ") == 3


@pytest.mark.parametrize("eid, html_math, md", [
    (r"\hat{a}^t", True, r"$\hat{a}^t$"),
    ("Z^{[1]}[2]", True, "$Z^{[1]}$\\[2\\]"),
    ("8-14", False, "8-14"),
    ("eq:loss_fn", False, r"eq:loss\_fn"),
])
def test_equation_ids_that_are_formulas_are_shown_as_maths(eid, html_math, md):
    page = render_to_string(_report(FINDING, eid), "html")
    row = next(line for line in page.splitlines() if line.startswith('<tr class="not-verified'))
    assert row.startswith('<tr class="not-verified"><td><a href="#ch1-eq1-')
    assert ("<math" in row.split("</td>")[0]) is html_math
    assert f"[{md}](#" in render_to_string(_report(FINDING, eid), "markdown")
