"""The corpus of published formulas (tests/corpus): each display reads to the chains written
by hand for it, or is rejected with a message naming the construct, and the corpus is as
wide as the issue asks (150 formulas, 10 sources)."""
from __future__ import annotations

import pytest

from corpus.entries import ENTRIES
from corpus.lexicons import LEXICONS
from derive.read import ReadError, read_display, sexpr


def chains(entry) -> list[str]:
    out = []
    for eq in read_display(entry.latex, LEXICONS[entry.lexicon]):
        words = [sexpr(eq.sides[0])]
        for relation, side in zip(eq.relations, eq.sides[1:]):
            words += [relation, sexpr(side)]
        out.append(" ".join(words))
    return out


READ = [e for e in ENTRIES if e.chains]
REJECTED = [e for e in ENTRIES if not e.chains]


@pytest.mark.parametrize("entry", READ, ids=[e.id for e in READ])
def test_reads_as_written_by_hand(entry):
    assert chains(entry) == list(entry.chains)


@pytest.mark.parametrize("entry", REJECTED, ids=[e.id for e in REJECTED])
def test_rejected_with_the_construct_named(entry):
    with pytest.raises(ReadError) as caught:
        read_display(entry.latex, LEXICONS[entry.lexicon])
    message = str(caught.value)
    assert "cannot read" in message and " at column " in message and "\n" not in message
    assert entry.rejected in message


def test_the_corpus_is_wide():
    assert len(ENTRIES) >= 150
    assert len({e.book for e in ENTRIES}) >= 10
    assert len({e.id for e in ENTRIES}) == len(ENTRIES)
    for e in ENTRIES:
        assert e.source and e.where and e.url and e.lexicon in LEXICONS
        assert bool(e.chains) != bool(e.rejected)
        assert e.reading.startswith(("by hand", "reviewed: "))
