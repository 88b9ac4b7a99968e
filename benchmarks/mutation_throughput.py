#!/usr/bin/env python3
"""Mutation throughput: claims checked per second on the mutation corpus (tools/mutation.py).

    python benchmarks/mutation_throughput.py [PATH ...] [--jobs J] [--limit N]
                                             [--no-memo] [--no-numeric] [--skip-baseline]

The corpus is what ``tools/soundness.py`` checks: for every chapter under PATH (default
equations/), ``mutation.generate`` makes mutants and equivalent rewrites of every
verified claim side; ``mutation.check_cases`` checks each case by checking the
changed claim in the context of its chapter (``check_chapter(focus=...)``), in J worker
processes (default 2, its ``jobs`` option), with the parser memo on (its default) and the
numeric route on.

Generating the corpus is timed as a whole (``mutation.generate_chapters``, the
chapters spread over J processes; each chapter's own time is shown too). Checking it is
timed on a sample of N cases
(default 60; ``--limit 0`` checks the whole corpus), drawn from each chapter in proportion
to its share of the corpus and spread over the mutation kinds (``mutation.spread``).
From the sample's seconds per case in each chapter the time of the full corpus on J
processes is projected and compared with the target of one minute.

"Claims checked" counts the claims each case checks: the changed claim, or each layer's
copy of it for a generic layer index, so claims/s = Σ claims checked / wall time. Also printed (context, --skip-baseline to leave out): every chapter checked once
in-process after a warm-up, as plain claims/s without the mutation machinery.

Target (issue 6): the full corpus runs in under a minute on 2 cores.
"""
from __future__ import annotations

import argparse
import math
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
from _common import ROOT, header  # noqa: E402

TARGET_SECONDS = 60.0


def claims_per_case(case) -> int:
    """Claims one case re-checks: the changed claim (each layer copy of a generic one)."""
    return max(1, len(case.instances))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("paths", nargs="*", default=[str(ROOT / "equations")], metavar="PATH")
    p.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    p.add_argument("--limit", type=int, default=60,
                   help="cases checked (proportional sample; 0 = the whole corpus)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-memo", action="store_true", help="no parser memo in the workers")
    p.add_argument("--no-numeric", action="store_true", help="symbolic route only")
    p.add_argument("--skip-baseline", action="store_true",
                   help="do not time the plain in-process check of every chapter")
    args = p.parse_args(argv)

    header("mutation throughput: claims checked per second on the mutation corpus")
    try:
        import mutation
        from mutation import check_cases, generate_chapters, spread
    except ImportError as exc:
        print(f"tools/mutation.py is not usable here ({exc}); nothing measured")
        return 1
    from derive.driver import check_chapter, find_manifests

    manifests = find_manifests(args.paths)
    print(f"# chapters: {len(manifests)}; jobs {args.jobs}; parser memo "
          f"{'off' if args.no_memo else 'on'}; numeric route "
          f"{'off' if args.no_numeric else 'on'}; seed {args.seed}")
    sys.stdout.flush()

    # --- context: every chapter checked once, in-process, after a warm-up ----------------
    if not args.skip_baseline:
        print()
        print("plain checks (in this process; the first chapter is checked once more first "
              "as a warm-up):")
        check_chapter(manifests[0], numeric=not args.no_numeric)
        tot_claims, tot_s = 0, 0.0
        for m in manifests:
            t0 = time.perf_counter()
            r = check_chapter(m, numeric=not args.no_numeric, seed=args.seed)
            dt = time.perf_counter() - t0
            n = sum(1 for e in r.equations if e.kind == "claim")
            tot_claims += n
            tot_s += dt
            print(f"  {Path(m).parent.name:28} {n:3d} claims {dt:7.2f} s  "
                  f"{n / dt:6.2f} claims/s", flush=True)
        print(f"  {'all chapters':28} {tot_claims:3d} claims {tot_s:7.2f} s  "
              f"{tot_claims / tot_s:6.2f} claims/s (one process)")

    # the baseline above must not warm the processes that check the corpus (they are
    # forked from this one): check_cases does its own warm-up, inside its timing
    from derive.api import clear_caches
    clear_caches()

    # --- the corpus ------------------------------------------------------------------------
    print()
    print("generating the corpus (mutation.generate, parser memo on):")
    per_chapter: dict[str, dict] = {}
    incomplete = []         # chapters whose corpus could not be generated
    t0 = time.perf_counter()
    corpora = generate_chapters(manifests, jobs=args.jobs, seed=args.seed,
                                memo=not args.no_memo)
    gen_total = time.perf_counter() - t0
    for corpus in corpora:
        name = Path(corpus.manifest).parent.name
        if corpus.generated is None:
            print(f"  {name:28} could not generate: {corpus.error}")
            incomplete.append(name)
            continue
        g = corpus.generated
        per_chapter[corpus.manifest] = {"mutants": g.mutants, "rewrites": g.rewrites}
        print(f"  {name:28} {len(g.mutants):5d} mutants {len(g.rewrites):4d} rewrites  "
              f"generated in {corpus.seconds:6.1f} s (in one of {args.jobs} processes)",
              flush=True)
    n_mut = sum(len(c["mutants"]) for c in per_chapter.values())
    n_rw = sum(len(c["rewrites"]) for c in per_chapter.values())
    total = n_mut + n_rw
    total_claims = sum(claims_per_case(x) for c in per_chapter.values()
                       for x in c["mutants"] + c["rewrites"])
    print(f"  corpus: {n_mut} mutants + {n_rw} rewrites = {total} cases, "
          f"{total_claims} claim checks; generated in {gen_total:.1f} s wall on "
          f"{args.jobs} processes")

    # --- the sample ------------------------------------------------------------------------
    sample = []
    for key, c in per_chapter.items():
        cases = c["mutants"] + c["rewrites"]
        if args.limit and args.limit < total:
            want = max(1, math.ceil(args.limit * len(cases) / total)) if cases else 0
            k_mut = round(want * len(c["mutants"]) / len(cases)) if cases else 0
            chosen = (spread(c["mutants"], k_mut) + spread(c["rewrites"], want - k_mut))
        else:
            chosen = cases
        sample += chosen
    print()
    print(f"checking {len(sample)} of {total} cases "
          + ("(the whole corpus)" if len(sample) == total else "(a proportional sample)")
          + f" with check_cases(jobs={args.jobs}) …", flush=True)
    import resource
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    outcomes = check_cases(sample, jobs=args.jobs, seed=args.seed,
                           numeric=not args.no_numeric, memo=not args.no_memo)
    wall = time.perf_counter() - t0
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (ru1.ru_utime + ru1.ru_stime) - (ru0.ru_utime + ru0.ru_stime)
    n_claims = sum(claims_per_case(o.case) for o in outcomes)
    busy = sum(o.seconds for o in outcomes)
    verdicts = Counter(o.verdict for o in outcomes)
    print(f"  {len(outcomes)} cases ({sum(not o.case.rewrite for o in outcomes)} mutants, "
          f"{sum(o.case.rewrite for o in outcomes)} rewrites), {n_claims} claims, "
          f"{wall:.1f} s wall")
    print("  verdicts: " + ", ".join(f"{v} {n}" for v, n in verdicts.most_common()))
    print(f"  {len(outcomes) / wall:.3f} cases/s, {n_claims / wall:.2f} claims/s "
          f"on {args.jobs} processes; worker busy time {busy:.1f} s "
          f"(parallel efficiency {busy / (wall * args.jobs):.0%})")
    print(f"  CPU time of the worker processes: {cpu:.1f} s, i.e. {cpu / args.jobs:.1f} s of wall "
          f"time on {args.jobs} otherwise idle cores (the wall time above includes any "
          "contention on a shared machine)")
    by_ch = defaultdict(list)
    for o in outcomes:
        by_ch[o.case.manifest].append(o.seconds)
    print(f"  {'chapter':28} {'cases':>5} {'s/case (mean)':>13} {'claims/s/process':>16}")
    projected_busy = 0.0
    for key, secs in by_ch.items():
        mean = sum(secs) / len(secs)
        c = per_chapter[key]
        projected_busy += mean * (len(c["mutants"]) + len(c["rewrites"]))
        print(f"  {Path(key).parent.name:28} {len(secs):5d} {mean:13.2f} "
              f"{sum(claims_per_case(x) for x in c['mutants'] + c['rewrites']) / (len(c['mutants']) + len(c['rewrites'])) / mean:16.2f}")
    eff = busy / (wall * args.jobs) if wall > 0 else 1.0
    projected = projected_busy / (args.jobs * eff)
    print()
    if len(sample) == total:
        check_time = wall
        print(f"full corpus checked in {wall:.1f} s on {args.jobs} processes "
              f"(+ {gen_total:.1f} s to generate it); {cpu / args.jobs:.0f} s on "
              f"{args.jobs} idle cores by CPU time")
    else:
        check_time = projected
        print(f"projected for the full corpus ({total} cases): {projected:.0f} s "
              f"= {projected / 60:.1f} min on {args.jobs} processes "
              f"(+ {gen_total:.1f} s to generate it), from the sample's s/case per chapter")
    met = check_time + gen_total < TARGET_SECONDS and not incomplete
    print(f"target: full corpus (generate + check) in under {TARGET_SECONDS:.0f} s on 2 cores: "
          f"{'met' if met else 'NOT met'} ({check_time + gen_total:.0f} s"
          + (", projected" if len(sample) != total else "") + ")")
    del mutation
    return 0


if __name__ == "__main__":
    sys.exit(main())
