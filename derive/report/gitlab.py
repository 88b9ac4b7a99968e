"""``gitlab``: a GitLab code quality report (a JSON array of issues), shown in merge
requests when a CI job saves it as ``artifacts:reports:codequality``.

Each issue has a ``description`` (code and message), ``check_name`` (the rule code),
a ``fingerprint`` (the same finding at the same equation keeps it across runs, whatever
its line), a ``severity`` (``major`` for an error, ``minor`` for a warning) and a
``location`` (``path`` and ``lines.begin``).
"""
from __future__ import annotations

import json
from typing import TextIO

from .locations import located
from .model import Report

SEVERITY = {"error": "major", "warning": "minor"}


def render(report: Report, stream: TextIO) -> None:
    issues = []
    for place in located(report):
        issues.append({
            "type": "issue",
            "description": f"{place.code} {place.message}",
            "check_name": place.code,
            "categories": ["Bug Risk"],
            "fingerprint": place.fingerprint,
            "severity": SEVERITY.get(place.severity, "info"),
            "location": {"path": place.path, "lines": {"begin": place.line}},
        })
    json.dump(issues, stream, ensure_ascii=False, indent=2)
    stream.write("\n")
