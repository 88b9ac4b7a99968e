"""``[tool.derive]`` in pyproject.toml: the project's settings, found by walking up from
the checked path (as ruff finds ``[tool.ruff]``); command-line flags override them.

.. code-block:: toml

    [tool.derive]
    paths = ["book/"]                 # what `derive check` checks without PATH
    format = "concise"
    select = ["DV1", "DV2"]           # rule codes or their prefixes that count
    ignore = ["DV204"]                # ... and those that do not
    per-file-ignores = { "book/ch03/*" = ["DV202"] }
    numeric = true                    # the NumPy route (false: --no-numeric)
    seed = 0
    jobs = 2
    claim-seconds = 20
    cache = true                      # reuse unchanged chapters' reports (as --changed)
    cache-dir = ".derive-cache"       # where (default: the platform's cache folder)

A finding that is ignored (or not selected) is kept in the report marked suppressed, as
with ``% derive: ignore[CODE]`` on one equation, and no longer fails the check.

>>> policy = Policy(select=("DV1",), ignore=("DV103",))
>>> [policy.ignores(code, "ch.tex") for code in ("DV102", "DV103", "DV204")]
[False, True, True]
"""
from __future__ import annotations

import fnmatch
import os
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

from .errors import InputError

KEYS = {"paths", "format", "select", "ignore", "per-file-ignores", "numeric", "seed", "jobs",
        "claim-seconds", "cache", "cache-dir"}


@dataclass(frozen=True)
class Policy:
    """Which rule codes count (``select``, ``ignore``, ``per-file-ignores``)."""

    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    per_file: tuple[tuple[str, tuple[str, ...]], ...] = ()
    root: Path = field(default_factory=Path.cwd)

    def ignores(self, code: str | None, file: str) -> bool:
        if code is None:
            return False
        if self.select is not None and not code.startswith(tuple(self.select)):
            return True
        if code.startswith(tuple(self.ignore)) and self.ignore:
            return True
        try:
            rel = Path(file).resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            rel = Path(file).as_posix()
        return any(code.startswith(codes) for pattern, codes in self.per_file
                   if fnmatch.fnmatch(rel, pattern) and codes)

    def apply(self, report):
        """The report with every finding this policy ignores marked suppressed."""
        if self.select is None and not self.ignore and not self.per_file:
            return report

        def mark(f, file):
            if f.severity in ("error", "warning") and self.ignores(f.code, file):
                return replace(f, suppressed=True)
            return f
        chapters = []
        for c in report.chapters:
            equations = tuple(e.with_findings(lambda f, e=e: mark(f, e.file or c.file))
                              for e in c.equations)
            chapters.append(replace(c, equations=equations,
                                    findings=tuple(mark(f, c.file) for f in c.findings)))
        return replace(report, chapters=tuple(chapters))


@dataclass(frozen=True)
class Config:
    settings: dict
    policy: Policy
    path: Path | None = None          # the pyproject.toml it came from


def find(start: str | Path) -> Config:
    """The ``[tool.derive]`` of the nearest pyproject.toml at or above ``start`` that has
    one (an empty Config when none does). A malformed table is an InputError."""
    here = Path(start).resolve()
    for folder in (here, *here.parents) if here.is_dir() else here.parents:
        candidate = folder / "pyproject.toml"
        if not candidate.is_file():
            continue
        try:
            data = tomllib.loads(candidate.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise InputError(f"cannot read it: {exc}", file=str(candidate)) from None
        table = data.get("tool", {}).get("derive")
        if table is not None:
            return _config(table, candidate)
    return Config({}, Policy())


def _config(table, path: Path) -> Config:
    def bad(key: str, want: str):
        return InputError(f"[tool.derive] {key}: expected {want}", file=str(path))
    if not isinstance(table, dict):
        raise bad("", "a table")
    unknown = sorted(set(table) - KEYS)
    if unknown:
        raise InputError(f"[tool.derive] has no key {unknown[0]!r} (keys: "
                         f"{', '.join(sorted(KEYS))})", file=str(path))
    codes = {}
    for key in ("select", "ignore"):
        value = table.get(key)
        if value is not None and (not isinstance(value, list)
                                  or not all(isinstance(c, str) for c in value)):
            raise bad(key, "a list of rule codes")
        codes[key] = tuple(value) if value is not None else None
    per_file = table.get("per-file-ignores", {})
    if not isinstance(per_file, dict) or not all(
            isinstance(v, list) and all(isinstance(c, str) for c in v) for v in per_file.values()):
        raise bad("per-file-ignores", "a table of glob = [codes]")
    types = {"paths": list, "format": str, "numeric": bool, "seed": int, "jobs": int,
             "claim-seconds": (int, float), "cache": bool, "cache-dir": str}
    for key, kind in types.items():
        value = table.get(key)
        if value is not None and (not isinstance(value, kind) or isinstance(value, bool)
                                  and kind is not bool):
            raise bad(key, kind.__name__ if isinstance(kind, type) else "a number")
    if "paths" in table and not all(isinstance(p, str) for p in table["paths"]):
        raise bad("paths", "a list of paths")
    folder = path.parent
    settings = dict(table)
    if "paths" in settings:          # relative to the pyproject.toml's folder
        settings["paths"] = [os.path.relpath(folder / p) for p in settings["paths"]]
    if "cache-dir" in settings:
        where = os.path.expanduser(settings["cache-dir"])
        settings["cache-dir"] = str((folder / where).resolve())
    policy = Policy(codes["select"], codes["ignore"] or (),
                    tuple((k, tuple(v)) for k, v in per_file.items()), folder)
    return Config(settings, policy, path)
