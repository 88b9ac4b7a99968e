"""Activation functions as SymPy functions that know their derivative, LaTeX name and NumPy form.

One small rule per activation; the maths is in the comments.

>>> import sympy
>>> sigma = activation_class("sigmoid", r"\\sigma")
>>> z = sympy.Symbol("z")
>>> sympy.diff(sigma(z), z)          # sigma'(z) = sigma(z) (1 - sigma(z))
(1 - \\sigma(z))*\\sigma(z)
>>> sympy.latex(prime_class(sigma)(z))
"\\\\sigma'\\\\left(z\\\\right)"
"""
from __future__ import annotations

import functools
import re

import numpy as np
import sympy

from ..calculus.dag import dag_replace, has_kind


class Activation(sympy.Function):
    """Base class: ``kind`` and ``latex_name`` are set on the generated subclasses."""

    kind = "identity"
    latex_name = "f"
    nargs = 1

    def fdiff(self, argindex=1):
        return derivative(type(self), self.args[0])

    def elementary(self) -> sympy.Expr:
        """The same function written with exp/Max only (for high-precision evaluation)."""
        return elementary(self.kind, self.args[0])

    def _latex(self, printer, exp=None):
        s = f"{self.latex_name}\\left({printer._print(self.args[0])}\\right)"
        return f"{s}^{{{exp}}}" if exp else s

    def _sympystr(self, printer):
        return f"{self.latex_name}({printer._print(self.args[0])})"


class ActivationPrime(sympy.Function):
    """f'(z) as printed by an author; ``base`` is the Activation subclass."""

    base: type = Activation
    nargs = 1

    def fdiff(self, argindex=1):
        return sympy.diff(self.expand_prime(), self.args[0])

    def expand_prime(self) -> sympy.Expr:
        return derivative(self.base, self.args[0])

    def _latex(self, printer, exp=None):
        s = f"{self.base.latex_name}'\\left({printer._print(self.args[0])}\\right)"
        return f"{s}^{{{exp}}}" if exp else s

    def _sympystr(self, printer):
        return f"{self.base.latex_name}'({printer._print(self.args[0])})"


def derivative(cls: type, z: sympy.Expr) -> sympy.Expr:
    """f'(z) written with f itself where possible (so it maps back to the activation a = f(z))."""
    kind = cls.kind
    if kind == "sigmoid":     # s' = s (1 - s)
        return cls(z) * (1 - cls(z))
    if kind == "tanh":        # tanh' = 1 - tanh^2
        return 1 - cls(z) ** 2
    if kind == "relu":        # relu' = step(z) (undefined at 0; points avoid the kink)
        return sympy.Heaviside(z, sympy.Rational(1, 2))
    if kind == "softplus":    # softplus' = logistic
        return 1 / (1 + sympy.exp(-z))
    if kind == "softmax":
        raise ValueError("softmax is not elementwise: its derivative is a Jacobian; "
                         "differentiate the cost instead of writing softmax'(z)")
    return sympy.Integer(1)   # identity


def elementary(kind: str, z: sympy.Expr) -> sympy.Expr:
    if kind == "sigmoid":
        return 1 / (1 + sympy.exp(-z))
    if kind == "tanh":
        return sympy.tanh(z)
    if kind == "relu":
        return sympy.Max(0, z)
    if kind == "softplus":
        return sympy.log(1 + sympy.exp(z))
    return z


def softmax_columns(matrix) -> "sympy.Matrix":
    """softmax of each column: a_ij = exp(z_ij) / sum_r exp(z_rj)."""
    cols = []
    for j in range(matrix.cols):
        col = [sympy.exp(matrix[i, j]) for i in range(matrix.rows)]
        total = sympy.Add(*col)
        cols.append([c / total for c in col])
    return sympy.Matrix(cols).T


def softmax_rows(matrix) -> "sympy.Matrix":
    """softmax of each row (examples as rows, X is m×n): a_ij = exp(z_ij) / sum_c exp(z_ic)."""
    return softmax_columns(matrix.T).T


_NUMPY = {
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0.0),
    "softplus": lambda z: np.logaddexp(0.0, z),
    "identity": lambda z: z + 0.0,
}
_NUMPY_PRIME = {
    "sigmoid": lambda z: _NUMPY["sigmoid"](z) * (1.0 - _NUMPY["sigmoid"](z)),
    "tanh": lambda z: 1.0 - np.tanh(z) ** 2,
    "relu": lambda z: (z > 0).astype(float) + 0.5 * (z == 0),
    "softplus": lambda z: _NUMPY["sigmoid"](z),
    "identity": lambda z: np.ones_like(z, dtype=float),
}


@functools.lru_cache(maxsize=None)
def activation_class(kind: str, latex_name: str) -> type:
    """The SymPy function class for activation ``kind`` printed as ``latex_name``."""
    name = f"{kind}_{_slug(latex_name)}"
    return type(name, (Activation,), {"kind": kind, "latex_name": latex_name,
                                      "__module__": __name__})


@functools.lru_cache(maxsize=None)
def prime_class(base: type) -> type:
    return type(f"{base.__name__}_prime", (ActivationPrime,), {"base": base,
                                                              "__module__": __name__})


def numpy_functions(expr: sympy.Expr) -> dict:
    """Name -> NumPy callable for every activation (and prime) class used in ``expr``."""
    out = {}
    for f in expr.atoms(sympy.Function):
        cls = type(f)
        if issubclass(cls, Activation):
            out[cls.__name__] = _NUMPY[cls.kind]
        elif issubclass(cls, ActivationPrime):
            out[cls.__name__] = _NUMPY_PRIME[cls.base.kind]
    return out


def expand_primes(expr: sympy.Expr) -> sympy.Expr:
    """Replace every f'(z) by its derivative written with f."""
    if not has_kind(expr, ActivationPrime):
        return expr                       # (a replace would rebuild the expression)
    return dag_replace(expr, lambda e: e.expand_prime() if isinstance(e, ActivationPrime)
                       else None)


def to_elementary(expr: sympy.Expr) -> sympy.Expr:
    """Rewrite activations (and primes) with exp/tanh/Max only."""
    expr = expand_primes(expr)
    return expr.replace(lambda e: isinstance(e, Activation), lambda e: e.elementary())


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_") or "f"
