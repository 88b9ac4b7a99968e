#!/usr/bin/env python3
"""Cold start: a fresh `derive check` of the seed chapter against importing its dependencies.

    python benchmarks/cold_start.py [--runs N] [--chapter PATH] [--no-numeric]

Each run starts new processes (``sys.executable``, working directory = the repository
root), interleaved, with the order rotated on every round so that no series always runs
first on a noisy, shared machine:

  python -c pass                                 interpreter start-up alone (context)
  python -c "import sympy, numpy"                the baseline of the target (derive's
                                                 run-time dependencies)
  python -c "import derive.cli, derive.checker"  derive's own imports (context)
  python -m derive.cli check CHAPTER --format json -o /dev/null
                                                 the seed check, cold: nothing cached, as a
                                                 user runs it (one chapter, --jobs 0: on
                                                 2 cores its vectorized forms are computed
                                                 in a second process)
  ... --jobs 1                                   the same in one process (context: a
                                                 machine with one core)
  what-if (context; --no-what-if leaves it out): the cold check with the vectorized forms
    switched off in the child (ChapterChecker._vectorized_forms raises NotDense).
The JSON reports of the two real series must be identical (checked after the rounds).

derive is byte-compiled first (benchmarks/_common.py: byte_compile), as pip install does.
Wall time is measured around each child; peak resident memory (ru_maxrss) comes from
``os.wait4`` for that one child. Medians over N runs (default 5).

Target (issue 6): median(seed check, cold) / median(import sympy, numpy, latex2sympy2) <= 1.5,
the imports of derive's dependencies at the time. Since issue 11 latex2sympy2 is a test-only
oracle: that baseline is measured when latex2sympy2 is installed (the test environment), and
the ratio to ``import sympy, numpy`` (what derive needs now) is printed next to it;
the ratios of the context series are printed next to it.
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (ROOT, SEED_CHAPTER, byte_compile, child_env, header, median,  # noqa: E402
                     spread)

TARGET = 1.5
ISSUE6 = "import sympy, numpy, latex2sympy2"     # issue 6's baseline (test environment only)

# the same CLI run with the chapter-level vectorized forms (derive/calculus/vectorize.py) switched
# off, to measure what they cost a cold check (a what-if; derive itself is not changed)
NO_VECTORIZE = """\
from derive.checker import ChapterChecker
from derive.calculus.vectorize import NotDense
def _no_forms(self):
    raise NotDense()
ChapterChecker._vectorized_forms = _no_forms
"""
RUN_CLI = """\
from derive.cli import run
run()
"""


def what_if(*parts: str) -> str:
    return "import sys\n" + "".join(parts) + RUN_CLI


def run_child(cmd: list[str], extra_env: dict | None = None) -> tuple[float, int, int]:
    """(wall seconds, peak RSS in KiB, exit code) of one fresh child process."""
    env = child_env()
    env.update(extra_env or {})
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=str(ROOT), env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    # wait4 gives this child's own rusage (RUSAGE_CHILDREN would be the max over all)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code
    err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    proc.stderr.close()
    if code not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} exited with {code}:\n{err}")
    return wall, usage.ru_maxrss, code


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=5, help="rounds (default 5)")
    p.add_argument("--chapter", default=str(SEED_CHAPTER.relative_to(ROOT)),
                   help="chapter to check (default: the seed chapter)")
    p.add_argument("--no-numeric", action="store_true", help="pass --no-numeric to the check")
    p.add_argument("--no-what-if", action="store_true",
                   help="leave out the what-if series (no vectorized forms)")
    args = p.parse_args(argv)

    header("cold start: derive check of one chapter in a new process")
    byte_compile()
    py = sys.executable
    check = [py, "-m", "derive.cli", "check", args.chapter, "--format", "json",
             "-o", os.devnull] + (["--no-numeric"] if args.no_numeric else [])
    tmpdir = tempfile.TemporaryDirectory(prefix="derive-cold-")
    series = {
        "python -c pass": ([py, "-c", "pass"], None),
        "import sympy, numpy": ([py, "-c", "import sympy, numpy"], None),
        ISSUE6: ([py, "-c", "import sympy, numpy, latex2sympy2"], None),
        "import derive.cli, derive.checker": ([py, "-c", "import derive.cli, derive.checker"],
                                              None),
        "derive check (seed), cold": (check, None),
        "cold, one process (--jobs 1)": (check + ["--jobs", "1"], None),
    }
    if importlib.util.find_spec("latex2sympy2") is None:
        del series[ISSUE6]
    if not args.no_what_if:
        series["what-if: cold, no vectorized forms"] = (
            [py, "-c", what_if(NO_VECTORIZE), *check[3:]], None)
    print(f"# check command: {' '.join(['python'] + check[1:])}")
    print(f"# rounds: {args.runs}, series interleaved, order rotated each round")
    sys.stdout.flush()

    names = list(series)
    walls: dict[str, list[float]] = {n: [] for n in names}
    rss: dict[str, list[int]] = {n: [] for n in names}
    codes = set()
    run_child(series["import sympy, numpy"][0])  # warm the OS file cache once
    for r in range(args.runs):
        order = names[r % len(names):] + names[:r % len(names)]
        for n in order:
            wall, peak, code = run_child(*series[n])
            walls[n].append(wall)
            rss[n].append(peak)
            if n == "derive check (seed), cold":
                codes.add(code)
        print(f"  round {r + 1}/{args.runs}: " + ", ".join(
            f"{n}={walls[n][-1]:.2f}s"
            for n in names), flush=True)

    print()
    print(f"{'series':38} {'median s':>9} {'min..max s':>14} {'peak RSS MiB (median)':>22}")
    for n in names:
        print(f"{n:38} {median(walls[n]):9.3f} {spread(walls[n]):>14} "
              f"{median(rss[n]) / 1024:22.1f}")
    base = median(walls["import sympy, numpy"])
    seed = median(walls["derive check (seed), cold"])
    one = median(walls["cold, one process (--jobs 1)"])
    own = median(walls["import derive.cli, derive.checker"])
    ratio = seed / median(walls[ISSUE6]) if ISSUE6 in walls else None
    print()
    print(f"derive check exit code(s): {sorted(codes)} (1 = the chapter has errors, as expected "
          "for the seed)")
    print(f"derive's imports beyond the baseline: {own - base:+.3f} s (both series include "
          "the interpreter's teardown, which the derive command skips)")
    print(f"peak RSS of the seed check: {median(rss['derive check (seed), cold']) / 1024:.1f} MiB "
          f"(max over runs {max(rss['derive check (seed), cold']) / 1024:.1f} MiB)")
    # the cached run must give the same report: the JSON of one more (untimed) run of each
    outs = {}
    compared = ("derive check (seed), cold", "cold, one process (--jobs 1)")
    for k, n in enumerate(compared):
        cmd, env = series[n]
        out = str(Path(tmpdir.name) / f"report-{k}.json")
        cmd = list(cmd)
        cmd[cmd.index("-o") + 1] = out
        run_child(cmd, env)
        outs[n] = Path(out).read_text(encoding="utf-8")
    same = len(set(outs.values())) == 1
    print(f"JSON reports of the cold check and --jobs 1 identical: "
          f"{'yes' if same else 'NO'}")
    n = "what-if: cold, no vectorized forms"
    if n in walls:
        w = median(walls[n])
        print(f"{n}: the cold check without the vectorized forms takes {w:.3f} s "
              f"(ratio {w / base:.2f}; {seed - w:+.3f} s)")
    tmpdir.cleanup()
    print(f"ratio, one process (--jobs 1) = {one:.3f} / {base:.3f} = {one / base:.2f}")
    print(f"ratio cold check / import sympy, numpy = {seed:.3f} / {base:.3f} = {seed / base:.2f}")
    if ratio is None:
        print("issue 6's baseline not measured: latex2sympy2 is not installed here")
    else:
        print(f"ratio cold check / {ISSUE6} = {seed:.3f} / {median(walls[ISSUE6]):.3f} = "
              f"{ratio:.2f}   target <= {TARGET:g}: {'met' if ratio <= TARGET else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
