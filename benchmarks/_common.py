"""Shared helpers for the benchmark scripts (not a test module; no timing assertions).

Older derive versions' persistent parse cache is off in every benchmark process
(DERIVE_NO_CACHE=1; derive keeps none since issue 11).
derive's modules are byte-compiled before any child is started (:func:`byte_compile`),
as ``pip install`` does for derive and did for SymPy and NumPy: otherwise, on a machine
with PYTHONDONTWRITEBYTECODE set, every child would compile derive from source (about
0.05 s) while importing its dependencies compiled.

Every script is run from the repository root as ``python benchmarks/<name>.py`` with the
project's virtual environment. The repository root is put on ``sys.path`` so that
``derive`` is importable without installing it, and child processes get it through
``PYTHONPATH``.
"""
from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED_CHAPTER = ROOT / "equations" / "ch08-two-layer-bce"

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# derive keeps no cache on disk since issue 11; older versions (measured with PYTHONPATH)
# kept parsed formulas there: keep it off so every run is a first run
os.environ["DERIVE_NO_CACHE"] = "1"


def child_env() -> dict:
    """Environment for child Pythons: derive importable, no colour, no bytecode noise."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH")
                                     else "")
    env["NO_COLOR"] = "1"
    return env


def byte_compile() -> None:
    """Write derive/__pycache__ (ignored by git), whatever PYTHONDONTWRITEBYTECODE says."""
    import compileall

    if not compileall.compile_dir(str(ROOT / "derive"), quiet=1):
        raise SystemExit("cannot byte-compile derive/")
    print("# derive byte-compiled (derive/__pycache__), as pip install does")


def median(xs) -> float:
    return statistics.median(xs) if xs else float("nan")


def spread(xs) -> str:
    """min..max of a sample, for the reader to judge the noise."""
    return f"{min(xs):.3f}..{max(xs):.3f}" if xs else "-"


def header(title: str) -> None:
    """Title, date, machine: every figure printed below belongs to this context."""
    print(f"# {title}")
    print(f"# date: {time.strftime('%Y-%m-%d %H:%M:%S %Z')}  nproc: {os.cpu_count()}  "
          f"sched_getaffinity: {len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else '?'}")
    print(f"# python: {platform.python_version()} ({sys.executable})")
    print(f"# derive at commit {git_state()}")
    # versions from the metadata, not by importing: the benchmarks that start children
    # keep this process small (a child's ru_maxrss starts from the parent's RSS at spawn)
    from importlib import metadata
    versions = []
    for dist in ("sympy", "numpy"):
        try:
            versions.append(f"{dist} {metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{dist} missing")
    print("# " + ", ".join(versions))
    try:
        load = os.getloadavg()
        print(f"# load average at start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    except OSError:
        pass
    sys.stdout.flush()


def rss_kib() -> int:
    """Current resident set size of this process in KiB (Linux /proc; 0 elsewhere)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def peak_rss_kib() -> int:
    """Peak resident set size of this process so far in KiB (VmHWM; ru_maxrss fallback)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def verdict_counts(result) -> dict:
    """Verdicts of a ChapterResult's claims, e.g. {'verified': 8, 'mismatch': 1}."""
    out: dict = {}
    for e in result.equations:
        if e.kind == "claim":
            out[str(e.verdict)] = out.get(str(e.verdict), 0) + 1
    return out


def git_state() -> str:
    """The commit measured, and whether derive/ had uncommitted edits at the time."""
    import subprocess
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--short", "--", "derive"], cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout.split("\n")
        dirty = [d for d in dirty if d.strip()]
        return head + (f" + uncommitted edits in derive/ ({len(dirty)} files)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
