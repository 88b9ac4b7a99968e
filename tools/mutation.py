"""Mutation testing of the checker: wrong variants of verified claims must be caught, and
equivalent rewrites of them must still verify.

A *base* is one printed side of a claim that, written alone as ``lhs = side``, equals the
derived gradient in the chapter's convention (the final side of a verified claim, or any
other side of any claim that equals the target). From each base this module makes

* **mutants** — text-level edits of the printed LaTeX that change its value: a changed or
  dropped factor (2, 1/2, 3, -1, m, 1/m), a swapped variable (each declared symbol
  replaced by one of a compatible role, in every position), a dropped factor or a dropped
  ``\\sigma'(...)``, ``\\sigma'(z)`` rewritten as ``\\sigma(z)(1+\\sigma(z))`` or as
  ``\\sigma(z)``, a flipped sign (``(a - y)`` → ``(y - a)``, one ``+`` ↔ ``-``), a changed
  constant, a missing transpose or a missing sum (where the side has them);
* **rewrites** — edits that keep its value: the side as printed, reordered or expanded
  products, ``\\sigma'(z)`` written as ``a(1-a)``, ``\\sigma(z)(1-\\sigma(z))`` or
  ``e^{-z}/(1+e^{-z})^2``, fractions combined or split, aliases in place of canonical
  names (and back), an activation node written as its activation, ``\\cdot`` between
  factors.

Mutants equal to the original are dropped, decided mathematically with the project's
own front end and equivalence test (:func:`derive.read.latex.parse_formula`,
:meth:`derive.calculus.derivation.Derivation.value`, :meth:`derive.calculus.equivalence.Equivalence.compare`)
after a float screen at two random points (a clear difference there needs no proof);
every drop is counted with its reason. Rewrites are kept when the float screen finds no
difference (a sanity check of the generator that does not use the symbolic comparison
under test); a rewrite the front end cannot read is kept, and counts as a false alarm.

Chapters are read as :func:`derive.driver.check_chapter` reads them: a generic layer
index is expanded (a printed claim then stands for every layer instance) and a chapter
with shapes is valued entry by entry by the vectorized checker; there, only rewrites that
keep every matrix product as printed are made.

Each case is checked by writing a copy of the chapter folder with that one claim replaced
by ``lhs = <case> \\tag{id}`` and running :func:`derive.driver.check_chapter` on it
(:func:`check_cases`; one temporary folder per worker process).

>>> _split_terms(r"-\\frac{y}{a_2}+ \\frac{1-y}{1-a_2}")
[('-', '\\\\frac{y}{a_2}'), ('+', '\\\\frac{1-y}{1-a_2}')]
>>> _factors(r"(a_2 - y)w_2\\sigma'(Z_1)x", {r"\\sigma"})
['(a_2 - y)', 'w_2', "\\\\sigma'(Z_1)", 'x']
"""
from __future__ import annotations

import itertools
import os
import re
import shutil
import tempfile
import time
import traceback
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import sympy

from derive.model import activations
from derive.errors import InputError
from derive.read.latex import Partial, parse_formula, split_chain
from derive.read.manifest import load_manifest
from derive.report import BATCH_MEAN, ChapterResult, Verdict
from derive.read.source import Item, load_chapter

# --- what each mutation kind should be diagnosed as ------------------------------------

EXPECTED: dict[str, tuple[str, ...]] = {
    "factor": ("factor",),
    "samples-factor": ("convention", "factor"),
    "sign": ("sign",),
    "term-sign": ("missing-term", "extra-term", "sign"),
    "swap": ("substitution",),
    "swap-one": ("substitution",),
    "drop-factor": ("missing-factor",),
    "drop-link": ("missing-factor", "substitution"),   # one \partial factor of a chain
    "drop-prime": ("missing-factor",),
    "prime-expansion": ("missing-factor", "extra-factor"),
    "prime-as-function": ("missing-factor", "extra-factor"),
    "constant": ("factor", "missing-term", "extra-term", "missing-factor", "extra-factor"),
    "drop-transpose": ("missing-transpose", "misplaced-transpose", "product-order"),
    "add-transpose": ("extra-transpose", "misplaced-transpose", "product-order"),
    "drop-sum": ("missing-sum", "convention", "factor"),
}
# what the vectorized checker (the matrix notation) may say besides: it names shape errors
VECTOR_EXPECTED: dict[str, tuple[str, ...]] = {
    "drop-factor": ("shape",), "drop-link": ("shape",), "drop-prime": ("shape",),
    "drop-transpose": ("shape",), "add-transpose": ("shape",), "drop-sum": ("shape",),
    "swap": ("shape",), "swap-one": ("shape",),
}
CAUGHT = ("mismatch", "inconsistent")
SWAP_ONE = 8          # single-occurrence swaps per side (every position, round-robin)

# roles a swapped variable may take: same role, or these pairs (z_k <-> a_k, x <-> a_k, ...)
_VALUE_ROLES = ("input", "label", "weighted_input", "activation", "node")
_PARAM_ROLES = ("weight", "bias", "parameter")
_COMPATIBLE = {
    ("input", "activation"), ("label", "activation"), ("weighted_input", "activation"),
    ("weight", "bias"), ("node", "activation"), ("node", "weighted_input"),
}
_TRANSPOSE = re.compile(r"\^\s*(?:T\b|\{\s*T\s*\}|\\top\b|\{\s*\\top\s*\}|\\intercal\b)")
_FUNCTION_COMMANDS = {r"\log", r"\ln", r"\exp", r"\tanh", r"\sin", r"\cos", r"\sinh", r"\cosh"}


@dataclass(frozen=True)
class Case:
    """One mutant (must be caught) or rewrite (must still verify)."""

    chapter: str                    # the chapter's folder
    manifest: str                   # its manifest.toml
    equation: str                   # the claim's id
    line: int                       # first line of the claim's block in the chapter file
    kind: str                       # mutation or rewrite kind
    expected: tuple[str, ...]       # finding kinds that name the error ( () for rewrites)
    latex: str                      # the whole claim as written: lhs = rhs \tag{id}
    rhs: str                        # the mutated / rewritten side
    original: str                   # the printed side it was made from
    note: str = ""                  # what was changed
    rewrite: bool = False
    instances: tuple[str, ...] = ()   # equation ids in the report (one per layer instance)

    @property
    def label(self) -> str:
        return f"{Path(self.chapter).name}:{self.equation}"


@dataclass(frozen=True)
class Dropped:
    equation: str
    kind: str
    rhs: str
    reason: str                     # equivalent | numerically-equivalent | duplicate | ...
    detail: str = ""
    rewrite: bool = False


@dataclass
class Generated:
    mutants: list[Case] = field(default_factory=list)
    rewrites: list[Case] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)
    bases: list[tuple[str, int, str]] = field(default_factory=list)   # (id, side index, text)
    skipped: list[tuple[str, int, str, str]] = field(default_factory=list)  # not a base: why

    def extend(self, other: "Generated") -> None:
        self.mutants += other.mutants
        self.rewrites += other.rewrites
        self.dropped += other.dropped
        self.bases += other.bases
        self.skipped += other.skipped


@dataclass(frozen=True)
class Outcome:
    case: Case
    verdict: str                    # the equation's verdict, or 'crash' / 'missing'
    kinds: tuple[str, ...] = ()     # finding kinds on the equation and its links
    message: str = ""
    seconds: float = 0.0

    @property
    def caught(self) -> bool:
        return self.verdict in CAUGHT

    @property
    def diagnosed(self) -> bool:
        return self.caught and any(k in self.case.expected for k in self.kinds)

    @property
    def verified(self) -> bool:
        return self.verdict == "verified"


# --- the chapter as the generator sees it ---------------------------------------------

class Chapter:
    """A checked chapter as the generator sees it: its printed claims, the checker's model,
    and how to value one printed side.

    Follows :func:`derive.driver.check_chapter`: a generic layer index is expanded (a
    printed claim then stands for one instance per layer, all of which must hold) and a
    chapter with shapes is read by the vectorized checker (values are lists of entries).
    """

    def __init__(self, path: str | Path, *, seed: int = 0) -> None:
        from derive.checker import ChapterChecker

        p = Path(path)
        self.manifest_path = p if p.is_file() else p / "manifest.toml"
        self.manifest = load_manifest(self.manifest_path)
        self.folder = self.manifest_path.parent
        self.items: list[Item] = load_chapter(self.manifest.source_path())
        manifest, items = self.manifest, self.items
        self.last_layer = getattr(manifest, "layer_count", 0) or 0
        if self.last_layer:
            from derive.read.layers import expand
            manifest, items = expand(manifest, items)
        self.vector = bool(getattr(manifest, "vectorized", False))
        checker = ChapterChecker(manifest, items, numeric=False, seed=seed)
        self.result: ChapterResult = checker.run()
        self.checker = checker
        self.vocab = checker.vocab
        self.model = checker.model
        self.derivation = checker.derivation
        self.equivalence = checker.equivalence
        self.convention = checker.convention
        self.claims = [i for i in self.items if i.kind == "claim"]
        errors = {e.id for e in self.result.equations if e.verdict == "error"}
        # each printed claim's instances after layer expansion: [(equation id, layer or None)]
        self.instances: dict[str, list[tuple[str, int | None]]] = {}
        expanded = [i for i in items if i.kind == "claim"]
        for c in self.claims:
            inst = [(e.id, self._layer_of(c.body, e.body)) for e in expanded
                    if e.line == c.line and e.file == c.file]
            self.instances[c.id] = inst
        self.errors = {c.id for c in self.claims
                       if any(eid in errors for eid, _ in self.instances[c.id])}
        m = self.manifest
        # spellings of every declared symbol: written -> (canonical latex, role, layer)
        self.symbols: dict[str, tuple[str, str, int | None]] = {}
        for latex, decl in m.symbols.items():
            self.symbols[latex] = (latex, decl.role, decl.layer)
            for a in decl.aliases:
                self.symbols[a] = (latex, decl.role, decl.layer)
        self.aliases = {latex: decl.aliases for latex, decl in m.symbols.items() if decl.aliases}
        self.shaped = {latex for latex, decl in m.symbols.items()
                       if getattr(decl, "shape", None) is not None}
        # functions: written -> activation kind
        self.functions: dict[str, str] = {}
        for latex, decl in m.functions.items():
            self.functions[latex] = decl.activation
            for a in decl.aliases:
                self.functions[a] = decl.activation
        self.user_functions = set(getattr(self.vocab, "user_functions", {}) or {})
        self.samples_latex = m.conventions.samples
        # activation nodes a_k = f(z_k): argument symbol -> (node latex, function latex, kind)
        self.activation_nodes: dict[sympy.Expr, tuple[str, str, str]] = {}
        if not self.vector:
            for node, d in self.model.definitions.items():
                if isinstance(d.rhs, activations.Activation):
                    self.activation_nodes[d.rhs.args[0]] = (self.model.latex(node),
                                                             d.rhs.latex_name, d.rhs.kind)

    def _layer_of(self, generic: str, concrete: str) -> int | None:
        if not self.last_layer or generic == concrete:
            return None
        from derive.read.layers import instantiate_text
        for layer in range(0, self.last_layer + 1):
            if instantiate_text(generic, layer, self.last_layer) == concrete:
                return layer
        return None

    def text_at(self, text: str, layer: int | None) -> str:
        if layer is None:
            return text
        from derive.read.layers import instantiate_text
        return instantiate_text(text, layer, self.last_layer)

    # --- values: lists of entries (one for a scalar), None for a shape mismatch ---

    def head(self, lhs: str):
        """(chain variable, the values a correct side has) for a claim's first side."""
        expr = parse_formula(lhs, self.vocab).expr
        if self.vector:
            from derive.calculus.claim_parse import matrix_target
            var = matrix_target(self.checker, expr, lhs)
            return var, self._entries(expr)
        if not (isinstance(expr, Partial) and expr.args[0] == self.model.loss):
            raise InputError(f"not a derivative of the loss: {lhs}")
        var = expr.args[1]
        g = self.derivation.gradient(self.model.loss, var)
        if self.convention == BATCH_MEAN and self.model.samples is not None:
            g = g / self.model.samples
        return var, (None, [g])

    def value(self, text: str, var):
        expr = parse_formula(text, self.vocab, chain_var=var).expr
        if self.vector:
            return self._entries(expr)
        return None, [self.derivation.value(expr)]

    def batch_equal(self, text: str, base: str, var) -> bool | None:
        """Do two printed sides agree with the samples kept (explicit batches)?"""
        from derive.calculus.batch import BatchCheck
        from derive.calculus.samples import KeepSamples
        if self.vector:
            return None
        try:
            a = parse_formula(text, self.vocab, chain_var=var).expr
            b = parse_formula(base, self.vocab, chain_var=var).expr
            per_sample_b = True
            try:
                self.derivation.value(b)
                from derive.calculus.derivation import has_sample_sum
                per_sample_b = not has_sample_sum(b)
            except KeepSamples:
                per_sample_b = False
            cmp = BatchCheck(self.derivation, seed=0, limit=20).compare(a, b, False,
                                                                        per_sample_b)
            return cmp.equal if cmp is not None else None
        except Exception:  # noqa: BLE001 - undecided: the mutant is kept
            return None

    def _entries(self, expr):
        from derive.calculus.matrix_sides import matrix_values
        from derive.model.explicit import ShapeMismatch
        try:
            value, entries = matrix_values(self.checker, expr)
        except ShapeMismatch:
            return None
        shape = value.shape if isinstance(value, sympy.MatrixBase) else None
        return (None if shape == (1, 1) else shape), entries

    def compare(self, a, b) -> tuple[bool | None, str]:
        """Entry by entry with the project's equivalence test; shapes must agree."""
        if a is None or b is None or a[0] != b[0] or len(a[1]) != len(b[1]):
            return False, "shapes differ"
        results = [self.equivalence.compare(x, y) for x, y in zip(a[1], b[1])]
        if all(r.equal for r in results):
            return True, results[0].detail
        bad = next((r for r in results if r.equal is False), None)
        if bad is not None:
            return False, bad.detail
        return None, next(r.detail for r in results if r.equal is None)

    # --- a fast float screen: forward values of every node at two random points ---

    def _float_points(self):
        if getattr(self, "_points", None) is None:
            import random
            rng = random.Random(1)
            m = self.model
            points = []
            for _ in range(2):
                point = {}
                for sym, role in m.roles.items():
                    if role == "samples":
                        point[sym] = sympy.Integer(rng.randint(7, 61))
                    elif sym not in m.definitions:
                        lo, hi = (0.05, 0.95) if role == "label" else (-1.5, 1.5)
                        point[sym] = sympy.Float(rng.uniform(lo, hi), 30)
                if m.samples is not None and m.samples not in point:
                    point[m.samples] = sympy.Integer(rng.randint(7, 61))
                for node in m.order:
                    rhs = activations.to_elementary(m.definitions[node].rhs)
                    point[node] = sympy.Float(rhs.xreplace(point).evalf(30), 30)
                points.append(point)
            self._points = points
        return self._points

    def _floats(self, value):
        out = []
        for point in self._float_points():
            row = []
            for x in value[1]:
                e = activations.to_elementary(x)
                e = e.replace(lambda t: isinstance(t, sympy.Sum), lambda t: t.doit())
                v = e.xreplace(point).evalf(30)
                row.append(complex(v) if v.is_number else None)
            out.append(row)
        return out

    def differs(self, a, b) -> bool:
        """Clearly different at a random point (floats; True is certain, False is not)."""
        if a is None or b is None or a[0] != b[0] or len(a[1]) != len(b[1]):
            return True
        try:
            for ra, rb in zip(self._floats(a), self._floats(b)):
                for x, y in zip(ra, rb):
                    if x is None or y is None:
                        continue
                    if abs(x - y) > 1e-9 * max(abs(x), abs(y), 1.0):
                        return True
        except Exception:  # noqa: BLE001 - no screen: the full comparison decides
            return False
        return False

    @staticmethod
    def negate(a):
        return None if a is None else (a[0], [-x for x in a[1]])

    def numerically_equal(self, a, b) -> bool | None:
        """Agreement at the equivalence test's random points (None: no point evaluates)."""
        if a is None or b is None or a[0] != b[0] or len(a[1]) != len(b[1]):
            return False
        eq = self.equivalence
        agreed = 0
        for x, y in zip(a[1], b[1]):
            for point in eq.points:
                try:
                    va, vb = eq.evaluate(x, point), eq.evaluate(y, point)
                except Exception:  # noqa: BLE001 - an unevaluable point is skipped
                    continue
                if va is None or vb is None:
                    continue
                scale = max(abs(va), abs(vb), 1e-30)
                if abs(va - vb) / scale > 1e-20:
                    return False
                agreed += 1
        return True if agreed else None


# --- LaTeX text helpers -------------------------------------------------------------

def _skip_ws(s: str, i: int) -> int:
    while i < len(s) and s[i].isspace():
        i += 1
    return i


def _is_cmd(s: str, i: int, name: str) -> bool:
    return s.startswith(name, i) and not s[i + len(name):i + len(name) + 1].isalpha()


def _group_end(s: str, i: int) -> int:
    """Index after the group opening at ``i`` ( (, {, [ or \\left ); -1 when unbalanced."""
    if _is_cmd(s, i, r"\left"):
        depth, j = 0, i
        while j < len(s):
            if _is_cmd(s, j, r"\left"):
                depth += 1
                j += 5
                continue
            if _is_cmd(s, j, r"\right"):
                depth -= 1
                j += 6
                if depth == 0:
                    j = _skip_ws(s, j)
                    return j + (2 if s.startswith("\\", j) else 1)
                continue
            j += 1
        return -1
    if i >= len(s) or s[i] not in "({[":
        return -1
    o = s[i]
    c = {"(": ")", "{": "}", "[": "]"}[o]
    depth = 0
    for j in range(i, len(s)):
        if s[j] == o:
            depth += 1
        elif s[j] == c:
            depth -= 1
            if depth == 0:
                return j + 1
    return -1


def _postfix(s: str, j: int) -> int:
    """Skip primes, superscripts and subscripts after an atom."""
    while True:
        k = _skip_ws(s, j)
        if k < len(s) and s[k] == "'":
            j = k + 1
        elif k < len(s) and s[k] in "^_":
            k2 = _skip_ws(s, k + 1)
            if k2 < len(s) and s[k2] == "{":
                e = _group_end(s, k2)
                if e < 0:
                    return -1
                j = e
            elif k2 < len(s) and s[k2] == "\\":
                m = re.match(r"\\[A-Za-z]+", s[k2:])
                j = k2 + (m.end() if m else 1)
            elif k2 < len(s):
                j = k2 + 1
            else:
                return -1
        else:
            return j


def _binary(s: str, i: int) -> bool:
    """Is the + or - at ``i`` a binary operator (not a sign)?"""
    head = s[:i].rstrip()
    if not head or head[-1] in "^_{([=+-,":
        return False
    return not re.search(r"\\(cdot|times|odot|left)\s*$", head)


def _split_terms(s: str) -> list[tuple[str, str]]:
    """Top-level terms of a side: [(sign, text)], the first sign '+' unless printed '-'."""
    s = s.strip()
    terms, depth, sign, start = [], 0, "+", 0
    if s[:1] in "+-":
        sign, start = s[0], 1
    i = start
    while i < len(s):
        ch = s[i]
        if ch in "({[":
            depth += 1
        elif ch in ")}]":
            depth -= 1
        elif ch in "+-" and depth == 0 and i > start and _binary(s, i):
            terms.append((sign, s[start:i].strip()))
            sign, start = ch, i + 1
        i += 1
    terms.append((sign, s[start:].strip()))
    return terms


def _join_terms(terms: list[tuple[str, str]]) -> str:
    out = []
    for k, (sign, text) in enumerate(terms):
        if k == 0:
            out.append(("-" if sign == "-" else "") + text)
        else:
            out.append(f" {sign} {text}")
    return "".join(out)


def _factors(term: str, functions: set[str], user_functions: set[str] = frozenset(),
             names=()):
    """Top-level factors of a product (no top-level + or -); None when not understood.

    ``names`` are declared spellings read as one atom (dZ, dw), longest first.
    """
    out: list[str] = []
    i, n = 0, len(term)
    long_names = sorted((x for x in names if len(x) > 1 and x[0].isalpha()), key=len,
                        reverse=True)
    while i < n:
        if term[i].isspace():
            i += 1
            continue
        m = re.match(r"\\(cdot|times|odot)(?![A-Za-z])", term[i:])
        if m:
            i += m.end()
            continue
        start = i
        ch = term[i]
        if _is_cmd(term, i, r"\left") or ch in "({[":
            j = _group_end(term, i)
        elif ch == "\\":
            m = re.match(r"\\[A-Za-z]+", term[i:])
            if not m:
                return None
            name = m.group(0)
            j = i + m.end()
            if name in (r"\frac", r"\dfrac", r"\tfrac"):
                k = _skip_ws(term, j)
                e1 = _group_end(term, k) if k < n and term[k] == "{" else -1
                if e1 < 0:
                    return None
                num = term[k + 1:e1 - 1].strip()
                k = _skip_ws(term, e1)
                e2 = _group_end(term, k) if k < n and term[k] == "{" else -1
                if e2 < 0:
                    return None
                den = term[k + 1:e2 - 1].strip()
                if num in ("d", r"\partial", r"\mathrm{d}") or re.match(r"^(d|\\partial)\s*$",
                                                                         num):
                    return None          # an operator d/dv applied to what follows
                del den
                j = e2
            elif name in (r"\sum", r"\prod", r"\int"):
                out.append(term[start:].strip())
                return out
            elif name in functions or name in _FUNCTION_COMMANDS:
                j = _postfix(term, j)
                if j < 0:
                    return None
                k = _skip_ws(term, j)
                if k < n and (term[k] == "(" or _is_cmd(term, k, r"\left")):
                    j = _group_end(term, k)
                else:
                    return None          # an argument without parentheses
        elif ch.isalpha():
            j = i + 1
            for name in long_names:
                if term.startswith(name, i) and not term[i + len(name):i + len(name) + 1].isalnum():
                    j = i + len(name)
                    break
            j2 = _postfix(term, j)
            name = term[i:j2].strip() if j2 > 0 else ""
            k = _skip_ws(term, j2) if j2 > 0 else -1
            if name in user_functions and 0 <= k < n and term[k] == "(":
                j = _group_end(term, k)
        elif ch.isdigit() or ch == ".":
            m = re.match(r"[0-9.]+", term[i:])
            j = i + m.end()
        else:
            return None
        if j < 0:
            return None
        j = _postfix(term, j)
        if j < 0:
            return None
        out.append(term[start:j].strip())
        i = j
    return out


def _join_factors(factors: list[str]) -> str:
    out = ""
    for f in factors:
        if not out:
            out = f
        elif f[:1].isdigit() or f[:1] == ".":
            out += r" \cdot " + f
        else:
            out += " " + f
    return out


def _is_numberish(f: str, samples: str | None) -> bool:
    t = re.sub(r"\\[dt]?frac|[{}\s()]|\\left|\\right", "", f)
    if samples:
        t = t.replace(samples, "")
    return bool(re.fullmatch(r"[0-9.]*", t))


def _wrap(s: str) -> str:
    """The side as one factor: parenthesised when it is a sum or starts with a sign."""
    terms = _split_terms(s)
    if len(terms) > 1 or s.strip()[:1] in "+-":
        return rf"\left({s.strip()}\right)"
    return s.strip()


def _symbol_pattern(written: str) -> re.Pattern:
    base, _, sub = written.partition("_")
    sub = sub.strip("{} ")
    pat = re.escape(base)
    if sub:
        pat += rf"_(?:\{{\s*{re.escape(sub)}\s*\}}|{re.escape(sub)})"
    return re.compile(rf"(?<![A-Za-z\\]){pat}(?![A-Za-z0-9_])")


def _occurrences(ch: Chapter, s: str) -> list[tuple[int, int, str]]:
    """(start, end, written) of every declared symbol in ``s`` (outside \\mathrm etc)."""
    spans = []
    for written in sorted(ch.symbols, key=len, reverse=True):
        for m in _symbol_pattern(written).finditer(s):
            if any(a < m.end() and m.start() < b for a, b, _ in spans):
                continue
            spans.append((m.start(), m.end(), written))
    return sorted(spans)


def _function_calls(ch: Chapter, s: str, primed: bool) -> list[tuple[int, int, str, str]]:
    """(start, end, function latex, argument text) of f'(...) (primed) or f(...) calls."""
    out = []
    for f in ch.functions:
        prime = r"\s*(?:'|\^\s*\{\s*\\prime\s*\}|\^\s*\\prime(?![A-Za-z]))" if primed else \
            r"(?!\s*')(?!\s*\^\s*\{?\s*\\prime)"
        for m in re.finditer(re.escape(f) + r"(?![A-Za-z])" + prime + r"\s*", s):
            k = m.end()
            if k < len(s) and (s[k] == "(" or _is_cmd(s, k, r"\left")):
                e = _group_end(s, k)
                if e < 0:
                    continue
                inner = s[k:e]
                inner = re.sub(r"^\\left\s*\(|\\right\s*\)$", "", inner)
                if inner.startswith("(") and inner.endswith(")"):
                    inner = inner[1:-1]
                out.append((m.start(), e, f, inner.strip()))
    return sorted(out)


def _binary_operators(s: str) -> list[int]:
    """Positions of every binary + and - (any depth)."""
    out = []
    for i, ch in enumerate(s):
        if ch in "+-" and _binary(s, i):
            out.append(i)
    return out


def _groups_two_terms(s: str) -> list[tuple[int, int, str, str, str, str]]:
    """Parenthesised two-term groups (A op B): (start, end, open, close, A, op B)."""
    out = []
    for m in re.finditer(r"\\left\s*\(|\(", s):
        i = m.start()
        if s[max(0, i - 5):i].endswith(r"\left") and m.group(0) == "(":
            continue
        e = _group_end(s, i)
        if e < 0:
            continue
        whole = s[i:e]
        if whole.startswith(r"\left"):
            open_ = whole[:whole.index("(") + 1]
            close_m = re.search(r"\\right\s*\)$", whole)
            if not close_m:
                continue
            close = close_m.group(0)
        else:
            open_, close = "(", ")"
        inner = whole[len(open_):len(whole) - len(close)]
        terms = _split_terms(inner)
        if len(terms) == 2:
            out.append((i, e, open_, close, inner, ""))
    return out


# --- the generator -----------------------------------------------------------------

def _claim_line(lhs: str, rhs: str, eid: str) -> str:
    return f"{lhs} = {rhs} \\tag{{{eid}}}"


class _Builder:
    """Makes the cases of one base side; ``contexts`` has one (layer, variable, value) per
    instance of the claim (one unless the chapter has a generic layer index)."""

    def __init__(self, ch: Chapter, item: Item, lhs: str, base: str, contexts) -> None:
        self.ch, self.item, self.lhs, self.base = ch, item, lhs, base
        self.contexts = contexts
        self.ids = tuple(eid for eid, _ in ch.instances.get(item.id, ()))
        self.out = Generated()
        self.seen: set[str] = {_norm(base)}

    def case(self, kind: str, rhs: str, note: str, rewrite: bool = False) -> Case:
        return Case(str(self.ch.folder), str(self.ch.manifest_path), self.item.id,
                    self.item.line, kind, () if rewrite else _expected(self.ch, kind),
                    _claim_line(self.lhs, rhs, self.item.id), rhs, self.base, note, rewrite,
                    self.ids)

    def _values(self, rhs: str, kind: str, rewrite: bool):
        from derive.calculus.samples import KeepSamples
        try:
            return [self.ch.value(self.ch.text_at(rhs, layer), var)
                    for layer, var, _ in self.contexts], None
        except KeepSamples as exc:
            # a side that keeps the samples: compared with the base in explicit batches
            equal = self.ch.batch_equal(rhs, self.base, self.contexts[0][1])
            if equal is True:
                return None, Dropped(self.item.id, kind, rhs, "equivalent to the original",
                                     f"with the samples kept ({exc})", rewrite)
            return "kept", None
        except InputError as exc:
            return None, Dropped(self.item.id, kind, rhs, "does not parse", exc.message,
                                 rewrite)
        except Exception as exc:  # noqa: BLE001 - a crash of the front end: kept as a finding
            return None, Dropped(self.item.id, kind, rhs, "front end crashed",
                                 f"{type(exc).__name__}: {exc}", rewrite)

    def mutant(self, kind: str, rhs: str, note: str) -> None:
        if _norm(rhs) in self.seen:
            self.out.dropped.append(Dropped(self.item.id, kind, rhs, "textual no-op or duplicate"))
            return
        self.seen.add(_norm(rhs))
        values, dropped = self._values(rhs, kind, False)
        if dropped:
            self.out.dropped.append(dropped)
            return
        if values == "kept":
            self.out.mutants.append(self.case(kind, rhs, note + " (keeps the samples)"))
            return
        if any(self.ch.differs(v, base) for v, (_, _, base) in zip(values, self.contexts)):
            cmps = [(False, "differ at a random point (float screen)")]
        else:
            cmps = [self.ch.compare(v, base) for v, (_, _, base) in zip(values, self.contexts)]
        if all(c[0] is True for c in cmps):
            self.out.dropped.append(Dropped(self.item.id, kind, rhs, "equivalent to the original",
                                            cmps[0][1]))
            return
        if not any(c[0] is False for c in cmps) and all(
                self.ch.numerically_equal(v, base) for v, (_, _, base) in zip(values,
                                                                             self.contexts)):
            self.out.dropped.append(Dropped(self.item.id, kind, rhs,
                                            "numerically equal to the original",
                                            next(c[1] for c in cmps if c[0] is None)))
            return
        if kind in ("sign", "term-sign"):
            neg = not any(self.ch.differs(v, self.ch.negate(base))
                          for v, (_, _, base) in zip(values, self.contexts))
            kind = "sign" if neg else "term-sign"
        self.out.mutants.append(self.case(kind, rhs, note))

    def rewrite(self, kind: str, rhs: str, note: str) -> None:
        if kind != "identity" and _norm(rhs) in self.seen:
            self.out.dropped.append(Dropped(self.item.id, kind, rhs, "textual no-op or duplicate",
                                            rewrite=True))
            return
        self.seen.add(_norm(rhs))
        values, dropped = self._values(rhs, kind, True)
        if values == "kept":
            self.out.rewrites.append(self.case(kind, rhs, note + " (keeps the samples)",
                                               rewrite=True))
            return
        if dropped:
            # a correct formula the front end cannot read: kept, so the check reports it
            self.out.rewrites.append(self.case(kind, rhs, f"{note} (front end: "
                                               f"{dropped.reason}: {dropped.detail})",
                                               rewrite=True))
            return
        for v, (_, _, base) in zip(values, self.contexts):
            if self.ch.differs(v, base):
                self.out.dropped.append(Dropped(self.item.id, kind, rhs,
                                                "rewrite not equivalent (generator error?)",
                                                f"read as {v}", rewrite=True))
                return
        self.out.rewrites.append(self.case(kind, rhs, note, rewrite=True))


def _expected(ch: Chapter, kind: str) -> tuple[str, ...]:
    kinds = EXPECTED.get(kind, ())
    if ch.vector:       # the vectorized checker names shape errors instead
        kinds = kinds + VECTOR_EXPECTED.get(kind, ())
    return kinds


def _norm(s: str) -> str:
    return re.sub(r"\s+", "", s)


def generate(ch: Chapter, *, mutants: bool = True, rewrites: bool = True,
             equations: set[str] | None = None, final_only: bool = False,
             memo: bool = True) -> Generated:
    """Mutants and rewrites of every base side of every claim of ``ch``.

    ``equations`` limits the claims used; ``final_only`` uses only each claim's last side;
    ``memo`` memoizes the third-party parser meanwhile (:class:`parse_cache`).
    """
    with parse_cache(memo):
        return _generate(ch, mutants, rewrites, equations, final_only)


@dataclass
class ChapterCorpus:
    """What :func:`generate_chapters` made of one chapter (or why it could not)."""
    manifest: str
    folder: str = ""
    generated: Generated | None = None
    error: str = ""
    seconds: float = 0.0


def _generate_one(args) -> ChapterCorpus:
    manifest, seed, memo = args
    started = time.monotonic()
    try:
        ch = Chapter(manifest, seed=seed)
        g = generate(ch, memo=memo)
    except InputError as exc:
        return ChapterCorpus(str(manifest), error=str(exc),
                             seconds=time.monotonic() - started)
    return ChapterCorpus(str(manifest), str(ch.folder), g, seconds=time.monotonic() - started)


def generate_chapters(manifests: list, *, jobs: int = 2, seed: int = 0,
                      memo: bool = True) -> list[ChapterCorpus]:
    """:func:`generate` for each chapter, in ``jobs`` processes; results in input order."""
    work = [(str(m), seed, memo) for m in manifests]
    if jobs <= 1 or len(work) <= 1:
        return [_generate_one(w) for w in work]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(_generate_one, work, chunksize=1))


def _generate(ch, mutants, rewrites, equations, final_only) -> Generated:
    out = Generated()
    for item in ch.claims:
        if item.id in ch.errors or equations is not None and item.id not in equations:
            continue
        instances = ch.instances.get(item.id) or []
        if not instances:
            continue
        texts = split_chain(item.body)
        lhs = texts[0]
        heads = []
        try:
            for _, layer in instances:
                heads.append((layer, *ch.head(ch.text_at(lhs, layer))))
        except Exception as exc:  # noqa: BLE001 - no base in this claim
            out.skipped.append((item.id, 0, lhs, f"first side not read: {exc}"))
            continue
        for k, side in enumerate(texts[1:], start=1):
            if final_only and k != len(texts) - 1:
                continue
            contexts, why = [], ""
            for layer, var, want in heads:
                try:
                    value = ch.value(ch.text_at(side, layer), var)
                except Exception as exc:  # noqa: BLE001
                    why = f"does not parse: {exc}"
                    break
                equal, detail = ch.compare(value, want)
                if equal is not True:
                    why = "not equal to the derived gradient" + (
                        f" at layer {layer}" if layer is not None else "") + f" ({detail})"
                    break
                contexts.append((layer, var, value))
            if why:
                out.skipped.append((item.id, k, side, why))
                continue
            out.bases.append((item.id, k, side))
            b = _Builder(ch, item, lhs, side, contexts)
            if rewrites:
                _rewrites(b)
            if mutants:
                _mutants(b)
            out.extend(b.out)
    return out


def _mutants(b: _Builder) -> None:
    ch, s = b.ch, b.base
    wrapped = _wrap(s)
    terms = _split_terms(s)
    product = len(terms) == 1
    # constant factors, before and after
    for c, text in (("2", "2"), ("1/2", r"\frac{1}{2}"), ("3", "3")):
        b.mutant("factor", f"{text} {wrapped}", f"times {c}")
    b.mutant("factor", rf"{wrapped} \cdot 2", "times 2 (after)")
    b.mutant("factor", rf"\frac{{{s}}}{{2}}", "divided by 2")
    # the samples count m
    m = ch.samples_latex
    if m:
        b.mutant("samples-factor", rf"\frac{{1}}{{{m}}} {wrapped}", "times 1/m")
        b.mutant("samples-factor", rf"\frac{{{s}}}{{{m}}}", "divided by m")
        b.mutant("samples-factor", f"{m} {wrapped}", "times m")
        for mm in re.finditer(rf"\\frac\s*\{{\s*1\s*\}}\s*\{{\s*{re.escape(m)}\s*\}}", s):
            rest = (s[:mm.start()] + s[mm.end():]).strip()
            b.mutant("samples-factor", rest or "1", "1/m removed")
    # sign of the whole side
    if product and terms[0][0] == "-":
        b.mutant("sign", s.strip()[1:].strip(), "leading minus removed")
    else:
        b.mutant("sign", f"-{wrapped}", "negated")
    # flipped sign of one term: every binary + / -
    for i in _binary_operators(s):
        flipped = s[:i] + ("-" if s[i] == "+" else "+") + s[i + 1:]
        b.mutant("term-sign", flipped, f"'{s[i]}' at {i} flipped")
    # (A - B) -> (B - A)
    for start, end, open_, close, inner, _ in _groups_two_terms(s):
        (s1, t1), (s2, t2) = _split_terms(inner)
        if s1 == "+" and s2 == "-":
            swapped = f"{open_}{t2} - {t1}{close}"
            b.mutant("sign", s[:start] + swapped + s[end:], f"({t1} - {t2}) -> ({t2} - {t1})")
    # swapped variables: all occurrences, and each occurrence when there are several
    occ = _occurrences(ch, s)
    by_symbol: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for start, end, written in occ:
        by_symbol[ch.symbols[written][0]].append((start, end, written))
    single: dict[tuple[str, int], list[tuple[str, str]]] = defaultdict(list)
    for canonical, spans in by_symbol.items():
        for other, spelling in _compatible(ch, canonical, spans[0][2]):
            text = s
            for start, end, _ in reversed(spans):
                text = text[:start] + spelling + text[end:]
            b.mutant("swap", text, f"{canonical} -> {other}")
            if len(spans) > 1:
                for n, (start, end, _) in enumerate(spans, 1):
                    single[(canonical, n)].append((s[:start] + spelling + s[end:],
                                                   f"{canonical} -> {other} (occurrence {n})"))
    # one occurrence swapped: at most SWAP_ONE per side, taken round-robin over positions
    queues = list(single.values())
    taken = 0
    while taken < SWAP_ONE and any(queues):
        for q in queues:
            if q and taken < SWAP_ONE:
                b.mutant("swap-one", *q.pop(0))
                taken += 1
    # dropped factors of a product
    facs = (_factors(terms[0][1], set(ch.functions), ch.user_functions, ch.symbols)
            if product else None)
    if facs and len(facs) > 1:
        sign = "-" if terms[0][0] == "-" else ""
        for k, f in enumerate(facs):
            rest = facs[:k] + facs[k + 1:]
            kind = ("samples-factor" if m and m in f and _is_numberish(f, m) else
                    "factor" if _is_numberish(f, None) else
                    "drop-prime" if _function_calls(ch, f, True) else
                    "drop-link" if re.match(r"\\[dt]?frac\s*\{\s*\\partial", f) else
                    "drop-factor")
            b.mutant(kind, sign + _join_factors(rest), f"factor {f} dropped")
    # sigma'(...) dropped, expanded wrongly, or written without its prime (any depth)
    for start, end, f, arg in _function_calls(ch, s, True):
        rest = (s[:start] + s[end:]).strip()
        rest = re.sub(r"^\\(cdot|odot)|\\(cdot|odot)\s*$", "", rest).strip()
        b.mutant("drop-prime", rest if rest and rest != "-" else (rest + "1"),
                 f"{f}'({arg}) dropped")
        call = rf"{f}\left({arg}\right)"
        b.mutant("prime-expansion", s[:start] + rf"{call}\left(1+{call}\right)" + s[end:],
                 f"{f}'({arg}) -> {f}({arg})(1+{f}({arg}))")
        b.mutant("prime-as-function", s[:start] + call + s[end:], f"{f}'({arg}) -> {f}({arg})")
    # constants (not subscripts or exponents' subscripts)
    for mm in re.finditer(r"(?<![_0-9.A-Za-z])([0-9]+)(?![0-9.])", s):
        if s[:mm.start()].rstrip().endswith("_"):
            continue
        n = int(mm.group(1))
        b.mutant("constant", s[:mm.start()] + str(n + 1) + s[mm.end():],
                 f"constant {n} -> {n + 1}")
    # transposes: remove each one; add one on each symbol declared with a shape
    for mm in _TRANSPOSE.finditer(s):
        b.mutant("drop-transpose", s[:mm.start()] + s[mm.end():], "^T removed")
    for start, end, written in occ:
        if ch.symbols[written][0] in ch.shaped and not re.match(r"\s*[\^']", s[end:]):
            b.mutant("add-transpose", s[:end] + "^T" + s[end:], f"^T added on {written}")
    # sums: remove each \sum_{..}^{..}
    for mm in re.finditer(r"\\sum(?![A-Za-z])", s):
        j = _postfix(s, mm.end())
        if j > 0:
            b.mutant("drop-sum", s[:mm.start()] + s[j:], "\\sum removed")


def _compatible(ch: Chapter, canonical: str, written: str) -> list[tuple[str, str]]:
    """Other declared symbols a swapped variable may be, with the spelling to write."""
    _, role, layer = ch.symbols[canonical]
    out = []
    alias_written = written != canonical
    for other, decl in ch.manifest.symbols.items():
        if other == canonical:
            continue
        r2 = decl.role
        if r2 not in _VALUE_ROLES + _PARAM_ROLES:
            continue
        same = r2 == role
        pair = (role, r2) in _COMPATIBLE or (r2, role) in _COMPATIBLE
        if not (same or pair):
            continue
        if pair and role in ("weighted_input", "weight", "bias") and layer != decl.layer:
            continue           # z_k <-> a_k and w_k <-> b_k within one layer
        spelling = decl.aliases[0] if alias_written and decl.aliases else other
        out.append((other, spelling))
    return out


def _rewrites(b: _Builder) -> None:
    ch, s = b.ch, b.base
    b.rewrite("identity", s, "as printed")
    terms = _split_terms(s)
    funcs = set(ch.functions)
    # a leading constant factor moved into a fraction: \frac{1}{m} X Y -> \frac{X Y}{m}
    if len(terms) == 1:
        facs = _factors(terms[0][1], funcs, ch.user_functions, ch.symbols)
        if facs and len(facs) > 1:
            m = re.fullmatch(r"\\[dt]?frac\s*\{\s*1\s*\}\s*\{(.*)\}", facs[0])
            if m and _group_end(facs[0], facs[0].index("{", facs[0].index("}"))) == len(facs[0]):
                lead = "-" if terms[0][0] == "-" else ""
                b.rewrite("fraction-combine",
                          rf"{lead}\frac{{{_join_factors(facs[1:])}}}{{{m.group(1)}}}",
                          f"{facs[0]} moved into the fraction")
    if ch.vector:
        # matrix products do not commute and juxtaposition is not elementwise: only
        # rewrites that keep every product as printed
        b.rewrite("fraction-split", rf"\frac{{{s}}}{{2}} + \frac{{{s}}}{{2}}", "as two halves")
        _alias_rewrites(b, _occurrences(ch, s))
        return
    # products reordered (numbers first), each term; sums with their terms reversed
    new_terms = []
    for sign, t in terms:
        facs = _factors(t, funcs, ch.user_functions, ch.symbols)
        if facs and len(facs) > 1:
            nums = [f for f in facs if _is_numberish(f, ch.samples_latex)]
            rest = [f for f in facs if f not in nums]
            new_terms.append((sign, _join_factors(nums + rest[::-1])))
        else:
            new_terms.append((sign, t))
    if new_terms != terms:
        b.rewrite("reorder", _join_terms(new_terms), "factors reversed")
    if len(terms) > 1:
        b.rewrite("reorder", _join_terms(terms[::-1]), "terms reversed")
    # products with \cdot
    if len(terms) == 1:
        facs = _factors(terms[0][1], funcs, ch.user_functions, ch.symbols)
        if facs and len(facs) > 1:
            b.rewrite("cdot", ("-" if terms[0][0] == "-" else "") + r" \cdot ".join(facs),
                      "\\cdot between factors")
            _expand(b, terms[0][0], facs)
            _sign_pair(b, terms[0][0], facs)
    # sigma'(z) written out
    for start, end, f, arg in _function_calls(ch, s, True):
        for form, note in _prime_forms(ch, f, arg):
            b.rewrite("prime-form", s[:start] + form + s[end:], f"{f}'({arg}) as {note}")
    # fractions combined / split / halved
    _fractions(b, terms)
    b.rewrite("fraction-split", rf"\frac{{{s}}}{{2}} + \frac{{{s}}}{{2}}", "as two halves")
    occ = _occurrences(ch, s)
    _alias_rewrites(b, occ)
    # an activation node written as its activation: a_k -> sigma(z_k) (not inside \partial,
    # and not where the side differentiates by a symbol: d/da_2 of sigma(z_2) is 0)
    if _has_operator(s):
        return
    for arg, (node, f, _kind) in ch.activation_nodes.items():
        spans = [(a, e, w) for a, e, w in occ if ch.symbols[w][0] == node
                 and not re.search(r"\\partial\s*$", s[:a])]
        if not spans:
            continue
        z = ch.model.latex(arg) if isinstance(arg, sympy.Symbol) else None
        if z is None:
            continue
        text = s
        for a, e, _ in reversed(spans):
            text = text[:a] + rf"{f}({z})" + text[e:]
        b.rewrite("node-as-activation", text, f"{node} as {f}({z})")


def _alias_rewrites(b: _Builder, occ) -> None:
    """Each symbol with an alias: every spelling of it swapped (canonical <-> alias)."""
    ch, s = b.ch, b.base
    for canonical, aliases in ch.aliases.items():
        spans = [(a, e, w) for a, e, w in occ if ch.symbols[w][0] == canonical]
        if not spans:
            continue
        text = s
        for a, e, w in reversed(spans):
            text = text[:a] + (aliases[0] if w == canonical else canonical) + text[e:]
        b.rewrite("alias", text, f"{canonical} / {aliases[0]} spelling swapped")


def _has_operator(s: str) -> bool:
    """Does the side differentiate something itself: (...)' or \\frac{d}{dv} ...?"""
    return bool(re.search(r"\)\s*'", s) or re.search(
        r"\\[dt]?frac\s*\{\s*(d|\\partial|\\mathrm\{d\})\s*\}", s))


def _expand(b: _Builder, sign: str, facs: list[str]) -> None:
    """(A - B) R -> A R - B R, for the first parenthesised sum factor."""
    for k, f in enumerate(facs):
        inner = None
        if f.startswith(r"\left") and re.search(r"\\right\s*\)$", f):
            inner = re.sub(r"^\\left\s*\(|\\right\s*\)$", "", f)
        elif f.startswith("(") and f.endswith(")") and _group_end(f, 0) == len(f):
            inner = f[1:-1]
        if inner is None:
            continue
        parts = _split_terms(inner)
        if len(parts) < 2:
            continue
        rest = facs[:k] + facs[k + 1:]
        out = []
        for s2, t in parts:
            if _factors(t, set(b.ch.functions), b.ch.user_functions, b.ch.symbols) is None:
                return
            neg = (s2 == "-") != (sign == "-")
            body = _join_factors(rest) if t.strip() == "1" else _join_factors([t] + rest)
            out.append(("-" if neg else "+", body))
        b.rewrite("expand", _join_terms(out), f"{f} multiplied out")
        return


def _sign_pair(b: _Builder, sign: str, facs: list[str]) -> None:
    """(A - B) R -> -(B - A) R."""
    for k, f in enumerate(facs):
        if f.startswith("(") and f.endswith(")") and _group_end(f, 0) == len(f):
            parts = _split_terms(f[1:-1])
            if len(parts) == 2 and parts[0][0] == "+" and parts[1][0] == "-":
                new = f"({parts[1][1]} - {parts[0][1]})"
                lead = "" if sign == "-" else "-"
                b.rewrite("sign-pair", lead + _join_factors(facs[:k] + [new] + facs[k + 1:]),
                          f"{f} as -{new}")
                return


def _prime_forms(ch: Chapter, f: str, arg: str) -> list[tuple[str, str]]:
    kind = ch.functions.get(f)
    try:
        arg_expr = parse_formula(arg, ch.vocab).expr
    except Exception:  # noqa: BLE001
        return []
    node = ch.activation_nodes.get(arg_expr)
    a = node[0] if node else None
    one = arg if re.fullmatch(r"[A-Za-z](_\{?[A-Za-z0-9]+\}?)?", arg.strip()) else f"({arg})"
    forms = []
    if kind == "sigmoid":
        if a:
            forms.append((rf"{a}\left(1-{a}\right)", f"{a}(1-{a})"))
        forms.append((rf"{f}({arg})\left(1-{f}({arg})\right)", f"{f}(z)(1-{f}(z))"))
        forms.append((rf"\frac{{e^{{-{one}}}}}{{\left(1+e^{{-{one}}}\right)^{{2}}}}",
                      "e^{-z}/(1+e^{-z})^2"))
    elif kind == "tanh":
        if a:
            forms.append((rf"\left(1-{a}^{{2}}\right)", f"1-{a}^2"))
        forms.append((rf"\left(1-{f}({arg})^{{2}}\right)", f"1-{f}(z)^2"))
    elif kind == "identity":
        forms.append(("1", "1"))
    return forms


def _fractions(b: _Builder, terms: list[tuple[str, str]]) -> None:
    funcs = set(b.ch.functions)

    def frac_parts(t: str):
        facs = _factors(t, funcs, b.ch.user_functions, b.ch.symbols)
        if not facs or len(facs) != 1:
            return None
        m = re.match(r"\\[dt]?frac\s*", facs[0])
        if not m:
            return None
        k = m.end()
        e1 = _group_end(facs[0], k)
        k2 = _skip_ws(facs[0], e1)
        e2 = _group_end(facs[0], k2)
        if e1 < 0 or e2 != len(facs[0]):
            return None
        return facs[0][k + 1:e1 - 1].strip(), facs[0][k2 + 1:e2 - 1].strip()

    # combine: A/B +- C/D -> (A D +- C B) / (B D)
    if len(terms) == 2:
        p1, p2 = frac_parts(terms[0][1]), frac_parts(terms[1][1])
        if p1 and p2:
            (a, bb), (c, d) = p1, p2
            lead = "-" if terms[0][0] == "-" else ""
            num = (rf"{lead}\left({a}\right)\left({d}\right) {terms[1][0]} "
                   rf"\left({c}\right)\left({bb}\right)")
            b.rewrite("fraction-combine", rf"\frac{{{num}}}{{\left({bb}\right)\left({d}\right)}}",
                      "two fractions over one denominator")
    # split: (N1 +- N2)/D -> N1/D +- N2/D
    for k, (sign, t) in enumerate(terms):
        p = frac_parts(t)
        if not p:
            continue
        num, den = p
        parts = _split_terms(num)
        if len(parts) < 2:
            continue
        split = _join_terms([(s2, rf"\frac{{{t2}}}{{{den}}}") for s2, t2 in parts])
        new = terms[:k] + [(sign, rf"\left({split}\right)")] + terms[k + 1:]
        b.rewrite("fraction-split", _join_terms(new), f"\\frac{{{num}}}{{{den}}} split")


# --- parsing ---------------------------------------------------------------------------

class parse_cache:
    """Kept for callers of the old API (``memo=``): derive's own reader is fast and keeps
    no memo, so this context does nothing."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None


# --- checking cases -----------------------------------------------------------------

_MARKER = re.compile(r"^\s*%\s*derive:\s*\S+")
_ASIDE = ("caption", "notation")
CHUNK = 8           # cases of one chapter sent to a worker at a time      # findings about captions and spelling, not the formula
_WORKER: dict = {}


def _init_worker(root: str, memo: bool = False) -> None:
    _WORKER["dir"] = Path(tempfile.mkdtemp(prefix=f"worker{os.getpid()}-", dir=root))
    _WORKER["chapters"] = {}
    if memo:
        _WORKER["memo"] = parse_cache(True).__enter__()


def _chapter_copy(manifest: str):
    """This worker's copy of a chapter folder: (manifest copy, source copy, original text)."""
    cache = _WORKER["chapters"]
    if manifest not in cache:
        src = Path(manifest)
        m = load_manifest(src)
        dest = _WORKER["dir"] / f"ch{len(cache)}"
        dest.mkdir()
        for f in src.parent.iterdir():
            if f.is_file():
                shutil.copy2(f, dest / f.name)
        source_rel = Path(m.source)
        target = dest / source_rel
        target.parent.mkdir(parents=True, exist_ok=True)
        text = m.source_path().read_text(encoding="utf-8")
        cache[manifest] = (dest / src.name, target, text)
    return cache[manifest]


def replace_block(text: str, line: int, new: str) -> str:
    """Chapter text with the block whose first content line is ``line`` replaced."""
    lines = text.splitlines()
    end = len(lines)
    for k in range(line, len(lines)):         # 0-based index ``line`` is the next line
        if _MARKER.match(lines[k]):
            end = k
            break
    return "\n".join(lines[:line - 1] + [new, ""] + lines[end:]) + "\n"


def run_case(case: Case, *, seed: int = 0, numeric: bool = True, full: bool = False) -> Outcome:
    """Check one case in this process's temporary copy of its chapter.

    Only the changed claim is checked, in the context of its whole chapter
    (``check_chapter(focus=...)``); ``full`` re-checks the whole chapter instead (the same
    verdict for the claim, at several times the cost).
    """
    from derive.driver import check_chapter

    if "dir" not in _WORKER:
        _init_worker(tempfile.gettempdir())
    started = time.monotonic()
    try:
        manifest, source, text = _chapter_copy(case.manifest)
        source.write_text(replace_block(text, case.line, case.latex), encoding="utf-8")
        focus = None if full else set(case.instances) | {case.equation}
        result = check_chapter(manifest, numeric=numeric, seed=seed, focus=focus)
    except InputError as exc:
        return Outcome(case, "error", ("input",), str(exc), time.monotonic() - started)
    except Exception as exc:  # noqa: BLE001 - a crash of the checker is a finding
        return Outcome(case, "crash", (type(exc).__name__,),
                       "".join(traceback.format_exception(exc))[-2000:],
                       time.monotonic() - started)
    # the claim's layer instances; a mutant may also turn a claim about the last layer L
    # into a generic one (ids 4-1[l=1], ...), so those count as the claim too
    ids = set(case.instances) | {case.equation}
    eqs = [e for e in result.equations
           if e.id in ids or e.id.startswith(f"{case.equation}[l=")]
    if not eqs:
        return Outcome(case, "missing", (), "equation not in the report",
                       time.monotonic() - started)
    kinds = []
    for eq in eqs:
        kinds += [f.kind for f in eq.findings if f.severity != "info" and f.kind not in _ASIDE]
        for link in eq.links:
            kinds += [f.kind for f in link.findings if f.severity != "info"
                      and f.kind not in _ASIDE]
    verdict = Verdict.worst(e.verdict for e in eqs)
    message = next((e.summary for e in eqs if e.verdict == verdict and e.summary), "")
    return Outcome(case, verdict, tuple(dict.fromkeys(kinds)), message,
                   time.monotonic() - started)


def _run_one(args) -> Outcome:
    case, seed, numeric, full = args
    return run_case(case, seed=seed, numeric=numeric, full=full)


def check_cases(cases: list[Case], *, jobs: int = 2, seed: int = 0, numeric: bool = True,
                memo: bool = True, full: bool = False, progress=None) -> list[Outcome]:
    """Check every case (in ``jobs`` worker processes); outcomes in the order of ``cases``.

    ``memo`` memoizes the third-party LaTeX parser in the workers (:class:`parse_cache`);
    ``full`` re-checks whole chapters (see :func:`run_case`).
    """
    root = tempfile.mkdtemp(prefix="derive-mutation-")
    try:
        work = [(c, seed, numeric, full) for c in cases]
        if jobs <= 1:
            saved = dict(_WORKER)
            _init_worker(root)
            try:
                out = []
                with parse_cache(memo):
                    for w in work:
                        out.append(_run_one(w))
                        if progress:
                            progress(len(out), len(work))
                return out
            finally:
                _WORKER.clear()
                _WORKER.update(saved)
        # a chapter's cases in runs of CHUNK, so that a worker reuses what it derived and
        # proved for that chapter (the memos are per process) instead of every worker
        # warming up on every chapter; outcomes are put back in the order of ``cases``
        order = sorted(range(len(work)), key=lambda i: (work[i][0].manifest, i))
        out: list = [None] * len(work)
        done = 0
        with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker,
                                 initargs=(root, memo)) as pool:
            for i, o in zip(order, pool.map(_run_one, [work[i] for i in order],
                                            chunksize=CHUNK)):
                out[i] = o
                done += 1
                if progress:
                    progress(done, len(work))
        return out
    finally:
        shutil.rmtree(root, ignore_errors=True)


def spread(cases: list[Case], limit: int | None) -> list[Case]:
    """At most ``limit`` cases, taken round-robin over kinds so every kind is represented."""
    if limit is None or limit >= len(cases):
        return list(cases)
    by_kind: dict[str, dict[str, list[Case]]] = defaultdict(lambda: defaultdict(list))
    for c in cases:
        by_kind[c.kind][c.chapter].append(c)
    out: list[Case] = []
    queues = []
    for chapters in by_kind.values():         # within a kind, alternate the chapters
        lists = list(chapters.values())
        queues.append([c for group in itertools.zip_longest(*lists) for c in group
                       if c is not None])
    while len(out) < limit and any(queues):
        for q in queues:
            if q and len(out) < limit:
                out.append(q.pop(0))
    return out
