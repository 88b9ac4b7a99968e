#!/usr/bin/env python3
"""Every bundled chapter checked cold, each against the seed chapter in the same run.

    python benchmarks/chapters.py [--runs N]

For each chapter of equations/ (folders and documents), N fresh processes run
``python -m derive.cli check CHAPTER --format json -o /dev/null`` interleaved with the seed
chapter's check (the order rotated each round, so that no series always runs first on a
shared machine). Printed: the median wall time of each and its ratio to the seed's median
from the same rounds. Issue 14's target: every chapter under 10 s cold on 2 cores. No
assertion: a benchmark reports, it does not fail.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

from _common import ROOT, SEED_CHAPTER, byte_compile, child_env, header, median, spread


def _check(path: Path) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "derive.cli", "check", str(path), "--format", "json",
                    "-o", "/dev/null"], cwd=ROOT, env=child_env(), stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def chapters() -> list[Path]:
    out = []
    for folder in sorted((ROOT / "equations").iterdir()):
        if not folder.is_dir():
            continue
        if (folder / "manifest.toml").is_file():
            out.append(folder)
        else:
            out += sorted(p for p in folder.iterdir() if p.suffix in (".md", ".tex"))
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=3)
    args = p.parse_args()
    byte_compile()
    header("every bundled chapter, cold, against the seed chapter")
    print(f"{'chapter':34s} {'median s':>9s} {'seed s':>7s} {'ratio':>6s}  spread")
    worst = 0.0
    for chapter in chapters():
        own, seed = [], []
        for k in range(args.runs):
            pair = [(own, chapter), (seed, SEED_CHAPTER)]
            for series, path in (pair if k % 2 == 0 else pair[::-1]):
                series.append(_check(path))
        name = str(chapter.relative_to(ROOT / "equations"))
        worst = max(worst, median(own))
        print(f"{name:34s} {median(own):9.2f} {median(seed):7.2f} "
              f"{median(own) / median(seed):6.2f}  {spread(own)}")
    print(f"\nslowest chapter: {worst:.2f} s (target: under 10 s cold on 2 cores)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
