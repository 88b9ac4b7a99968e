"""A fast reader for the LaTeX subset that derive's front end hands to latex2sympy2.

latex2sympy2 parses with a pure-Python ANTLR parser: the first parses of a process cost
0.1-0.2 s each while ANTLR builds its prediction tables, which made parsing most of the
time of a cold check. The front end (derive.latex) has already rewritten derivatives,
calls of declared functions, transposes and sample superscripts into plain placeholder
symbols, so what reaches the parser is a small language: sums, products, fractions,
powers, ``\\ln``/``\\log``/``\\exp``/``\\tanh``, ``\\sum``, ``\\sqrt``, numbers and
symbols. This module reads that language by recursive descent and builds **the same
SymPy tree latex2sympy2 builds**, unevaluated products and sums included, so that
everything downstream is unchanged.

Anything outside the subset, or where latex2sympy2's reading is quirky (``x^23``,
``w_12``, ``b [x]`` read as a call of b, a subscript after ``e``...), raises
:class:`Declined` and the caller hands the text to latex2sympy2 itself: this reader is
an accelerator, never a second opinion. Its agreement with latex2sympy2 is tested on
tables, on every formula of the bundled chapters and their mutants, and on random
formulas (tests/test_latex_subset.py).

>>> sympy.srepr(parse(r"\\frac{1}{m} \\sum_{i=1}^{m} y_i \\ln a_i"))
"Mul(Integer(1), Pow(Symbol('m'), Integer(-1)), Sum(Mul(Symbol('y_i'), log(Symbol('a_i'), E)), Tuple(Symbol('i'), Integer(1), Symbol('m'))))"
>>> parse(r"a(x y)")     # latex2sympy2 may read a call here: not guessed
Traceback (most recent call last):
...
derive.latex_subset.Declined: a(...): a name before a group without an operator
"""
from __future__ import annotations

import re

import sympy

__all__ = ["Declined", "parse"]


class Declined(Exception):
    """The text is outside the subset: let latex2sympy2 read it."""


# Greek letters latex2sympy2 names without the backslash (\alpha -> alpha); \ell keeps it.
_GREEK = frozenset(
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda "
    "mu nu xi omicron rho varrho sigma varsigma tau upsilon phi varphi chi psi omega "
    "Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega".split())
_OTHER_SYMBOLS = frozenset({"ell"})
_STYLES = frozenset({"mathrm", "mathbf", "boldsymbol", "bm", "hat", "bar", "vec", "tilde",
                     "mathsf"})
# one-argument functions as latex2sympy2 builds them
_FUNCTIONS = frozenset({"ln", "log", "exp", "tanh", "sinh", "cosh"})
# the inside of \mathrm{...}: a name, optionally with a layer index W^{[2]}
_STYLED_INNER = re.compile(r"(?:\\[A-Za-z]+|[A-Za-z])[A-Za-z0-9]*(?:\^\{\[-?[A-Za-z0-9]+\]\})?")
_SUBSCRIPT_INNER = re.compile(r"[A-Za-z0-9]+|\\[A-Za-z]+")
# the textual rewrites latex2sympy2.latex2sympy makes before lexing
_UNSUPPORTED_TEXT = re.compile(r"\\mathrm\{T\}|\\mathrm\{d\}|\{\\rm|\$|\\left|\\right"
                               r"|\)\s*_|\\begin|\\end")
_TOKEN = re.compile(r"\s*(?:(\\[A-Za-z]+)|(\\.)|([A-Za-z])|([0-9]+(?:\.[0-9]+)?)|(.))", re.S)


def parse(text: str, noncommutative: frozenset = frozenset()) -> sympy.Expr:
    """The SymPy tree latex2sympy2 would build for ``text``, or :class:`Declined`.

    ``noncommutative`` are the symbol names to create with ``commutative=False``
    (declared matrices), as derive.latex asks of latex2sympy2.

    >>> sympy.srepr(parse(r"a - 2 b \\cdot c"))
    "Add(Symbol('a'), Mul(Integer(-1), Integer(2), Symbol('b'), Symbol('c')))"
    """
    text = text.replace(r"\dfrac", r"\frac").replace(r"\tfrac", r"\frac")
    for spacing in (r"\displaystyle", r"\qquad", r"\quad", "~", r"\,"):
        text = text.replace(spacing, " ")
    if _UNSUPPORTED_TEXT.search(text):
        raise Declined("notation latex2sympy2 rewrites")
    tokens, spaced = _tokens(text)
    return _Reader(tokens, spaced, noncommutative).read()


def _tokens(text: str) -> tuple[list[tuple[str, str]], set[int]]:
    """(kind, text) tokens, and the indices of those preceded by white space."""
    out: list[tuple[str, str]] = []
    spaced: set[int] = set()
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        command, escaped, letter, number, char = m.groups()
        if m.group(0)[:1].isspace():
            spaced.add(len(out))
        pos = m.end()
        if command:
            out.append(("cmd", command[1:]))
        elif letter:
            out.append(("letter", letter))
        elif number:
            if pos < len(text) and text[pos] in ".,":
                raise Declined("number with a separator")
            out.append(("number", number))
        elif char and char in "+-*/()[]{}^_=":
            out.append((char, char))
        else:
            raise Declined(f"character {escaped or char!r}")
    out.append(("end", ""))
    return out, spaced


def _mul_flat(lh, rh):
    """latex2sympy2's product: one unevaluated Mul, flattening Mul operands."""
    args = [*(lh.args if lh.is_Mul else (lh,)), *(rh.args if rh.is_Mul else (rh,))]
    return sympy.Mul(*args, evaluate=False)


def _add_flat(lh, rh):
    args = [*(lh.args if lh.is_Add else (lh,)), *(rh.args if rh.is_Add else (rh,))]
    return sympy.Add(*args, evaluate=False)


def _negate(e):
    # latex2sympy2 negates numbers, and multiplies anything else by -1
    return -e if e.func.is_Number else _mul_flat(sympy.Integer(-1), e)


class _Reader:
    def __init__(self, tokens, spaced, noncommutative) -> None:
        self.toks = tokens
        self.spaced = spaced
        self.i = 0
        self.nc = noncommutative

    # --- token helpers ------------------------------------------------------------

    def peek(self, k: int = 0) -> tuple[str, str]:
        return self.toks[min(self.i + k, len(self.toks) - 1)]

    def take(self) -> tuple[str, str]:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def expect(self, kind: str) -> None:
        if self.take()[0] != kind:
            raise Declined(f"expected {kind}")

    def symbol(self, name: str) -> sympy.Symbol:
        if name in self.nc:
            return sympy.Symbol(name, commutative=False)
        return sympy.Symbol(name)

    def read(self):
        e = self.expr()
        if self.peek()[0] != "end":
            raise Declined(f"unexpected {self.peek()[1]!r}")
        return e

    # --- grammar: expr -> additive -> mp -> unary -> postfix* -> exp -> comp ---------

    def expr(self):
        # a + b, a - b: left-associative; a - b is a + (-1)*b, a - 2 is a + (-2)
        lh = self.mp()
        while self.peek()[0] in ("+", "-"):
            op = self.take()[0]
            rh = self.mp()
            lh = _add_flat(lh, rh if op == "+" else _negate(rh))
        return lh

    def mp(self, nofunc: bool = False):
        # a \cdot b, a / b, a \mod b: one precedence level, left-associative
        lh = self.unary(nofunc)
        while True:
            kind, value = self.peek()
            op = value if kind in ("*", "/") or (kind == "cmd" and value in
                                                   ("cdot", "times", "div", "mod")) else None
            if op is None:
                return lh
            self.take()
            rh = self.unary(nofunc)
            if op in ("*", "cdot", "times"):
                lh = _mul_flat(lh, rh)
            elif op in ("/", "div"):
                lh = sympy.Mul(lh, sympy.Pow(rh, -1, evaluate=False), evaluate=False)
            else:
                lh = sympy.Mod(lh, rh, evaluate=False)

    def unary(self, nofunc: bool = False):
        kind = self.peek()[0]
        if kind == "+":
            self.take()
            return self.unary(nofunc)
        if kind == "-":
            self.take()
            return _negate(self.unary(nofunc))
        # implicit product of adjacent factors: x (1 - x), 2 a b; in a function's
        # argument without parentheses (\ln a b) only the first factor may be a function
        items = [self.postfix(nofunc)]
        while self.starts_factor() and not (nofunc and self.starts_function()):
            items.append(self.postfix(nofunc=nofunc))
        product = items[-1]
        for item in reversed(items[:-1]):     # right-nested, as latex2sympy2 builds it
            product = _mul_flat(item, product)
        return product

    def starts_factor(self) -> bool:
        kind, value = self.peek()
        if kind in ("letter", "number", "(", "[", "{"):
            return True
        return kind == "cmd" and (value in _GREEK or value in _OTHER_SYMBOLS
                                  or value in _STYLES or value in _FUNCTIONS
                                  or value in ("frac", "sum", "sqrt", "pi", "infty"))

    def starts_function(self) -> bool:
        # \\ln a \\ln b, \\ln a e^{x}: the argument of the first \\ln ends before a function
        kind, value = self.peek()
        return (kind == "letter" and value == "e") or (
            kind == "cmd" and (value in _FUNCTIONS or value in ("sum", "sqrt")))

    def postfix(self, nofunc):
        """One factor with its powers. ``nofunc``: inside a function's argument written
        without parentheses (\\ln a b), where latex2sympy2 reads no further function."""
        base = self.comp(nofunc)
        while self.peek()[0] == "^":
            if base.is_Pow:
                raise Declined("a second superscript")
            self.take()
            base = sympy.Pow(base, self.superscript(), evaluate=False)
        if self.peek()[0] == "_":
            raise Declined("a subscript after a group or a power")
        return base

    def superscript(self):
        kind, value = self.peek()
        if kind == "{":
            self.take()
            e = self.expr()
            self.expect("}")
            return e
        if kind == "number" and len(value) == 1:
            self.take()
            return sympy.Integer(value)
        if kind == "letter" and value not in "deEI":
            self.take()
            return self.symbol(value)
        raise Declined("a superscript that is not a brace group, a digit or a letter")

    def comp(self, nofunc):
        kind, value = self.peek()
        if kind in ("(", "[", "{"):
            self.take()
            e = self.expr()
            self.expect({"(": ")", "[": "]", "{": "}"}[kind])
            return e
        if kind == "number":
            self.take()
            return sympy.Rational(value)
        if kind == "letter" and value == "e":
            if nofunc:
                raise Declined("e after a function's first factor")
            self.take()
            return self.euler()
        if kind == "cmd":
            if value == "frac":
                self.take()
                return self.frac()
            if value in _FUNCTIONS or value in ("sum", "sqrt"):
                if nofunc:
                    raise Declined("a function inside a function's argument")
                self.take()
                if value == "sum":
                    return self.sum()
                if value == "sqrt":
                    return sympy.Pow(self.group("{"), sympy.S.Half, evaluate=False)
                return self.function(value)
            if value == "pi":
                self.take()
                return sympy.pi
            if value == "infty":
                self.take()
                return sympy.oo
        return self.atom(nofunc)

    def group(self, opener: str):
        if self.peek()[0] != opener:
            raise Declined(f"expected {opener}")
        self.take()
        e = self.expr()
        self.expect({"{": "}", "(": ")"}[opener])
        return e

    def frac(self):
        num = self.group("{")
        den = self.group("{")
        return sympy.Mul(num, sympy.Pow(den, -1, evaluate=False), evaluate=False)

    def euler(self):
        # e -> E, e^{x} -> exp(x) (evaluated, as latex2sympy2 does)
        if self.peek()[0] == "_":
            raise Declined("e with a subscript")
        if self.peek()[0] != "^":
            return sympy.exp(1)
        self.take()
        return sympy.exp(self.superscript())

    def sum(self):
        # \sum_{i=1}^{m} body: the body is the product that follows (stops at + and -)
        self.expect("_")
        self.expect("{")
        kind, index = self.take()
        if kind != "letter" or index in "deEI" or self.take()[0] != "=":
            raise Declined("\\sum needs _{i=start}")
        start = self.expr()
        self.expect("}")
        self.expect("^")
        end = self.superscript()
        body = self.mp()
        return sympy.Sum(body, (self.symbol(index), start, end))

    def function(self, name: str):
        base = None
        if self.peek()[0] == "_":
            if name != "log":
                raise Declined(f"\\{name} with a subscript")
            self.take()
            base = self.superscript()
        power = None
        if self.peek()[0] == "^":
            self.take()
            power = self.superscript()
            if not (power.is_Integer and power > 0):
                raise Declined(f"\\{name}^{{{power}}}")
        if self.peek()[0] == "(":
            arg = self.group("(")
        else:
            arg = self.mp(nofunc=True)
        if name in ("ln", "log"):
            if base is None:
                base = sympy.Integer(10) if name == "log" else sympy.E
            expr = sympy.log(arg, base, evaluate=False)
        elif name == "exp":
            expr = sympy.exp(arg)
        else:
            expr = getattr(sympy, name)(arg, evaluate=False)
        return sympy.Pow(expr, power, evaluate=False) if power is not None else expr

    def atom(self, nofunc=False):
        # a letter, a Greek letter or a styled name, with its subscript and superscript
        first = self.i
        name = self.name()
        if self.peek()[0] == "(" and not nofunc:    # a call is a function: not in \\ln a(x)
            call = self.call(self.written(first))
            if call is not None:
                return call
        sym = self.symbol(name)
        if self.peek()[0] == "^":
            self.take()
            sym = sympy.Pow(sym, self.superscript(), evaluate=False)
        if self.peek()[0] in ("(", "[", "{") and not self.group_holds_an_operator():
            # latex2sympy2 reads a^2(x) as a(x)^2, and a[x], a {(x)} as calls of a
            raise Declined(f"{name}(...): a name before a group without an operator")
        return sym

    def name(self) -> str:
        kind, value = self.take()
        if kind == "letter":
            if value in "deEI":     # d x is a differential, E notation, I the imaginary unit
                raise Declined(f"the letter {value}")
            name = value
        elif kind == "cmd" and value in _GREEK:
            name = value
        elif kind == "cmd" and value in _OTHER_SYMBOLS:
            name = "\\" + value
        elif kind == "cmd" and value in _STYLES:
            name = f"\\{value}{{{self.styled_inner()}}}"
        else:
            raise Declined(f"unexpected {value!r}")
        if self.peek()[0] == "_":
            self.take()
            name += self.subscript()
        return name

    def written(self, first: int) -> str:
        # the tokens from ``first`` as written, without white space (ANTLR's getText);
        # latex2sympy2's token for \\sigma keeps one space after it: left to it
        for j in range(first, self.i + 1):
            if self.toks[j - 1][0] == "cmd" and j in self.spaced and j > first:
                raise Declined("a space after a command in a function name")
        return "".join("\\" + v if k == "cmd" else v for k, v in self.toks[first:self.i])

    def call(self, fname: str):
        """f(x) with a single name inside: latex2sympy2 reads a call of an undefined
        function named as written (a_{2}, \\sigma), which derive.latex then resolves."""
        start = self.i
        self.take()
        try:
            arg = self.symbol(self.name())
        except Declined:
            arg = None
        if arg is None or self.peek()[0] != ")":
            self.i = start
            return None
        self.take()
        if self.peek()[0] == "^":
            raise Declined("a power of a call")
        return sympy.Function(fname)(arg)

    def styled_inner(self) -> str:
        # the raw text between the braces, e.g. dvxPD0 or W^{[2]} (latex2sympy2 keeps
        # white space in it: such names are left to it)
        self.expect("{")
        depth, parts = 1, []
        while True:
            if self.i in self.spaced:
                raise Declined("white space in a styled name")
            kind, value = self.take()
            if kind == "end":
                raise Declined("unbalanced braces")
            depth += (kind == "{") - (kind == "}")
            if depth == 0:
                break
            parts.append("\\" + value if kind == "cmd" else value)
        inner = "".join(parts)
        if not _STYLED_INNER.fullmatch(inner):
            raise Declined("a styled name that is not a plain name")
        return inner

    def subscript(self) -> str:
        kind, value = self.take()
        if kind == "{":
            parts = []
            while self.peek()[0] != "}":
                k, v = self.take()
                if k == "end":
                    raise Declined("unbalanced braces")
                parts.append("\\" + v if k == "cmd" else v)
            self.take()
            inner = "".join(parts)
            if not _SUBSCRIPT_INNER.fullmatch(inner) or (inner.startswith("\\")
                                                        and inner[1:] not in _GREEK):
                raise Declined("a subscript that is not a plain name or number")
            return "_{" + inner + "}" if len(inner) > 1 else "_" + inner
        if kind == "letter" or (kind == "number" and len(value) == 1):
            return "_" + value
        raise Declined("a subscript that is not a brace group, a digit or a letter")

    def group_holds_an_operator(self) -> bool:
        """Whether the group opening here has a top-level +, -, \\cdot, * or /: then
        latex2sympy2 reads name(...) as a product; otherwise it may read a call."""
        depth = 0
        for kind, value in self.toks[self.i:]:
            if kind in ("(", "[", "{"):
                depth += 1
            elif kind in (")", "]", "}"):
                depth -= 1
                if depth == 0:
                    return False
            elif depth == 1 and (kind in ("+", "-", "*", "/")
                                 or (kind == "cmd" and value in ("cdot", "times", "div"))):
                return True
            elif kind == "end":
                return False
        return False
