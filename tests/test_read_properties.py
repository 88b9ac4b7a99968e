"""Properties of the reader that do not trust its own tree: every token matters, tails after
breaks and brackets are never ignored, printed readings read back the same, and nothing
but a ReadError ever comes out. They run over every formula the suite accepts (the
bundled chapters, the soundness chapters, the documentation's table, the corpus of
textbook formulas, the reading tables of the other tests) and over generated
textbook-like formulas (Hypothesis)."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from derive.read.manifest import load_manifest
from derive.model.chapter import build_vocabulary
from derive.read import Lexicon, ReadError, read_display
from derive.read.source import load_chapter
from read_properties import deletions, round_trip, tails

ROOT = Path(__file__).resolve().parent.parent


def chapter_formulas():
    """(text, lexicon, where) for every definition and claim of every chapter we ship."""
    out = []
    for manifest in sorted([*ROOT.glob("equations/*/manifest.toml"),
                            *ROOT.glob("tools/corpus/*/manifest.toml")]):
        m = load_manifest(manifest)
        lexicon = build_vocabulary(m).lexicon()
        functions = set(lexicon.functions)
        for item in load_chapter(m.source_path()):
            if item.kind in ("definition", "claim"):
                head = item.body.split("=")[0].strip()
                if "(" in head:                      # L(y, a) = ...: L is a function
                    functions.add(head.split("(")[0].strip())
        lexicon = Lexicon(lexicon.names, frozenset(functions), lexicon.indices,
                          lexicon.plain, lexicon.parenthesised, lexicon.star, lexicon.sizes)
        for item in load_chapter(m.source_path()):
            if item.kind in ("definition", "claim") and "[l" not in item.body:
                out.append((item.body, lexicon, f"{manifest.parent.name}:{item.id}"))
    return out


def doc_formulas():
    from test_read_notation import READINGS, lexicon
    return [(latex, lexicon(conv), f"docs:{latex}") for latex, conv, _ in READINGS]


def corpus_formulas():
    from corpus.entries import ENTRIES
    from corpus.lexicons import LEXICONS
    return [(e.latex, LEXICONS[e.lexicon], f"corpus:{e.id}") for e in ENTRIES if e.chains]


def table_formulas():
    """The reading tables of the other tests (test_latex.PLAIN, test_read.DISPLAYS)."""
    from test_latex import PLAIN, vocab
    from test_read import DISPLAYS, LEX
    lexicon = vocab().lexicon()
    return [(latex, lexicon, f"table:{latex}") for latex, _ in PLAIN] + \
        [(latex, LEX, f"table:{latex}") for latex, expected in DISPLAYS if expected]


ACCEPTED = chapter_formulas() + doc_formulas() + corpus_formulas() + table_formulas()
IDS = [a[2] for a in ACCEPTED]


def test_the_suite_has_formulas_from_every_origin():
    origins = {i.split(":")[0].split("-")[0] for i in IDS}
    assert {"docs", "ch08", "logreg", "corpus", "table"} <= origins
    assert len(ACCEPTED) >= 150


@pytest.mark.parametrize("text,lexicon,where", ACCEPTED, ids=IDS)
def test_every_token_matters(text, lexicon, where):
    assert deletions(text, lexicon) == []


@pytest.mark.parametrize("text,lexicon,where", ACCEPTED, ids=IDS)
def test_no_tail_is_ignored(text, lexicon, where):
    assert tails(text, lexicon) == []


@pytest.mark.parametrize("text,lexicon,where", ACCEPTED, ids=IDS)
def test_printed_readings_read_back_the_same(text, lexicon, where):
    assert round_trip(text, lexicon) == []


# --- generated textbook formulas -----------------------------------------------------------

LEX = Lexicon(names=frozenset({"x", "y", "w", "b", "z", "a", "m", "L", "w_1", "a_2", "W^{[2]}",
                               "\\hat{y}", "dZ"}),
              functions=frozenset({"\\sigma", "L"}), indices=(("i", "sample"), ("j", "unit")))

ATOMS = ["x", "y", "w_1", "a_2", "z", "m", "2", "\\hat{y}", "W^{[2]}", "dZ", "x^{(i)}",
         "w_{j}", "e^{-z}", "\\sigma(z)", "\\sigma'(z)", "\\log a", "\\ln(1 - a)",
         "\\frac{\\partial L}{\\partial w_1}", "\\frac{dL}{dz}", "L(y, a_2)", "|x|",
         "\\|x\\|^2", "\\max(0, z)", "\\mathbb{1}[z > 0]", "W^{[2]T}", "\\sqrt{x}"]


def _formula():
    leaf = st.sampled_from(ATOMS)

    def extend(inner):
        return st.one_of(
            st.tuples(inner, st.sampled_from([" + ", " - ", " ", " \\cdot ", " \\odot "]),
                      inner).map(lambda t: "".join(t)),
            inner.map(lambda s: f"\\left({s}\\right)"),
            inner.map(lambda s: f"({s})^2"),
            inner.map(lambda s: f"({s})^T"),
            st.tuples(inner, inner).map(lambda t: f"\\frac{{{t[0]}}}{{{t[1]}}}"),
            inner.map(lambda s: f"\\sum_{{i=1}}^{{m}} {s}"),
            inner.map(lambda s: f"\\frac{{d}}{{dz}} {s}"),
            inner.map(lambda s: f"-{s}"),
            inner.map(lambda s: f"\\frac{{1}}{{m}}\\sum_{{i=1}}^{{m}} ({s})^{{(i)}}"),
        )
    body = st.recursive(leaf, extend, max_leaves=6)
    layout = st.sampled_from(["{a} = {b}", "{a} &= {b} \\\\ &= {a}", "{a} = {b} \\quad "
                              "\\text{{(by (3))}}", "{a} = {b}.", "{a} \\,=\\, {b} \\nonumber"])
    return st.tuples(layout, body, body).map(lambda t: t[0].format(a=t[1], b=t[2]))


GENERATED = settings(deadline=None, max_examples=150,
                     suppress_health_check=[HealthCheck.too_slow])


@GENERATED
@given(_formula())
def test_generated_formulas(text):
    try:
        read_display(text, LEX)
    except ReadError:
        return                                   # rejected, with its column: fine
    assert deletions(text, LEX) == []
    assert tails(text, LEX) == []
    assert round_trip(text, LEX) == []


@settings(deadline=None, max_examples=300)
@given(st.lists(st.sampled_from(ATOMS + ["+", "-", "(", ")", "{", "}", "^", "_", "=", "&",
                                         "\\\\", "\\frac", "\\sum", "\\left(", "\\right)",
                                         "'", "|", ",", "\\cdot", "\\partial", "d", "\\to",
                                         "\\text{a}", "\\begin{cases}", "\\end{cases}"]),
                min_size=1, max_size=12).map(" ".join))
def test_token_soup_is_read_or_rejected_never_crashes(text):
    try:
        read_display(text, LEX)
    except ReadError as exc:
        assert "cannot read" in str(exc)
