"""A persistent cache of latex2sympy2's parse results, kept between runs.

latex2sympy2 parses with a pure-Python ANTLR parser, which dominates a cold check. A
chapter checked again (an author re-running, CI with a cache directory) finds its
unchanged formulas here and skips the parser.

* Stored as JSON trees over a fixed set of SymPy classes, never pickled: reading a cache
  file runs no code, and a tree naming anything else is ignored.
* An entry is stored only if it reads back identical (``==`` and ``srepr``) to the parse.
* One file per fingerprint of the parser stack (derive's LaTeX front end, latex2sympy2,
  ANTLR, SymPy): any change to them starts a new cache.
* Directory: ``$DERIVE_CACHE_DIR``, else ``$XDG_CACHE_HOME/derive``, else
  ``~/.cache/derive``. Off with ``DERIVE_NO_CACHE=1`` (or ``derive check --no-cache``).
  An unreadable or unwritable cache is skipped silently: it only ever saves time.

>>> x = sympy.Symbol("x")
>>> tree = encode(sympy.Add(x, sympy.Integer(1), evaluate=False))
>>> tree[0], tree[1][:2], tree[2]
('Add', ['S', 'x'], ['I', 1])
>>> decode(tree) == sympy.Add(x, 1, evaluate=False)
True
>>> decode(['Call', '__import__', ['S', 'os', {}]]) is None     # not a known class
True
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

import sympy
from sympy.core.function import AppliedUndef

ENV_DIR = "DERIVE_CACHE_DIR"
ENV_OFF = "DERIVE_NO_CACHE"
MAX_ENTRIES = 20_000

# applied functions that may appear in latex2sympy2's output, by class name
_FUNCTIONS = {name: getattr(sympy, name) for name in (
    "exp", "log", "sin", "cos", "tan", "cot", "sec", "csc", "asin", "acos", "atan",
    "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "Abs", "sign", "Max", "Min",
    "floor", "ceiling", "factorial", "Heaviside", "re", "im", "conjugate", "binomial",
    "gamma", "DiracDelta", "Mod")}
_CONSTANTS = {"pi": sympy.pi, "E": sympy.E, "I": sympy.I, "oo": sympy.oo,
              "-oo": -sympy.oo, "zoo": sympy.zoo, "nan": sympy.nan}
_OPERATIONS = {"Add": sympy.Add, "Mul": sympy.Mul, "Pow": sympy.Pow}
_RELATIONS = {c.__name__: c for c in (sympy.Eq, sympy.Ne, sympy.Lt, sympy.Le, sympy.Gt,
                                       sympy.Ge)}


class Unsupported(Exception):
    """A parse result this store does not write (it is then simply not cached)."""


def encode(e) -> list:
    """A JSON-able tree for ``e``; raises :class:`Unsupported` for other classes."""
    if isinstance(e, sympy.Symbol) and type(e) is sympy.Symbol:
        return ["S", e.name, {k: v for k, v in e._assumptions_orig.items()}]
    if isinstance(e, sympy.Integer):
        return ["I", int(e)]
    if isinstance(e, sympy.Rational):
        return ["Q", int(e.p), int(e.q)]
    if isinstance(e, sympy.Float):
        return ["F", str(e), e._prec]
    for name, c in _CONSTANTS.items():
        if e is c:
            return ["C", name]
    cls = type(e)
    if cls in _OPERATIONS.values() or cls in _RELATIONS.values():
        return [cls.__name__] + [encode(a) for a in e.args]
    if isinstance(e, AppliedUndef):
        return ["U", cls.__name__] + [encode(a) for a in e.args]
    if _FUNCTIONS.get(cls.__name__) is cls:
        return ["Call", cls.__name__] + [encode(a) for a in e.args]
    if isinstance(e, sympy.Derivative):
        return ["D", encode(e.expr)] + [[encode(v), int(n)] for v, n in e.variable_count]
    if isinstance(e, sympy.Sum):
        return ["Sum", encode(e.function)] + [[encode(x) for x in lim] for lim in e.limits]
    if isinstance(e, sympy.Tuple):
        return ["T"] + [encode(a) for a in e.args]
    raise Unsupported(cls.__name__)


def decode(tree):
    """The expression of a tree made by :func:`encode`, or None for anything else."""
    try:
        return _decode(tree)
    except (Unsupported, TypeError, ValueError, KeyError, IndexError, AttributeError):
        return None


def _decode(t):
    if not isinstance(t, list) or not t or not isinstance(t[0], str):
        raise Unsupported("not a tree")
    tag, rest = t[0], t[1:]
    if tag == "S":
        name, assumptions = rest
        if not isinstance(name, str) or not isinstance(assumptions, dict) or not all(
                isinstance(k, str) and isinstance(v, bool) for k, v in assumptions.items()):
            raise Unsupported("symbol")
        return sympy.Symbol(name, **assumptions)
    if tag == "I":
        (n,) = rest
        if not isinstance(n, int):
            raise Unsupported("integer")
        return sympy.Integer(n)
    if tag == "Q":
        p, q = rest
        if not isinstance(p, int) or not isinstance(q, int):
            raise Unsupported("rational")
        return sympy.Rational(p, q)
    if tag == "F":
        text, prec = rest
        if not isinstance(text, str) or not isinstance(prec, int):
            raise Unsupported("float")
        return sympy.Float(text, precision=prec)
    if tag == "C":
        return _CONSTANTS[rest[0]]
    if tag in _OPERATIONS:
        return _OPERATIONS[tag](*[_decode(a) for a in rest], evaluate=False)
    if tag in _RELATIONS:
        return _RELATIONS[tag](*[_decode(a) for a in rest], evaluate=False)
    if tag == "U":
        name = rest[0]
        if not isinstance(name, str):
            raise Unsupported("function name")
        return sympy.Function(name)(*[_decode(a) for a in rest[1:]])
    if tag == "Call":
        return _FUNCTIONS[rest[0]](*[_decode(a) for a in rest[1:]], evaluate=False)
    if tag == "D":
        return sympy.Derivative(_decode(rest[0]), *[(_decode(v), n) for v, n in rest[1:]],
                                evaluate=False)
    if tag == "Sum":
        return sympy.Sum(_decode(rest[0]), *[tuple(_decode(x) for x in lim) for lim in rest[1:]])
    if tag == "T":
        return sympy.Tuple(*[_decode(a) for a in rest])
    raise Unsupported(tag)


def enabled() -> bool:
    return os.environ.get(ENV_OFF, "") in ("", "0")


def directory() -> Path:
    if os.environ.get(ENV_DIR):
        return Path(os.environ[ENV_DIR])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "derive"


def fingerprint() -> str:
    """Changes whenever anything that shapes a parse result changes."""
    from importlib import metadata

    h = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for f in ("latex.py", "parse_store.py"):
        h.update((here / f).read_bytes())
    for dist in ("latex2sympy2", "antlr4-python3-runtime", "sympy"):
        try:
            h.update(f"{dist}={metadata.version(dist)}".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{dist}=?".encode())
    return h.hexdigest()[:20]


class ParseStore:
    """The cache file of this parser stack: read once, written back when it grew."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or directory() / f"parses-{fingerprint()}.json"
        self.entries: dict[str, list] = {}
        self.pending: dict[str, tuple] = {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if isinstance(data, dict) and isinstance(data.get("entries"), dict):
                self.entries = data["entries"]
        except (OSError, ValueError):
            pass

    @staticmethod
    def key(text: str, noncommutative: frozenset) -> str:
        return text + "\x00" + ",".join(sorted(noncommutative))

    def get(self, key: str):
        """(True, expr) or (False, (message, column)) as derive.latex caches them; or None."""
        tree = self.entries.get(key)
        if tree is None:
            return None
        if isinstance(tree, list) and tree[:1] == ["error"] and len(tree) == 3:
            msg, col = tree[1], tree[2]
            if isinstance(msg, str) and (col is None or isinstance(col, int)):
                return (False, (msg, col))
            return None
        expr = decode(tree)
        return None if expr is None else (True, expr)

    def put(self, key: str, hit) -> None:
        """Remember a parse; it is encoded and checked only when saved."""
        if len(self.entries) + len(self.pending) < MAX_ENTRIES:
            self.pending[key] = hit

    def _tree(self, hit):
        ok, value = hit
        if not ok:
            return ["error", value[0], value[1]]
        try:
            tree = encode(value)
        except (Unsupported, AttributeError):
            return None
        back = decode(json.loads(json.dumps(tree)))
        if back is None or back != value or sympy.srepr(back) != sympy.srepr(value):
            return None
        return tree

    def save(self) -> None:
        if not self.pending:
            return
        for key, hit in self.pending.items():
            tree = self._tree(hit)
            if tree is not None:
                self.entries[key] = tree
        self.pending = {}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".parses-")
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump({"fingerprint": self.path.stem, "entries": self.entries}, f)
            os.replace(tmp, self.path)
        except OSError:
            pass
