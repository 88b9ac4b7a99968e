"""Vectors and matrices, evaluated entry by entry at small explicit sizes.

A vectorized formula is read with NumPy's semantics, as textbooks write them: juxtaposition
(or ``\\cdot``) is the matrix product, ``\\odot``/``\\circ`` (and ``*`` when the manifest says
so) the elementwise product, ``+``/``-`` broadcast a column vector over the columns (a
bias) or a scalar over every entry, functions (σ, log, ...) and integer powers apply entry
by entry, ``X^T`` transposes and ``X^{(i)}`` is column i. Every declared matrix becomes an
explicit SymPy Matrix of entry symbols (``W_1[1,0]``) at the sizes of ``[sizes]``, chosen
distinct so that a misplaced transpose cannot cancel.

>>> import sympy
>>> W, X = sympy.Symbol("W", commutative=False), sympy.Symbol("X", commutative=False)
>>> ev = Explicit({W: (2, 3), X: (3, 4)})
>>> ev.value(W * X).shape
(2, 4)
>>> ev.value(X * W)
Traceback (most recent call last):
...
derive.model.explicit.ShapeMismatch: cannot multiply X (3×4) by W (2×3)
"""
from __future__ import annotations

from collections.abc import Callable

import sympy

from . import activations
from ..read.latex import Hadamard, SampleOf, Transposed, to_latex


class ShapeMismatch(Exception):
    """Shapes that do not fit (the message names both operands and their shapes)."""


class NotEvaluated(ShapeMismatch):
    """A side that derive cannot evaluate entry by entry (not a wrong formula)."""


def shape_text(value) -> str:
    if isinstance(value, sympy.MatrixBase):
        return f"{value.rows}×{value.cols}"
    return "scalar"


def _is_matrix(v) -> bool:
    return isinstance(v, sympy.MatrixBase)


def _as_scalar(v):
    if _is_matrix(v) and v.shape == (1, 1):
        return v[0, 0]
    return v


class Explicit:
    """Evaluate parsed (non-commutative) expressions into explicit matrices of entries."""

    def __init__(self, shapes: dict[sympy.Symbol, tuple[int, int]],
                 numbers: dict[sympy.Symbol, sympy.Expr] | None = None,
                 hooks: dict[type, Callable] | None = None,
                 names: dict[sympy.Symbol, str] | None = None, rows: bool = False) -> None:
        self.shapes = shapes
        self.numbers = numbers or {}        # scalars with explicit values (m -> 4)
        self.hooks = hooks or {}            # e.g. Partial -> matrix of entry partials
        self.rows = rows                    # examples as rows (softmax by row, x^{(i)} a row)
        self.names = names or {}
        self.entries: dict[sympy.Symbol, sympy.Matrix] = {}
        self.entry_of: dict[sympy.Symbol, tuple[sympy.Symbol, int, int]] = {}
        for sym, (r, c) in shapes.items():
            self.entries[sym] = self._entry_matrix(sym, r, c)

    def _entry_matrix(self, sym, r, c) -> sympy.Matrix:
        name = self.names.get(sym, sym.name)
        rows = []
        for i in range(r):
            row = []
            for j in range(c):
                e = sympy.Symbol(f"{name}[{i},{j}]", real=True)
                self.entry_of[e] = (sym, i, j)
                row.append(e)
            rows.append(row)
        return sympy.Matrix(rows)

    # --- the evaluator --------------------------------------------------------------

    def value(self, expr, env: dict | None = None):
        """The explicit value of ``expr``: a sympy Matrix, or a scalar expression."""
        return _as_scalar(self._ev(expr, env or {}))

    def _ev(self, e, env):
        for cls, hook in self.hooks.items():
            if isinstance(e, cls):
                return hook(e, env)
        if isinstance(e, sympy.Symbol):
            if e in env:
                return env[e]
            if e in self.entries:
                return self.entries[e]
            return self.numbers.get(e, e)
        if e.is_Number or e in (sympy.E, sympy.pi):
            return e
        if isinstance(e, sympy.Add):
            total = None
            for term in e.args:
                v = self._ev(term, env)
                total = v if total is None else self._broadcast(total, v, lambda a, b: a + b,
                                                                "add", term)
            return total
        if isinstance(e, sympy.Mul):
            return self._product(e.args, env)
        if isinstance(e, Hadamard):
            a, b = (self._ev(x, env) for x in e.args)
            return self._broadcast(a, b, lambda x, y: x * y, "multiply entry by entry", e)
        if isinstance(e, sympy.Pow):
            base = self._ev(e.base, env)
            expo = self._ev(e.exp, env)
            if _is_matrix(expo):
                raise ShapeMismatch(f"an exponent must be a scalar, not {shape_text(expo)}")
            if _is_matrix(base):
                return base.applyfunc(lambda x: x ** expo)     # entry by entry
            return base ** expo
        if isinstance(e, Transposed):
            v = self._ev(e.args[0], env)
            return v.T if _is_matrix(v) else v
        if isinstance(e, SampleOf):
            v = self._ev(e.args[0], env)
            idx = env.get(e.args[1])
            if idx is None:
                raise ShapeMismatch(f"{to_latex(e)} outside a sum over {e.args[1]}")
            if not _is_matrix(v):
                return v
            if self.rows:                           # examples as rows: x^{(i)} is row i
                if not 0 <= idx < v.rows:
                    raise ShapeMismatch(f"row {idx + 1} of a {shape_text(v)} matrix")
                return v[idx, :]
            if not 0 <= idx < v.cols:
                raise ShapeMismatch(f"column {idx + 1} of a {shape_text(v)} matrix")
            return v[:, idx]
        if isinstance(e, sympy.Sum):
            return self._sum(e, env)
        if isinstance(e, sympy.Function) and len(e.args) >= 1:
            args = [self._ev(a, env) for a in e.args]
            return self._elementwise(e.func, args, e)
        raise ShapeMismatch(f"cannot evaluate {type(e).__name__} entry by entry")

    def _product(self, factors, env):
        out = sympy.Integer(1)
        left_text = None
        for f in factors:
            v = self._ev(f, env)
            if _is_matrix(out) and _is_matrix(v):
                if out.shape == (1, 1) or v.shape == (1, 1):
                    out = out * _as_scalar(v) if v.shape == (1, 1) else _as_scalar(out) * v
                elif out.cols != v.rows:
                    raise ShapeMismatch(f"cannot multiply {left_text} ({shape_text(out)}) by "
                                        f"{to_latex(f)} ({shape_text(v)})")
                else:
                    out = out * v
            else:
                out = out * v
            left_text = to_latex(f) if left_text is None else f"{left_text} {to_latex(f)}"
        return out

    def _broadcast(self, a, b, op, what, term):
        if not _is_matrix(a) and not _is_matrix(b):
            return op(a, b)
        if not _is_matrix(a) or a.shape == (1, 1):
            a = _as_scalar(a)
            return b.applyfunc(lambda x: op(a, x))
        if not _is_matrix(b) or b.shape == (1, 1):
            b = _as_scalar(b)
            return a.applyfunc(lambda x: op(x, b))
        if a.shape == b.shape:
            return sympy.Matrix(a.rows, a.cols, lambda i, j: op(a[i, j], b[i, j]))
        rows, cols = max(a.rows, b.rows), max(a.cols, b.cols)
        fits = all(x.rows in (1, rows) and x.cols in (1, cols) for x in (a, b))
        if not fits:
            raise ShapeMismatch(f"cannot {what} {shape_text(a)} and {shape_text(b)} "
                                f"(at {to_latex(term)})")
        return sympy.Matrix(rows, cols, lambda i, j: op(a[i if a.rows > 1 else 0,
                                                          j if a.cols > 1 else 0],
                                                        b[i if b.rows > 1 else 0,
                                                          j if b.cols > 1 else 0]))

    def _elementwise(self, func, args, e):
        if getattr(func, "kind", None) == "softmax":
            (arg,) = args
            if not _is_matrix(arg):
                raise ShapeMismatch(f"{to_latex(e)}: softmax needs a vector or a matrix")
            return (activations.softmax_rows if self.rows else
                    activations.softmax_columns)(arg)
        mats = [a for a in args if _is_matrix(a) and a.shape != (1, 1)]
        if not mats:
            return func(*[_as_scalar(a) for a in args])
        shape = mats[0].shape
        if any(m.shape != shape for m in mats):
            raise ShapeMismatch(f"arguments of {to_latex(e)} have shapes "
                                + ", ".join(shape_text(m) for m in mats))

        def entry(i, j):
            return func(*[a[i, j] if _is_matrix(a) and a.shape != (1, 1) else _as_scalar(a)
                          for a in args])
        return sympy.Matrix(shape[0], shape[1], entry)

    def _sum(self, e, env):
        body = e.function
        for idx, lo, hi in reversed(e.limits):
            lo_v, hi_v = _as_scalar(self._ev(lo, env)), _as_scalar(self._ev(hi, env))
            if not (lo_v.is_Integer and hi_v.is_Integer):
                raise ShapeMismatch(f"the limits of {to_latex(e)} are not whole numbers "
                                    "at the explicit sizes")
            total = None
            for k in range(int(lo_v), int(hi_v) + 1):
                inner = dict(env)
                inner[idx] = k - 1                 # column k of a batch is index k-1
                v = self._ev(body, inner) if len(e.limits) == 1 else self._ev(
                    sympy.Sum(body, *e.limits[:-1]), inner)
                total = v if total is None else self._broadcast(total, v, lambda a, b: a + b,
                                                                "add", body)
            return total if total is not None else sympy.Integer(0)
        return self._ev(body, env)


def elementwise_prime(expr):
    """f'(Z) on a matrix is applied entry by entry like f (activations.ActivationPrime)."""
    return isinstance(expr, activations.ActivationPrime)
