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

import re
import tomllib
from pathlib import Path

TEXT_SUFFIXES = {".tex", ".md", ".markdown", ".ipynb", ".txt"}
_INT = re.compile(r"^\s*([A-Za-z_][\w]*)\s*=\s*(\d+)\s*$", re.M)


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
