#!/usr/bin/env python3
"""Soundness of derive by mutation: wrong variants of verified claims must be caught, and
equivalent rewrites of them must still verify.

    python tools/soundness.py [PATH ...] [--jobs N] [--limit N] [--seed S] [--json FILE]

PATH: chapter folders, manifests, or trees of them (default: equations/ and the soundness
chapters in tools/corpus/), inside the project or anywhere else. For every claim side that
equals the derived gradient, the generator (tools/mutation.py) makes mutants and
rewrites, and tools/textmut.py makes text-level mutants of the printed claims without
derive's reader; each is checked by running
derive on a copy of the chapter with that one claim replaced (numeric route on, fixed
seed). ``--limit N`` keeps at most N mutants and N rewrites, spread over the kinds.

Exit status: 0 when no mutant was missed and no rewrite raised a false alarm, 1
otherwise, 2 when a chapter cannot be read at all. See docs/soundness.md.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from derive.driver import find_manifests  # noqa: E402
from derive.errors import InputError  # noqa: E402
from mutation import (Generated, check_cases, generate_chapters,  # noqa: E402
                             spread)


def _short(text: str, width: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 1] + "…"


def _progress(stream):
    started = time.monotonic()
    tty = stream.isatty()

    def report(done: int, total: int) -> None:
        if tty:
            stream.write(f"\r  checked {done}/{total} ({time.monotonic() - started:.0f} s)")
            if done == total:
                stream.write("\n")
        elif done == total or done % 50 == 0:
            stream.write(f"  checked {done}/{total} ({time.monotonic() - started:.0f} s)\n")
        stream.flush()
    return report


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="soundness", description=__doc__.split("\n\n")[0])
    p.add_argument("paths", nargs="*", default=[str(ROOT / "equations"),
                                                 str(ROOT / "tools" / "corpus")],
                   metavar="PATH")
    p.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    p.add_argument("--limit", type=int, default=None,
                   help="at most N mutants and N rewrites (spread over the kinds)")
    p.add_argument("--seed", type=int, default=0, help="seed of the checks (default 0)")
    p.add_argument("--json", metavar="FILE", help="write every case and outcome here")
    p.add_argument("--no-memo", action="store_true",
                   help="no effect (derive's own reader keeps no memo); kept for old command lines")
    p.add_argument("--full", action="store_true",
                   help="re-check each case's whole chapter, not only the changed claim "
                        "(the same verdicts, several times slower)")
    p.add_argument("--show", type=int, default=8,
                   help="examples shown per list of wrong diagnoses (default 8)")
    p.add_argument("--no-text", action="store_true",
                   help="skip the text-level mutants of tools/textmut.py")
    args = p.parse_args(argv)
    out = sys.stdout
    err = sys.stderr

    try:
        # mutation works on chapter folders (a manifest and its marked chapter.tex)
        manifests = [m for m in find_manifests(args.paths) if m.name == "manifest.toml"]
    except InputError as exc:
        print(f"soundness: error: {exc}", file=err)
        return 2
    t0 = time.monotonic()
    gen = Generated()
    chapter_lines = []
    unreadable = []
    for corpus in generate_chapters(manifests, jobs=args.jobs, seed=args.seed,
                                    memo=not args.no_memo):
        if corpus.generated is None:
            unreadable.append(corpus.error)
            continue
        g = corpus.generated
        claims = {b[0] for b in g.bases}
        chapter_lines.append(f"  {corpus.folder}: {len(g.bases)} verified sides of "
                             f"{len(claims)} claims used ({len(g.skipped)} sides not equal to "
                             "the derived gradient left out)")
        gen.extend(g)
    gen_seconds = time.monotonic() - t0

    mutants = spread(gen.mutants, args.limit)
    rewrites = spread(gen.rewrites, args.limit)
    print(f"checking {len(mutants)} mutants and {len(rewrites)} rewrites "
          f"({args.jobs} jobs)…", file=err)
    t1 = time.monotonic()
    outcomes = check_cases(mutants + rewrites, jobs=args.jobs, seed=args.seed,
                           memo=not args.no_memo, full=args.full, progress=_progress(err))
    check_seconds = time.monotonic() - t1
    mut_out = outcomes[:len(mutants)]
    rw_out = outcomes[len(mutants):]

    w = out.write
    w(f"derive soundness (seed {args.seed}, numeric route on, {args.jobs} jobs, "
      f"{'whole chapters' if args.full else 'changed claim only'}; "
      f"generated in {gen_seconds:.0f} s, checked in {check_seconds:.0f} s)\n")
    w(f"chapters: {len(chapter_lines)}\n")
    for line in chapter_lines:
        w(line + "\n")
    for e in unreadable:
        w(f"  unreadable: {e}\n")

    # --- mutants ---
    dropped_m = [d for d in gen.dropped if not d.rewrite]
    reasons = Counter(d.reason for d in dropped_m)
    limited = f", {len(mutants)} checked (--limit {args.limit})" if args.limit else ""
    w(f"mutants: {len(gen.mutants)}{limited} (dropped before checking: {len(dropped_m)} — "
      + ", ".join(f"{n} {r}" for r, n in reasons.most_common()) + ")\n")
    crashed = [d for d in gen.dropped if d.reason == "front end crashed"]
    for d in crashed:
        w(f"  front end crashed while generating: {d.equation} {d.kind} "
          f"{_short(d.rhs, 60)} — {d.detail}\n")
    caught = [o for o in mut_out if o.caught]
    by_verdict = Counter(o.verdict for o in caught)
    w(f"caught: {len(caught)}/{len(mut_out)} ("
      + ", ".join(f"{v} {n}" for v, n in by_verdict.most_common()) + ")\n")
    right = [o for o in mut_out if o.diagnosed]
    w(f"caught with the right diagnosis kind: {len(right)}/{len(mut_out)}\n")
    rows = defaultdict(list)
    for o in mut_out:
        rows[o.case.kind].append(o)
    w(f"  {'kind':18} {'expected':34} {'n':>4} {'caught':>6} {'right':>6}  other diagnoses\n")
    for kind, os_ in sorted(rows.items(), key=lambda kv: -len(kv[1])):
        other = Counter(",".join(o.kinds) or "-" for o in os_ if o.caught and not o.diagnosed)
        w(f"  {kind:18} {'|'.join(os_[0].case.expected):34} {len(os_):>4} "
          f"{sum(o.caught for o in os_):>6} {sum(o.diagnosed for o in os_):>6}  "
          + ", ".join(f"{k} {n}" for k, n in other.most_common()) + "\n")
    missed = [o for o in mut_out if not o.caught]
    w(f"missed: {len(missed)}\n")
    for o in missed:
        c = o.case
        w(f"  {c.label}  {c.kind}  {c.rhs}  ({c.note})  verdict {o.verdict}"
          + (f": {_short(o.message, 200)}" if o.message else "") + "\n")
    wrong_diag = [o for o in mut_out if o.caught and not o.diagnosed]
    if wrong_diag and args.show:
        w(f"caught, other diagnosis (first {min(args.show, len(wrong_diag))} of "
          f"{len(wrong_diag)}):\n")
        for o in wrong_diag[:args.show]:
            c = o.case
            w(f"  {c.label}  {c.kind}  {_short(c.rhs, 70)}  -> {','.join(o.kinds)}\n")

    # --- rewrites ---
    dropped_r = [d for d in gen.dropped if d.rewrite]
    reasons_r = Counter(d.reason for d in dropped_r)
    limited = f", {len(rewrites)} checked (--limit {args.limit})" if args.limit else ""
    w(f"equivalent rewrites: {len(gen.rewrites)}{limited} (dropped before checking: "
      f"{len(dropped_r)}" + ("" if not reasons_r else " — " + ", ".join(
          f"{n} {r}" for r, n in reasons_r.most_common())) + ")\n")
    for d in dropped_r:
        if d.reason != "textual no-op or duplicate":
            w(f"  dropped {d.equation} {d.kind}: {_short(d.rhs, 70)} — {d.reason} "
              f"({_short(d.detail, 60)})\n")
    kinds_r = Counter(o.case.kind for o in rw_out)
    w("  by kind: " + ", ".join(f"{k} {n}" for k, n in kinds_r.most_common()) + "\n")
    ok = [o for o in rw_out if o.verified]
    w(f"still verified: {len(ok)}/{len(rw_out)}\n")
    alarms = [o for o in rw_out if not o.verified]
    w(f"false alarms: {len(alarms)}\n")
    for o in alarms:
        c = o.case
        w(f"  {c.label}  {c.kind}  {c.rhs}  verdict {o.verdict}"
          + (f" [{','.join(o.kinds)}]" if o.kinds else "")
          + (f": {_short(o.message, 200)}" if o.message else "") + "\n")

    # --- text-level mutants (tools/textmut.py: made without derive's reader) ---
    text_passes = 0
    if not args.no_text:
        import textmut
        t2 = time.monotonic()
        cases, bases = textmut.generate(manifests)
        text_out = check_cases(cases, jobs=args.jobs, seed=args.seed, full=args.full)
        w(f"text-level mutants (tools/textmut.py, checked in {time.monotonic() - t2:.0f} s): "
          f"{len(cases)} of {len(bases)} verified claims\n")
        by_op: dict = defaultdict(Counter)
        for o in text_out:
            by_op[o.case.kind]["n"] += 1
            by_op[o.case.kind]["pass" if o.verdict == "verified" else "crash"
                               if o.verdict == "crash" else "caught"] += 1
        for op in sorted(by_op):
            r = by_op[op]
            w(f"  {op:20} {r['n']:>4} caught {r['caught']:>4}  false passes {r['pass']}"
              + (f"  crashes {r['crash']}" if r['crash'] else "") + "\n")
        bad = [o for o in text_out if o.verdict in ("verified", "crash")]
        text_passes = len(bad)
        w(f"text-level false passes or crashes: {text_passes}\n")
        for o in bad:
            w(f"  {o.case.label}  {o.case.kind}  {_short(o.case.rhs, 90)}  {o.verdict}\n")

    status = 0 if not missed and not alarms and not text_passes else 1
    if unreadable:
        status = 2
    w(f"result: {'PASS' if status == 0 else 'FAIL'} ({len(missed)} missed, "
      f"{len(alarms)} false alarms, {text_passes} text-level false passes)\n")

    if args.json:
        data = {"seed": args.seed, "jobs": args.jobs, "status": status,
                "cases": [{**o.case.__dict__, "verdict": o.verdict, "kinds": list(o.kinds),
                           "message": o.message, "caught": o.caught,
                           "diagnosed": o.diagnosed, "seconds": round(o.seconds, 3)}
                          for o in outcomes],
                "dropped": [d.__dict__ for d in gen.dropped],
                "bases": gen.bases, "skipped": gen.skipped}
        Path(args.json).write_text(json.dumps(data, ensure_ascii=False, indent=1),
                                   encoding="utf-8")
    return status


if __name__ == "__main__":
    sys.exit(main())
