#!/usr/bin/env python3
"""The bundled chapters as a book: ``derive check equations/ --jobs 2`` against ``--jobs 1``.

    python benchmarks/jobs.py [--runs N]

N rounds, each running both (the order alternating), fresh processes, the whole folder of
chapters (what CI runs). Printed: the median wall time of each and the ratio jobs 2 /
jobs 1 from the same rounds. Issue 15's targets: at most 0.6 on an idle 2-core machine,
at most 1.0 on a loaded one. No assertion: a benchmark reports, it does not fail.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time

from _common import ROOT, byte_compile, child_env, header, median, spread


def _run(jobs: int) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "derive.cli", "check", str(ROOT / "equations"),
                    "--jobs", str(jobs), "--format", "json", "-o", "/dev/null"], cwd=ROOT,
                   env=child_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   check=False)
    return time.perf_counter() - start


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=3)
    args = p.parse_args()
    byte_compile()
    header("the bundled chapters as a book, --jobs 2 against --jobs 1")
    one, two = [], []
    for k in range(args.runs):
        pair = [(one, 1), (two, 2)]
        for series, jobs in (pair if k % 2 == 0 else pair[::-1]):
            series.append(_run(jobs))
    print(f"{'series':12s} {'median s':>9s}  spread")
    print(f"{'--jobs 1':12s} {median(one):9.2f}  {spread(one)}")
    print(f"{'--jobs 2':12s} {median(two):9.2f}  {spread(two)}")
    print(f"\nratio --jobs 2 / --jobs 1: {median(two) / median(one):.2f} "
          "(targets: <= 0.6 idle, <= 1.0 loaded)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
