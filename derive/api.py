"""The library entry point: ``derive.check(paths) -> Report``."""
from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from .driver import check_chapter, find_manifests
from .errors import InputError
from .report import Report

Progress = Callable[[int, int, Path], None]


def _check_one(args) -> tuple:
    """One chapter in a worker process: (result, None) or (None, one-line error)."""
    manifest, numeric, seed, claim_seconds, background, allow_outside, changed = args
    try:
        key = None
        if changed:                 # unchanged since its last check: its report read back
            from . import cache
            key = cache.chapter_key(manifest, numeric, seed, claim_seconds)
            kept = cache.load(key) if key else None
            if kept is not None:
                return kept, None
        result = check_chapter(manifest, numeric=numeric, seed=seed,
                               claim_seconds=claim_seconds, background=background,
                               allow_outside=allow_outside)
        if key:
            cache.store(key, result)
        return result, None
    except InputError as exc:
        return None, str(exc.located(file=str(manifest)))
    except (RecursionError, MemoryError) as exc:
        return None, f"{manifest}: gave up on this chapter ({type(exc).__name__})"
    except Exception as exc:  # noqa: BLE001 - one chapter's bug must not stop the others
        return None, (f"{manifest}: internal error ({type(exc).__name__}: {exc}); this is a bug "
                      "in derive, please report it with the chapter")


def check(paths: str | Path | Iterable[str | Path] = "equations", *, numeric: bool = True,
          seed: int = 0, claim_seconds: float | None = None,
          progress: Progress | None = None, jobs: int = 1,
          allow_outside: bool = False, changed: bool = False,
          only_chapters: bool = False) -> Report:
    """Check every chapter under ``paths`` and return the report.

    Chapters that cannot be read at all (a broken manifest, a missing file) appear as
    one-line entries in ``Report.errors``; the others are checked regardless.
    ``progress(i, n, manifest)``, if given, is called before chapter ``i`` of ``n`` (with
    ``jobs > 1``: as the ``i``-th chapter finishes).
    ``jobs > 1`` checks chapters in that many processes (``0``: one per usable CPU), the
    costliest first (derive.schedule); the report is the same, in the same order,
    whatever the number of jobs.
    ``allow_outside`` lets a manifest's ``source`` name a file outside its folder.
    ``changed`` checks only chapters whose files (or the options, or derive) changed since
    they were last checked with it; the others' reports are read back (derive.cache).
    ``only_chapters`` passes over a given document that is no chapter (no display
    formula) instead of reporting it (for pre-commit, which passes every changed file).

    >>> report = check("equations/ch08-two-layer-bce", numeric=False)
    >>> [e.id for e in report.chapters[0].equations if e.verdict != "verified"]
    ['z_2', '8-12', '8-14']
    >>> report.exit_code
    1

    The report is a value: render it in any format, or let a notebook show it (a
    Jupyter cell whose last line is ``report`` displays ``report._repr_html_()``).

    >>> from derive.report import render_to_string
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
            manifests.extend(find_manifests([path], only_chapters))
        except InputError as exc:
            errors.append(str(exc))
    manifests = sorted(set(manifests), key=str)
    jobs = _usable_cpus() if jobs == 0 else jobs
    if jobs > 1 and (len(manifests) > 1 or jobs > len(manifests)):
        # at most the CPUs idle now: on busy ones more processes only add overhead
        from .schedule import idle_share, workers
        jobs = workers(jobs, _usable_cpus(), idle_share())
    # more processes than chapters: a chapter may use a second one for a part of it; and
    # in a book, a chapter estimated to cost more than its share of the processes (it
    # alone would decide when the run ends) may take one when the others are done
    spare = [jobs > len(manifests)] * len(manifests)
    if jobs > 1 and len(manifests) > 1:
        from .schedule import critical
        spare = [jobs > len(manifests) or i in critical(manifests, jobs)
                 for i in range(len(manifests))]
    tasks = [(m, numeric, seed, claim_seconds, spare[i], allow_outside, changed)
             for i, m in enumerate(manifests)]
    if jobs > 1 and len(manifests) > 1:
        # the costliest chapters first (derive.schedule): the last to finish are small
        from concurrent.futures import as_completed

        from .schedule import longest_first
        results = [None] * len(tasks)
        with ProcessPoolExecutor(max_workers=min(jobs, len(manifests))) as pool:
            futures = {pool.submit(_check_one, tasks[i]): i for i in longest_first(manifests)}
            for done, future in enumerate(as_completed(futures), start=1):
                i = futures[future]
                if progress is not None:
                    progress(done, len(manifests), manifests[i])
                results[i] = future.result()
    else:
        results = []
        for i, task in enumerate(tasks, start=1):
            if progress is not None:
                progress(i, len(manifests), task[0])
            results.append(_check_one(task))
    for result, error in results:
        if error is not None:
            errors.append(error)
        else:
            chapters.append(result)
    return Report(chapters=tuple(chapters), errors=tuple(errors), seed=seed, numeric=numeric)


def _usable_cpus() -> int:
    """CPUs this process may run on (a container may allow fewer than the machine has)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:          # not on Linux
        return os.cpu_count() or 1


def clear_caches() -> None:
    """Forget everything this process has parsed, derived, proved and evaluated (every
    memo of derive.memo, and SymPy's cache), so that the next check starts cold.

    >>> clear_caches()
    """
    import sympy.core.cache

    from . import memo

    memo.clear_all()
    sympy.core.cache.clear_cache()
