#!/usr/bin/env python3
"""The bundled chapters at the largest sizes the format allows: is any correct claim left
inconclusive (or slower than the budget)?

    python benchmarks/largest.py [--budget SECONDS] [--only CH1,CH2]

Issue 15 asks that no correct bundled claim be inconclusive at the sizes the format
allows. Each chapter whose bundled claims are all verified is copied with every size of
its ``[sizes]`` table at the manifest's maximum (12, derive.read.manifest.MAX_SIZE) — or, where
that exceeds another limit of the format (a claim's free indices at most 144 values), at
the largest value within it — and a generic-layer chapter with 40 layers (the maximum of
[layers]). Each copy is checked in a fresh process (``--jobs 1``), killed past --budget
seconds (default 600). Printed: the sizes, the claims' verdicts, the wall time, and a
flag on anything but "all verified". No assertion: a benchmark reports, it does not fail.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import byte_compile, header
from scaling import check, make_copy, read_report, verdicts

# the largest sizes of each chapter within the format's limits (12 per size; 144 values
# of a claim's free indices; 40 layers): written out, as a reader can check them
LARGEST: dict[str, dict] = {
    "batchnorm-ioffe": {"m": 12},
    "bptt-d2l": {"T": 12},
    "bptt-goodfellow": {"\\tau": 12, "n": 12, "d": 12, "q": 12},
    "deep-sigmoid-network": {"widths": [2] + [3] * 39 + [1], "m": 12},
    "l2-regularization-nielsen": {"K": 12, "N": 12},
    "logreg-vectorized": {"n_x": 12, "m": 12},
    "nielsen-backprop": {"widths": [12, 12, 12]},
    "nielsen-backprop-index": {"widths": [1, 12, 12, 12]},
    "rnn-bptt-unit": {"T": 12},
    "skipgram-rong": {"N": 12},
    "softmax-bishop": {"N": 1, "K": 12, "M": 12},
    "softmax-index": {"q": 12, "d": 12},
    "softmax-regression": {"n_x": 12, "K": 12, "m": 12},
    "two-layer-tanh-vectorized": {"n_x": 12, "n_h": 12, "m": 12},
}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--budget", type=float, default=600.0)
    p.add_argument("--only", default="")
    args = p.parse_args()
    only = [c for c in args.only.split(",") if c]
    byte_compile()
    header("the bundled chapters at the largest sizes the format allows")
    flagged = 0
    with tempfile.TemporaryDirectory(prefix="derive-largest-") as tmp:
        base = Path(tmp)
        print(f"{'chapter':28s} {'seconds':>8s}  verdicts of the claims")
        for chapter, sizes in LARGEST.items():
            if only and chapter not in only:
                continue
            try:
                folder = make_copy(base, chapter, sizes)
            except (ValueError, OSError) as exc:
                print(f"{chapter:28s} {'-':>8s}  not made: {exc}")
                flagged += 1
                continue
            report = base / f"{chapter}.json"
            seconds, rc = check(folder, 1, args.budget, report)
            if seconds is None:
                print(f"{chapter:28s} {'>' + str(int(args.budget)):>8s}  over budget")
                flagged += 1
                continue
            counts, errors = read_report(report)
            got = next(iter(counts.values()), {})
            bad = set(got) - {"verified"} or errors or rc == 2
            flag = "   <-- " + ("; ".join(errors)[:160] if errors else "not all verified") \
                if bad else ""
            flagged += bool(bad)
            print(f"{chapter:28s} {seconds:8.1f}  {verdicts(got)}{flag}", flush=True)
    print(f"\n{flagged} chapter(s) flagged (target: none)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
