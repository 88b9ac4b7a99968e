"""The order in which ``derive check --jobs N`` hands chapters to its processes.

Processes take chapters from one queue. Taken in alphabetical order, the costliest
chapter may come last and run alone while the other processes wait: longest first (the
LPT rule) leaves only small chapters for the end. The cost of a chapter is estimated
before checking it, from its text only: the derivatives it states times the size of the
arrays they are checked at (every entry of a matrix, every index value, every layer).
The estimate orders work; it never changes a result (reports come back in the
chapters' own order).
"""
from __future__ import annotations

import tomllib
from pathlib import Path

TEXT_SUFFIXES = {".tex", ".md", ".markdown", ".ipynb", ".txt"}


def estimated_cost(chapter: Path) -> float:
    """A chapter's relative cost: (∂, ∇ and claim markers in its text + 1) × (1 + its
    sizes summed).

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "manifest.toml").write_text("[sizes]\\nm = 4\\nK = 3\\n")
    >>> _ = (folder / "ch.tex").write_text(r"\\frac{\\partial J}{\\partial W} = X")
    >>> estimated_cost(folder / "manifest.toml")
    24.0
    """
    try:
        folder = chapter.parent if chapter.name == "manifest.toml" else None
        texts = ([p for p in sorted(folder.iterdir()) if p.suffix in TEXT_SUFFIXES]
                 if folder is not None else [chapter])
        derivatives = 0
        for p in texts[:50]:
            text = _read(p)
            derivatives += sum(text.count(w) for w in ("\\partial", "\\nabla", "derive: claim"))
        size = 1 + (_sizes(chapter) if folder is not None else 0)
    except OSError:
        return 0.0
    return float((derivatives + 1) * size)


def longest_first(chapters: list[Path]) -> list[int]:
    """Indices of ``chapters`` by estimated cost, the costliest first (ties: in order)."""
    costs = [estimated_cost(c) for c in chapters]
    return sorted(range(len(chapters)), key=lambda i: (-costs[i], i))


def critical(chapters: list[Path], jobs: int) -> set[int]:
    """Chapters estimated to cost more than a process's share of the whole run: the run
    cannot end before they do, so they may use a helper process of their own (a big one
    then splits its work, derive.rules.run and derive.calculus.claim_run).

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> paths = []
    >>> for name, text in (("big", r"\\partial" * 30), ("a", r"\\partial"), ("b", "")):
    ...     (folder / name).mkdir()
    ...     _ = (folder / name / "manifest.toml").write_text("")
    ...     _ = (folder / name / "ch.tex").write_text(text)
    ...     paths.append(folder / name / "manifest.toml")
    >>> critical(paths, 2)
    {0}
    """
    costs = [estimated_cost(c) for c in chapters]
    share = sum(costs) / max(jobs, 1)
    return {i for i, cost in enumerate(costs) if cost > share}


def _read(path: Path, limit: int = 2_000_000) -> str:
    with path.open("rb") as f:
        return f.read(limit).decode("utf-8", errors="replace")


def _sizes(manifest: Path) -> int:
    """The integers of [sizes] and [layers] widths (a manifest that does not parse: 0)."""
    try:
        data = tomllib.loads(_read(manifest))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        return 0
    total = 0
    sizes = data.get("sizes")
    if isinstance(sizes, dict):
        total += sum(v for v in sizes.values() if isinstance(v, int) and 0 < v < 10_000)
    layers = data.get("layers")
    if isinstance(layers, dict) and isinstance(layers.get("widths"), list):
        total += sum(v for v in layers["widths"] if isinstance(v, int) and 0 < v < 10_000)
    return total


def idle_share(seconds: float = 0.15) -> float | None:
    """The share of the machine's CPU time that was idle over ``seconds`` (Linux's
    /proc/stat; None elsewhere or when it cannot be read)."""
    import time
    try:
        before = _cpu_times()
        time.sleep(seconds)
        after = _cpu_times()
    except (OSError, ValueError, IndexError):
        return None
    idle, total = after[0] - before[0], after[1] - before[1]
    return idle / total if total > 0 else None


def _cpu_times() -> tuple[int, int]:
    with open("/proc/stat", encoding="ascii") as f:
        fields = [int(v) for v in f.readline().split()[1:9]]
    return fields[3] + fields[4], sum(fields)        # idle + iowait, all


def workers(jobs: int, cpus: int, idle: float | None) -> int:
    """Processes to use for ``--jobs jobs``: no more than the CPUs that are idle now. On
    busy CPUs a second process only shares the same CPU time as the first (with more
    memory and colder caches), so it can only make the run slower.

    >>> workers(2, 2, 1.0), workers(2, 2, 0.52), workers(2, 2, 0.02), workers(4, 2, None)
    (2, 1, 1, 4)
    """
    if idle is None:
        return jobs
    return max(1, min(jobs, int(idle * cpus + 0.4)))
