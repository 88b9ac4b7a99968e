#!/usr/bin/env python3
"""Profile of one check (cProfile): what dominates, and what a warm process still pays.

    python benchmarks/profile_seed.py [--chapter PATH] [--no-numeric] [--top N] [--warm]

Imports derive.checker, then profiles ``check_chapter`` on the chapter (default: the seed)
in this fresh process (cold: SymPy's caches and derive's memos are empty; in one
process: the vectorized forms are not computed beside it), and with ``--warm`` once more
in the same process (after the what-if timings). Prints the top N entries by cumulative
time and a table of named buckets (cumulative seconds of one function each; they
overlap, e.g. the vectorized forms include parsing of their generated chapter). cProfile
slows pure Python code roughly 2-3x, so read the shares, not the absolute seconds; the
wall time of a cold check without the profiler is what benchmarks/cold_start.py prints.
Then, without the profiler, what-if timings of warm checks in the same process: all
caches warm; the in-process parse results (derive.read.latex._PARSE_CACHE) cleared before
each check; the vectorized forms left out; the numeric route off.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import SEED_CHAPTER, header  # noqa: E402

# (label, module path suffix, function name)
BUCKETS = [
    ("whole check", "derive/checker.py", "check_chapter"),
    ("LaTeX reading: derive.read.reading.read (the strict reader)",
     "derive/read/reading.py", "read"),
    ("meaning of readings: derive.read.latex.meaning_of", "derive/read/latex.py", "meaning_of"),
    ("manifest symbols read: vocabulary.symbol_name", "derive/model/vocabulary.py",
     "symbol_name"),
    ("claims parsed: calculus.claim_parse.parse_claims", "derive/calculus/claim_parse.py",
     "parse_claims"),
    ("definitions parsed: model.read_definitions", "derive/model/chapter.py",
     "read_definitions"),
    ("vectorized forms: checker._vectorize", "derive/checker.py", "_vectorize"),
    ("claims checked: checker._check_claim", "derive/checker.py", "_check_claim"),
    ("  numeric route: calculus.evidence.measure", "derive/calculus/evidence.py", "measure"),
    ("model choice (printed vs corrected): calculus.model_choice.choose_model",
     "derive/calculus/model_choice.py", "choose_model"),
    ("cross-check with sympy.diff: rules.cross_check.check", "derive/rules/cross_check.py",
     "check"),
    ("notation (re-parses definitions): rules.notation.check", "derive/rules/notation.py",
     "check"),
    ("Equivalence.compare", "derive/calculus/equivalence.py", "compare"),
    ("  Equivalence.evaluate (50-digit points)", "derive/calculus/equivalence.py", "evaluate"),
    ("Derivation(): derivation.backprop", "derive/calculus/derivation.py", "backprop"),
    ("sympy cancel", "sympy/polys/polytools.py", "cancel"),
    ("sympy factor", "sympy/polys/polytools.py", "factor"),
    ("sympy simplify", "sympy/simplify/simplify.py", "simplify"),
    ("sympy lambdify", "sympy/utilities/lambdify.py", "lambdify"),
    ("sympy N / evalf", "sympy/core/evalf.py", "N"),
]


def bucket_table(stats: pstats.Stats, total: float) -> list[str]:
    rows = []
    for label, path, name in BUCKETS:
        cum, calls = 0.0, 0
        for (file, _line, func), (cc, nc, tt, ct, callers) in stats.stats.items():
            if func == name and file.replace("\\", "/").endswith(path):
                # recursive functions: count only the outermost calls' cumulative time
                cum += ct
                calls += nc
        if calls:
            rows.append(f"  {label:62} {cum:8.2f} s {cum / total:6.1%} {calls:7d} calls")
    return rows


def profile_once(check, chapter, numeric, top) -> None:
    pr = cProfile.Profile()
    pr.enable()
    check(chapter, numeric=numeric)
    pr.disable()
    s = pstats.Stats(pr)
    total = max(ct for (_, _, f), (_, _, _, ct, _) in s.stats.items() if f == "check_chapter")
    print(f"profiled: {total:.2f} s under cProfile")
    print("buckets (cumulative, overlapping):")
    print("\n".join(bucket_table(s, total)))
    out = io.StringIO()
    s.stream = out
    s.sort_stats("cumulative").print_stats(top)
    lines = [ln for ln in out.getvalue().splitlines() if ln.strip()]
    start = next(i for i, ln in enumerate(lines) if ln.lstrip().startswith("ncalls"))
    print(f"top {top} by cumulative time:")
    for ln in lines[start:]:
        print("  " + ln.replace(str(Path(sys.prefix)), "<venv>")
              .replace(str(Path(__file__).resolve().parent.parent) + "/", ""))


def _median_time(fn, n: int = 3) -> float:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return sorted(times)[len(times) // 2]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--chapter", default=str(SEED_CHAPTER / "manifest.toml"))
    p.add_argument("--no-numeric", dest="numeric", action="store_false", default=True)
    p.add_argument("--top", type=int, default=30)
    p.add_argument("--warm", action="store_true", help="also profile a second check")
    args = p.parse_args(argv)
    header("profile of one check (cProfile)")
    t0 = time.perf_counter()
    from derive.driver import check_chapter
    print(f"import derive.checker: {time.perf_counter() - t0:.2f} s")
    print(f"chapter: {args.chapter}, numeric={args.numeric}")
    print()
    print("== cold (first check in this process) ==")
    profile_once(check_chapter, args.chapter, args.numeric, args.top)
    print()
    print("what-if timings without the profiler (same process, median of 3 each):")
    warm = _median_time(lambda: check_chapter(args.chapter, numeric=args.numeric))
    print(f"  warm check (parse results and derive's memos warm): {warm:.2f} s")
    from derive.read import latex as _latex
    cache = getattr(_latex, "_PARSE_CACHE", None)
    if hasattr(cache, "clear"):
        def uncached():
            cache.clear()
            check_chapter(args.chapter, numeric=args.numeric)
        t = _median_time(uncached)
        print(f"  in-process parse results cleared before each check (every formula "
              f"parsed again): {t:.2f} s -> parsing costs {t - warm:.2f} s")
    from derive.checker import ChapterChecker
    if hasattr(ChapterChecker, "_vectorized_forms"):
        from derive.calculus.vectorize import NotDense

        def no_forms(self):
            raise NotDense()
        saved = ChapterChecker._vectorized_forms
        ChapterChecker._vectorized_forms = no_forms
        try:
            t = _median_time(lambda: check_chapter(args.chapter, numeric=args.numeric))
        finally:
            ChapterChecker._vectorized_forms = saved
        print(f"  warm check without the vectorized forms: {t:.2f} s -> the "
              f"vectorized forms cost {warm - t:.2f} s of a warm check")
    t = _median_time(lambda: check_chapter(args.chapter, numeric=False))
    print(f"  warm check with numeric=False: {t:.2f} s -> the numeric route costs "
          f"{warm - t:.2f} s of a warm check" if args.numeric else "")
    if args.warm:
        print()
        print("== warm (third check in this process) ==")
        profile_once(check_chapter, args.chapter, args.numeric, args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
