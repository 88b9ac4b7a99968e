"""Report formats: each a small module with ``render(report, stream)``, chosen by name.

A renderer may take keyword-only options (``text`` takes ``verbose``, ``quiet`` and
``color``; ``html`` takes ``standalone``); :func:`render` passes each renderer only the
options it accepts. Renderers only read the report: nothing is recomputed.

>>> sorted(FORMATS)
['concise', 'github', 'gitlab', 'html', 'json', 'junit', 'markdown', 'sarif', 'text']
"""
from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import TextIO

from .model import Report
from . import concise, github, gitlab, html_format, json_format, junit, markdown, sarif, text

FORMATS: dict[str, Callable[..., None]] = {
    "text": text.render,
    "json": json_format.render,
    "markdown": markdown.render,
    "html": html_format.render,
    "junit": junit.render,
    "concise": concise.render,
    "github": github.render,
    "gitlab": gitlab.render,
    "sarif": sarif.render,
}


def render(report: Report, fmt: str, stream: TextIO, **options) -> None:
    """Write ``report`` to ``stream`` in format ``fmt`` (a key of FORMATS).

    ``options`` a renderer does not take are ignored, so one call serves every format.
    """
    fn = FORMATS[fmt]
    accepted = inspect.signature(fn).parameters
    fn(report, stream, **{k: v for k, v in options.items() if k in accepted})


def render_to_string(report: Report, fmt: str, **options) -> str:
    """The rendered report as a string."""
    import io

    buf = io.StringIO()
    render(report, fmt, buf, **options)
    return buf.getvalue()
