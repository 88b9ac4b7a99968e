#!/usr/bin/env python3
"""Fuzz every input surface of derive and count what comes out.

    python tools/fuzz.py [--budget N] [--seed S] [--jobs J] [--json FILE]

Surfaces (each input is a random mutation of real material: the bundled chapters, the
corpus of published formulas, and hostile payloads):

  formula    one formula side, read in process (derive.read.latex.parse_formula)
  manifest   a manifest.toml text, parsed in process (parse_manifest + its vocabulary)
  chapter    a chapter folder whose chapter.tex (and sometimes manifest) is mutated,
             checked by ``derive check`` in a new process
  markdown   the same chapter written as Markdown (``source = "chapter.md"``)
  notebook   the same chapter as a Jupyter notebook (``source = "chapter.ipynb"``)
  arguments  a random command line of ``derive check``

Every input must end in a reading, a refusal (InputError), or exit code 0, 1 or 2 with
one-line errors; a traceback or an "internal error" line is a **crash**, a process that
outlives its time (the chapter limit is set to 20 s) is a **hang**. The script prints a
table per surface (inputs, outcomes, errors by kind, crashes, hangs) and exits 1 when
there is a crash or a hang. tests/test_fuzz_surfaces.py runs it with a small budget.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CHAPTERS = ["ch08-two-layer-bce", "logreg-batch", "logreg-vectorized"]
LIMITS = "\n[limits]\nclaim_seconds = 5\nchapter_seconds = 20\n"
PROCESS_SECONDS = 90          # a check that runs longer than this is a hang
FORMULA_SECONDS = 10

TOKENS = [r"\frac{", "}", "{", "(", ")", "^T", "^{T}", "'", "_", "^", r"\partial", r"\sigma'",
          r"\left(", r"\right)", r"\sum_{i=1}^{m}", "=", r"\mathrm{", r"\log", "^{(i)}",
          r"\cdot", "-", "+", r"\frac{d}{da_2}", "x", "a_1", "Z_2", r"\prime", r"\sqrt{",
          r"\top", "2", r"\\", "&", r"\tag{1}", "%", r"\int", "!", "|", r"\exp", "e",
          "^{-1}", r"\text{", "_{2}", "0", r"\infty", "/", r"\,", "\t", "dvx", r"\begin{cases}",
          r"\end{cases}", r"\odot", r"\|", r"\max(", r"\mathbb{1}[", "]", r"\langle", "^{2^{9}}",
          "9" * 80, "(" * 70, r"\qquad (3)", "\n", "$", "$$", "<!--", "-->", "```"]
HOSTILE = ["__import__('os').system('touch PWNED')", r"\mathrm{eval(open('x','w'))}",
           "{{7*7}}", "${IFS}", "$(touch PWNED)", "`touch PWNED`", "; rm -rf /",
           r"\input{/etc/passwd}", r"\write18{touch PWNED}", "\x00", "\u202e", "\ufeff",
           "\udcff" if False else "\u00e9", "σ", "−", "，"]
TOML_VALUES = ["3", "-1", '"x"', "true", "[1, 2]", "{}", "nan", "inf", "-inf", "1e999",
               '""', "[]", '["Z"]', '{ role = "input" }', '"\\\\sigma"', '"weight"', "0",
               "2.5", "100000", "[1, 100000]", "[-inf, inf]", '"/dev/zero"', '"../x.tex"',
               '"chapter.md"', "'''multi\nline'''", '"{{7*7}}"', '"${IFS}"', "10000000000"]
TOML_LINES = ["[limits]", "[numeric]", "[symbols]", "[functions]", "[conventions]", "[sizes]",
              "[layers]", "[captions.layers]", "[captions.roles]", "[chapter]", "[extra]",
              "samples = 1", "draws = 0", "tolerance = -1", 'q = { role = "input" }',
              'source = "../../outside.tex"', 'source = "/dev/zero"', 'loss = "batch-mean"',
              'samples = "q"', "count = 40", "m = 12", 'superscript = "layer"',
              'parenthesised = "index"', 'x = { role = "input", aliases = ["x"] }', "x = 1",
              "[symbols.x]", '"\\\\frac{" = { role = "input" }', "chapter_seconds = 0.01"]
TEX_LINES = ["% derive: claim", "% derive: definition", "% derive: graph", "% derive: caption 2",
             "% derive: bogus", r"\tag{2}", "x → a → z", r"z = \sigma(a)", r"L = (a - y)^2",
             r"\frac{\partial L}{\partial q} = 1", r"\frac{\partial L}{\partial x} = (a - y) w",
             r"a = a", "= =", "% derive: claim 2", r"\begin{aligned}", r"\end{aligned}",
             r"G(u) = G(u)", r"\frac{\partial L}{\partial b} = \log(0)"]
OPTIONS = ["--format", "-f", "json", "html", "markdown", "junit", "text", "xml", "-o", "--output",
           "--seed", "-1", "99999999999999999999", "--jobs", "-j", "-3", "1000", "0", "2",
           "--claim-seconds", "0", "nan", "1e309", "-5", "0.5", "--quiet", "-q", "--verbose",
           "-v", "--no-numeric", "--allow-outside", "--no-cache", "--version", "--bogus", "-",
           "check"]


# --- material ------------------------------------------------------------------------------

def formulas() -> list[tuple[str, object]]:
    """(formula, its context): the sides of the bundled chapters with their chapter's
    vocabulary (read and given a meaning), the corpus displays with their book's lexicon
    (read only)."""
    from derive.read.latex import split_chain
    from derive.read.manifest import load_manifest
    from derive.model import build_vocabulary
    from derive.read.source import load_chapter
    out: list[tuple[str, object]] = []
    for name in CHAPTERS + ["deep-sigmoid-network", "softmax-regression", "nielsen-backprop"]:
        folder = ROOT / "equations" / name
        vocab = build_vocabulary(load_manifest(folder / "manifest.toml"))
        for item in load_chapter(folder / "chapter.tex"):
            if item.kind in ("claim", "definition") and "[l" not in item.body:
                out += [(str(s), vocab) for s in split_chain(item.body)]
    corpus = ROOT / "tests" / "corpus"
    if (corpus / "formulas.json").exists():
        sys.path.insert(0, str(ROOT / "tests"))
        from corpus.lexicons import LEXICONS
        out += [(e["latex"], LEXICONS[e["lexicon"]])
                for e in json.loads((corpus / "formulas.json").read_text(encoding="utf-8"))]
    return out


def mutate(rng: random.Random, text: str, pieces: list[str], sources: list[str]) -> str:
    """One to four random edits: insert, delete, duplicate, splice, a strange character."""
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        i = rng.randint(0, len(text))
        j = rng.randint(i, min(len(text), i + 16))
        op = rng.choice(["insert", "insert", "delete", "delete", "duplicate", "splice",
                         "splice", "char"])
        if op == "insert":
            text = text[:i] + rng.choice(pieces) + text[i:]
        elif op == "delete":
            text = text[:i] + text[j:]
        elif op == "duplicate":
            text = text[:i] + text[i:j] * rng.randint(1, 3) + text[i:]
        elif op == "splice":
            other = rng.choice(sources)
            k = rng.randint(0, len(other))
            text = text[:i] + other[k:k + rng.randint(0, 40)] + text[j:]
        else:
            text = text[:i] + chr(rng.choice([0, 7, 0x2028, 0x200b, rng.randint(32, 0x2fff)])) \
                + text[i + 1:]
    return text


def mutate_lines(rng: random.Random, text: str, extra: list[str], values=None) -> str:
    lines = text.splitlines()
    for _ in range(rng.randint(1, 4)):
        k = rng.randint(0, len(lines))
        op = rng.choice(["delete", "duplicate", "insert", "value", "chars", "swap"])
        if op == "delete" and k < len(lines):
            del lines[k]
        elif op == "duplicate" and k < len(lines):
            lines.insert(k, lines[k])
        elif op == "insert":
            lines.insert(k, rng.choice(extra))
        elif op == "value" and values and k < len(lines) and "=" in lines[k]:
            lines[k] = lines[k].split("=", 1)[0] + "= " + rng.choice(values)
        elif op == "chars" and k < len(lines):
            lines[k] = mutate(rng, lines[k], TOKENS + HOSTILE, lines or [""])
        elif op == "swap" and lines:
            j = rng.randint(0, len(lines) - 1)
            k = min(k, len(lines) - 1)
            lines[j], lines[k] = lines[k], lines[j]
    return "\n".join(lines) + "\n"


def as_markdown(tex: str) -> str:
    """A chapter as a Markdown page: prose, and each block's formula in $$ ... $$."""
    out = ["# A chapter", "", "Some prose before the first block."]
    for line in tex.splitlines():
        if line.startswith("% derive:"):
            out += ["", f"<!-- {line[2:]} -->"]
        elif line.strip() and not line.startswith("%"):
            out += ["$$", line, "$$"]
    return "\n".join(out) + "\n"


def as_notebook(tex: str) -> str:
    cells = [{"cell_type": "markdown", "metadata": {}, "source": [as_markdown(tex)]},
             {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
              "source": ["import os; os.system('touch PWNED')"]}]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


# --- outcomes ------------------------------------------------------------------------------

class _Stuck(BaseException):
    pass


def _alarm(signum, frame):  # noqa: ARG001
    raise _Stuck()


def in_process(surface: str, text: str, context) -> tuple[str, str]:
    """(outcome, kind) of reading one formula (in its chapter's vocabulary or its book's
    lexicon) or one manifest."""
    from derive.errors import InputError
    from derive.read.latex import parse_formula
    from derive.read.manifest import parse_manifest
    from derive.model import build_vocabulary
    from derive.read import Lexicon, read_display
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(FORMULA_SECONDS)
    try:
        if surface == "formula" and isinstance(context, Lexicon):
            read_display(text, context)
        elif surface == "formula":
            parse_formula(text, context)
        else:
            build_vocabulary(parse_manifest(text, "fuzz.toml"))
        return "read", ""
    except InputError as exc:
        return "refused", kind_of(str(exc))
    except _Stuck:
        return "hang", f"over {FORMULA_SECONDS} s: {text[:80]!r}"
    except Exception as exc:  # noqa: BLE001 - the crash this script looks for
        return "crash", f"{type(exc).__name__}: {exc} <- {text[:120]!r}"
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def kind_of(message: str) -> str:
    """A message without its paths, positions, names and numbers: the kind of error."""
    m = message.split("derive: error: ")[-1]
    m = re.sub(r"^\S*(?:\.toml|\.tex|\.md|\.ipynb|<input>|<chapter>)(?::\d+)*: ", "", m)
    m = re.sub(r"^equations? [^:]*: ", "", m)
    m = re.sub(r"^cannot read (?:'.*?' )?at (?:line \d+, )?column \d+: ", "", m)
    m = m.split("; fix:")[0]
    m = re.sub(r"'[^']*'|\"[^\"]*\"|\{[^}]*\}|\d+(\.\d+)?|\\[A-Za-z]+", "…", m)
    return " ".join(m.split()[:7])


def run_check(args: list[str], cwd: Path) -> tuple[str, str]:
    """(outcome, kind) of ``derive check ARGS`` in a new process."""
    try:
        p = subprocess.run([sys.executable, "-m", "derive.cli", "check", *args], cwd=cwd,
                           capture_output=True, text=True, timeout=PROCESS_SECONDS,
                           env={**os.environ, "PYTHONPATH": str(ROOT)})
    except subprocess.TimeoutExpired:
        return "hang", f"over {PROCESS_SECONDS} s: {' '.join(args)[:120]}"
    err = [line for line in p.stderr.splitlines() if line.strip()]
    if any("Traceback" in line or "internal error" in line for line in err) \
            or p.returncode not in (0, 1, 2):
        return "crash", (err[-1] if err else f"exit {p.returncode}")[:300]
    if p.returncode == 2:
        if not err:
            return "crash", "exit 2 without a message"
        return "exit 2", kind_of(err[0])
    if any(not line.startswith("derive: error: ") for line in err):
        return "crash", f"stray stderr: {err[0][:200]}"
    return f"exit {p.returncode}", ""


# --- the surfaces --------------------------------------------------------------------------

def chapter_case(rng: random.Random, work: Path, surface: str) -> list[str]:
    name = rng.choice(CHAPTERS)
    folder = work / f"case{rng.randrange(10**9)}"
    shutil.copytree(ROOT / "equations" / name, folder)
    tex = mutate_lines(rng, (folder / "chapter.tex").read_text(encoding="utf-8"),
                       TEX_LINES + HOSTILE)
    manifest = (folder / "manifest.toml").read_text(encoding="utf-8")
    if rng.random() < 0.3:
        manifest = mutate_lines(rng, manifest, TOML_LINES, TOML_VALUES)
    manifest = re.sub(r"(?m)^source\s*=.*$", "", manifest)
    if surface == "markdown":
        (folder / "chapter.md").write_text(as_markdown(tex), encoding="utf-8")
        manifest = manifest.replace("[chapter]", '[chapter]\nsource = "chapter.md"', 1)
    elif surface == "notebook":
        text = as_notebook(tex)
        if rng.random() < 0.5:
            text = mutate(rng, text, ['"', "{", "}", "[", "]", ",", "null", "1e999"], [text])
        (folder / "chapter.ipynb").write_text(text, encoding="utf-8")
        manifest = manifest.replace("[chapter]", '[chapter]\nsource = "chapter.ipynb"', 1)
    else:
        (folder / "chapter.tex").write_text(tex, encoding="utf-8")
    if "[limits]" not in manifest:
        manifest += LIMITS
    (folder / "manifest.toml").write_text(manifest, encoding="utf-8")
    return [str(folder), "--jobs", "1"] + (["--no-numeric"] if rng.random() < 0.5 else [])


def arguments_case(rng: random.Random, work: Path) -> list[str]:
    folder = work / "args-chapter"
    if not folder.exists():
        shutil.copytree(ROOT / "equations" / "logreg-batch", folder)
        (folder / "notes.txt").write_text("not a manifest", encoding="utf-8")
    paths = [str(folder), str(folder / "manifest.toml"), str(folder / "chapter.tex"),
             str(folder / "notes.txt"), str(work / "missing"), "/dev/null", "", str(work),
             str(work / "out.json")]
    return [rng.choice(OPTIONS + paths) for _ in range(rng.randint(0, 7))]


def run(budget: int, seed: int, jobs: int, surfaces=None) -> dict:
    rng = random.Random(seed)
    sources = formulas()
    texts = [t for t, _ in sources]
    manifests = [(ROOT / "equations" / n / "manifest.toml").read_text(encoding="utf-8")
                 for n in CHAPTERS]
    results: dict = defaultdict(Counter)
    kinds: dict = defaultdict(Counter)
    bad: dict = defaultdict(list)
    share = {"formula": 20, "manifest": 10, "chapter": 1, "markdown": 1, "notebook": 1,
             "arguments": 1}
    wanted = surfaces or list(share)

    def note(surface, outcome, kind):
        results[surface][outcome] += 1
        if outcome in ("crash", "hang"):
            bad[surface].append(f"{outcome}: {kind}")
        elif kind:
            kinds[surface][kind] += 1

    for surface in ("formula", "manifest"):
        if surface not in wanted:
            continue
        for _ in range(budget * share[surface]):
            context = None
            if surface == "formula":
                text, context = rng.choice(sources)
                text = mutate(rng, text, TOKENS + HOSTILE, texts)
            else:
                text = mutate_lines(rng, rng.choice(manifests), TOML_LINES, TOML_VALUES)
            note(surface, *in_process(surface, text, context))
    with tempfile.TemporaryDirectory(prefix="derive-fuzz-") as tmp:
        work = Path(tmp)
        cases = []
        for surface in ("chapter", "markdown", "notebook", "arguments"):
            if surface not in wanted:
                continue
            for _ in range(budget * share[surface]):
                args = arguments_case(rng, work) if surface == "arguments" \
                    else chapter_case(rng, work, surface)
                cases.append((surface, args))
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            for (surface, _), (outcome, kind) in zip(
                    cases, pool.map(lambda c: run_check(c[1], work), cases)):
                note(surface, outcome, kind)
        created = [p for p in (ROOT / "PWNED", work / "PWNED", Path.cwd() / "PWNED")
                   if p.exists()]
        if created:
            bad["payloads"].append(f"files created by a payload: {created}")
    return {"results": {s: dict(c) for s, c in results.items()},
            "kinds": {s: dict(c.most_common()) for s, c in kinds.items()},
            "bad": dict(bad)}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="fuzz", description=__doc__.split("\n\n")[0])
    p.add_argument("--budget", type=int, default=20,
                   help="scale: budget x 20 formulas, x 10 manifests, x 1 of each other surface")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--json", metavar="FILE")
    args = p.parse_args(argv)
    started = time.monotonic()
    out = run(args.budget, args.seed, args.jobs)
    total = sum(sum(c.values()) for c in out["results"].values())
    print(f"derive fuzz (seed {args.seed}, budget {args.budget}): {total} inputs in "
          f"{time.monotonic() - started:.0f} s")
    for surface, counts in out["results"].items():
        crashes, hangs = counts.get("crash", 0), counts.get("hang", 0)
        shown = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        print(f"  {surface:10} {sum(counts.values()):6} inputs: {shown}; crashes {crashes}, "
              f"hangs {hangs}")
        for kind, n in list(out["kinds"].get(surface, {}).items())[:8]:
            print(f"      {n:5}  {kind}")
    for surface, items in out["bad"].items():
        for line in items[:20]:
            print(f"  BAD {surface}: {line}")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1), encoding="utf-8")
    return 1 if out["bad"] else 0


if __name__ == "__main__":
    sys.exit(main())
