"""The LaTeX front end: latex2sympy2 behind one adapter that fixes its silent misreadings.

latex2sympy2 reads ``\\log`` as base 10, a prime as a transpose (``\\sigma'(z)`` becomes
``sigma*z``), drops ``^T``, reads ``a^{(i)}`` as a power and ``(a+b)_{k}`` as a
permutation, and cannot parse ``\\frac{\\partial L}{\\partial a}``, ``\\frac{d}{da}L(a, y)`` or
a trailing ``(\\dots)'``. This module rewrites those notations into placeholders before
calling it, maps the placeholders back afterwards, and enforces a closed world: every
symbol and function must be declared in the manifest (or be a declared alias or a bound
parameter of a function definition).

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

import functools
import os
import re
import sys
from dataclasses import dataclass, field

import sympy
from sympy.printing.latex import LatexPrinter

from . import activations, latex_subset
from .errors import InputError
from .memo import Memo

_PREFIX = "dvx"          # placeholders are \mathrm{dvx<kind><n>}; authors never write this


class Partial(sympy.Function):
    """∂num/∂den as printed; its value comes from the model (see derive.model)."""

    nargs = 2

    def _latex(self, printer, exp=None):
        num, den = (printer._print(a) for a in self.args)
        s = f"\\frac{{\\partial {num}}}{{\\partial {den}}}"
        return f"\\left({s}\\right)^{{{exp}}}" if exp else s

    def _eval_derivative(self, s):  # opaque to differentiation until resolved
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


@dataclass
class Vocabulary:
    """Everything a formula may mention: the closed world of one chapter.

    ``names`` maps latex2sympy's symbol name to the canonical symbol; ``written`` maps
    each accepted spelling to its canonical LaTeX (aliases differ from it).
    """

    names: dict[str, sympy.Symbol] = field(default_factory=dict)
    written: dict[str, str] = field(default_factory=dict)
    canonical_latex: dict[sympy.Symbol, str] = field(default_factory=dict)
    functions: dict[str, type] = field(default_factory=dict)      # name -> Activation class
    builtin_activations: dict[type, type] = field(default_factory=dict)
    user_functions: dict[str, tuple[sympy.Symbol, ...]] = field(default_factory=dict)
    function_latex: dict[str, type] = field(default_factory=dict)   # '\\sigma' -> class
    user_latex: dict[str, str] = field(default_factory=dict)        # 'L' -> user function key
    noncommutative: set[str] = field(default_factory=set)           # matrix-valued names
    star: str = "product"                                           # A * B: product|elementwise
    log: str = "natural"

    @classmethod
    def from_declarations(cls, symbols: dict[str, str], aliases: dict[str, str] | None = None,
                          activations: dict[str, str] | None = None,
                          function_aliases: dict[str, str] | None = None,
                          log: str = "natural") -> "Vocabulary":
        """Build from ``{latex: role}``, ``{alias: latex}`` and ``{latex: activation kind}``."""
        vocab = cls(log=log)
        for latex in symbols:
            vocab.add_symbol(latex, symbol_name(latex, f"symbols.{latex}"))
        for alias, target in (aliases or {}).items():
            vocab.add_alias(alias, target)
        for latex, kind in (activations or {}).items():
            vocab.add_function(latex, kind)
        for alias, target in (function_aliases or {}).items():
            vocab.add_function(alias, None, same_as=target)
        return vocab

    def add_symbol(self, latex: str, name: str, matrix: bool = False) -> None:
        sym = sympy.Symbol(name, commutative=False) if matrix else sympy.Symbol(name, real=True)
        if matrix:
            self.noncommutative.add(name)
        self.names[name] = sym
        self.written[name] = name
        self.canonical_latex[sym] = latex

    def add_alias(self, alias: str, target: str) -> None:
        tname = symbol_name(target, f"alias target {target}")
        aname = symbol_name(alias, f"alias {alias}")
        if tname not in self.names:
            raise InputError(f"alias {alias!r} points at {target!r}, which is not declared")
        if aname in self.names:
            raise InputError(f"alias {alias!r} is also declared as a symbol (or as another "
                             "alias); one name cannot mean two quantities")
        self.names[aname] = self.names[tname]
        self.written[aname] = tname

    def add_function(self, latex: str, kind: str | None, same_as: str | None = None) -> None:
        key = function_name(latex)
        if same_as is not None:
            cls_ = self.functions.get(function_name(same_as))
            if cls_ is None:
                raise InputError(f"function alias {latex!r} points at undeclared {same_as!r}")
        else:
            cls_ = activations.activation_class(kind, latex)
        if isinstance(key, type):
            self.builtin_activations[key] = cls_
        else:
            self.functions[key] = cls_
        self.function_latex[latex.strip()] = cls_

    def symbol(self, name: str) -> sympy.Symbol | None:
        return self.names.get(name)


@dataclass(frozen=True)
class Parsed:
    expr: sympy.Expr
    aliases: tuple[tuple[str, str], ...] = ()     # (written, canonical) alias spellings used
    spellings: tuple[tuple[str, str], ...] = ()   # every (written, canonical) spelling used
    notes: tuple[str, ...] = ()                   # how notations were read


@functools.lru_cache(maxsize=4096)
def _symbol_name_cached(latex: str):
    return _latex2sympy(_protect_d(_light_clean(latex)), latex)


def symbol_name(latex: str, where: str = "") -> str:
    """latex2sympy's name for a declared symbol's LaTeX (it must read as one symbol)."""
    expr = _symbol_name_cached(latex)
    if not isinstance(expr, sympy.Symbol):
        raise InputError(f"{where}: {latex!r} does not read as one symbol "
                         f"(it reads as {sympy.sstr(expr)}); write e.g. w_1 for w1")
    return expr.name


def function_name(latex: str):
    """latex2sympy's function name for ``latex`` (a class for built-ins like \\tanh)."""
    probe = _PREFIX + "q"
    expr = _latex2sympy(f"{latex}(\\mathrm{{{probe}}})", latex)
    if isinstance(expr, sympy.core.function.AppliedUndef):
        return str(expr.func)
    if isinstance(expr, sympy.Function) and len(expr.args) == 1:
        return type(expr)
    raise InputError(f"{latex!r} does not read as a function name")


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
        name = expr.name
        if name.startswith("\\mathrm{") and ("^{[" in name or re.fullmatch(
                r"\\mathrm\{d[A-Za-z]+\}(_.*)?", name)):
            inner = name[len("\\mathrm{"):]
            close = inner.index("}") if "^{[" not in inner else len(inner) - 1
            return inner[:close] + inner[close + 1:]     # W^{[2]}, dZ_2: names, not roman
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


def to_latex(expr: sympy.Expr) -> str:
    """LaTeX of a parsed formula, with chains of partials kept in chain order.

    >>> L, a, z, w = sympy.symbols("L a z w")
    >>> to_latex(Partial(z, w) * Partial(L, a) * Partial(a, z))
    '\\\\frac{\\\\partial L}{\\\\partial a} \\\\frac{\\\\partial a}{\\\\partial z} \\\\frac{\\\\partial z}{\\\\partial w}'
    """
    return _ChainPrinter().doprint(expr)


def split_chain(body: str) -> list[str]:
    """Split a formula on its top-level ``=`` signs.

    >>> split_chain(r"a = \\frac{1}{m}{x=1} = (b=c)")
    ['a', '\\\\frac{1}{m}{x=1}', '(b=c)']
    """
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(body):
        if ch in "({[":
            depth += 1
        elif ch in ")}]":
            depth -= 1
        elif ch == "=" and depth == 0:
            parts.append(body[start:i].strip())
            start = i + 1
    parts.append(body[start:].strip())
    return parts


def parse_formula(latex: str, vocab: Vocabulary, *, chain_var: sympy.Symbol | None = None,
                  bound: dict[str, sympy.Symbol] | None = None) -> Parsed:
    """Read one side of an equation into SymPy under the closed world of ``vocab``.

    ``chain_var`` is the variable a trailing prime ``(...)'`` differentiates with respect to
    (the chain's own d/dv); ``bound`` are parameter names of a function definition.
    """
    state = _State(vocab, chain_var, dict(bound or {}))
    text = state.preprocess(latex)
    raw = _latex2sympy(text, latex, vocab.noncommutative)
    expr = state.resolve(raw)
    return Parsed(expr, aliases=tuple(sorted(state.aliases)), notes=tuple(state.notes),
                  spellings=tuple(sorted(state.spellings)))


# --- preprocessing ---------------------------------------------------------------------

_SPACING = [r"\displaystyle", r"\!", r"\,", r"\;", r"\:", r"\quad", r"\qquad", "~"]
_TRANSPOSE = re.compile(r"\^\s*(?:T\b|\{\s*T\s*\}|\\top\b|\{\s*\\top\s*\}|\{\s*\\mathsf\{T\}\s*\}"
                        r"|\{\s*\\mathrm\{T\}\s*\}|\\intercal\b|\{\s*\\intercal\s*\})")
_STYLED = r"\\(?:mathbf|mathrm|boldsymbol|mathit|mathsf|bm|vec|hat|bar|tilde)\{(?:[^{}]|\{[^{}]*\})*\}"
_ATOM = rf"(?:{_STYLED}|\\[A-Za-z]+|[A-Za-z])(?:_\{{[^{{}}]*\}}|_[A-Za-z0-9])?"
_ATOM_BEFORE = re.compile(rf"({_ATOM})\s*$")
# W^{[2]}, A^{[1]T}, a^{[2](i)}: a layer index is part of the name, not a power
_NAME_ATOM = rf"(?:{_STYLED}|\\[A-Za-z]+|(?<![A-Za-z\\])[A-Za-z]+)(?:_\{{[^{{}}]*\}}|_[A-Za-z0-9])?"
_LAYER = re.compile(rf"(?<!\\mathrm\{{)({_NAME_ATOM})\s*\^\s*\{{\s*\[([^\[\]{{}}]*)\]\s*((?:[^{{}}]|\{{[^{{}}]*\}})*)\}}")
_SAMPLE = re.compile(r"\^\s*\{\s*\(\s*([A-Za-z])\s*\)\s*(T|\\top|\\intercal)?\s*\}")

_DIFF_PREFIX = re.compile(r"^(\\partial|\\mathrm\{d\}|\{\\rm\s*d\}|d)(?![A-Za-z]{2})\s*")


def _light_clean(s: str) -> str:
    for token in _SPACING:
        s = s.replace(token, " ")
    s = re.sub(r"\\left\s*\.|\\right\s*\.", " ", s)
    s = re.sub(r"\\(left|right|bigl|bigr|Bigl|Bigr|big|Big)(?![A-Za-z])", "", s)
    s = _LAYER.sub(_layer_name, s)
    return s.strip().rstrip(".,;").strip()


_DIFFERENTIAL = re.compile(r"(?<![\\A-Za-z])d([A-Za-z]+)")
_COMMAND_BRACE = re.compile(r"\\(?:mathrm|mathbf|mathit|mathsf|operatorname|text|boldsymbol|bm)"
                            r"\{$")


def _protect_d(s: str) -> str:
    """dZ, dw, db: latex2sympy reads d<letter> as a differential and then corrupts the rest
    of the formula; wrap such names so that they stay plain symbols (not inside \\mathrm{})."""
    def wrap(m: re.Match) -> str:
        if _COMMAND_BRACE.search(s[:m.start()]):
            return m.group(0)
        return f"\\mathrm{{d{m.group(1)}}}"
    return _DIFFERENTIAL.sub(wrap, s)


def _layer_name(m: re.Match) -> str:
    base, layer, rest = m.group(1), m.group(2).replace(" ", ""), m.group(3).strip()
    name = f"\\mathrm{{{base}^{{[{layer}]}}}}"
    return f"{name}^{{{rest}}}" if rest else name


class _State:
    def __init__(self, vocab: Vocabulary, chain_var, bound) -> None:
        self.vocab = vocab
        self.chain_var = chain_var
        self.bound = bound
        self.places: dict[str, tuple] = {}
        self.aliases: set[tuple[str, str]] = set()
        self.spellings: set[tuple[str, str]] = set()
        self.notes: list[str] = []
        self.source = ""

    def _place(self, kind: str, payload: tuple) -> str:
        name = f"{_PREFIX}{kind}{len(self.places)}"
        self.places[name] = (kind, *payload)
        return f"\\mathrm{{{name}}}"

    def preprocess(self, latex: str, top: bool = True) -> str:
        self.source = latex
        if top and _PREFIX in latex:
            raise InputError(f"reserved name {_PREFIX!r} in formula")
        s = _light_clean(latex)
        if not s:
            raise InputError("empty formula")
        glued = re.search(r"(?<![\\A-Za-z])([A-Za-z])([0-9]+)", s)
        if glued:
            # latex2sympy reads w2 as 2*w: never guess, ask for w_2
            raise InputError(f"{glued.group(0)!r} reads as {glued.group(1)}*{glued.group(2)}; "
                             f"write {glued.group(1)}_{glued.group(2)} for a subscript or "
                             f"{glued.group(2)} {glued.group(1)} for a product",
                             token=glued.group(0))
        if re.search(r"\\(?:b|p)?mod(?![A-Za-z])", s):
            raise InputError("\\mod is not a supported operator", token="\\mod")
        # elementwise products: latex2sympy has no \odot; \mod parses with the same
        # precedence as a product and is mapped back to Hadamard
        s = re.sub(r"\\(?:odot|circ)(?![A-Za-z])", r" \\mod ", s)
        if self.vocab.star == "elementwise":
            s = s.replace("*", r" \mod ")
        if re.search(r"\|\s*_|\\(?:Big|big)?r?vert\s*_", s):
            raise InputError("an evaluation bar |_{...} is not supported; write the "
                             "derivative without it", token="|_")
        s = self._derivatives(s)
        s = _protect_d(s)
        s = self._calls(s)
        s = self._group_primes(s)
        undeclared = re.search(r"(\\?[A-Za-z]+(?:_\{[^{}]*\}|_[A-Za-z0-9])?)\s*"
                               r"(?:'|\^\s*\{?\s*\\prime\s*\}?)\s*\(", s)
        if undeclared:
            name = undeclared.group(1)
            raise InputError(f"unknown function {name!r}: declare it in the manifest's "
                             "[functions] table to use its derivative", token=name)
        if "'" in s or "\\prime" in s:
            raise InputError("a prime (') is only read on a declared function, f'(z), or on a "
                             "parenthesised group, (...)'; latex2sympy would read it as a "
                             "transpose", token="'", column=latex.find("'"))
        if "\\partial" in s:
            raise InputError("\\partial is only read inside \\frac{\\partial A}{\\partial B}",
                             token="\\partial")
        numbered = re.search(r"\^\s*\{\s*\(\s*\d+\s*\)", s)
        if numbered:
            raise InputError(f"{numbered.group(0)}...: a sample superscript takes an index "
                             "letter, x^{(i)}; for a power write x^{2}", token=numbered.group(0))
        s = self._samples(s)
        s = self._transposes(s)
        m = re.search(r"\)\s*_", s)
        if m:
            raise InputError("a subscript on a parenthesised expression, (...)_{k}, is not "
                             "supported (latex2sympy reads it as a permutation); declare the "
                             "indexed quantity as a symbol instead", token=")_")
        s = re.sub(r"\\log\s*_\s*(?:e|\{\s*e\s*\})(?![A-Za-z])", r"\\ln ", s)
        if self.vocab.log == "natural":
            if re.search(r"\\log(?![A-Za-z])(?!\s*_)", s):
                note = "\\log read as the natural logarithm (manifest: log = natural)"
                if note not in self.notes:
                    self.notes.append(note)
            s = re.sub(r"\\log(?![A-Za-z])(?!\s*_)", r"\\ln ", s)
        elif self.vocab.log == "2":
            s = re.sub(r"\\log(?![A-Za-z])(?!\s*_)", r"\\log_{2} ", s)
        return s

    def _calls(self, s: str) -> str:
        """f(args), f'(args) for declared f: latex2sympy reads f(w x) as f*w*x, so the
        arguments are cut out here and parsed on their own."""
        names = sorted(set(self.vocab.function_latex) | set(self.vocab.user_latex),
                       key=len, reverse=True)
        if not names:
            return s
        pattern = re.compile(r"(?<![A-Za-z\\])(" + "|".join(re.escape(n) for n in names)
                             + r")(?![A-Za-z])\s*('|\^\s*\{\s*\\prime\s*\}|\^\s*\\prime(?![A-Za-z]))?"
                             r"\s*\(")
        while True:
            m = pattern.search(s)
            if not m:
                return s
            open_ = m.end() - 1
            inner, end = _group(s, open_, "(")
            args = _split_args(inner)
            name, prime = m.group(1), bool(m.group(2))
            if name in self.vocab.function_latex:
                kind = "FP" if prime else "FA"
                if prime and self.vocab.function_latex[name].kind == "softmax":
                    raise InputError(f"{name}' is not supported: softmax is not elementwise "
                                     "(its derivative is a Jacobian); differentiate the cost "
                                     "instead", token=name)
                payload = (self.vocab.function_latex[name], name, tuple(args))
            else:
                if prime:
                    raise InputError(f"{name}' of a chapter function is not supported; write "
                                     f"\\frac{{d}}{{dv}}{name}(...)", token=name)
                kind, payload = "UF", (self.vocab.user_latex[name], name, tuple(args))
            s = s[:m.start()] + self._place(kind, payload) + s[end:]

    def _derivatives(self, s: str) -> str:
        out, i = [], 0
        while True:
            j = _find_frac(s, i)
            if j < 0:
                out.append(s[i:])
                return "".join(out)
            out.append(s[i:j])
            num, after_num = _group(s, s.index("{", j))
            den, after_den = _group(s, _skip_ws(s, after_num), "{")
            kind = _derivative_kind(num, den)
            if kind is None:
                # a plain fraction: its numerator and denominator may hold derivatives
                out.append(f"\\frac{{{self._derivatives(num)}}}{{{self._derivatives(den)}}}")
                i = after_den
                continue
            den_var = _DIFF_PREFIX.sub("", den, count=1).strip()
            if kind == "partial":
                num_var = _DIFF_PREFIX.sub("", num, count=1).strip()
                out.append(self._place("PD", (num_var, den_var)))
                i = after_den
            else:   # operator d/dv applied to the next factor
                k = _skip_ws(s, after_den)
                end = _operand_end(s, k)
                if end <= k:
                    raise InputError("\\frac{d}{d...} needs an expression after it")
                operand = s[k:end]
                out.append(self._place("OP", (den_var, operand)))
                i = end

    def _group_primes(self, s: str) -> str:
        while True:
            m = re.search(r"\)\s*'", s)
            if not m:
                return s
            close = m.start()
            open_ = _match_open(s, close)
            inner = s[open_ + 1:close]
            s = s[:open_] + self._place("PR", (inner,)) + s[m.end():]

    def _transposes(self, s: str) -> str:
        while True:
            m = _TRANSPOSE.search(s)
            if not m:
                return s
            start, base = _operand_before(s[:m.start()], "^T with nothing to transpose")
            s = s[:start] + self._place("TR", (base,)) + s[m.end():]

    def _samples(self, s: str) -> str:
        while True:
            m = _SAMPLE.search(s)
            if not m:
                return s
            start, base = _operand_before(s[:m.start()],
                                          "a sample superscript ^{(i)} needs a symbol before it")
            t = "^{T}" if m.group(2) else ""        # x^{(i)T}: column i, transposed
            s = s[:start] + self._place("SM", (base, m.group(1))) + t + s[m.end():]

    # --- back from latex2sympy ------------------------------------------------------

    def resolve(self, e):
        v = self.vocab
        if isinstance(e, sympy.Symbol):
            return self._symbol(e.name)
        if isinstance(e, (sympy.Integer, sympy.Rational, sympy.Float)):
            return e
        if e in (sympy.E, sympy.pi):
            return e
        if isinstance(e, sympy.core.function.AppliedUndef):
            name = str(e.func)
            inner = name[len("\\mathrm{"):-1] if name.startswith("\\mathrm{") else name
            if inner.startswith(_PREFIX):
                return self._juxtaposed(self._placeholder_call(inner), e.args)
            if name not in v.functions and name not in v.user_functions:
                sym = self._declared_name(name)
                if sym is not None:        # w_2(a_1): latex2sympy2 reads a call of w_2
                    return self._juxtaposed(sym, e.args)
            args = [self.resolve(a) for a in e.args]
            if name in v.functions:
                if len(args) != 1:
                    raise InputError(f"activation {name} takes one argument", token=name)
                return v.functions[name](args[0])
            if name in v.user_functions:
                params = v.user_functions[name]
                if len(args) != len(params):
                    raise InputError(f"{name} is defined with {len(params)} arguments, "
                                     f"called with {len(args)}", token=name)
                return sympy.Function(name)(*args)
            raise InputError(f"unknown function {name!r}: declare it in the manifest's "
                             "[functions] table (or define it in the chapter)", token=name)
        if isinstance(e, sympy.log):
            args = [self.resolve(a) for a in e.args]
            if len(args) == 1 or args[1] == sympy.E:
                return sympy.log(args[0])
            return sympy.log(args[0]) / sympy.log(args[1])
        if type(e) in v.builtin_activations:
            (arg,) = [self.resolve(a) for a in e.args]
            return v.builtin_activations[type(e)](arg)
        if isinstance(e, (sympy.exp, sympy.tanh, sympy.sinh, sympy.cosh)):
            return e.func(*[self.resolve(a) for a in e.args])
        if isinstance(e, sympy.Sum):
            body = self.resolve(e.function)
            limits = []
            for lim in e.limits:
                idx = lim[0]
                if self.vocab.symbol(idx.name) is None:
                    raise InputError(f"unknown summation index {idx.name!r}: declare it "
                                     "with role = \"index\"", token=idx.name)
                limits.append((self._symbol(idx.name), *[self.resolve(b) for b in lim[1:]]))
            try:
                return sympy.Sum(body, *limits)
            except ValueError as exc:
                raise InputError(f"cannot read this sum: {exc}", token="\\sum") from None
        if isinstance(e, sympy.Mod):
            a, b = (self.resolve(x) for x in e.args)
            if a.is_commutative and b.is_commutative:
                return a * b             # ⊙ of scalars is the product
            return Hadamard(a, b)
        if isinstance(e, (sympy.Add, sympy.Mul)):
            return e.func(*[self.resolve(a) for a in e.args])
        if isinstance(e, sympy.Pow):
            base, expo = (self.resolve(a) for a in e.args)
            return sympy.Pow(base, expo)
        raise InputError(f"unsupported construct {type(e).__name__} "
                         f"(read as {sympy.sstr(e)[:60]})", token=type(e).__name__)

    def _symbol(self, name: str) -> sympy.Symbol:
        if name.startswith("\\mathrm{" + _PREFIX):
            key = name[8:].split("}", 1)[0]
            if name != f"\\mathrm{{{key}}}" or key not in self.places:
                raise InputError("a subscript right after a derivative, a function call, a "
                                 "transpose or a sample superscript is not supported; "
                                 "subscript the symbol itself", token="_")
            return self._placeholder_call(key)
        if name in self.bound:
            return self.bound[name]
        sym = self.vocab.symbol(name)
        if sym is None:
            raise InputError(f"unknown symbol {name!r}: declare it in the manifest's [symbols] "
                             "table (or as an alias)", token=name)
        canonical = self.vocab.written[name]
        self.spellings.add((name, canonical))
        if canonical != name:
            self.aliases.add((name, canonical))
        return sym

    def _juxtaposed(self, value, args):
        """V(x), where V is a value (a symbol, a derivative, f(z)): the product V x."""
        if len(args) != 1:
            raise InputError(f"{to_latex(value)} is not a function: it cannot take "
                             f"{len(args)} arguments", token=to_latex(value))
        arg = self.resolve(args[0])
        note = f"{to_latex(value)}({to_latex(arg)}) read as a product"
        if note not in self.notes:
            self.notes.append(note)
        return value * arg

    def _declared_name(self, written: str) -> sympy.Symbol | None:
        """The declared symbol (or bound parameter) written as ``written``, if any."""
        try:
            name = symbol_name(written)
        except InputError:
            return None
        if name in self.bound:
            return self.bound[name]
        return self._symbol(name) if self.vocab.symbol(name) is not None else None

    def _placeholder_call(self, name: str):
        kind, *payload = self.places[name]
        if kind == "PD":
            num, den = (self._sub_symbol(t) for t in payload)
            return Partial(num, den)
        if kind == "OP":
            var_latex, operand = payload
            var = self._sub_symbol(var_latex)
            inner = self._sub_formula(operand)
            return sympy.Derivative(inner, var, evaluate=False)
        if kind == "PR":
            (inner_latex,) = payload
            if self.chain_var is None:
                raise InputError("a trailing prime (...)' needs the variable it differentiates "
                                 "by; write \\frac{d}{dv}(...) instead", token="'")
            inner = self._sub_formula(inner_latex)
            self.notes.append(f"(...)' read as d/d{sympy.latex(self.chain_var)} "
                              "(the variable of this chain)")
            return sympy.Derivative(inner, self.chain_var, evaluate=False)
        if kind in ("FA", "FP"):
            cls_, fname, arg_texts = payload
            if len(arg_texts) != 1:
                raise InputError(f"{fname} takes one argument, not {len(arg_texts)}",
                                 token=fname)
            arg = self._sub_formula(arg_texts[0])
            return activations.prime_class(cls_)(arg) if kind == "FP" else cls_(arg)
        if kind == "UF":
            key, fname, arg_texts = payload
            params = self.vocab.user_functions[key]
            if len(arg_texts) != len(params):
                raise InputError(f"{fname} is defined with {len(params)} arguments, "
                                 f"called with {len(arg_texts)}", token=fname)
            return sympy.Function(key)(*[self._sub_formula(a) for a in arg_texts])
        if kind == "TR":
            (base,) = payload
            inner = self._sub_formula(base)
            if getattr(inner, "is_commutative", True):
                note = "^T on a scalar read as the scalar itself"
                if note not in self.notes:
                    self.notes.append(note)
                return inner
            return Transposed(inner)
        if kind == "SM":
            base, idx = payload
            return SampleOf(self._sub_formula(base), self._symbol(idx))
        raise AssertionError(kind)

    def _sub_symbol(self, latex: str) -> sympy.Symbol:
        expr = self._sub_formula(latex)
        if not isinstance(expr, sympy.Symbol):
            raise InputError(f"{latex!r} in a derivative must be a single declared symbol",
                             token=latex)
        return expr

    def _sub_formula(self, latex: str):
        sub = _State(self.vocab, self.chain_var, self.bound)
        sub.places = self.places         # nested placeholders share one table
        text = sub.preprocess(latex, top=False)
        expr = sub.resolve(_latex2sympy(text, latex, self.vocab.noncommutative))
        self.aliases |= sub.aliases
        self.spellings |= sub.spellings
        self.notes.extend(n for n in sub.notes if n not in self.notes)
        return expr


def _operand_before(head: str, error: str) -> tuple[int, str]:
    """Where the symbol or group a superscript applies to starts, and its text."""
    head = head.rstrip()
    a = _ATOM_BEFORE.search(head)
    if a:
        start = a.start()
    elif head.endswith(")") or head.endswith("}"):
        start = _match_open(head, len(head) - 1)
    else:
        raise InputError(error, token="^")
    return start, head[start:]


def _split_args(inner: str) -> list[str]:
    """Top-level comma-separated arguments."""
    args, depth, start = [], 0, 0
    for i, ch in enumerate(inner):
        if ch in "({[":
            depth += 1
        elif ch in ")}]":
            depth -= 1
        elif ch == "," and depth == 0:
            args.append(inner[start:i].strip())
            start = i + 1
    args.append(inner[start:].strip())
    if any(not a for a in args):
        raise InputError("empty argument in a function call")
    return args


class _SympyShim:
    """latex2sympy2's view of sympy, making declared matrix names non-commutative so that
    products keep their printed order (it builds every product with commutative symbols)."""

    def __init__(self, noncommutative: set[str]) -> None:
        self._nc = noncommutative

    def __getattr__(self, name):
        return getattr(sympy, name)

    def Symbol(self, name, **kwargs):  # noqa: N802 - mirrors sympy.Symbol
        if name in self._nc:
            kwargs["commutative"] = False
        return sympy.Symbol(name, **kwargs)


def _latex2sympy(text: str, original: str, noncommutative: set[str] | None = None):
    """latex2sympy2's reading of ``text``: from derive.latex_subset when the text is in
    its subset (the same tree, about 100 times faster), else from latex2sympy2 itself
    (cached in the process and, if on, in the persistent parse cache)."""
    nc = frozenset(noncommutative or ())
    key = (text, nc)
    hit = _PARSE_CACHE.get(key)
    if hit is None and _FAST_READER:
        try:
            hit = (True, latex_subset.parse(text, nc))
        except latex_subset.Declined:
            hit = None       # outside the subset: latex2sympy2 reads it
        else:
            _PARSE_CACHE.put(key, hit)
    if hit is None:
        store = _parse_store()
        skey = store.key(text, nc) if store is not None else ""
        hit = store.get(skey) if store is not None else None
        if hit is None:
            try:
                hit = (True, _latex2sympy_uncached(text, original, nc))
            except InputError as exc:
                hit = (False, (exc.message, exc.column))
            if store is not None:
                store.put(skey, hit)
        _PARSE_CACHE.put(key, hit)
    ok, value = hit
    if ok:
        return value
    raise InputError(value[0].replace(repr(_short(text)), repr(_short(original))),
                     column=value[1])


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


_PARSE_CACHE = Memo(20_000)
# DERIVE_PARSER=latex2sympy2 sends every formula to latex2sympy2 (to compare the two)
_FAST_READER = os.environ.get("DERIVE_PARSER", "").strip().lower() != "latex2sympy2"
_STORE: list = []           # [ParseStore] once opened, [None] when switched off


def _parse_store():
    """The persistent parse cache (derive.parse_store), opened on first use."""
    if not _STORE:
        from . import parse_store
        _STORE.append(parse_store.ParseStore() if parse_store.enabled() else None)
    return _STORE[0]


def save_parse_store() -> None:
    """Write what this process parsed to the persistent cache (if on and it grew)."""
    if _STORE and _STORE[0] is not None:
        _STORE[0].save()


def _latex2sympy_uncached(text: str, original: str, noncommutative: frozenset):
    """Call latex2sympy2 with its module-level state reset (it leaks state between calls)."""
    import latex2sympy2 as l2s

    l2s.variances = {}
    l2s.var = {}
    l2s.VARIABLE_VALUES = {}
    l2s.sympy = _SympyShim(noncommutative) if noncommutative else sympy
    # ANTLR's parser recurses per nesting level and per term: long sums and deep fractions
    # need more than Python's default depth (pure-Python frames, no C stack in 3.11+)
    old_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old_limit, 30000))
    try:
        return l2s.latex2sympy(text)
    except InputError:
        raise
    except RecursionError:
        raise InputError(f"cannot parse {_short(original)!r}: nested too deeply") from None
    except Exception as exc:  # latex2sympy2 raises bare Exception, TypeError, ...
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        column = None
        lines = str(exc).splitlines()
        for ln in lines:
            if set(ln.strip()) <= {"~", "^"} and "^" in ln:
                column = ln.index("^")
        raise InputError(f"cannot parse {_short(text)!r}: {first}", column=column) from None
    finally:
        l2s.sympy = sympy
        sys.setrecursionlimit(old_limit)


def _find_frac(s: str, start: int) -> int:
    m = re.compile(r"\\[dt]?frac\s*\{").search(s, start)
    return m.start() if m else -1


def _skip_ws(s: str, i: int) -> int:
    while i < len(s) and s[i].isspace():
        i += 1
    return i


def _group(s: str, i: int, want: str = "{") -> tuple[str, int]:
    if i >= len(s) or s[i] != want:
        raise InputError("\\frac needs two brace groups", token="\\frac")
    close = {"{": "}", "(": ")", "[": "]"}[want]
    depth = 0
    for j in range(i, len(s)):
        if s[j] == want:
            depth += 1
        elif s[j] == close:
            depth -= 1
            if depth == 0:
                return s[i + 1:j], j + 1
    raise InputError(f"unbalanced {want!r}", token=want)


def _match_open(s: str, close: int) -> int:
    pairs = {")": "(", "}": "{", "]": "["}
    c = s[close]
    o = pairs[c]
    depth = 0
    for j in range(close, -1, -1):
        if s[j] == c:
            depth += 1
        elif s[j] == o:
            depth -= 1
            if depth == 0:
                return j
    raise InputError(f"unbalanced {c!r}", token=c)


def _operand_end(s: str, k: int) -> int:
    """End of the factor an operator d/dv applies to: f(...), (...), {...} or a symbol."""
    if k >= len(s):
        return k
    if s[k] in "({":
        return _group(s, k, s[k])[1]
    m = re.compile(r"(\\[A-Za-z]+|[A-Za-z])(_\{[^{}]*\}|_[A-Za-z0-9])?").match(s, k)
    if not m:
        return k
    end = m.end()
    j = _skip_ws(s, end)
    if j < len(s) and s[j] == "(":
        return _group(s, j, "(")[1]
    return end


def _derivative_kind(num: str, den: str) -> str | None:
    """'partial' for ∂A/∂B or dA/dB, 'operator' for ∂/∂B or d/dB, None for a plain fraction."""
    num, den = num.strip(), den.strip()
    if den.startswith("\\partial"):
        return "operator" if num == "\\partial" else "partial" if num.startswith("\\partial") \
            else None
    d_num = re.match(r"^(\\mathrm\{d\}|\{\\rm\s*d\}|d)(?=\s*(\\[A-Za-z]|[A-Za-z]|$))", num)
    d_den = re.match(r"^(\\mathrm\{d\}|\{\\rm\s*d\}|d)\s*(\\[A-Za-z]+|[A-Za-z])", den)
    if d_num and d_den:
        return "operator" if num in ("d", "\\mathrm{d}") or re.fullmatch(r"\{\\rm\s*d\}", num) \
            else "partial"
    return None
