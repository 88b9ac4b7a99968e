#!/usr/bin/env python3
"""Scaling: four ratios in one run, each from fresh ``derive check`` processes.

    python benchmarks/scaling.py [--runs N] [--only book,vector,scalar,jobs]
                                 [--budget SECONDS] [--quick]

1. book: a generated book of about 500 claims against books of about 50, all checked with
   ``derive check BOOK --jobs 1``. A book is a temporary folder of copies of the bundled
   chapter folders at other sizes: the integers of a manifest's ``[sizes]`` table or its
   ``[layers] widths`` list are changed (GRID below; with more layers, ``layers = [a, L]``
   and the label's width ``n^{[L]}`` follow). Each copy is checked once before it is used
   (one untimed ``--jobs 2`` process per wave of copies, the k-th copy of every chapter):
   only copies with every claim verified are used (an error, exit code 2, or any other
   verdict drops the copy, printed). The book takes them round-robin over the chapters,
   smallest first, until its claims reach 500; the same copies dealt one by one into 10
   piles make 10 small books of about 50 claims, each with the book's mix of chapters
   and sizes, and the book's time is compared with their mean time (the per-claim costs
   of the chapters differ by 10 times or more: one sample of 50 claims is not the mix of
   the 500). Target: at most 12.
2. vector: the generic-layer chapter equations/deep-sigmoid-network with widths
   [2, 3, ..., 3, 1] (L layers, ``layers = [0, L]``): L = 16 against L = 2 (8 times the
   claims). Target: at most 12.
3. scalar: the scalar chapter of benchmarks/depth_scaling.py, L = 128 against L = 16.
   Target: at most 10.
4. jobs: the 500-claim book with ``--jobs 2`` against ``--jobs 1``, idle and loaded (two
   busy-loop Python processes running meanwhile). Targets: at most 0.6 idle, 1.0 loaded.

Wall times of whole processes (import included), the median of --runs rounds (default 1);
the order of the two sides of a ratio alternates from round to round. One check taking
longer than --budget seconds (default 600) is killed, printed "over budget", and not run
again. --quick runs smaller sizes (a book of 100 claims, 5 small books, L = 2/4 and
4/16): a smoke test of the script, not a measurement. Everything is generated afresh into
a temporary folder, removed at the end. No assertion: a benchmark reports, it does not fail.
"""
from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, byte_compile, child_env, header, median, spread
from depth_scaling import write_chapter

EQUATIONS = ROOT / "equations"
TARGETS = {"book": 12.0, "vector": 12.0, "scalar": 10.0, "jobs idle": 0.6, "jobs loaded": 1.0}


def _grid(**axes) -> list[dict]:
    """Every combination of the given values, the smallest first: ordered by the sum of
    the values' positions, so that all the sizes grow together, e.g.
    _grid(K=[2, 3], N=[2, 3]) is K2-N2, K3-N2, K2-N3, K3-N3."""
    combos = sorted(itertools.product(*(range(len(v)) for v in axes.values())), key=sum)
    return [{k: axes[k][i] for k, i in zip(axes, combo)} for combo in combos]


def _deep(first: int, last: int, lengths, hidden, lead=()) -> list[list[int]]:
    """widths lists lead + [first, h, ..., h, last] of the given lengths, h in hidden."""
    return [list(lead) + [first] + [h] * (n - 2) + [last] for n in lengths for h in hidden]


# The copies of each chapter, in the order they are taken ({}: the chapter as bundled).
# Only the chapters whose bundled claims are all verified (bptt-d2l-draft, lstm-mallya
# and the ch08 chapters print errors on purpose). Softmax up to K = 10 classes and the
# Goodfellow BPTT chapter are in (the book had softmax at K = 5, where four
# correct claims were inconclusive). Left out as they change the chapter: skipgram-rong
# at V != 3 or N = 1 (its words are numbered), softmax-bishop at M = 1 (a length-1 vector
# read as a scalar: a shape mismatch).
GRID: dict[str, list[dict]] = {
    "batchnorm-ioffe": _grid(m=[2, 3, 4, 5, 6, 7]),
    "bptt-d2l": _grid(T=[2, 3, 4, 5, 6, 7, 8]),
    "deep-sigmoid-network": _grid(widths=_deep(2, 1, (3, 4, 5, 6), (2, 3)), m=[2, 3, 4]),
    "l2-regularization-nielsen": _grid(K=[2, 3, 4], N=[2, 3, 4]),
    "logreg-batch": [{}],
    "logreg-vectorized": _grid(n_x=[2, 3, 4], m=[2, 3, 4, 5]),
    "nielsen-backprop": _grid(widths=_deep(2, 2, (3, 4, 5), (2, 3, 4))),
    "nielsen-backprop-index": _grid(widths=_deep(2, 2, (3, 4), (2, 3), lead=[1])),
    "bptt-goodfellow": [{}],
    "rnn-bptt-unit": _grid(T=[2, 3, 4]),
    "skipgram-rong": _grid(V=[3], N=[2, 3]),
    "softmax-bishop": _grid(N=[1, 2], K=[2, 3, 5], M=[2]),
    "softmax-index": _grid(q=[2, 3, 5, 10], d=[1, 2, 3]),
    "softmax-regression": _grid(K=[2, 3, 5, 10], m=[2, 3, 4], n_x=[2]),
    "two-layer-tanh-vectorized": _grid(n_x=[2, 3], n_h=[2, 3, 4], m=[2, 3, 4]),
}


# --- generating chapters -----------------------------------------------------------------

def edit_manifest(text: str, variant: dict) -> str:
    """The manifest with the sizes and widths of ``variant`` (each must be found once)."""
    for name, value in variant.items():
        if name == "widths":
            m = re.search(r"^widths\s*=\s*\[([^\]]*)\]", text, re.MULTILINE)
            if m is None:
                raise ValueError("no [layers] widths list")
            old_L, L = len(m.group(1).split(",")) - 1, len(value) - 1
            text = text[:m.start()] + f"widths = {list(value)}" + text[m.end():]
            if L != old_L:     # layer ranges, and the label's width, end at the last layer
                text = re.sub(rf"(\blayers\s*=\s*\[\s*\d+\s*,\s*){old_L}(\s*\])",
                              rf"\g<1>{L}\2", text)
                text = text.replace(f'"n^{{[{old_L}]}}"', f'"n^{{[{L}]}}"')
            continue
        sec = re.search(r"^\[sizes\][^\n]*\n(.*?)(?=^\[|\Z)", text, re.MULTILINE | re.DOTALL)
        if sec is None:
            raise ValueError("no [sizes] table")
        body, n = re.subn(rf"^((['\"]?){re.escape(name)}\2\s*=\s*)\d+",
                          rf"\g<1>{value}", sec.group(1), flags=re.MULTILINE)
        if n != 1:
            raise ValueError(f"size {name} found {n} times")
        text = text[:sec.start(1)] + body + text[sec.end(1):]
    return text


def variant_name(chapter: str, variant: dict) -> str:
    if not variant:
        return chapter
    tags = [f"w{'.'.join(map(str, v))}" if k == "widths" else f"{k.strip(chr(92))}{v}"
            for k, v in variant.items()]
    return f"{chapter}--{'-'.join(tags)}"


def make_copy(dest: Path, chapter: str, variant: dict) -> Path:
    folder = dest / variant_name(chapter, variant)
    shutil.copytree(EQUATIONS / chapter, folder)
    manifest = folder / "manifest.toml"
    manifest.write_text(edit_manifest(manifest.read_text(encoding="utf-8"), variant),
                        encoding="utf-8")
    return folder


# --- running derive ----------------------------------------------------------------------

def check(path: Path, jobs: int, budget: float, report: Path) -> tuple[float | None, int]:
    """Wall seconds of ``derive check PATH --jobs N`` in a fresh process (None: killed
    over the budget, with its whole process group) and its exit code."""
    cmd = [sys.executable, "-m", "derive.cli", "check", str(path), "--jobs", str(jobs),
           "--format", "json", "-o", str(report)]
    report.unlink(missing_ok=True)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=child_env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        rc = proc.wait(timeout=budget)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        return None, -9
    return time.perf_counter() - start, rc


def read_report(report: Path) -> tuple[dict, list]:
    """{chapter folder name: {verdict: claims}} and the report's errors."""
    try:
        data = json.loads(report.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}, ["no JSON report"]
    return ({Path(ch["file"]).parent.name: Counter(e["verdict"] for e in ch["equations"]
                                                   if e["kind"] == "claim")
             for ch in data["chapters"]}, data.get("errors", []))


def verdicts(counts: dict) -> str:
    return ", ".join(f"{n} {v}" for v, n in sorted(counts.items())) or "no claims"


@contextlib.contextmanager
def hogs(loaded: bool):
    """Two busy-loop Python processes while the block runs, if ``loaded``."""
    procs = [subprocess.Popen([sys.executable, "-c", "while True: pass"])
             for _ in range(2 if loaded else 0)]
    time.sleep(1.0 if loaded else 0.0)
    try:
        yield
    finally:
        for p in procs:
            p.kill()
            p.wait()


# --- the books ---------------------------------------------------------------------------

def build_books(base: Path, target: int, n_small: int, budget: float):
    """Check the copies wave by wave (the k-th copy of every chapter) until the copies
    with every claim verified have ``target`` claims; the book (base/book) takes them
    round-robin over the chapters, and they are dealt into ``n_small`` small books
    (base/small-1 ...). Returns the copies of each as (name, claims)."""
    survey, ok, total = base / "survey", {ch: [] for ch in GRID}, 0
    for k in itertools.count():
        wave = [(ch, GRID[ch][k]) for ch in GRID if k < len(GRID[ch])]
        if not wave or total >= target:
            break
        shutil.rmtree(survey, ignore_errors=True)
        for ch, v in wave:
            make_copy(survey, ch, v)
        seconds, _ = check(survey, 2, budget, base / "survey.json")
        counts, errors = read_report(base / "survey.json")
        print(f"  survey wave {k}: {len(wave)} copies, --jobs 2, "
              + ("over budget" if seconds is None else f"{seconds:.1f} s"), flush=True)
        for ch, v in wave:
            name = variant_name(ch, v)
            c = counts.get(name, {})
            n = sum(c.values())
            if n and c == {"verified": n}:
                ok[ch].append((name, n, ch, v))
                total += n
            else:
                why = [e.partition(f"/{name}/")[2] for e in errors if f"/{name}/" in e]
                print(f"    dropped {name}: " + (f"error in {why[0][:150]}" if why
                                               else verdicts(c)))
    picked, claims = [], 0
    for k in itertools.count():
        row = [ok[ch][k] for ch in GRID if k < len(ok[ch])]
        if not row or claims >= target:
            break
        for copy in row:
            if claims < target:
                picked.append(copy)
                claims += copy[1]
    picked.sort(key=lambda c: (c[2], GRID[c[2]].index(c[3])))
    piles = [picked[i::n_small] for i in range(n_small)]     # dealt: each has the mix
    for label, copies in [("book", picked)] + [(f"small-{i + 1}", p) for i, p in
                                               enumerate(piles)]:
        for _, _, ch, v in copies:
            make_copy(base / label, ch, v)
    return [c[:2] for c in picked], [[c[:2] for c in p] for p in piles]


def composition(label: str, copies: list[tuple[str, int]], short: bool = False) -> None:
    print(f"  {label}: {len(copies)} copies, {sum(n for _, n in copies)} claims"
          + (": " + ", ".join(name for name, _ in copies) if short else ""))
    if short:
        return
    by_chapter: dict[str, list[tuple[str, int]]] = {}
    for name, n in copies:
        ch, _, tag = name.partition("--")
        by_chapter.setdefault(ch, []).append((tag or "as bundled", n))
    for ch, rows in by_chapter.items():
        print(f"    {ch:26s} {len(rows):2d} copies {sum(n for _, n in rows):4d} claims: "
              + ", ".join(f"{tag} ({n})" for tag, n in rows))


# --- measuring ---------------------------------------------------------------------------

class Series:
    """The wall times of one ``derive check`` command over the rounds."""

    def __init__(self, label: str, path: Path, jobs: int = 1, loaded: bool = False):
        self.label, self.path, self.jobs, self.loaded = label, path, jobs, loaded
        self.times: list[float] = []
        self.over, self.claims = False, 0

    def run(self, base: Path, budget: float) -> None:
        if self.over:
            return
        load = os.getloadavg()[0]
        seconds, rc = check(self.path, self.jobs, budget, base / "report.json")
        if seconds is None:
            self.over = True
            print(f"  {self.label:24s} over budget ({budget:g} s): killed, not run again",
                  flush=True)
            return
        counts, errors = read_report(base / "report.json")
        merged = sum(counts.values(), Counter())
        self.times.append(seconds)
        self.claims = sum(merged.values())
        print(f"  {self.label:24s} {seconds:8.2f} s  exit {rc}  load {load:5.2f}  "
              f"({verdicts(merged)}" + (f"; {len(errors)} errors" if errors else "") + ")",
              flush=True)


def ratio(a: Series, b: Series) -> float | None:
    """median(b) / median(a), None when either was not measured."""
    return median(b.times) / median(a.times) if a.times and b.times else None


def table(title: str, series: list[Series], pairs) -> None:
    print(f"\n{title}")
    print(f"  {'series':24s} {'claims':>6s} {'median s':>9s} {'runs':>4s}  spread")
    for s in series:
        med = f"{median(s.times):9.2f}" if s.times else "        -"
        print(f"  {s.label:24s} {s.claims:6d} {med} {len(s.times):4d}  {spread(s.times)}"
              + ("  over budget" if s.over else ""))
    for label, a, b in pairs:
        r = ratio(a, b)
        print(f"  ratio {label}: " + ("n/a" if r is None else f"{r:.2f}"))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=1, help="rounds (median reported; default 1)")
    p.add_argument("--only", default="book,vector,scalar,jobs",
                   help="comma-separated, among book, vector, scalar, jobs (default: all)")
    p.add_argument("--budget", type=float, default=600.0,
                   help="seconds one check may take before it is killed (default 600)")
    p.add_argument("--quick", action="store_true", help="smaller sizes: a smoke test")
    args = p.parse_args(argv)
    only = {w.strip() for w in args.only.split(",") if w.strip()}
    if not only or only - {"book", "vector", "scalar", "jobs"}:
        p.error("--only takes book, vector, scalar, jobs")
    book_claims, small_claims = (100, 20) if args.quick else (500, 50)
    vec_L, scalar_L = ((2, 4), (4, 16)) if args.quick else ((2, 16), (16, 128))

    byte_compile()
    header("scaling: book size, generic-layer depth, scalar depth, --jobs")
    print(f"# items: {', '.join(sorted(only))}; runs: {args.runs}; budget per check: "
          f"{args.budget:g} s" + ("; --quick: smaller sizes, not a measurement"
                                  if args.quick else ""), flush=True)
    base = Path(tempfile.mkdtemp(prefix="derive-scaling-"))
    try:
        series: dict[str, Series] = {}
        if only & {"book", "jobs"}:
            n_small = round(book_claims / small_claims) if "book" in only else 0
            print(f"\ngenerating the book (~{book_claims} claims)"
                  + (f" and {n_small} small books from it" if n_small else ""))
            picked, piles = build_books(base, book_claims, n_small, args.budget)
            composition("book", picked)
            series["big"] = Series("book --jobs 1", base / "book")
            if "book" in only:
                for i, pile in enumerate(piles):
                    composition(f"small book {i + 1}", pile, short=True)
                    series[f"small{i}"] = Series(f"small book {i + 1}", base / f"small-{i + 1}")
            if "jobs" in only:
                series["big2"] = Series("book --jobs 2", base / "book", 2)
                series["big1L"] = Series("book --jobs 1, loaded", base / "book", 1, True)
                series["big2L"] = Series("book --jobs 2, loaded", base / "book", 2, True)
        if "vector" in only:
            for i, L in enumerate(vec_L):
                series[f"vec{i}"] = Series(f"deep-sigmoid L={L}", make_copy(
                    base / "vector", "deep-sigmoid-network",
                    {"widths": [2] + [3] * (L - 1) + [1]}))
        if "scalar" in only:
            for i, L in enumerate(scalar_L):
                series[f"scalar{i}"] = Series(f"scalar L={L}",
                                              write_chapter(base / f"scalar-{L}", L).parent)
        for r in range(args.runs):
            print(f"\nround {r + 1} of {args.runs}", flush=True)
            for group in ([k for k in series if k.startswith("small")] + ["big", "big2"],
                          ("big1L", "big2L"), ("vec0", "vec1"), ("scalar0", "scalar1")):
                todo = [series[g] for g in group if g in series]
                if not todo:
                    continue
                with hogs(todo[0].loaded):
                    for s in (todo if r % 2 == 0 else todo[::-1]):
                        s.run(base, args.budget)
        smalls = [v for k, v in series.items() if k.startswith("small")]
        if smalls:     # the small books' mean, round by round
            mean = series["small"] = Series(f"small books, mean of {len(smalls)}", base)
            mean.times = [sum(s.times[r] for s in smalls) / len(smalls)
                          for r in range(min(len(s.times) for s in smalls))]
            mean.claims = round(sum(s.claims for s in smalls) / len(smalls))
            mean.over = any(s.over for s in smalls)
        report(series, args.quick)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    return 0


def report(series: dict, quick: bool) -> None:
    smalls = [v for k, v in series.items() if k.startswith("small") and k != "small"]
    items = [("book", "book, --jobs 1", "small", "big", smalls),
             ("vector", "vector: deep-sigmoid-network, widths [2, 3, ..., 3, 1]",
              "vec0", "vec1", []),
             ("scalar", "scalar: benchmarks/depth_scaling.py's chapter", "scalar0", "scalar1",
              []),
             ("jobs idle", "jobs, idle: the book", "big", "big2", []),
             ("jobs loaded", "jobs, loaded (2 busy loops): the book", "big1L", "big2L", [])]
    results = []
    for item, title, a, b, extra in items:
        if a in series and b in series:
            a, b = series[a], series[b]
            table(title, extra + [a, b], [(f"{b.label} / {a.label}", a, b)])
            results.append((item, f"{b.label} / {a.label}", ratio(a, b)))
    print("\n# summary" + (" (--quick: smaller sizes than the targets')" if quick else ""))
    for item, what, r in results:
        target = TARGETS[item]
        shown = "n/a (over budget)" if r is None else f"{r:.2f}"
        met = "" if r is None else ("met" if r <= target else "NOT met")
        print(f"  {item:12s} {what:46s} {shown:>6s}  target <= {target:<4g} {met}")
    load = os.getloadavg()
    print(f"# load average at end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    sys.exit(main())
