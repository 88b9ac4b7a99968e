#!/usr/bin/env python3
"""Numeric speed: derive's lambdified gradients against the same formulas hand-written in NumPy.

    python benchmarks/numeric_speed.py [--samples M] [--repeat R]

The seed chapter's model is built with derive's own pieces (manifest, chapter, vocabulary,
definitions, graph, model; the definition of z_2 corrected from the stated graph as the
checker does), its gradients derived with ``derive.calculus.derivation.Derivation``, and the forward
pass evaluated with ``derive.calculus.numeric.NumericRoute`` on a batch of M samples (default 10^6,
one parameter draw). Each derived gradient dL/dv for the chapter's claim targets is
turned into a NumPy function by ``derive.calculus.numeric.gradient_function`` (the verified form
the report prints, lambdified with common subexpressions shared) and timed against a
hand-written NumPy expression of the same gradient in the chapter's variables
(a_1, a_2, w_2, x, y), each gradient computed on its own.

Also shown, for context (not part of the target):
  * raw: the gradient exactly as the chain rule builds it (unsimplified products of local
    partials), lambdified the same way, i.e. what lambdify of derive's internal form costs;
  * hand, shared: one hand-written backward pass reusing dL/dz_2 and dL/dz_1.

Series are interleaved per gradient and the order is rotated each round; medians over R
rounds (default 21), each timed sample the mean of --inner calls (default 5). Values must agree: max relative error derived vs hand is printed.

Target (issue 6): median(derived) / median(hand) <= 1.2 over all gradients.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import SEED_CHAPTER, header, median  # noqa: E402

TARGET = 1.2


def build(chapter: Path):
    from derive.calculus.derivation import Derivation
    from derive.read.manifest import load_manifest
    from derive.model import (build_model, build_vocabulary, definition_issues,
                              read_definitions, read_graph)
    from derive.read.source import load_chapter

    manifest = load_manifest(chapter / "manifest.toml")
    items = load_chapter(manifest.source_path())
    vocab = build_vocabulary(manifest)
    defs, functions, errors = read_definitions(items, vocab)
    if errors:
        raise SystemExit(f"the seed chapter's definitions do not read: {errors}")
    edges, _ = read_graph(items, vocab)
    graph_items = [i for i in items if i.kind == "graph"]
    printed = build_model(manifest, vocab, defs, functions, edges, graph_items)
    issues = definition_issues(printed)
    fixable = {i.definition.node: i.corrected for i in issues if i.corrected is not None}
    model = printed.with_definitions(fixable) if fixable else printed
    return model, Derivation(model), fixable


def hand_formulas():
    """dL/dv written by hand in NumPy, per sample, in the chapter's variables."""
    return {
        "a_2": lambda a1, a2, w2, x, y: (a2 - y) / (a2 * (1.0 - a2)),
        "z_2": lambda a1, a2, w2, x, y: a2 - y,
        "w_2": lambda a1, a2, w2, x, y: (a2 - y) * a1,
        "b_2": lambda a1, a2, w2, x, y: a2 - y,
        "a_1": lambda a1, a2, w2, x, y: (a2 - y) * w2,
        "z_1": lambda a1, a2, w2, x, y: (a2 - y) * w2 * a1 * (1.0 - a1),
        "w_1": lambda a1, a2, w2, x, y: (a2 - y) * w2 * a1 * (1.0 - a1) * x,
        "b_1": lambda a1, a2, w2, x, y: (a2 - y) * w2 * a1 * (1.0 - a1),
    }


def hand_shared(a1, a2, w2, x, y):
    """One hand-written backward pass that reuses intermediate gradients."""
    dz2 = a2 - y
    da2 = dz2 / (a2 * (1.0 - a2))
    dw2 = dz2 * a1
    da1 = dz2 * w2
    dz1 = da1 * a1 * (1.0 - a1)
    dw1 = dz1 * x
    return da2, dz2, dw2, dz2, da1, dz1, dw1, dz1


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--samples", type=int, default=10**6, help="batch size m (default 10^6)")
    p.add_argument("--repeat", type=int, default=21, help="rounds (median; default 21)")
    p.add_argument("--inner", type=int, default=5,
                   help="calls per timed sample, averaged (default 5)")
    args = p.parse_args(argv)

    header("numeric speed: lambdified derived gradients vs hand-written NumPy")
    import numpy as np
    import sympy

    from derive.model import activations
    from derive.calculus.numeric import NumericRoute, gradient_function, rel_error

    t0 = time.perf_counter()
    model, d, fixed = build(SEED_CHAPTER)
    t_build = time.perf_counter() - t0
    print(f"# chapter: {SEED_CHAPTER.name}; corrected definitions: "
          + ", ".join(f"{k} = {v}" for k, v in fixed.items()))
    print(f"# model built and gradients derived in {t_build:.2f} s; m = {args.samples:,} "
          f"samples, {args.repeat} rounds x {args.inner} calls")

    t0 = time.perf_counter()
    route = NumericRoute(d, samples=args.samples, draws=1, seed=0)
    values = route.forward(route.draws[0].values)
    t_fwd = time.perf_counter() - t0
    by_name = {str(s): s for s in values}
    a1, a2, w2, x, y = (values[by_name[n]] for n in ("a_1", "a_2", "w_2", "x", "y"))
    w2 = float(w2)
    print(f"# forward pass (NumericRoute, compiled once) on m samples: {t_fwd:.2f} s")

    hand = hand_formulas()
    derived, factored, forms = {}, {}, {}
    t_lambdify = 0.0
    for name in hand:
        sym = by_name[name]
        g = d.gradient(model.loss, sym)
        t0 = time.perf_counter()
        f, syms = gradient_function(d, sym)
        t_lambdify += time.perf_counter() - t0
        rsyms = tuple(sorted(g.free_symbols, key=lambda s: s.name))
        fr = sympy.lambdify(rsyms, g, modules=[activations.numpy_functions(g), "numpy"])
        derived[name] = (f, [values[s] for s in syms])
        factored[name] = (fr, [values[s] for s in rsyms])
        import inspect
        forms[name] = (g, inspect.getsource(f).strip().splitlines()[-1].strip())
    print(f"# lambdify of the {len(hand)} gradients: {t_lambdify * 1000:.1f} ms in total "
          "(one-off, not in the timings below)")
    print()
    print("gradients: as the chain rule builds them (raw), and the code gradient_function runs:")
    for name, (g, code) in forms.items():
        print(f"  dL/d{name}: raw {sympy.sstr(g)}")
        print(f"  {'':>{len(name) + 4}}  {code}")
    sys.stdout.flush()

    series = ("derived", "hand", "raw")
    per: dict[tuple[str, str], list[float]] = {}
    totals: dict[str, list[float]] = {s: [] for s in series + ("hand, shared",)}
    errors = {}

    def call(s, name):
        if s == "hand":
            return hand[name](a1, a2, w2, x, y)
        fn, fargs = (derived if s == "derived" else factored)[name]
        return fn(*fargs)

    with np.errstate(all="ignore"):
        for name in hand:           # values first (and one warm-up call of each)
            dv, hv, fv = (np.broadcast_to(call(s, name), (args.samples,)) for s in series)
            errors[name] = (rel_error(dv, hv), rel_error(fv, hv))
        for r in range(args.repeat):
            round_tot = {s: 0.0 for s in series}
            for name in hand:
                order = series[r % 3:] + series[:r % 3]
                for s in order:
                    t0 = time.perf_counter()
                    for _ in range(args.inner):
                        call(s, name)
                    dt = (time.perf_counter() - t0) / args.inner
                    per.setdefault((s, name), []).append(dt)
                    round_tot[s] += dt
            t0 = time.perf_counter()
            for _ in range(args.inner):
                hand_shared(a1, a2, w2, x, y)
            totals["hand, shared"].append((time.perf_counter() - t0) / args.inner)
            for s in series:
                totals[s].append(round_tot[s])

    print()
    print(f"{'gradient':9} {'derived ms':>11} {'hand ms':>9} {'ratio':>6} {'raw ms':>12} "
          f"{'ratio':>6}  {'max rel err derived':>20} {'raw':>9}")
    for name in hand:
        dm, hm, fm = (median(per[(s, name)]) * 1000 for s in series)
        e1, e2 = errors[name]
        print(f"dL/d{name:5} {dm:11.2f} {hm:9.2f} {dm / hm:6.2f} {fm:12.2f} {fm / hm:6.2f}  "
              f"{e1:20.2e} {e2:9.2e}")
    td, th, tf, ts = (median(totals[s]) * 1000 for s in series + ("hand, shared",))
    print(f"{'all 8':9} {td:11.2f} {th:9.2f} {td / th:6.2f} {tf:12.2f} {tf / th:6.2f}")
    print(f"hand-written backward pass sharing intermediates: {ts:.2f} ms for all 8 "
          "(context)")
    worst = max(e for pair in errors.values() for e in pair)
    print()
    print(f"values agree: max relative error over all gradients and samples {worst:.2e} "
          + ("(ok)" if worst < 1e-9 else "(DISAGREE)"))
    ratio = td / th
    print(f"ratio derived / hand (all 8 gradients, medians of round totals) = {ratio:.2f}   "
          f"target <= {TARGET:g}: {'met' if ratio <= TARGET else 'NOT met'}")
    print(f"ratio raw chain-rule form / hand = {tf / th:.2f} (context: lambdify without "
          "gradient_function's compact form)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
