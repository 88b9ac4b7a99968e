"""The HTML report in a real browser: headless Chromium loads it from a file and shows
every equation id and the MathML, and no raw LaTeX in its text (the maths inside messages
is MathML too). The browser tests are skipped when Chromium is not installed; the check
that every message marks its LaTeX runs without it."""
from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import derive
from derive.report import render_to_string

SEED = Path(__file__).resolve().parent.parent / "equations" / "ch08-two-layer-bce"
CHROMIUM = next((p for p in map(shutil.which, ("chromium", "chromium-browser",
                                                "google-chrome")) if p), None)

needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (Debian: apt-get install -y chromium)")
EQUATIONS = SEED.parent
# LaTeX markup: a command, a braced script, a caret on a letter or digit
RAW_LATEX = re.compile(r"\\[A-Za-z]+|[_^]\{|\^[A-Za-z0-9]")

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _visible_text(page: Path, profile: Path) -> str:
    """What the browser shows of the page as text (document.body.innerText): the text of
    MathML is its rendering, the LaTeX kept in alttext is not shown."""
    probe = page.with_name("probe.html")
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", (
        '<script>var p = document.createElement("pre"); p.id = "visible-text"; '
        "p.textContent = document.body.innerText; "
        "document.documentElement.appendChild(p);</script></body>")), encoding="utf-8")
    run = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--dump-dom",
                          probe.as_uri()],
                         capture_output=True, text=True, encoding="utf-8", timeout=180)
    found = re.search(r'<pre id="visible-text">(.*?)</pre>', run.stdout, re.S)
    assert found, run.stderr[-2000:]
    return html.unescape(found.group(1))


@pytest.fixture(scope="module")
def bundled():
    """The report of every bundled chapter (the symbolic route: the messages are the same)."""
    return derive.check(EQUATIONS, numeric=False)


def test_every_message_of_the_bundled_chapters_marks_its_latex(bundled):
    found = [f for c in bundled.chapters for f in c.findings] + [
        f for c in bundled.chapters for e in c.equations for f in e.all_findings]
    assert len(found) > 40
    assert sum(bool(f.math) for f in found) > 20
    raw = [(f.code, piece) for f in found for piece, is_math in f.prose.pieces()
           if not is_math and RAW_LATEX.search(piece)]
    assert raw == []


@needs_chromium
def test_no_raw_latex_is_visible_in_the_report_of_the_bundled_chapters(bundled, tmp_path):
    page = tmp_path / "report.html"
    page.write_text(render_to_string(bundled, "html"), encoding="utf-8")
    text = _visible_text(page, tmp_path / "profile")
    # the page was shown: every chapter's heading and equation ids are in its text
    for chapter in bundled.chapters:
        assert chapter.file in text
    assert "8-14" in text and "holds only for the batch-mean cost" in text
    assert "\\frac" not in text
    assert [line for line in text.splitlines() if RAW_LATEX.search(line)] == []


@needs_chromium
def test_seed_report_loads_in_headless_chromium(tmp_path):
    report = derive.check(SEED, numeric=False)
    page = tmp_path / "report.html"
    source = render_to_string(report, "html")
    page.write_text(source, encoding="utf-8")
    run = subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom",
         page.as_uri()],
        capture_output=True, text=True, encoding="utf-8", timeout=120)
    dom = run.stdout
    assert run.returncode == 0, run.stderr[-2000:]
    assert "<h1>derive report</h1>" in dom, run.stderr[-2000:]
    for e in report.chapters[0].equations:
        assert f">{e.id}<" in dom, e.id
    # the browser built a <math> element for every one in the file
    assert len(re.findall(r"<math\b", dom)) == len(re.findall(r"<math\b", source)) > 20
    assert "<mfrac>" in dom
