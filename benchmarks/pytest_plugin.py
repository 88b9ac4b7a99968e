"""The pytest plugin's timings (issue 17): ``pytest --derive`` on a folder of chapters with
``-n 0`` and ``-n 2`` (pytest-xdist), each with and without ``-k`` selecting one equation
per run, and the collection alone (which reads the chapters, checks nothing).

    python benchmarks/pytest_plugin.py [--repeat N] [--out DIR] [--all]

Copies the chapters named below into DIR (a temporary folder by default) and prints the
best wall time of N runs of each command and the ratios. One run on a shared machine:
read the ratios, not the seconds. ``--all``: every bundled chapter instead of six.
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ["ch08-two-layer-bce", "logreg-batch", "two-layer-tanh-vectorized",
            "softmax-regression", "nielsen-backprop-index", "rnn-bptt-unit"]


def timed(args: list[str], cwd: Path, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider",
                               "-q", *args], cwd=cwd, capture_output=True, text=True)
        best = min(best, time.perf_counter() - start)
        if done.returncode not in (0, 1, 5):
            raise SystemExit(f"pytest {' '.join(args)}: exit {done.returncode}\n"
                             f"{done.stdout[-2000:]}")
    return best


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--out", type=Path, default=None)
    p.add_argument("--all", action="store_true", help="every chapter in equations/")
    args = p.parse_args()
    chapters = sorted(d.name for d in (ROOT / "equations").iterdir()
                      if d.is_dir()) if args.all else CHAPTERS
    out = args.out or Path(tempfile.mkdtemp(prefix="derive-plugin-"))
    book = out / "book"
    shutil.rmtree(book, ignore_errors=True)
    for name in chapters:
        shutil.copytree(ROOT / "equations" / name, book / name)
    base = ["--derive", "book"]
    one = ["-k", "8-14 or LR-2 or dW_2"]          # a few equations of the book
    rows = [("collect only", base + ["--collect-only"]),
            ("-n 0", base), ("-n 2", base + ["-n", "2"]),
            ("-n 0 -k", base + one), ("-n 2 -k", base + one + ["-n", "2"])]
    times = {name: timed(a, out, args.repeat) for name, a in rows}
    print(f"pytest --derive on {len(chapters)} chapters (best of {args.repeat}):")
    for name, t in times.items():
        print(f"  {name:14s} {t:7.1f} s")
    print(f"  ratio -n 2 / -n 0:          {times['-n 2'] / times['-n 0']:.2f} (want < 1)")
    print(f"  ratio -k / all, -n 0:       {times['-n 0 -k'] / times['-n 0']:.2f}")
    print(f"  ratio collect only / -n 0:  {times['collect only'] / times['-n 0']:.2f}")


if __name__ == "__main__":
    main()
