"""Kept for code written against derive 0.x: the renderers now live in
:mod:`derive.report` (``derive.report.render``, ``derive.report.render_to_string``)."""
from __future__ import annotations

from .report import FORMATS, render, render_to_string

__all__ = ["FORMATS", "render", "render_to_string"]
