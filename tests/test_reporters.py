"""Every format renders the same report: the seed chapter's, and a hand-built one.

The hand-built report (dataclasses only, files that do not exist, every verdict) shows the
renderers depend on the report alone; the checker is made to fail if anything calls it.
"""
from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import derive
from derive import cli
from derive.report import (ChapterResult, EquationResult, Finding, LinkResult,
                           NumericEvidence, Report)
from derive.report import FORMATS, render, render_to_string
from derive.report.common import cases, split_formulas, summary_line
from derive.report.mathml import to_mathml

SEED = Path(__file__).resolve().parent.parent / "equations" / "ch08-two-layer-bce"
DW = r"\frac{\partial L}{\partial w}"
DZ = r"\frac{\partial L}{\partial z}"
BROKEN = r"\frac{1}{"          # latex2mathml cannot convert it: the HTML shows the source


def hand_built() -> Report:
    ok = NumericEvidence(max_rel_error=1e-12, points=64, convention="per-sample")
    bad = NumericEvidence(max_rel_error=0.5, points=64, convention="per-sample", ratio=2.0,
                          ratio_text="2")
    factor = Finding("factor", "off by a constant factor: the stated form is 2 times the "
                     "derivative", suggestion=r"x \left(a - y\right)")
    ch1 = ChapterResult(
        file="book/ch01/chapter.tex", title="Logistic <unit> & friends",
        convention="per-sample",
        findings=(
            Finding("convention", "mixes conventions: 1.3 is batch-mean",
                    suggestion=rf"{DW} = x \left(a - y\right) \\ {DZ} = a - y",
                    equation="1.3"),
            Finding("notation", "one quantity written two ways: Z and z",
                    suggestion="write z throughout", severity="warning"),
        ),
        equations=(
            EquationResult(id="z", kind="definition", latex="z = w x + b", verdict="verified",
                           line=3, read_as="z = b + w x"),
            EquationResult(id="a", kind="definition", latex=r"a = \sigma(x)",
                           verdict="inconsistent", line=4, read_as=r"a = \sigma(x)",
                           findings=(Finding("definition", "a uses x, the graph says z",
                                             suggestion=r"a = \sigma(z)"),)),
            EquationResult(
                id="1.2", kind="claim", latex=rf"{DZ} = a - y \tag{{1.2}}",
                verdict="verified", line=8, convention="per-sample",
                derived=rf"{DZ} = a - y", numeric=ok,
                links=(LinkResult(DZ, "a - y", "verified", "per-sample", DZ, "a - y",
                                  numeric=ok),),
                findings=(Finding("caption", "caption calls z an activation",
                                  suggestion="式1.2：损失对加权输入z的导数",
                                  severity="warning"),)),
            EquationResult(
                id="1.3", kind="claim", latex=rf"{DW} = {DZ} x = 2(a - y) x \tag{{1.3}}",
                verdict="mismatch", line=11, convention="per-sample",
                derived=rf"{DW} = x \left(a - y\right)", numeric=bad,
                links=(LinkResult(DW, rf"{DZ} x", "verified", "per-sample", numeric=ok),
                       LinkResult(rf"{DZ} x", "2(a - y) x", "mismatch", "per-sample",
                                  findings=(factor,), numeric=bad))),
            EquationResult(
                id="1.4", kind="claim", latex=r"\frac{\partial L}{\partial b} = a - y",
                verdict="inconclusive", line=14,
                links=(LinkResult(r"\frac{\partial L}{\partial b}", "a - y", "inconclusive",
                                  findings=(Finding("timeout", "ran past 20 s",
                                                    severity="warning"),)),)),
            EquationResult(
                id="1.5", kind="claim", latex=rf"{DW} = {BROKEN}", verdict="error",
                line=17, findings=(Finding("parse", "cannot parse the right side"),)),
        ),
        gradients=((DW, r"x \left(a - y\right)"), (DZ, "a - y")))
    ch2 = ChapterResult(
        file="book/ch02/chapter.tex", convention="batch-mean",
        equations=(
            EquationResult(id="2.1", kind="definition", latex="z = w x", verdict="verified",
                           line=2),
            EquationResult(id="2.2", kind="claim", latex=rf"{DW} = x (a - y) \tag{{2.2}}",
                           verdict="verified", line=5,
                           links=(LinkResult(DW, "x (a - y)", "verified"),)),
        ))
    return Report(chapters=(ch1, ch2), errors=("book/ch03/manifest.toml: no [chapter] table",),
                  seed=3, numeric=True)


@pytest.fixture(scope="module")
def seed_report() -> Report:
    return derive.check(SEED, numeric=False)


@pytest.fixture(scope="module", params=["seed", "hand"])
def report(request, seed_report) -> Report:
    return seed_report if request.param == "seed" else hand_built()


@pytest.fixture(autouse=True)
def no_checking(monkeypatch):
    """Rendering never recomputes: calling the checker now is an error."""
    import derive.api
    import derive.driver

    def forbidden(*args, **kwargs):
        raise AssertionError("a renderer called the checker")

    monkeypatch.setattr(derive.driver, "check_chapter", forbidden)
    monkeypatch.setattr(derive.api, "check_chapter", forbidden)


def equations(report: Report):
    return [e for c in report.chapters for e in c.equations]


def not_verified(report: Report):
    return [e for e in equations(report) if e.verdict != "verified"]


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


# formats that list findings (not equations), and how each names an equation's line
FINDING_LISTS = {"concise": r"(?m)^[^:\n]+:{line}:\d+: ", "github": r"(?m)^::\w+ .*line={line},",
                 "gitlab": r'"begin": {line}\b', "sarif": r'"startLine": {line}\b'}


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_renders_the_report_well_formed(report, fmt):
    out = render_to_string(report, fmt)
    assert out.strip()
    if fmt == "json":
        data = json.loads(out)
        assert [e["id"] for c in data["chapters"] for e in c["equations"]] == \
            [e.id for e in equations(report)]
    elif fmt == "junit":
        assert local(ET.fromstring(out.encode("utf-8")).tag) == "testsuites"
    elif fmt == "html":
        assert local(ET.fromstring(out.encode("utf-8")).tag) == "html"
    elif fmt == "markdown":
        headings = re.findall(r"^### Equation (.+)$", out, flags=re.M)
        assert [h.replace("\\", "") for h in headings] == [e.id for e in not_verified(report)]
    elif fmt == "text":
        assert out.rstrip().endswith(summary_line(report))
    elif fmt in FINDING_LISTS:
        # one entry per error or warning, at its equation's line
        listed = [e for e in equations(report) if any(
            f.severity in ("error", "warning")
            for f in (*e.findings, *(f for link in e.links for f in link.findings)))]
        assert listed
        for e in listed:
            assert re.search(FINDING_LISTS[fmt].format(line=e.line), out), (fmt, e.id)
        return
    shown = equations(report) if fmt != "markdown" else not_verified(report)
    for e in shown:
        assert e.id in out.replace("\\_", "_"), (fmt, e.id)


def test_render_passes_each_renderer_only_its_options(report):
    for fmt in FORMATS:
        buf = io.StringIO()
        render(report, fmt, buf, verbose=True, quiet=False, color=False, standalone=True)
        assert buf.getvalue()


# ---------------------------------------------------------------- junit


def test_junit_one_testcase_per_link_failures_exactly_where_links_fail(report):
    root = ET.fromstring(render_to_string(report, "junit").encode("utf-8"))
    suites = [s for s in root.findall("testsuite") if s.get("name") != "input"]
    assert [s.get("name") for s in suites] == [c.file for c in report.chapters]
    for chapter, suite in zip(report.chapters, suites):
        tcs = suite.findall("testcase")
        expected = []
        for e in chapter.equations:
            if e.kind == "claim" and e.links:
                expected += [(f"{e.id} link {k}", link.verdict)
                             for k, link in enumerate(e.links, start=1)]
            else:
                expected.append((e.id, e.verdict))
        assert [tc.get("name") for tc in tcs] == [name for name, _ in expected]
        for tc, (name, verdict) in zip(tcs, expected):
            children = {child.tag for child in tc}
            want = {"verified": set(), "mismatch": {"failure"}, "inconsistent": {"failure"},
                    "inconclusive": {"skipped"}, "error": {"error"}}[verdict]
            assert children == want, name
            if "failure" in children:
                text = tc.find("failure").text
                assert "fix:" in text or "[" in text
        assert int(suite.get("tests")) == len(tcs)
        assert int(suite.get("failures")) == sum(v in ("mismatch", "inconsistent")
                                                 for _, v in expected)
    assert int(root.get("tests")) == sum(int(s.get("tests")) for s in root.findall("testsuite"))
    assert (root.find("testsuite[@name='input']") is not None) == bool(report.errors)


def test_junit_failure_carries_diagnosis_and_fix():
    root = ET.fromstring(render_to_string(hand_built(), "junit").encode("utf-8"))
    (tc,) = [tc for tc in root.iter("testcase") if tc.get("name") == "1.3 link 2"]
    failure = tc.find("failure")
    assert failure.get("type") == "mismatch"
    assert "off by a constant factor" in failure.get("message")
    assert r"fix:     x \left(a - y\right)" in failure.text
    assert "stated/expected = 2" in failure.text
    assert tc.get("line") == "11" and tc.get("classname") == "ch01"


# ---------------------------------------------------------------- html

_LOADS = {"src", "href", "data", "poster", "srcset", "action", "formaction", "background",
          "{http://www.w3.org/1999/xlink}href"}


def test_html_shows_every_equation_as_mathml_and_loads_nothing(report):
    page = render_to_string(report, "html")
    root = ET.fromstring(page.encode("utf-8"))
    tags = [local(el.tag) for el in root.iter()]
    assert tags.count("math") >= len(equations(report))
    for e in equations(report):
        assert e.id in page
    for el in root.iter():
        assert local(el.tag) not in ("script", "iframe", "object", "embed", "img", "link")
        for name, value in el.attrib.items():
            if name in _LOADS:
                assert not re.match(r"\s*(https?:)?//", value), (el.tag, name, value)
    assert not re.search(r"""(url\(|@import)\s*["']?\s*(https?:)?//""", page)
    # MathML is in its namespace; each fragment stands on its own
    maths = [el for el in root.iter() if local(el.tag) == "math"]
    assert all(el.tag == "{http://www.w3.org/1998/Math/MathML}math" for el in maths)


def test_html_details_put_stated_derived_and_fix_side_by_side(report):
    root = ET.fromstring(render_to_string(report, "html").encode("utf-8"))
    articles = [el for el in root.iter() if local(el.tag) == "article"]
    assert len(articles) == len(not_verified(report))
    for art in articles:
        sides = [el for el in art.iter()
                 if local(el.tag) == "div" and "side" in el.get("class", "").split()]
        assert [s.get("class").split()[1] for s in sides] == ["stated", "derived", "fix"]


def test_html_falls_back_to_the_latex_source_and_escapes_text():
    page = render_to_string(hand_built(), "html")
    assert '<code class="latex">\\frac{\\partial L}{\\partial w} = \\frac{1}{</code>' in page
    assert "Logistic &lt;unit&gt; &amp; friends" in page
    assert page.index("Chapter findings") < page.index("<table")
    # formulas joined by \\ become one <math> each (MathML Core has no line breaks)
    assert 'linebreak="newline"' not in page


def test_mathml_converts_what_derive_prints():
    for latex in (r"\frac{\partial L}{\partial w_2} = a_{1} \left(a_{2} - y\right)",
                  r"\frac{1}{m}\sum_{i=1}^{m} \left({a_{2}}^{(i)} - {y}^{(i)}\right)",
                  r"(-y\log a_2 - (1-y)\log(1-a_2))'", r"\sigma'(z) \cdot w \tag{8-17}"):
        m = to_mathml(latex)
        assert m.startswith("<math") and "<code" not in m, latex
        ET.fromstring(m)
    assert to_mathml(r"a < b & c").startswith(("<math", "<code"))
    ET.fromstring(to_mathml(r"a < b & c"))
    assert to_mathml(r"\unknowncommand{x}").startswith("<code")


# ---------------------------------------------------------------- markdown


def pasteable(latex: str) -> str:
    """Several formulas joined by \\\\ are printed one per line."""
    return "\n".join(split_formulas(latex))


def test_markdown_errata_printed_wrong_and_corrected(report):
    md = render_to_string(report, "markdown")
    for e in not_verified(report):
        section = md.split(f"### Equation {e.id.replace('_', chr(92) + '_')}\n", 1)[1]
        section = section.split("\n### ", 1)[0]
        assert f"```latex\n{e.latex}\n```" in section
        assert "**What is wrong:**" in section
        for f in list(e.findings) + [f for link in e.links for f in link.findings]:
            if f.suggestion and f.kind not in ("caption", "notation"):
                assert f"```latex\n{pasteable(f.suggestion)}\n```" in section
    for c in report.chapters:
        for f in c.findings:
            if f.severity == "error":
                assert f"### Chapter finding: {f.label}" in md
                if f.suggestion:
                    assert f"```latex\n{pasteable(f.suggestion)}\n```" in md


def test_markdown_whole_gradient_keeps_the_tag():
    md = render_to_string(hand_built(), "markdown")
    whole = r"\frac{\partial L}{\partial w} = x \left(a - y\right) \tag{1.3}"
    assert f"```latex\n{whole}\n```" in md


# ---------------------------------------------------------------- text


def test_text_quiet_verbose_and_color():
    r = hand_built()
    assert render_to_string(r, "text", quiet=True) == summary_line(r) + "\n"
    plain = render_to_string(r, "text")
    verbose = render_to_string(r, "text", verbose=True)
    assert "\x1b[" not in plain and "\x1b[" not in verbose
    assert "link 1:" not in plain.split("1.3 (claim")[1].split("1.4 (claim")[0]
    assert "link 1:" in verbose.split("1.3 (claim")[1]        # verified links too
    assert "read as:" in verbose and "2.2 (claim" in verbose  # verified equations too
    colored = render_to_string(r, "text", color=True)
    assert "\x1b[1;31mMISMATCH\x1b[0m" in colored
    assert re.sub(r"\x1b\[[0-9;]*m", "", colored) == plain


def test_summary_line():
    assert summary_line(hand_built()) == ("8 equations: 1 error, 1 mismatch, 1 inconsistent, "
                                          "1 inconclusive, 4 verified; 1 chapter could not be read")


def test_cases_cover_links_and_definitions():
    ch = hand_built().chapters[0]
    assert [c.name for c in cases(ch)] == ["z", "a", "1.2 link 1", "1.3 link 1", "1.3 link 2",
                                           "1.4 link 1", "1.5"]


# ---------------------------------------------------------------- notebook


def test_notebook_reprs(seed_report):
    frag = seed_report._repr_html_()
    assert "<math" in frag and "<html" not in frag and "<!DOCTYPE" not in frag
    ET.fromstring(frag.encode("utf-8"))
    md = seed_report._repr_markdown_()
    assert md.startswith("# derive errata") and "### Equation 8-14" in md


# ---------------------------------------------------------------- CLI


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def cli_report(monkeypatch, seed_report):
    """The CLI with the checker replaced by the module's seed report (fast)."""
    import derive.api

    calls = []

    def fake_check(paths, **kwargs):
        calls.append(kwargs)
        if kwargs.get("progress"):
            kwargs["progress"](1, 1, SEED / "manifest.toml")
        return seed_report

    monkeypatch.setattr(derive.api, "check", fake_check)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("TERM", raising=False)
    return calls


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_cli_every_format_to_a_file(cli_report, seed_report, tmp_path, capsys, fmt):
    out = tmp_path / f"report.{fmt}"
    assert cli.main(["check", str(SEED), "--format", fmt, "--output", str(out)]) == 1
    assert out.read_text(encoding="utf-8") == render_to_string(seed_report, fmt)
    assert capsys.readouterr().out == ""
    assert "\x1b[" not in out.read_text(encoding="utf-8")


def test_cli_quiet_prints_the_summary_line_only(cli_report, tmp_path, capsys, seed_report):
    assert cli.main(["check", str(SEED), "--quiet"]) == 1
    assert capsys.readouterr().out == summary_line(seed_report) + "\n"
    out = tmp_path / "r.html"
    assert cli.main(["check", str(SEED), "-q", "-f", "html", "-o", str(out)]) == 1
    assert capsys.readouterr().out == summary_line(seed_report) + "\n"
    assert "<math" in out.read_text(encoding="utf-8")
    assert cli.main(["check", str(SEED), "-q", "-f", "json"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--output" in err


def test_cli_quiet_and_verbose_exclude_each_other(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["check", "-q", "-v"])
    assert exc.value.code == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_cli_verbose_and_no_color_off_a_terminal(cli_report, capsys):
    assert cli.main(["check", str(SEED), "--verbose"]) == 1
    cap = capsys.readouterr()
    assert "read as:" in cap.out and "link 3:" in cap.out
    assert "\x1b[" not in cap.out and "checking chapter" not in cap.err


def test_cli_color_and_progress_on_a_terminal(cli_report, monkeypatch):
    out, err = _Tty(), _Tty()
    monkeypatch.setattr("sys.stdout", out)
    monkeypatch.setattr("sys.stderr", err)
    assert cli.main(["check", str(SEED)]) == 1
    assert "\x1b[31mINCONSISTENT\x1b[0m" in out.getvalue()
    assert "checking chapter 1/1: " in err.getvalue()
    assert err.getvalue().endswith("\r\x1b[K")          # the progress line is erased
    monkeypatch.setenv("NO_COLOR", "1")
    out2 = _Tty()
    monkeypatch.setattr("sys.stdout", out2)
    cli.main(["check", str(SEED)])
    assert "\x1b[" not in out2.getvalue()


# (--color, environment, stdout a terminal, colour?) written by hand: the flag decides,
# then NO_COLOR (not empty), then FORCE_COLOR (not empty), then a terminal not TERM=dumb
COLOR = [
    ("auto", {}, True, True),
    ("auto", {}, False, False),
    ("auto", {"TERM": "dumb"}, True, False),
    ("auto", {"NO_COLOR": "1"}, True, False),
    ("auto", {"NO_COLOR": ""}, True, True),
    ("auto", {"FORCE_COLOR": "1"}, False, True),
    ("auto", {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False, False),
    ("always", {"NO_COLOR": "1"}, False, True),
    ("never", {"FORCE_COLOR": "1"}, True, False),
]


@pytest.mark.parametrize("choice, env, tty, expected", COLOR)
def test_when_the_text_report_is_coloured(choice, env, tty, expected):
    assert cli.wants_color(_Tty() if tty else io.StringIO(), choice, env) is expected


def test_cli_color_flag_and_force_color_off_a_terminal(cli_report, capsys, monkeypatch):
    assert cli.main(["check", str(SEED), "--color", "always"]) == 1
    assert "\x1b[31mINCONSISTENT\x1b[0m" in capsys.readouterr().out
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert cli.main(["check", str(SEED)]) == 1
    assert "\x1b[31m" in capsys.readouterr().out
    assert cli.main(["check", str(SEED), "--color", "never"]) == 1
    assert "\x1b[" not in capsys.readouterr().out


# ---------------------------------------------------------------- docs

DOCS = Path(__file__).resolve().parent.parent / "docs" / "formats"


def test_docs_have_a_page_per_format_and_generated_examples():
    for fmt in FORMATS:
        assert (DOCS / f"{fmt}.md").is_file(), fmt
    for page in ("pytest-plugin.md", "notebook.md", "generate.sh"):
        assert (DOCS / page).is_file(), page
    ex = DOCS / "examples"
    json.loads((ex / "seed.json").read_text(encoding="utf-8"))
    for xml in ("seed-junit.xml", "seed.html", "notebook-cell.html"):
        ET.fromstring((ex / xml).read_bytes())
    for page in DOCS.glob("*.md"):   # every example block was filled in by generate.sh
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"<!-- example \S+ \S+ -->\n<!-- /example -->", text), page
        for ref in re.findall(r"\]\((examples/[^)]+)\)", text):
            assert (DOCS / ref).is_file(), (page.name, ref)


def test_html_links_point_at_existing_ids(report):
    root = ET.fromstring(render_to_string(report, "html").encode("utf-8"))
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    assert len(ids) == len(set(ids))
    for el in root.iter():
        href = el.get("href")
        if href:
            assert href.startswith("#") and href[1:] in ids, href
