"""JSON report, version 1 (docs/json-report.md). Keys sorted, so output is byte-stable."""
from __future__ import annotations

import json
import math
from typing import TextIO

from .model import Report


def _clean(value):
    # JSON has no inf/nan; say so with null rather than emit invalid JSON
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def render(report: Report, stream: TextIO) -> None:
    json.dump(_clean(report.to_dict()), stream, ensure_ascii=False, indent=2, sort_keys=True)
    stream.write("\n")
