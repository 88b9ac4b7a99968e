"""Report formats: each a small function ``render(report, stream)`` chosen by name."""
from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

from ..report import Report
from . import json_format, text

FORMATS: dict[str, Callable[[Report, TextIO], None]] = {
    "text": text.render,
    "json": json_format.render,
}


def render(report: Report, fmt: str, stream: TextIO) -> None:
    """Write ``report`` to ``stream`` in format ``fmt`` (a key of FORMATS)."""
    FORMATS[fmt](report, stream)
