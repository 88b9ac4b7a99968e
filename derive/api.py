"""The library entry point: ``derive.check(paths) -> Report``."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from .checker import check_chapter, find_manifests
from .errors import InputError
from .report import Report

Progress = Callable[[int, int, Path], None]


def check(paths: str | Path | Iterable[str | Path] = "equations", *, numeric: bool = True,
          seed: int = 0, claim_seconds: float | None = None,
          progress: Progress | None = None) -> Report:
    """Check every chapter under ``paths`` and return the report.

    Chapters that cannot be read at all (a broken manifest, a missing file) appear as
    one-line entries in ``Report.errors``; the others are checked regardless.
    ``progress(i, n, manifest)``, if given, is called before chapter ``i`` of ``n``.

    >>> report = check("equations/ch08-two-layer-bce", numeric=False)
    >>> [e.id for e in report.chapters[0].equations if e.verdict != "verified"]
    ['z_2', '8-12', '8-14']
    >>> report.exit_code
    1

    The report is a value: render it in any format, or let a notebook show it (a
    Jupyter cell whose last line is ``report`` displays ``report._repr_html_()``).

    >>> from derive.reporters import render_to_string
    >>> print(render_to_string(report, "text", quiet=True), end="")  # doctest: +ELLIPSIS
    14 equations: ... inconsistent, ... verified (numeric checks off)
    >>> "<math" in report._repr_html_() and "8-14" in report._repr_markdown_()
    True
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    errors: list[str] = []
    chapters = []
    manifests = []
    for path in paths:                 # one bad path does not stop the others
        try:
            manifests.extend(find_manifests([path]))
        except InputError as exc:
            errors.append(str(exc))
    manifests = sorted(set(manifests), key=str)
    for i, manifest in enumerate(manifests, start=1):
        if progress is not None:
            progress(i, len(manifests), manifest)
        try:
            chapters.append(check_chapter(manifest, numeric=numeric, seed=seed,
                                          claim_seconds=claim_seconds))
        except InputError as exc:
            errors.append(str(exc.located(file=str(manifest))))
    return Report(chapters=tuple(chapters), errors=tuple(errors), seed=seed, numeric=numeric)
