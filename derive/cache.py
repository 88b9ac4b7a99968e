"""Checked chapters kept between runs (``derive check --changed``): a chapter whose files,
options and derive itself are unchanged is not checked again, its report is read back.

The key of a chapter is a SHA-256 of every file in its folder (names and bytes), the
options that change a report (numeric route, seed, claim time limit) and derive's own
source and its SymPy and NumPy versions; any change re-checks it. The cache holds JSON
only (never code), in the platform's cache folder (``$XDG_CACHE_HOME/derive``,
``~/Library/Caches/derive``, ``%LOCALAPPDATA%\\derive\\Cache``; ``DERIVE_CACHE_DIR``
overrides it). A file that cannot be read back, or that holds another key, is ignored
and the chapter is checked; writing is best effort and never fails a check.

>>> key = chapter_key(Path("equations/logreg-batch/manifest.toml"), True, 0, None)
>>> len(key), key == chapter_key(Path("equations/logreg-batch/manifest.toml"), True, 0, None)
(64, True)
>>> key == chapter_key(Path("equations/logreg-batch/manifest.toml"), True, 1, None)
False
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
from pathlib import Path

from .report import ChapterResult, chapter_from_dict

FORMAT = 1
MAX_FILES = 200                  # a chapter folder larger than this is not cached
MAX_BYTES = 20 * 2 ** 20


def cache_folder() -> Path:
    """Where checked chapters are kept: the platform's cache folder for derive."""
    if os.environ.get("DERIVE_CACHE_DIR"):
        return Path(os.environ["DERIVE_CACHE_DIR"])
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "derive" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "derive"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "derive"


@functools.lru_cache(maxsize=1)
def derive_fingerprint() -> str:
    """derive's own source and the versions of what computes with it."""
    from importlib import metadata
    h = hashlib.sha256()
    root = Path(__file__).resolve().parent
    for path in sorted(root.rglob("*.py")):
        h.update(str(path.relative_to(root)).encode())
        h.update(path.read_bytes())
    for dist in ("sympy", "numpy"):
        try:
            h.update(f"{dist}={metadata.version(dist)}".encode())
        except metadata.PackageNotFoundError:
            h.update(dist.encode())
    return h.hexdigest()


def chapter_key(manifest: Path, numeric: bool, seed: int, claim_seconds) -> str | None:
    """The key of one chapter's report, or None when its folder is too large to hash."""
    folder = Path(manifest).resolve().parent
    h = hashlib.sha256(f"derive-cache {FORMAT} {derive_fingerprint()} {Path(manifest).name} "
                       f"{numeric} {seed} {claim_seconds}".encode())
    files = [p for p in sorted(folder.rglob("*")) if p.is_file() and not any(
        part.startswith(".") or part == "__pycache__" for part in p.relative_to(folder).parts)]
    if len(files) > MAX_FILES or sum(p.stat().st_size for p in files) > MAX_BYTES:
        return None
    for path in files:
        data = path.read_bytes()
        h.update(f"\0{path.relative_to(folder).as_posix()}\0{len(data)}\0".encode())
        h.update(data)
    return h.hexdigest()


def load(key: str) -> ChapterResult | None:
    """The report kept under ``key``, or None (absent, unreadable, another key)."""
    try:
        data = json.loads((cache_folder() / f"{key}.json").read_text(encoding="utf-8"))
        if data.get("format") != FORMAT or data.get("key") != key:
            return None
        seed = data["seed"]
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            return None
        return chapter_from_dict(data["chapter"], seed)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def store(key: str, result: ChapterResult) -> None:
    """Keep a checked chapter (written to a temporary file, then renamed into place)."""
    folder = cache_folder()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{key}.{os.getpid()}.tmp"
        tmp.write_text(json.dumps({"format": FORMAT, "key": key, "seed": result.seed,
                                   "chapter": result.to_dict()}), encoding="utf-8")
        os.replace(tmp, folder / f"{key}.json")
    except (OSError, TypeError, ValueError):
        pass
