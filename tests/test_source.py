"""derive.read.source.parse_chapter_text: cutting a chapter file into blocks."""
from __future__ import annotations

import pytest

from derive.errors import InputError
from derive.read.source import load_chapter, parse_chapter_text

FILE = "books/ch99/chapter.tex"

CHAPTER = "\n".join([
    r"% A header comment, not a block.",              # 1
    r"",                                              # 2
    r"% derive: definition",                          # 3
    r"z = w x + b",                                   # 4
    r"% derive: definition",                          # 5
    r"a = \sigma(z) \tag{d-1}",                       # 6
    r"% derive: claim 3-1",                           # 7
    r"\frac{\partial L}{\partial w} = x",             # 8
    r"% derive: claim",                               # 9
    r"",                                              # 10
    r"\frac{\partial L}{\partial b}   % a comment",   # 11
    r"  = 1 \tag{3-2}",                               # 12
    r"% derive: claim",                               # 13
    r"\frac{\partial L}{\partial z} = a - y",         # 14
    r"% derive: graph",                               # 15
    r"x → z → a",                                     # 16
    r"% derive: graph",                               # 17
    r"a → L",                                         # 18
    r"% derive: caption 3-1",                         # 19
    r"Gradient: 50\% of w % a trailing comment",      # 20
    r"%derive:definition",                            # 21
    r"\frac{1}{2} = c",                               # 22
])


@pytest.fixture(scope="module")
def items():
    return parse_chapter_text(CHAPTER, FILE)


def test_kinds_and_ids(items):
    assert [(i.kind, i.id) for i in items] == [
        ("definition", "z"),          # auto id: the left-hand side
        ("definition", "d-1"),        # from \tag
        ("claim", "3-1"),             # from the marker
        ("claim", "3-2"),             # from \tag on a continuation line
        ("claim", "claim-1"),         # auto id: no tag, no marker id
        ("graph", "graph"),
        ("graph", "graph-2"),
        ("caption", "3-1"),           # a caption may share its equation's id
        ("definition", r"\frac{1}{2}"),
    ]


def test_line_numbers_are_first_content_lines(items):
    assert [i.line for i in items] == [4, 6, 8, 11, 14, 16, 18, 20, 22]
    lines = CHAPTER.splitlines()
    for item in items:
        assert lines[item.line - 1].strip()[:3] == item.latex[:3]


def test_body_drops_tag_and_comments_and_joins_lines(items):
    by_id = {(i.kind, i.id): i for i in items}
    multi = by_id[("claim", "3-2")]
    assert multi.body == r"\frac{\partial L}{\partial b} = 1"
    assert "%" not in multi.latex and "comment" not in multi.latex
    assert r"\tag{3-2}" in multi.latex
    assert by_id[("definition", "d-1")].body == r"a = \sigma(z)"
    assert all(i.file == FILE for i in items)


def test_percent_comment_stripped_but_escaped_percent_kept(items):
    caption = [i for i in items if i.kind == "caption"][0]
    assert caption.body == r"Gradient: 50\% of w"


def test_marker_id_wins_over_tag():
    (item,) = parse_chapter_text("% derive: claim X\na = b \\tag{1}\n", FILE)
    assert (item.id, item.body) == ("X", "a = b")


def test_tag_star_is_an_id():
    (item,) = parse_chapter_text("% derive: claim\na = b \\tag*{7}\n", FILE)
    assert (item.id, item.body) == ("7", "a = b")


def test_no_blocks_in_an_empty_or_comment_only_file():
    assert parse_chapter_text("", FILE) == []
    assert parse_chapter_text("% just a comment\n\n", FILE) == []


ERRORS = [
    # (id, text, line, words in the message)
    ("caption without id", "% derive: claim\na = b \\tag{1}\n% derive: caption\nhello\n", 3,
     ["caption", "id"]),
    ("unknown kind", "% derive: claim\na = b\n% derive: lemma\nx = y\n", 3, ["'lemma'"]),
    ("text before first marker", "% intro\nz = w x\n% derive: definition\nz = w x\n", 2,
     ["before the first"]),
    ("duplicate tag ids", "% derive: claim\na = b \\tag{1}\n% derive: claim\nc = d \\tag{1}\n",
     4, ["'1'", "line 2"]),
    ("duplicate marker and tag id", "% derive: claim 1\na = b\n% derive: claim\nc = d \\tag{1}\n",
     4, ["'1'", "line 2"]),
    ("duplicate captions", "% derive: claim\na = b \\tag{1}\n% derive: caption 1\nt\n"
     "% derive: caption 1\nu\n", 6, ["'1'", "line 4"]),
    ("duplicate auto ids", "% derive: definition\nz = w\n% derive: definition\nz = b\n", 4,
     ["'z'"]),
    ("empty block", "% derive: claim\n\n% only a comment\n% derive: claim\na = b\n", 1,
     ["empty", "claim"]),
    ("empty last block", "% derive: claim\na = b\n% derive: definition\n", 3,
     ["empty", "definition"]),
    ("two tags", "% derive: claim\na = b \\tag{1} = c \\tag{2}\n", 2, ["tag"]),
]


@pytest.mark.parametrize("text,line,words", [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS])
def test_bad_chapter_text(text, line, words):
    with pytest.raises(InputError) as info:
        parse_chapter_text(text, FILE)
    assert info.value.line == line
    msg = str(info.value)
    assert msg.startswith(f"{FILE}:{line}: ")
    for word in words:
        assert word in msg


# Regression (fixed in 1eb7c6c): a marker with trailing text was silently taken for a
# comment, merging the next claim into the previous block.
def test_malformed_marker_is_not_silently_ignored():
    text = "% derive: claim 1\na = b\n% derive: claim 2 (see errata)\nc = d\n"
    try:
        items = parse_chapter_text(text, FILE)
    except InputError as exc:
        assert exc.line == 3
        return
    assert [i.body for i in items] == ["a = b", "c = d"]


# Regression (fixed in 1eb7c6c): '\\%' (line break, then a comment) was taken for '\%'.
def test_comment_after_line_break_is_stripped():
    (item,) = parse_chapter_text("% derive: claim 1\na = b \\\\% a note\n", FILE)
    assert "note" not in item.body


def test_load_chapter_missing_file(tmp_path):
    path = tmp_path / "chapter.tex"
    with pytest.raises(InputError) as info:
        load_chapter(path)
    assert str(info.value).startswith(str(path))


def test_load_chapter_reads_utf8(tmp_path):
    path = tmp_path / "chapter.tex"
    path.write_text("% derive: caption 1\n公式1:损失函数\n", encoding="utf-8")
    (item,) = load_chapter(path)
    assert item.body == "公式1:损失函数"
    assert item.file == str(path)
