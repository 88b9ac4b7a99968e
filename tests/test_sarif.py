"""The SARIF 2.1.0 format (issue 17): results at the author's lines, regions that cover
the formula, and the log valid against the SARIF 2.1.0 JSON Schema.

The schema is not on PyPI: .ci/run takes it from the SARIF SDK's npm package
(@microsoft/sarif-multitool-linux, sarif-2.1.0.json) and names it in
DERIVE_SARIF_SCHEMA; without it the schema test is skipped, saying so."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from derive.api import check
from derive.report import ChapterResult, EquationResult, Finding, Report, render_to_string

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "equations" / "ch08-two-layer-bce"
SCHEMA = os.environ.get("DERIVE_SARIF_SCHEMA") or str(ROOT / ".ci" / "cache" /
                                                       "sarif-2.1.0.json")


@pytest.fixture(scope="module")
def seed_log() -> dict:
    return json.loads(render_to_string(check([str(SEED)], numeric=False), "sarif"))


def test_the_seed_chapters_findings_are_results_at_their_lines(seed_log):
    (run,) = seed_log["runs"]
    assert seed_log["version"] == "2.1.0" and run["tool"]["driver"]["name"] == "derive"
    at = {(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"])
          for r in run["results"]}
    # by hand from the chapter: z_2 reads x (line 12), 8-12's swapped arguments (24),
    # 8-13's caption (27), 8-14's 1/m (30), the chapter's mixed conventions (line 1)
    assert {("DV201", 12), ("DV111", 24), ("DV203", 27), ("DV202", 30), ("DV202", 1)} <= at
    ids = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert len(ids) == len(set(ids))
    assert all(ids[r["ruleIndex"]] == r["ruleId"] for r in run["results"])
    assert run["invocations"][0]["executionSuccessful"] is True


def test_a_region_covers_the_formula(seed_log):
    source = (SEED / "chapter.tex").read_text(encoding="utf-8").splitlines()
    for r in seed_log["runs"][0]["results"]:
        region = r["locations"][0]["physicalLocation"]["region"]
        if "endColumn" not in region or region["startLine"] != region["endLine"]:
            continue
        text = source[region["startLine"] - 1][region["startColumn"] - 1:
                                               region["endColumn"] - 1]
        assert text.strip() == text and "\\tag" not in text and len(text) > 5, (r, text)


def test_suppressed_findings_are_left_out_and_unread_chapters_are_notifications():
    kept = Finding("sign", "the sign is wrong", code="DV102")
    accepted = Finding("factor", "a factor 2", code="DV103", suppressed=True)
    e = EquationResult("7", "claim", "a = b", "mismatch", line=3, findings=(kept, accepted))
    log = json.loads(render_to_string(
        Report((ChapterResult("ch.tex", equations=(e,)),), errors=("x/manifest.toml: bad",)),
        "sarif"))
    (run,) = log["runs"]
    assert [r["ruleId"] for r in run["results"]] == ["DV102"]
    assert run["invocations"][0]["executionSuccessful"] is False
    assert run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"] == \
        "x/manifest.toml: bad"


@pytest.mark.skipif(not Path(SCHEMA).is_file(),
                    reason="no SARIF 2.1.0 schema here (DERIVE_SARIF_SCHEMA; .ci/run fetches it)")
def test_every_bundled_chapters_log_is_valid_sarif_2_1_0():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(Path(SCHEMA).read_text(encoding="utf-8-sig"))
    assert "SARIF" in schema["title"] and "2.1.0" in schema["title"]
    validator = jsonschema.validators.validator_for(schema)(schema)
    log = json.loads(render_to_string(check([str(ROOT / "equations")], numeric=False,
                                            jobs=2), "sarif"))
    assert len(log["runs"][0]["results"]) > 10
    assert [e.message for e in validator.iter_errors(log)] == []
    broken = dict(log, version="2.0.0")                 # the schema does reject things
    assert list(validator.iter_errors(broken))
