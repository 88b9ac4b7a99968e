"""A document's own macros: ``\\newcommand``, ``\\renewcommand``, ``\\providecommand``,
``\\DeclareMathOperator`` and simple ``\\def``, expanded in its formulas.

Expansion is bounded (at most :data:`MAX_STEPS` macro calls and :data:`MAX_GROWTH` times
the formula's length, never beyond :data:`MAX_LENGTH` characters): a recursive
definition is an error, not a hang. Nothing is executed; a macro is text replaced by text.

>>> m = Macros()
>>> m.define_all(r"\\newcommand{\\pd}[2]{\\frac{\\partial #1}{\\partial #2}}"
...              r"\\DeclareMathOperator{\\sgn}{sgn}")
2
>>> m.expand(r"\\pd{C}{w} = \\sgn(x)")
'\\\\frac{\\\\partial C}{\\\\partial w} = \\\\operatorname{sgn}(x)'
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import InputError

MAX_STEPS = 2000        # macro calls in one formula
MAX_GROWTH = 50         # the expansion at most this many times the formula's length
MAX_LENGTH = 20_000     # and never longer than the reader takes

_NAME = re.compile(r"\\([A-Za-z]+|.)")
_DEFINERS = re.compile(r"\\(newcommand|renewcommand|providecommand|DeclareMathOperator|def|let)"
                       r"(\*?)(?![A-Za-z])")


@dataclass(frozen=True)
class Macro:
    name: str                   # without the backslash
    nargs: int
    default: str | None         # the optional first argument's default
    body: str


class MacroError(InputError):
    """A macro that cannot be defined or expanded within the bounds."""


def _group(text: str, i: int) -> tuple[str, int] | None:
    """``{...}`` at i (after spaces): (contents, index after it), braces balanced."""
    while i < len(text) and text[i] in " \t\n":
        i += 1
    if i >= len(text) or text[i] != "{":
        return None
    depth = 0
    for j in range(i, len(text)):
        c = text[j]
        if c == "\\":
            continue
        if c == "{" and (j == 0 or text[j - 1] != "\\"):
            depth += 1
        elif c == "}" and text[j - 1] != "\\":
            depth -= 1
            if depth == 0:
                return text[i + 1:j], j + 1
    return None


def _bracket(text: str, i: int) -> tuple[str, int] | None:
    while i < len(text) and text[i] in " \t":
        i += 1
    if i < len(text) and text[i] == "[":
        j = text.find("]", i)
        if j > 0:
            return text[i + 1:j], j + 1
    return None


def _argument(text: str, i: int) -> tuple[str, int] | None:
    """One macro argument: a group, a control sequence or one character."""
    g = _group(text, i)
    if g is not None:
        return g
    while i < len(text) and text[i] in " \t\n":
        i += 1
    if i >= len(text):
        return None
    m = _NAME.match(text, i)
    if m:
        return m.group(0), m.end()
    return text[i], i + 1


class Macros:
    """The macros a document defines, in the order it defines them."""

    def __init__(self) -> None:
        self.table: dict[str, Macro] = {}

    def define_all(self, text: str, where: str = "<document>") -> int:
        """Read every definition in ``text`` (a preamble or a body); the count read."""
        count = 0
        for m in _DEFINERS.finditer(text):
            if self._define(m.group(1), text, m.end(), where):
                count += 1
        return count

    def _define(self, kind: str, text: str, i: int, where: str) -> bool:
        if kind == "let":
            m = re.match(r"\s*\\([A-Za-z]+)\s*=?\s*(\\[A-Za-z]+|.)", text[i:])
            if m:
                self.table[m.group(1)] = Macro(m.group(1), 0, None, m.group(2))
                return True
            return False
        if kind == "def":
            m = re.match(r"\s*\\([A-Za-z]+)((?:#\d)*)", text[i:])
            if not m:
                return False
            body = _group(text, i + m.end())
            if body is None:
                return False
            self.table[m.group(1)] = Macro(m.group(1), len(m.group(2)) // 2, None, body[0])
            return True
        # \newcommand{\name}[n][default]{body}, \newcommand\name..., \DeclareMathOperator
        g = _group(text, i)
        if g is not None:
            name, j = g[0].strip(), g[1]
        else:
            m = re.match(r"\s*(\\[A-Za-z]+)", text[i:])
            if not m:
                return False
            name, j = m.group(1), i + m.end()
        if not re.fullmatch(r"\\[A-Za-z]+", name):
            return False
        if kind == "DeclareMathOperator":
            body = _group(text, j)
            if body is None:
                return False
            self.table[name[1:]] = Macro(name[1:], 0, None, rf"\operatorname{{{body[0]}}}")
            return True
        nargs, default = 0, None
        b = _bracket(text, j)
        if b is not None:
            if not b[0].strip().isdigit() or not 0 <= int(b[0]) <= 9:
                raise MacroError(f"{name}: the number of arguments must be 0 to 9", file=where)
            nargs, j = int(b[0]), b[1]
            d = _bracket(text, j)
            if d is not None:
                default, j = d
        body = _group(text, j)
        if body is None:
            return False
        if kind == "providecommand" and name[1:] in self.table:
            return True
        self.table[name[1:]] = Macro(name[1:], nargs, default, body[0])
        return True

    def expand(self, text: str, where: str = "<formula>") -> str:
        """``text`` with every defined macro replaced, within the bounds."""
        return self.expand_placed(text, None, where)[0]

    def expand_placed(self, text: str, places: list | None, where: str = "<formula>"):
        """:meth:`expand`, and where each character of the result came from (``places``
        gives it for each character of ``text``; a macro's expansion stands where the
        macro was written)."""
        if not self.table:
            return text, places
        limit = min(MAX_LENGTH, max(len(text) * MAX_GROWTH, 2000))
        steps = 0
        out = text
        i = 0
        while True:
            m = _NAME.search(out, i)
            if m is None:
                return out, places
            name = m.group(1)
            macro = self.table.get(name)
            if macro is None:
                i = m.end()
                continue
            steps += 1
            if steps > MAX_STEPS:
                raise MacroError(f"expanding the macros of this formula takes more than "
                                 f"{MAX_STEPS} steps (a macro that calls itself?)", file=where)
            j = m.end()
            args: list[str] = []
            if macro.default is not None:
                b = _bracket(out, j)
                if b is not None:
                    args.append(b[0])
                    j = b[1]
                else:
                    args.append(macro.default)
            while len(args) < macro.nargs:
                a = _argument(out, j)
                if a is None:
                    raise MacroError(f"\\{name} needs {macro.nargs} arguments", file=where)
                args.append(a[0])
                j = a[1]
            body = re.sub(r"#(\d)", lambda g: args[int(g.group(1)) - 1]
                          if 0 < int(g.group(1)) <= len(args) else g.group(0), macro.body)
            body = body.replace(r"\ensuremath", "").replace(r"\xspace", "")
            # a space keeps \foo from gluing to a following letter
            glue = " " if j < len(out) and out[j].isalpha() and re.search(r"\\[A-Za-z]+$", body) \
                else ""
            out = out[:m.start()] + body + glue + out[j:]
            if places is not None:
                places = places[:m.start()] + [places[m.start()]] * len(body + glue) + places[j:]
            if len(out) > limit:
                raise MacroError(f"the macros of this formula expand beyond {limit} characters "
                                 "(a macro that calls itself?)", file=where)
            i = m.start()            # the replacement may hold macros of its own
