#!/usr/bin/env python3
"""Memory: peak RSS of a cold seed check, and RSS growth over a long in-process run.

    python benchmarks/memory.py [--claims N] [--every K] [--chapter PATH] [--no-numeric]
                                [--cold-runs R]

1. Peak resident memory of ``python -m derive.cli check <seed> --format json -o /dev/null``
   in a new process (``os.wait4`` ru_maxrss of that child; median of R runs, default 3),
   next to ``python -c "import sympy, numpy"`` for reference.
2. In a worker process: ``derive.checker.check_chapter`` on the chapter again and again
   until N claims (default 1000) have been checked, sampling RSS (VmRSS) after the check
   that crosses every K claims (default 100). Printed: RSS after import, after the first
   check, at each sample, the growth from the first sample to the last, and the peak
   (VmHWM). Also the number of live Python objects (gc) and the sizes of SymPy's caches,
   to tell a leak from a cache filling up to its bound.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (ROOT, SEED_CHAPTER, child_env, header, median, peak_rss_kib,  # noqa: E402
                     rss_kib)


def cold_peak(cmd: list[str]) -> tuple[int, float]:
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=str(ROOT), env=child_env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_maxrss, time.perf_counter() - t0


def sympy_cache_entries() -> int | None:
    """Entries in SymPy's @cacheit LRU caches (bounded by SYMPY_CACHE_SIZE each)."""
    try:
        from sympy.core import cache
        total = 0
        for f in getattr(cache, "CACHE", []):
            info = f.cache_info()
            total += info.currsize
        return total
    except Exception:  # noqa: BLE001 - informational only
        return None


def worker(args) -> int:
    base = rss_kib()
    from derive.driver import check_chapter
    emit({"event": "import", "rss": rss_kib(), "before": base})
    checked = 0
    checks = 0
    next_sample = args.every
    t_start = time.perf_counter()
    while checked < args.claims:
        result = check_chapter(args.chapter, numeric=args.numeric)
        n = sum(1 for e in result.equations if e.kind == "claim")
        checked += n
        checks += 1
        del result
        if checks == 1:
            gc.collect()
            emit({"event": "first", "rss": rss_kib(), "claims": checked,
                  "objects": len(gc.get_objects()), "sympy_cache": sympy_cache_entries()})
        if checked >= next_sample or checked >= args.claims:
            gc.collect()
            emit({"event": "sample", "rss": rss_kib(), "claims": checked, "checks": checks,
                  "seconds": time.perf_counter() - t_start, "objects": len(gc.get_objects()),
                  "sympy_cache": sympy_cache_entries()})
            while next_sample <= checked:
                next_sample += args.every
    emit({"event": "end", "peak": peak_rss_kib(), "claims": checked, "checks": checks,
          "seconds": time.perf_counter() - t_start})
    return 0


def emit(obj) -> None:
    print(json.dumps(obj), flush=True)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--claims", type=int, default=1000, help="claims to check in one process")
    p.add_argument("--every", type=int, default=100, help="sample RSS every K claims")
    p.add_argument("--chapter", default=str(SEED_CHAPTER / "manifest.toml"))
    p.add_argument("--no-numeric", dest="numeric", action="store_false", default=True)
    p.add_argument("--cold-runs", type=int, default=3)
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker:
        return worker(args)

    header("memory: peak RSS of the seed check, RSS growth over a long run")
    py = sys.executable
    chapter_dir = str(Path(args.chapter).parent if args.chapter.endswith(".toml")
                      else args.chapter)
    check = [py, "-m", "derive.cli", "check", chapter_dir, "--format", "json", "-o", os.devnull]
    if not args.numeric:
        check.append("--no-numeric")
    imports = [py, "-c", "import sympy, numpy"]
    peaks = {"check": [], "imports": []}
    for _ in range(args.cold_runs):
        peaks["imports"].append(cold_peak(imports)[0])
        peaks["check"].append(cold_peak(check)[0])
    print(f"cold peak RSS, median of {args.cold_runs} (ru_maxrss of each child):")
    print(f"  python -c 'import sympy, numpy': "
          f"{median(peaks['imports']) / 1024:7.1f} MiB")
    print(f"  derive check {chapter_dir}: {median(peaks['check']) / 1024:7.1f} MiB "
          f"(max {max(peaks['check']) / 1024:.1f} MiB)")
    print()
    print(f"long run: check_chapter({chapter_dir}, numeric={args.numeric}) repeated in one "
          f"process until {args.claims} claims are checked; RSS sampled every {args.every} "
          "claims (after gc.collect())")
    sys.stdout.flush()
    cmd = [py, str(Path(__file__).resolve()), "--worker", "--claims", str(args.claims),
           "--every", str(args.every), "--chapter", args.chapter]
    if not args.numeric:
        cmd.append("--no-numeric")
    proc = subprocess.Popen(cmd, cwd=str(ROOT), env=child_env(), stdout=subprocess.PIPE,
                            text=True)
    samples = []
    first = None
    for line in proc.stdout:
        ev = json.loads(line)
        if ev["event"] == "import":
            print(f"  RSS at start {ev['before'] / 1024:.1f} MiB, after importing derive.checker "
                  f"{ev['rss'] / 1024:.1f} MiB")
        elif ev["event"] == "first":
            first = ev
            print(f"  after the first check ({ev['claims']} claims): {ev['rss'] / 1024:.1f} MiB, "
                  f"{ev['objects']:,} live objects, SymPy cache entries {ev['sympy_cache']}")
            print(f"  {'claims':>7} {'checks':>6} {'seconds':>8} {'RSS MiB':>8} "
                  f"{'objects':>10} {'sympy cache':>11}")
        elif ev["event"] == "sample":
            samples.append(ev)
            print(f"  {ev['claims']:>7} {ev['checks']:>6} {ev['seconds']:>8.1f} "
                  f"{ev['rss'] / 1024:>8.1f} {ev['objects']:>10,} {str(ev['sympy_cache']):>11}",
                  flush=True)
        elif ev["event"] == "end":
            end = ev
    if proc.wait() != 0:
        print(f"worker failed with exit code {proc.returncode}")
        return 1
    print()
    s0, s1 = samples[0], samples[-1]
    growth = (s1["rss"] - s0["rss"]) / 1024
    print(f"peak RSS of the long run (VmHWM): {end['peak'] / 1024:.1f} MiB; "
          f"{end['claims']} claims in {end['checks']} checks, {end['seconds']:.1f} s")
    print(f"RSS growth from the first sample ({s0['claims']} claims) to the last "
          f"({s1['claims']} claims): {growth:+.1f} MiB "
          f"({growth * 1024 / max(1, s1['claims'] - s0['claims']):+.1f} KiB per claim); "
          f"from after the first check: {(s1['rss'] - first['rss']) / 1024:+.1f} MiB; "
          f"live objects {s0['objects']:,} -> {s1['objects']:,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
