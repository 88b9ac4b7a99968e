"""The closed world of a chapter: every symbol and function a formula may mention.

Names are read with the strict reader (:func:`derive.read.read_name`), so a declaration
and a formula spell a symbol the same way (``w_{1}`` and ``w_1`` are one name). Each
symbol is a SymPy symbol whose name is :func:`sympy_name` of its canonical spelling.

>>> v = Vocabulary.from_declarations({"w_{1}": "weight", "dZ": "gradient", r"\\alpha": "x"})
>>> sorted(v.names), v.lexicon().runs
(['\\\\mathrm{dZ}', 'alpha', 'w_1'], (('d', 'Z'),))
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import sympy

from . import activations
from ..errors import InputError
from ..read import Lexicon, ReadError, read_function_name, read_name
from ..read.names import GREEK

BUILTIN_FUNCTIONS = {r"\log", r"\ln", r"\exp", r"\tanh", r"\sinh", r"\cosh", r"\sqrt",
                     r"\max", r"\min"}
# upright names that can only mean one activation: read without a declaration
ACTIVATION_WORDS = {"relu": "relu", "sigmoid": "sigmoid", "softmax": "softmax",
                    "softplus": "softplus"}


def sympy_name(canonical: str) -> str:
    """The SymPy symbol name for a canonical spelling (stable across releases: reports
    and memo keys depend on it). Layer names and multi-letter names are upright.

    >>> [sympy_name(n) for n in ["w_1", "W^{[1]}", "dZ", "dA_1", r"\\alpha_1", r"\\ell"]]
    ['w_1', '\\\\mathrm{W^{[1]}}', '\\\\mathrm{dZ}', '\\\\mathrm{dA}_1', 'alpha_1', '\\\\ell']
    """
    if "^{[" in canonical:
        return rf"\mathrm{{{canonical}}}"
    m = re.match(r"[A-Za-z]+", canonical)
    if m and len(m.group(0)) > 1:
        return rf"\mathrm{{{m.group(0)}}}" + canonical[m.end():]
    g = re.match(r"\\([A-Za-z]+)", canonical)
    if g and g.group(0) in GREEK and g.group(0) != r"\ell":
        rest = canonical[g.end():]
        if not rest or rest[0] in "_^":
            return g.group(1) + rest
    return canonical


def symbol_name(latex: str, where: str = "", lexicon: Lexicon | None = None) -> str:
    """The SymPy name of a declared symbol's LaTeX; it must read as one name (under the
    chapter's index convention, given by ``lexicon``)."""
    try:
        return sympy_name(read_name(latex, lexicon) if lexicon else read_name(latex))
    except ReadError as exc:
        power = power_name(latex, lexicon)
        if power is not None:
            return sympy_name(power)
        raise InputError(f"{where + ': ' if where else ''}{latex!s} does not read as one "
                         f"symbol ({exc.reason}); write e.g. w_1 for w1") from None


def power_name(latex: str, lexicon: Lexicon | None = None) -> str | None:
    """``\\sigma_{\\mathcal{B}}^2`` declared as a symbol of its own (a variance is a
    quantity, not the square of one): its canonical spelling ``\\sigma_{\\mathcal{B}}^{2}``,
    or None when the declaration is not a name to a whole power.

    >>> power_name(r"\\sigma^2_{\\mathcal{B}}")
    '\\\\sigma_{\\\\mathcal{B}}^{2}'
    """
    from ..read import read
    from ..read import tree as T
    try:
        sides = read(latex, lexicon) .sides if lexicon else read(latex).sides
    except ReadError:
        return None
    if len(sides) == 1 and isinstance(sides[0], T.Pow) and isinstance(sides[0].base, T.Sym) \
            and isinstance(sides[0].exp, T.Num) and sides[0].exp.text.isdigit():
        return f"{sides[0].base.name}^{{{sides[0].exp.text}}}"
    return None


def function_name(latex: str) -> str:
    """The canonical name of a declared function's LaTeX."""
    try:
        return read_function_name(latex)
    except ReadError as exc:
        raise InputError(f"'{latex}' does not read as a function name ({exc.reason})") \
            from None


@dataclass
class Vocabulary:
    """Everything a formula may mention.

    ``names`` maps a SymPy name (of a declared symbol or an alias) to its symbol;
    ``written`` maps each accepted spelling's SymPy name to the canonical one's;
    ``spelled`` maps it to the canonical spelling the reader produces.
    """

    names: dict[str, sympy.Symbol] = field(default_factory=dict)
    written: dict[str, str] = field(default_factory=dict)
    spelled: dict[str, str] = field(default_factory=dict)
    canonical_latex: dict[sympy.Symbol, str] = field(default_factory=dict)
    functions: dict[str, type] = field(default_factory=dict)       # canonical -> class
    user_functions: dict[str, tuple[sympy.Symbol, ...]] = field(default_factory=dict)
    function_latex: dict[str, type] = field(default_factory=dict)  # declared LaTeX -> class
    user_latex: dict[str, str] = field(default_factory=dict)       # header LaTeX -> key
    noncommutative: set[str] = field(default_factory=set)          # matrix-valued names
    indices: dict[str, str] = field(default_factory=dict)          # index name -> kind
    star: str = "product"
    log: str = "natural"
    superscript: str = "power"
    parenthesised: str = "sample"
    samples: sympy.Symbol | None = None
    # scalar chapters: a named gradient (Ng's dz) is the loss's derivative by its quantity
    gradients: dict[str, tuple[sympy.Symbol, sympy.Symbol]] = field(default_factory=dict)
    # index notation (derive.model.entries): sizes of each indexed symbol, its entries'
    # symbols, entries with a value of their own (a simplex label's last), named gradients
    # written by entries (base -> (loss, base of the quantity)), and [sizes]
    entries: dict[str, tuple[int, ...]] = field(default_factory=dict)
    entry_symbols: dict[tuple[str, tuple[int, ...]], sympy.Symbol] = field(default_factory=dict)
    entry_values: dict[tuple[str, tuple[int, ...]], sympy.Expr] = field(default_factory=dict)
    entry_gradients: dict[str, tuple[sympy.Symbol, str]] = field(default_factory=dict)
    one_hot: set[str] = field(default_factory=set)    # simplex labels (1_{i = y^{(t)}})
    sizes: dict[str, int] = field(default_factory=dict)
    outside: dict[str, list[str]] = field(default_factory=dict)   # block id -> values skipped
    index_fixes: dict = field(default_factory=dict)    # block id -> Finding (calculus.indices)
    # functions left unspecified (d2l's f, g, l): each application is affine in its
    # arguments with free coefficients (value and first partials at that point)
    unspecified: set = field(default_factory=set)
    unspecified_sites: dict = field(default_factory=dict)    # (f, args) -> (value, partials)
    unspecified_symbols: list = field(default_factory=list)
    # derive.model.index_sets: sets of index values by spelled name, named index values
    sets: dict[str, frozenset] = field(default_factory=dict)
    index_values: dict[str, dict[str, int]] = field(default_factory=dict)

    @classmethod
    def from_declarations(cls, symbols: dict[str, str], aliases: dict[str, str] | None = None,
                          activations: dict[str, str] | None = None,
                          function_aliases: dict[str, str] | None = None,
                          log: str = "natural") -> "Vocabulary":
        """Build from ``{latex: role}``, ``{alias: latex}`` and ``{latex: activation kind}``."""
        vocab = cls(log=log)
        for latex, role in symbols.items():
            vocab.add_symbol(latex, symbol_name(latex, f"symbols.{latex}"))
            if role == "index":
                vocab.indices[read_name(latex)] = "sample"
        for alias, target in (aliases or {}).items():
            vocab.add_alias(alias, target)
        for latex, kind in (activations or {}).items():
            vocab.add_function(latex, kind)
        for alias, target in (function_aliases or {}).items():
            vocab.add_function(alias, None, same_as=target)
        return vocab

    def convention(self) -> Lexicon:
        """The index convention alone: how declarations themselves are read."""
        return Lexicon(plain=self.superscript, parenthesised=self.parenthesised)

    def add_symbol(self, latex: str, name: str, matrix: bool = False) -> None:
        sym = sympy.Symbol(name, commutative=False) if matrix else sympy.Symbol(name, real=True)
        if matrix:
            self.noncommutative.add(name)
        self.names[name] = sym
        self.written[name] = name
        try:
            self.spelled[name] = read_name(latex, self.convention())
        except ReadError:
            power = power_name(latex, self.convention())
            if power is None:
                raise
            self.spelled[name] = power          # σ²_B: read where σ_B^2 is written
        self.canonical_latex[sym] = latex

    def add_alias(self, alias: str, target: str) -> None:
        tname = symbol_name(target, f"alias target {target}", self.convention())
        aname = symbol_name(alias, f"alias {alias}", self.convention())
        if tname not in self.names:
            raise InputError(f"alias {alias!r} points at {target!r}, which is not declared")
        if aname in self.names:
            raise InputError(f"alias {alias!r} is also declared as a symbol (or as another "
                             "alias); one name cannot mean two quantities")
        self.names[aname] = self.names[tname]
        self.written[aname] = tname
        self.spelled[aname] = read_name(alias)

    def add_function(self, latex: str, kind: str | None, same_as: str | None = None) -> None:
        key = function_name(latex)
        if same_as is not None:
            cls_ = self.functions.get(function_name(same_as))
            if cls_ is None:
                raise InputError(f"function alias {latex!r} points at undeclared {same_as!r}")
        else:
            cls_ = activations.activation_class(kind, latex)
        self.functions[key] = cls_
        self.function_latex[latex.strip()] = cls_

    def symbol(self, name: str) -> sympy.Symbol | None:
        return self.names.get(name)

    def lexicon(self) -> Lexicon:
        """What the reader needs: names, functions, indices and the index convention."""
        key = (len(self.names), tuple(self.user_functions), len(self.functions),
               tuple(sorted(self.unspecified)),
               tuple(self.indices.items()), tuple(self.sizes), tuple(self.sets))
        cached = getattr(self, "_lexicon", None)
        if cached is not None and cached[0] == key:
            return cached[1]
        lex = Lexicon(names=frozenset(self.spelled.values()) | frozenset(self.sets),
                      functions=frozenset(self.functions) | frozenset(self.user_functions)
                      | frozenset(self.unspecified),
                      indices=tuple(sorted(self.indices.items())),
                      plain=self.superscript, parenthesised=self.parenthesised,
                      star=self.star, sizes=frozenset(self.sizes),
                      index_values=tuple((i, n, v) for i, named in self.index_values.items()
                                         for n, v in named.items()),
                      spellers=frozenset(self.index_values))
        self._lexicon = (key, lex)
        return lex
