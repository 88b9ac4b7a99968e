"""The library entry point: ``derive.check(paths) -> Report``."""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .checker import check_chapter, find_manifests
from .errors import InputError
from .report import Report


def check(paths: str | Path | Iterable[str | Path] = "equations", *, numeric: bool = True,
          seed: int = 0, claim_seconds: float | None = None) -> Report:
    """Check every chapter under ``paths`` and return the report.

    Chapters that cannot be read at all (a broken manifest, a missing file) appear as
    one-line entries in ``Report.errors``; the others are checked regardless.

    >>> report = check("equations/ch08-two-layer-bce", numeric=False)
    >>> [e.id for e in report.chapters[0].equations if e.verdict != "verified"]
    ['z_2', '8-12', '8-14']
    >>> report.exit_code
    1
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    errors: list[str] = []
    chapters = []
    try:
        manifests = find_manifests(list(paths))
    except InputError as exc:
        return Report(errors=(str(exc),), seed=seed, numeric=numeric)
    for manifest in manifests:
        try:
            chapters.append(check_chapter(manifest, numeric=numeric, seed=seed,
                                          claim_seconds=claim_seconds))
        except InputError as exc:
            errors.append(str(exc.located(file=str(manifest))))
    return Report(chapters=tuple(chapters), errors=tuple(errors), seed=seed, numeric=numeric)
