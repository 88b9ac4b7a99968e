"""``sarif``: a SARIF 2.1.0 log, for code scanning (GitHub's security tab, Azure DevOps,
IDE viewers).

One run of the tool ``derive``; one rule per code found (id ``DV102``, name ``sign``,
its help pointing at docs/verdicts.md); one result per error or warning that the author
did not suppress, at its equation's region in the author's file (``endColumn`` one past
the formula's last character), with a fingerprint that survives moved lines. A chapter
that could not be read is a tool execution notification, and the run then did not
succeed.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import TextIO

from .locations import located
from .model import Report

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
HELP = "derive's docs/verdicts.md, section Rule codes, says what this code finds and why."


def _uri(path: str) -> str:
    p = Path(path)
    return p.as_uri() if p.is_absolute() else p.as_posix()


def _region(place, equation) -> dict:
    region = {"startLine": place.line, "startColumn": place.column}
    if equation is not None and equation.end_line and equation.end_column and \
            equation.column and equation.line == place.line:
        region.update(endLine=equation.end_line, endColumn=equation.end_column + 1)
    return region


def render(report: Report, stream: TextIO) -> None:
    from ..version import __version__
    rules, results = {}, []
    equations = {(c.file, e.id): e for c in report.chapters for e in c.equations}
    for place in located(report):
        code = place.code
        if code not in rules:
            rules[code] = {"id": code, "name": place.finding.kind,
                           "shortDescription": {"text": f"{code} {place.finding.kind}"},
                           "help": {"text": HELP}}
        chapter_file = next((c.file for c in report.chapters
                             if (c.file, place.equation) in equations), None)
        equation = equations.get((chapter_file, place.equation))
        result = {
            "ruleId": code,
            "ruleIndex": list(rules).index(code),
            "level": "error" if place.severity == "error" else "warning",
            "message": {"text": place.message},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": _uri(place.path)},
                "region": _region(place, equation)}}],
            "partialFingerprints": {"derive/v1": place.fingerprint},
        }
        if place.finding.suggestion:
            result["message"]["text"] += f" (fix: {' '.join(place.finding.suggestion.split())})"
        if place.equation:
            result["properties"] = {"equation": place.equation}
        results.append(result)
    notifications = [{"level": "error", "message": {"text": " ".join(e.split())}}
                     for e in report.errors]
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "derive", "version": __version__,
                                "rules": list(rules.values())}},
            "invocations": [{"executionSuccessful": not report.errors,
                             "toolExecutionNotifications": notifications}],
            "results": results,
        }],
    }
    json.dump(log, stream, ensure_ascii=False, indent=2)
    stream.write("\n")
