#!/usr/bin/env python3
"""Text-level mutations: wrong variants of verified claims made by editing the printed
text, without derive's reader, so that they do not share its blind spots.

    python tools/textmut.py [PATH ...] [--jobs N] [--seed S] [--json FILE]

The mutation generator of tools/mutation.py edits a side along the reader's own
reading of it (its factors, terms, symbols); a part of a formula the reader never read is
never mutated there. The operators here work on the characters of the printed side only
and each makes a formula that is wrong by construction, or unreadable:

  tail-*            ``+ V`` (a declared variable) after a row break ``\\\\``, ``\\\\[1ex]``,
                    an ``&``, an unmatched ``)``, ``}``, ``\\right)``, ``\\}``, ``]``, or
                    ``\\to V``, ``\\rightarrow V``, ``\\Rightarrow V``
  index-swap        one ``^{(i)}`` inside the sum over i becomes another index ``^{(j)}``
  sum-index         ``\\sum_{i=1}^{m}`` becomes ``\\sum_{j=1}^{m}`` (a sum over j of a term in i)
  sum-product       ``\\sum_{i=1}^{m} B`` becomes ``(\\sum_{i=1}^{m} B)(\\sum_{i=1}^{m} 1)``
  limit-lower       ``\\sum_{i=1}`` becomes ``\\sum_{i=2}``
  limit-upper       ``^{m}`` of a sum becomes ``^{m-1}``
  limit-number      ``^{m}`` of a sum becomes the number of samples the check uses
  superscript-param ``^{(i)}`` becomes ``^{(w)}``, w a declared weight
  superscript-number ``^{(i)}`` becomes ``^{(2)}``
  power             ``^{2}`` becomes ``^{3}``
  size-constant     ``\\frac{1}{m}`` becomes ``\\frac{4}{m^2}``, and ``\\frac{1}{4}``
  operator-power    ``\\frac{d}{dv} X`` becomes ``\\frac{d}{dv} X^2``
  sign-flip         the side ``S`` becomes ``-\\left(S\\right)``
  transpose-drop    one ``^\\top``, ``^T``, ``^{\\mathrm{T}}`` (the first) is removed
  step-shift        one ``^{(t)}`` or ``_{t}`` of a time, unit or class index ``t`` becomes
                    ``^{(t+1)}`` / ``_{t+1}``
  subscript-swap    one subscript of two index letters ``_{jk}`` becomes ``_{kj}`` (not on a
                    symbol declared ``identity``)

Each mutant is checked like a mutant of tools/soundness.py (a copy of the chapter with
the one claim replaced, mutation.check_cases). A mutant reported *verified* is a
false pass; an error (the mutant rejected as unreadable) is not. The script uses only
derive's public checking API, so it also runs against older versions of derive (set
PYTHONPATH to their source), which is how docs/soundness.md counts false passes before
and after the strict reader.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))

SAMPLES = 4            # the explicit number of samples derive's vectorized checks default to

TAILS = {
    "tail-break": r" \\ &\quad + {v}",
    "tail-break-skip": r" \\[1ex] + {v}",
    "tail-align": r" & + {v}",
    "tail-paren": r" ) + {v}",
    "tail-brace": r" }} + {v}",
    "tail-right": r" \right) + {v}",
    "tail-rbrace": r" \}} + {v}",
    "tail-bracket": r" ] + {v}",
    "tail-to": r" \to {v}",
    "tail-rightarrow": r" \rightarrow {v}",
    "tail-Rightarrow": r" \Rightarrow {v}",
}
_SUM = re.compile(r"\\sum(?:\\limits)?\s*_\s*\{\s*([A-Za-z])\s*=\s*1\s*\}\s*\^\s*\{?\s*([A-Za-z])\s*\}?")
_SAMPLE = re.compile(r"\^\s*\{\s*\(\s*([A-Za-z])\s*\)")
_POWER = re.compile(r"\^\s*(?:\{\s*2\s*\}|2)(?![0-9])")
_MEAN = re.compile(r"\\frac\s*\{\s*1\s*\}\s*\{\s*([A-Za-z])\s*\}")
_OPERATOR = re.compile(r"\\frac\s*\{\s*(?:d|\\partial)\s*\}\s*\{\s*(?:d|\\partial)\s*[^{}]*\}\s*")


def _declared(manifest) -> dict[str, list[str]]:
    roles: dict[str, list[str]] = defaultdict(list)
    for latex, decl in manifest.symbols.items():
        roles[decl.role].append(latex)
    return roles


def _first(roles, *wanted) -> str | None:
    for r in wanted:
        if roles.get(r):
            return roles[r][0]
    return None


def _operand_end(s: str, k: int) -> int:
    """End of the factor starting at k: a group (...) / {...} or a symbol with scripts."""
    if k < len(s) and s[k] in "({":
        close = {"(": ")", "{": "}"}[s[k]]
        depth = 0
        for j in range(k, len(s)):
            depth += s[j] == s[k]
            depth -= s[j] == close
            if depth == 0:
                return j + 1
        return len(s)
    m = re.compile(r"(\\[A-Za-z]+|[A-Za-z])(_\{[^{}]*\}|_[A-Za-z0-9])?").match(s, k)
    return m.end() if m else k


def mutate(side: str, manifest) -> list[tuple[str, str, str]]:
    """(operator, mutated side, what changed) for one printed side."""
    roles = _declared(manifest)
    out = []
    v = _first(roles, "weight", "bias", "parameter", "input")
    if v is not None:
        for name, tail in TAILS.items():
            out.append((name, side + tail.format(v=v), f"appended {tail.format(v=v).strip()}"))
    indices = roles.get("index", [])
    samples = manifest.conventions.samples
    n = manifest.sizes.get(samples, SAMPLES) if samples else SAMPLES
    for m in _SUM.finditer(side):
        idx, upper = m.group(1), m.group(2)
        others = [j for j in indices if j != idx and len(j) == 1]
        body_start = m.end()
        if others:
            j = others[0]
            inner = _SAMPLE.search(side, body_start)
            if inner and inner.group(1) == idx:
                a, b = inner.span(1)
                out.append(("index-swap", side[:a] + j + side[b:],
                            f"^{{({idx})}} -> ^{{({j})}} inside the sum over {idx}"))
            a, b = m.span(1)
            out.append(("sum-index", side[:a] + j + side[b:],
                        f"the sum over {idx} -> over {j}"))
        head = side[m.start():m.end()]
        body = side[m.end():]
        out.append(("sum-product", side[:m.start()] + rf"\left({head} {body}\right)"
                    rf"\left({head} 1\right)", "a product of two sums"))
        low = re.search(r"=\s*1", head)
        if low:
            out.append(("limit-lower", side[:m.start() + low.start()] + "=2" +
                        side[m.start() + low.end():], "lower limit 1 -> 2"))
        up = m.span(2)
        out.append(("limit-upper", side[:up[0]] + f"{{{upper}-1}}" + side[up[1]:],
                    f"upper limit {upper} -> {upper}-1"))
        out.append(("limit-number", side[:up[0]] + f"{{{n}}}" + side[up[1]:],
                    f"upper limit {upper} -> {n}"))
        break
    sample = _SAMPLE.search(side)
    if sample:
        a, b = sample.span(1)
        w = _first(roles, "weight", "parameter", "bias")
        if w is not None and len(w) == 1:
            out.append(("superscript-param", side[:a] + w + side[b:],
                        f"^{{({sample.group(1)})}} -> ^{{({w})}}"))
        out.append(("superscript-number", side[:a] + "2" + side[b:],
                    f"^{{({sample.group(1)})}} -> ^{{(2)}}"))
    power = _POWER.search(side)
    if power:
        out.append(("power", side[:power.start()] + "^{3}" + side[power.end():], "^2 -> ^3"))
    mean = _MEAN.search(side)
    if mean and samples and mean.group(1) == samples:
        m_ = mean.group(1)
        out.append(("size-constant", side[:mean.start()] + rf"\frac{{{n}}}{{{m_}^2}}"
                    + side[mean.end():], rf"\frac{{1}}{{{m_}}} -> \frac{{{n}}}{{{m_}^2}}"))
        out.append(("size-constant", side[:mean.start()] + rf"\frac{{1}}{{{n}}}"
                    + side[mean.end():], rf"\frac{{1}}{{{m_}}} -> \frac{{1}}{{{n}}}"))
    out.extend(_index_mutants(side, manifest, roles))
    op = _OPERATOR.search(side)
    if op:
        end = _operand_end(side, op.end())
        if end > op.end():
            out.append(("operator-power", side[:end] + "^2" + side[end:],
                        "the operand of d/dv squared"))
    return out


_TRANSPOSE = re.compile(r"\^\s*(?:\\top\b|T\b|\{\\top\}|\{T\}|\{\\mathrm\{T\}\}|\{\\intercal\})")


def _index_mutants(side: str, manifest, roles) -> list[tuple[str, str, str]]:
    """Wrong variants of index and array notation, by text: a sign, a transpose, a step,
    two indices."""
    out = [("sign-flip", rf"-\left({side}\right)", "the sign of the side")]
    t = _TRANSPOSE.search(side)
    if t:
        out.append(("transpose-drop", side[:t.start()] + side[t.end():],
                    f"{t.group(0)} removed"))
    kinds = {name: d.kind for name, d in manifest.symbols.items() if d.role == "index"}
    steps = [k for k, kind in kinds.items() if kind in ("time", "unit", "class") and len(k) == 1]
    for k in steps:
        m = re.search(r"\^\{\(" + k + r"\)\}|(?<!\\sum)(?<!\\prod)_\{?" + k + r"\b\}?", side)
        if m:
            text = m.group(0)
            moved = text.replace(f"({k})", f"({k}+1)") if text.startswith("^") else \
                f"_{{{k}+1}}"
            out.append(("step-shift", side[:m.start()] + moved + side[m.end():],
                        f"{text} -> {moved}"))
            break
    identities = {name for name, d in manifest.symbols.items() if d.identity}
    for m in re.finditer(r"([A-Za-z}])_\{([a-z])([a-z])\}", side):
        a, b = m.group(2), m.group(3)
        if a != b and a in kinds and b in kinds and m.group(1) not in identities:
            out.append(("subscript-swap", side[:m.start(2)] + b + a + side[m.end(3):],
                        f"_{{{a}{b}}} -> _{{{b}{a}}}"))
            break
    return out


def generate(manifests) -> tuple[list, list[str]]:
    """Text mutants of the final side of every verified claim of each chapter."""
    from derive.driver import check_chapter
    from derive.read.manifest import load_manifest
    from mutation import Case
    from derive.read.source import load_chapter
    cases, bases = [], []
    for path in manifests:
        manifest = load_manifest(path)
        report = check_chapter(path, numeric=False)
        verified = {e.id for e in report.equations
                    if e.kind == "claim" and e.verdict == "verified"}
        for item in load_chapter(manifest.source_path()):
            if item.kind != "claim":
                continue
            instances = tuple(sorted(e for e in verified
                                     if e == item.id or e.startswith(item.id + "[l=")))
            if not instances:
                continue
            sides = _sides(item.body)
            if len(sides) < 2:
                continue
            lhs, last = sides[0], sides[-1]
            bases.append(f"{Path(path).parent.name}:{item.id}")
            for op, rhs, note in mutate(last, manifest):
                cases.append(Case(str(Path(path).parent), str(path), item.id, item.line, op,
                                  (), f"{lhs} = {rhs} \\tag{{{item.id}}}", rhs, last, note,
                                  instances=instances))
    return cases, bases


def _sides(body: str) -> list[str]:
    """Top-level '=' split by bracket depth (no reader involved)."""
    parts, depth, start = [], 0, 0
    for k, ch in enumerate(body):
        if ch in "({[":
            depth += 1
        elif ch in ")}]":
            depth -= 1
        elif ch == "=" and depth == 0:
            parts.append(body[start:k].strip())
            start = k + 1
    parts.append(body[start:].strip())
    return parts


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="textmut", description=__doc__.split("\n\n")[0])
    p.add_argument("paths", nargs="*", default=[str(ROOT / "equations"),
                                                 str(ROOT / "tools" / "corpus")])
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", metavar="FILE")
    args = p.parse_args(argv)
    from derive.driver import find_manifests
    from mutation import check_cases
    # mutation works on chapter folders (a manifest and its marked chapter.tex)
    manifests = [m for m in find_manifests(args.paths) if m.name == "manifest.toml"]
    cases, bases = generate(manifests)
    outcomes = check_cases(cases, jobs=args.jobs, seed=args.seed)
    rows: dict[str, Counter] = defaultdict(Counter)
    for o in outcomes:
        rows[o.case.kind]["n"] += 1
        rows[o.case.kind]["false pass" if o.verdict == "verified" else
                          "crash" if o.verdict == "crash" else "caught"] += 1
    print(f"text-level mutants of {len(bases)} verified claims in {len(manifests)} chapters: "
          f"{len(cases)}")
    print(f"  {'operator':20} {'n':>4} {'caught':>7} {'false pass':>11} {'crash':>6}")
    for kind in sorted(rows):
        r = rows[kind]
        print(f"  {kind:20} {r['n']:>4} {r['caught']:>7} {r['false pass']:>11} {r['crash']:>6}")
    passes = [o for o in outcomes if o.verdict == "verified"]
    crashes = [o for o in outcomes if o.verdict == "crash"]
    print(f"false passes: {len(passes)}; crashes: {len(crashes)}")
    for o in passes:
        print(f"  {o.case.label}  {o.case.kind}  {o.case.rhs}")
    if args.json:
        Path(args.json).write_text(json.dumps(
            [{**o.case.__dict__, "verdict": o.verdict, "message": o.message}
             for o in outcomes], ensure_ascii=False, indent=1), encoding="utf-8")
    return 1 if passes or crashes else 0


if __name__ == "__main__":
    sys.exit(main())
