"""The LaTeX front end: formulas read by derive's strict reader (:mod:`derive.read`) and
given their meaning in the chapter (:mod:`derive.model.meaning`); and LaTeX printed back
from SymPy (:func:`to_latex`), with chains of partials in chain order.

>>> vocab = Vocabulary.from_declarations(
...     symbols={"x": "input", "w": "weight", "z": "weighted_input", "a": "activation",
...              "y": "label", "L": "loss"},
...     aliases={"Z": "z"}, activations={r"\\sigma": "sigmoid"})
>>> p = parse_formula(r"\\frac{\\partial L}{\\partial Z} x", vocab)
>>> p.expr
x*Partial(L, z)
>>> p.aliases
(('Z', 'z'),)
>>> parse_formula(r"-y \\log a", vocab).expr
-y*log(a)
>>> parse_formula(r"\\sigma'(z)", vocab).expr
\\sigma'(z)
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

import sympy
from sympy.printing.latex import LatexPrinter

from ..errors import InputError
from ..model.arrays import component, is_array
from ..model.meaning import Meaning
from ..model.objects import Hadamard, NormOf, Partial, SampleOf, Transposed
from ..model.vocabulary import Vocabulary, function_name, symbol_name
from . import ReadError, read
from . import layout as _layout
from .printer import latex as printed_latex
from .tokens import tokenize

__all__ = ["Hadamard", "NormOf", "Parsed", "Partial", "SampleOf", "Transposed", "Vocabulary",
           "function_name", "parse_formula", "read_chain", "split_chain", "symbol_name",
           "to_latex"]


@dataclass(frozen=True)
class Parsed:
    expr: sympy.Expr
    aliases: tuple[tuple[str, str], ...] = ()     # (written, canonical) alias spellings used
    spellings: tuple[tuple[str, str], ...] = ()   # every (written, canonical) spelling used
    notes: tuple[str, ...] = ()                   # how notations were read


def parse_formula(latex: str, vocab: Vocabulary, *, chain_var: sympy.Symbol | None = None,
                  bound: dict[str, sympy.Symbol] | None = None) -> Parsed:
    """Read one side of an equation under the closed world of ``vocab``.

    ``chain_var`` is the variable a trailing prime ``(...)'`` differentiates with respect to
    (the chain's own d/dv); ``bound`` are parameter names of a function definition.
    """
    try:
        reading = read(latex, vocab.lexicon())
    except ReadError as exc:
        raise exc.shifted(getattr(latex, "start", 0)) from None
    if len(reading.sides) != 1:
        raise InputError("one side of an equation expected, but it has "
                         f"{len(reading.sides) - 1} '=' sign(s)", token="=")
    return meaning_of(reading.sides[0], vocab, chain_var=chain_var, bound=bound,
                      notes=reading.notes)


def unreadable(body: str, vocab: Vocabulary) -> None:
    """Raise the reader's own error for ``body`` if it cannot be read at all (so that a
    formula too long or broken is not reported as one with a missing '=')."""
    read(body, vocab.lexicon())


def meaning_of(tree, vocab: Vocabulary, *, chain_var=None, bound=None, notes=()) -> Parsed:
    """The SymPy meaning of one side's tree, with the notes on how it was read."""
    m = Meaning(vocab, chain_var, bound)
    expr = m(tree)
    place = (bound or {}).get("#")
    if is_array(expr) or place and not any(k.startswith("@") for k in bound):
        # an array side: the entry this instance of the formula checks (derive.model.arrays;
        # with "w" for any weight bound, its sides are that weight's scalars)
        expr = component(expr, place, printed_latex(tree))
    if expr.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        # \log 0, \frac{1}{0}: no value anywhere, so nothing to compare
        raise InputError(f"the formula has no finite value ({to_latex(expr)}: a \\log 0 "
                         "or a division by 0?)", token=to_latex(expr))
    all_notes = list(notes)
    for n in m.notes:
        if n not in all_notes:
            all_notes.append(n)
    return Parsed(expr, aliases=tuple(sorted(m.aliases)), notes=tuple(all_notes),
                  spellings=tuple(sorted(m.spellings)))


def read_chain(body: str, vocab: Vocabulary):
    """The reading of a whole chain of equalities (every side, with its notes)."""
    return read(body, vocab.lexicon())


class _ChainPrinter(LatexPrinter):
    """Prints products of partial derivatives in chain order, as authors write them."""

    def _print_Mul(self, expr):
        c_part, nc_part = expr.args_cnc()
        if nc_part:
            # keep the printed order of matrix factors; the scalar coefficient goes first
            coeff = sympy.Mul(*c_part)
            factors = []
            for f in nc_part:
                text = self._print(f)
                if isinstance(f, (sympy.Add, Hadamard)):
                    text = f"\\left({text}\\right)"
                factors.append(text)
            body = " ".join(factors)
            if coeff == 1:
                return body
            if coeff == -1:
                return "- " + body
            num, den = sympy.fraction(coeff)
            if num == 1:
                return f"\\frac{{1}}{{{self._print(den)}}} {body}"
            text = self._print(coeff)
            if isinstance(coeff, sympy.Add):
                text = f"\\left({text}\\right)"
            return f"{text} {body}"
        partials = [f for f in expr.args if isinstance(f, Partial)]
        if len(partials) < 2:
            return super()._print_Mul(expr)
        rest = sympy.Mul(*[f for f in expr.args if not isinstance(f, Partial)])
        chain, todo = [], list(partials)
        dens = {p.args[1] for p in partials}
        start = [p for p in todo if p.args[0] not in dens] or todo[:1]
        current = start[0]
        while current is not None:
            chain.append(current)
            todo.remove(current)
            nxt = [p for p in todo if p.args[0] == current.args[1]]
            current = nxt[0] if nxt else (todo[0] if todo else None)
        body = " ".join(self._print(p) for p in chain)
        if rest == 1:
            return body
        if rest == -1:
            return "- " + body
        prefix = self._print(rest)
        if isinstance(rest, sympy.Add):
            prefix = f"\\left({prefix}\\right)"
        return f"{prefix} {body}"


    def _print_Symbol(self, expr, style="plain"):
        written = _SPELLED.get().get(expr)
        if written is not None:
            return written
        name = expr.name
        if name.startswith("\\mathrm{") and ("^{[" in name or re.fullmatch(
                r"\\mathrm\{d[A-Za-z]+\}(_.*)?", name)):
            # W^{[2]}, dZ_2, an entry a^{[3]}_{1}: names, not roman (the \mathrm group
            # ends at its matching brace)
            depth = 0
            for k in range(len("\\mathrm"), len(name)):
                depth += {"{": 1, "}": -1}.get(name[k], 0)
                if depth == 0:
                    return name[len("\\mathrm{"):k] + name[k + 1:]
        return super()._print_Symbol(expr, style)

    def _print_Function(self, expr, exp=None):
        if isinstance(expr, sympy.core.function.AppliedUndef):
            # L(y, a_2), readable back by the front end (SymPy prints L{\left(...\right)})
            s = f"{expr.func}({', '.join(self._print(a) for a in expr.args)})"
            return f"{s}^{{{exp}}}" if exp else s
        return super()._print_Function(expr, exp)

    def _print_Derivative(self, expr):
        if len(expr.variables) != 1:
            return super()._print_Derivative(expr)
        inner = self._print(expr.expr)
        if isinstance(expr.expr, (sympy.Add, sympy.Mul)):
            inner = f"\\left({inner}\\right)"
        return f"\\frac{{d}}{{d {self._print(expr.variables[0])}}} {inner}"


# symbol -> how the formula being fixed writes it (spelled_as)
_SPELLED: ContextVar[dict] = ContextVar("spelled", default={})


@contextmanager
def spelled_as(names: dict):
    """:func:`to_latex` writes each symbol of ``names`` as given there, inside the block:
    a fix is printed in the author's spelling of a quantity (``Z_2`` where the chapter's
    own name is ``z_2``).

    >>> z = sympy.Symbol("z_{2}")
    >>> with spelled_as({z: "Z_2"}):
    ...     to_latex(2 * z)
    '2 Z_2'
    >>> to_latex(2 * z)
    '2 z_{2}'
    """
    token = _SPELLED.set(dict(names))
    try:
        yield
    finally:
        _SPELLED.reset(token)


def to_latex(expr: sympy.Expr) -> str:
    """LaTeX of a parsed formula, with chains of partials kept in chain order.

    >>> L, a, z, w = sympy.symbols("L a z w")
    >>> to_latex(Partial(z, w) * Partial(L, a) * Partial(a, z))
    '\\\\frac{\\\\partial L}{\\\\partial a} \\\\frac{\\\\partial a}{\\\\partial z} \\\\frac{\\\\partial z}{\\\\partial w}'
    """
    return _ChainPrinter().doprint(expr)


def split_chain(body: str) -> list[str]:
    """The sides of a formula as printed, cut on its top-level ``=`` signs (layout such as
    ``&=`` and ``\\\\`` is not a side of its own).

    >>> split_chain(r"a = \\frac{1}{m}{x=1} &= (b=c)")
    ['a', '\\\\frac{1}{m}{x=1}', '(b=c)']
    """
    try:
        tokens, _ = _layout.strip(tokenize(body))
        sides, _ = _layout.split_steps(tokens)
    except ReadError:
        return [body.strip()]           # the reader reports the problem when it reads it
    out = []
    for side in sides:
        out.append(Side(body[side[0].start:side[-1].end].strip(), side[0].start) if side
                   else Side("", 0))
    return out


class Side(str):
    """One side of a chain as printed, knowing where it starts in the formula (so that a
    reading error in it points at the formula's column)."""

    start: int

    def __new__(cls, text: str, start: int) -> "Side":
        side = super().__new__(cls, text)
        side.start = start
        return side

    def __getnewargs__(self) -> tuple[str, int]:   # pickled into --jobs workers
        return str(self), self.start
