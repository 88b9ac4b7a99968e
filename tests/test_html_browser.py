"""The HTML report in a real browser: headless Chromium loads it from a file and shows
every equation id and the MathML. Skipped when Chromium is not installed."""
from __future__ import annotations

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

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (Debian: apt-get install -y chromium)")

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


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
