r"""The engine's objects for printed notation that SymPy has no node for.

``Partial(L, w)`` is ∂L/∂w as printed (its value comes from the model),
``Transposed(X)`` is X^T, ``Hadamard(A, B)`` is A ⊙ B and ``SampleOf(x, i)`` is
x^{(i)}. Each prints itself back as LaTeX.

>>> L, w = sympy.symbols("L w")
>>> sympy.latex(Partial(L, w))
'\\frac{\\partial L}{\\partial w}'
"""
from __future__ import annotations

import re

import sympy


class Partial(sympy.Function):
    """∂num/∂den as printed; its value comes from the model (see derive.model)."""

    nargs = 2

    def _latex(self, printer, exp=None):
        num, den = (printer._print(a) for a in self.args)
        s = f"\\frac{{\\partial {num}}}{{\\partial {den}}}"
        return f"\\left({s}\\right)^{{{exp}}}" if exp else s

    def _eval_derivative(self, s):  # opaque to differentiation until resolved
        return sympy.Derivative(self, s, evaluate=False)


class PartialBy(sympy.Function):
    """∂num/∂(g) as printed: the derivative of a quantity by what the expression g computes
    (derive.calculus.by_expression gives its value)."""

    nargs = 2

    def _latex(self, printer, exp=None):
        num, den = (printer._print(a) for a in self.args)
        s = f"\\frac{{\\partial {num}}}{{\\partial \\left({den}\\right)}}"
        return f"\\left({s}\\right)^{{{exp}}}" if exp else s

    def _eval_derivative(self, s):
        return sympy.Derivative(self, s, evaluate=False)


class Transposed(sympy.Function):
    """X^T of a vector or matrix (on scalars the front end reads X^T as X)."""

    nargs = 1

    def _latex(self, printer, exp=None):
        inner = printer._print(self.args[0])
        if not isinstance(self.args[0], (sympy.Symbol, Partial)):
            inner = f"\\left({inner}\\right)"
        return f"{{{inner}}}^{{T}}"

    def _sympystr(self, printer):
        return f"({printer._print(self.args[0])})^T"


class Hadamard(sympy.Function):
    """A ⊙ B as printed (\\odot, \\circ, and * where the manifest says star = elementwise)."""

    nargs = 2

    def _latex(self, printer, exp=None):
        parts = []
        for x in self.args:
            text = printer._print(x)
            if isinstance(x, (sympy.Add, Hadamard)):
                text = f"\\left({text}\\right)"
            parts.append(text)
        return f"{parts[0]} \\odot {parts[1]}"

    def _sympystr(self, printer):
        a, b = (printer._print(x) for x in self.args)
        return f"({a} ⊙ {b})"


class SampleOf(sympy.Function):
    """X^{(i)}: quantity X of training sample i."""

    nargs = 2

    def _latex(self, printer, exp=None):
        x, i = (printer._print(a) for a in self.args)
        if re.fullmatch(r".*\^\{\[[^\]]*\]\}", x):           # dZ^{[1]} -> dZ^{[1](i)}
            return x[:-1] + f"({i})}}"
        if isinstance(self.args[0], sympy.Symbol) and "^" not in x:
            return f"{x}^{{({i})}}"
        return f"\\left({x}\\right)^{{({i})}}"


class NormOf(sympy.Function):
    """‖X‖ of a vector or matrix (the 2-norm of a vector, the Frobenius norm of a
    matrix): the square root of the sum of its squared entries."""

    nargs = 1

    def _latex(self, printer, exp=None):
        s = f"\\left\\|{printer._print(self.args[0])}\\right\\|"
        return f"{s}^{{{exp}}}" if exp else s
