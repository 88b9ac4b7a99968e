"""Functions in a formula: the chapter's activations, its own and unspecified functions,
and the built-in ones (log, exp, tanh, sqrt, max, diag), on scalars and, entry by entry,
on arrays (derive.model.arrays). Mixed into :class:`~derive.model.meaning.Meaning`."""
from __future__ import annotations

import sympy

from . import activations
from ..prose import Prose
from ..errors import InputError
from ..read.printer import latex as tree_latex
from .arrays import ELEMENTWISE, apply, diag, is_array, softmax
from .indexed import activation_word as _activation_word

DIAG = (r"\operatorname{diag}", r"\mathrm{diag}", r"\text{diag}", "diag")


class FunctionsMeaning:
    """The methods of :class:`Meaning` for function applications (``self`` is the
    Meaning)."""

    def m_Call(self, n):
        v = self.vocab
        f = n.func
        args = [self(a) for a in n.args]
        if f in v.functions or _activation_word(f):
            cls_ = v.functions.get(f) or self.inferred(f)
            if len(args) != 1:
                raise InputError(f"{f} takes one argument, not {len(args)}", token=f)
            if n.primes > 1:
                raise InputError(f"{f}{chr(39) * n.primes}: only a first derivative f' is "
                                 "read", token=f)
            if is_array(args[0]):
                return self.activation_of_array(n, cls_, args[0])
            if cls_.kind == "softmax" and args[0].is_commutative:
                raise InputError(f"{f} of a scalar: softmax is not elementwise and needs a "
                                 "vector; write the chapter with vectors (symbols with a "
                                 "shape)", token=f)
            if n.primes:
                if cls_.kind == "softmax":
                    raise InputError(f"{f}' is not supported: softmax is not elementwise (its "
                                     "derivative is a Jacobian); differentiate the cost "
                                     "instead", token=f)
                return activations.prime_class(cls_)(args[0])
            return cls_(args[0])
        if f in v.unspecified:
            if n.primes:
                raise InputError(f"{f}' of an unspecified function: write its partial "
                                 f"derivative, \\frac{{\\partial {f}(...)}}{{\\partial v}}", token=f)
            return self.unspecified_call(f, args)
        if f in v.user_functions:
            params = v.user_functions[f]
            if n.primes:
                raise InputError(f"{f}' of a chapter function is not supported; write "
                                 f"\\frac{{d}}{{dv}}{f}(...)", token=f)
            if len(args) != len(params):
                raise InputError(f"{f} is defined with {len(params)} arguments, called with "
                                 f"{len(args)}", token=f)
            return sympy.Function(f)(*args)
        return self.builtin(n, f, args)

    def inferred(self, f: str):
        kind = _activation_word(f)
        self.note(Prose.format("${f}$ read as the {kind} activation", f=f, kind=kind))
        return activations.activation_class(kind, f)

    def builtin(self, n, f, args):
        if n.primes:
            raise InputError(f"{f}': write the derivative with \\frac{{d}}{{dv}}", token=f)
        if f in DIAG and len(args) == 1:
            return diag(args[0], tree_latex(n))
        if len(args) == 1 and is_array(args[0]):
            if f not in ELEMENTWISE:
                raise InputError(f"{f} of an array", token=f)
            self.note(Prose.format("${f}$ of a vector applied to each of its entries", f=f))
            return apply(lambda e: self.builtin(n, f, [e]), args[0])
        one = args[0] if len(args) == 1 else None
        if f in (r"\log", r"\ln", r"\lg"):
            return self.log(n, one)
        if f == r"\exp" and one is not None:
            return sympy.exp(one)
        if f in (r"\tanh", r"\sinh", r"\cosh") and one is not None:
            return getattr(sympy, f[1:])(one)
        if f == r"\sqrt" and one is not None:
            if n.base is None:
                return sympy.sqrt(one)
            return sympy.root(one, self(n.base))
        if f in (r"\max", r"\min") and len(args) >= 2:
            return (sympy.Max if f == r"\max" else sympy.Min)(*args)
        if f in (r"\max", r"\min", r"\exp", r"\tanh", r"\sinh", r"\cosh", r"\sqrt"):
            raise InputError(f"{f} with {len(args)} arguments", token=f)
        raise InputError(f"unknown function '{f}': declare it in the manifest's [functions] "
                         "table (or define it in the chapter)", token=f)

    def log(self, n, arg):
        if arg is None:
            raise InputError(f"{n.func} takes one argument", token=n.func)
        if n.func == r"\ln":
            return sympy.log(arg)
        if n.base is not None:
            base = self(n.base)
            if base == sympy.E:
                return sympy.log(arg)
            return sympy.log(arg) / sympy.log(base)
        if n.func == r"\lg" or self.vocab.log == "10":
            return sympy.log(arg) / sympy.log(10)
        if self.vocab.log == "2":
            return sympy.log(arg) / sympy.log(2)
        self.note(Prose.format("$\\log$ read as the natural logarithm (manifest: log = natural)"))
        return sympy.log(arg)


    def activation_of_array(self, n, cls_, value):
        """σ(z) of a vector: σ of each entry; softmax(o): the softmax of its entries."""
        if n.primes:
            if cls_.kind == "softmax":
                raise InputError(f"{n.func}' is not supported: softmax is not elementwise",
                                 token=n.func)
            return apply(activations.prime_class(cls_), value)
        if cls_.kind == "softmax":
            return softmax(value, tree_latex(n))
        return apply(cls_, value)


def expand_calls(e: sympy.Expr, model) -> sympy.Expr:
    """Calls of chapter functions, L(a_2, y), replaced by their bodies (by position)."""
    def is_call(x):
        return isinstance(x, sympy.core.function.AppliedUndef) and str(x.func) in model.functions

    def call(x):
        f = model.functions[str(x.func)]
        return f.body.xreplace(dict(zip(f.params, x.args)))
    return e.replace(is_call, call) if model.functions else e
