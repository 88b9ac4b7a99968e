"""Reports of a book (issue 17, item 6, in part): unique anchors per chapter in Markdown, a
table of contents in HTML, a short repr(Report), one equation in a notebook."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from derive.report import (ChapterResult, EquationResult, Finding, LinkResult, Report,
                           render_to_string)

WRONG = Finding("sign", "the sign is wrong", code="DV102", suggestion="a - y")


def _book() -> Report:
    def chapter(name: str) -> ChapterResult:
        e = EquationResult("8-14", "claim", r"\frac{\partial L}{\partial z} = y - a",
                           "mismatch", line=3, findings=(WRONG,),
                           links=(LinkResult(r"\frac{\partial L}{\partial z}", "y - a",
                                             "mismatch", findings=(WRONG,)),))
        ok = EquationResult("8-13", "claim", "a = a", "verified", line=2)
        return ChapterResult(f"book/{name}/chapter.tex", title=name, equations=(ok, e))
    return Report((chapter("ch1"), chapter("ch2")))


def test_markdown_anchors_are_unique_and_each_link_stays_in_its_chapter():
    md = render_to_string(_book(), "markdown")
    anchors = re.findall(r'<a id="([^"]+)"></a>', md)
    assert len(anchors) == 2 and len(set(anchors)) == 2
    parts = re.split(r"(?m)^## ", md)[1:]
    assert len(parts) == 2
    for part, anchor in zip(parts, anchors):
        (link,) = re.findall(r"\]\(#([^)]+)\)", part)
        assert link == anchor and f'<a id="{anchor}">' in part


def test_html_of_a_book_has_a_table_of_contents_and_unique_ids():
    root = ET.fromstring(render_to_string(_book(), "html").encode("utf-8"))
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    assert len(ids) == len(set(ids))
    nav = next(el for el in root.iter() if el.tag.endswith("nav"))
    targets = [a.get("href") for a in nav.iter() if a.tag.endswith("a")]
    assert targets == ["#chapter-1", "#chapter-2"] and all(t[1:] in ids for t in targets)
    one = Report(_book().chapters[:1])
    assert "<nav" not in render_to_string(one, "html")       # one chapter: no contents


def test_repr_of_a_report_is_one_short_line():
    text = repr(_book())
    assert text == "<Report: 4 equations: 2 mismatch, 2 verified; 2 chapters>"


def test_one_equation_shows_itself_in_a_notebook():
    e = _book().chapters[0].equations[1]
    html = e._repr_html_()
    root = ET.fromstring(html.encode("utf-8"))
    text = "".join(root.itertext())
    assert "8-14" in text and "the sign is wrong" in text and "<math" in html
