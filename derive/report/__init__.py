"""The report: what a check found (:mod:`.model`, plain data) and its renderers, each a
small module with ``render(report, stream)`` chosen by name (:mod:`.formats`).

The renderers read the model; the model does not import them. ``Report._repr_html_``
renders through the hook that importing this package fills.

>>> sorted(FORMATS)
['concise', 'github', 'gitlab', 'html', 'json', 'junit', 'markdown', 'sarif', 'text']
"""
from __future__ import annotations

from .common import summary_line
from .formats import FORMATS, render, render_to_string
from .model import (BATCH_MEAN, PER_SAMPLE, RENDERER, ChapterResult, EquationResult, Finding,
                    LinkResult, NumericEvidence, Report, VectorForm, Verdict,
                    chapter_from_dict)

RENDERER["to_string"] = render_to_string
RENDERER["summary"] = summary_line

__all__ = ["BATCH_MEAN", "FORMATS", "PER_SAMPLE", "ChapterResult", "EquationResult",
           "Finding", "LinkResult", "NumericEvidence", "Report", "VectorForm", "Verdict",
           "chapter_from_dict", "render", "render_to_string"]
