"""Every row of the notation and rejection tables in docs/format.md ("Reading formulas")
is read here: the documentation cannot drift from the reader. The readings in the tables
are written by hand as S-expressions (derive.read.tree.sexpr)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from derive.read import Lexicon, ReadError, read, sexpr

DOC = Path(__file__).resolve().parent.parent / "docs" / "format.md"

NAMES = ("x y w b z a m L J C E E_k v u A W X Y Z dZ w_1 a_1 \\hat{y} \\mathbf{x} "
         "\\boldsymbol{\\theta} \\ell \\mathcal{L}").split()
FUNCTIONS = r"\sigma f g h L J \ell \mathcal{L}".split()
INDICES = (("i", "sample"), ("j", "unit"), ("k", "unit"), ("n", "unit"), ("t", "time"),
           ("l", "layer"))
CONVENTIONS = {"": ("power", "sample"), "layer": ("layer", "sample"),
               "sample": ("sample", "sample"), "(layer)": ("power", "layer"),
               "index": ("index", "sample")}


def lexicon(convention: str) -> Lexicon:
    if convention == "words":
        # word2vec's notation (Rong 2014): w declared with values = { O = 1 }, a set W_neg
        return Lexicon(names=frozenset(NAMES) | {r"\mathbf{v}'", r"\mathbf{h}",
                                                 r"\mathcal{W}_{neg}"},
                       functions=frozenset(FUNCTIONS), indices=(*INDICES, ("w", "class")),
                       index_values=(("w", "O", 1),), spellers=frozenset({"w"}))
    plain, parenthesised = CONVENTIONS[convention]
    return Lexicon(names=frozenset(NAMES), functions=frozenset(FUNCTIONS), indices=INDICES,
                   plain=plain, parenthesised=parenthesised)


def block(marker: str) -> list[tuple[str, str, str]]:
    text = DOC.read_text(encoding="utf-8")
    start = text.index(marker)
    body = text[text.index("```text", start) + len("```text"):]
    body = body[:body.index("```")]
    rows = []
    for line in body.strip().splitlines()[1:]:           # the first line is the header
        cells = [c.strip() for c in line.split("│")]
        assert len(cells) == 3, line
        rows.append(tuple(cells))
    return rows


READINGS = block("<!-- notation:")
REJECTED = block("<!-- rejected:")


def test_the_tables_are_not_empty():
    assert len(READINGS) >= 50 and len(REJECTED) >= 20


@pytest.mark.parametrize("latex,convention,reading", READINGS, ids=[r[0] for r in READINGS])
def test_notation_reads_as_documented(latex, convention, reading):
    got = " = ".join(sexpr(s) for s in read(latex, lexicon(convention)).sides)
    assert got == reading


@pytest.mark.parametrize("latex,convention,named", REJECTED, ids=[r[0] for r in REJECTED])
def test_rejection_names_the_construct(latex, convention, named):
    with pytest.raises(ReadError) as info:
        read(latex, lexicon(convention))
    message = str(info.value)
    assert named in message
    assert "\\\\" not in message.replace(r"\\[", "")          # single backslashes
    assert re.search(r"at column \d+", message) or "formula" in message
