"""What a spare CPU buys one big chapter: ``derive check CHAPTER --jobs 2`` against
``--jobs 1`` (one chapter, two CPUs: the cross-check runs beside the claims, or the
claims are shared with a helper; derive.rules.run, derive.calculus.claim_run).

    python benchmarks/spare_cpu.py [--repeat N] [--out DIR]

For each chapter (bundled ones, and copies of three at larger sizes written to DIR) it
prints the best wall time of N runs each way, their ratio, and whether the two JSON
reports are byte-identical (they must be). One run on a shared machine: read the ratios,
not the seconds.
"""
from __future__ import annotations

import argparse
import filecmp
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from scaling import make_copy, variant_name  # noqa: E402

BUNDLED = ["ch08-two-layer-bce", "bptt-goodfellow", "softmax-bishop", "deep-sigmoid-network",
           "nielsen-backprop-index"]
LARGER = [("bptt-goodfellow", {"\\tau": 5, "n": 5, "d": 5, "q": 5}),
          ("softmax-bishop", {"K": 8}),
          ("deep-sigmoid-network", {"widths": [4, 6, 6, 6, 6, 6, 6, 6, 1]})]


def run(chapter: Path, jobs: int, report: Path) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "derive.cli", "check", str(chapter), "--jobs",
                    str(jobs), "--format", "json", "-o", str(report)], cwd=ROOT,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="derive-spare-"))
    out.mkdir(parents=True, exist_ok=True)
    chapters = [ROOT / "equations" / c for c in BUNDLED]
    for c, v in LARGER:
        copy = out / variant_name(c, v)
        if copy.exists():
            shutil.rmtree(copy)
        chapters.append(make_copy(out, c, v))
    print(f"{'chapter':44s} {'jobs 1':>8s} {'jobs 2':>8s} {'ratio':>6s}  report")
    ratios = []
    for ch in chapters:
        one, two = [], []
        for _ in range(args.repeat):                 # alternated: drift hits both
            one.append(run(ch, 1, out / "one.json"))
            two.append(run(ch, 2, out / "two.json"))
        same = filecmp.cmp(out / "one.json", out / "two.json", shallow=False)
        ratio = min(two) / min(one)
        ratios.append(ratio)
        print(f"{ch.name:44s} {min(one):8.2f} {min(two):8.2f} {ratio:6.2f}  "
              f"{'identical' if same else 'DIFFERENT'}")
    print(f"worst ratio {max(ratios):.2f}, best {min(ratios):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
