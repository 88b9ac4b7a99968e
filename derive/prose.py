r"""Text that knows which of its parts are LaTeX: a finding's message, for the renderers
that can show maths (MathML in HTML, ``$…$`` in Markdown).

A ``Prose`` is a ``str`` (every plain-text format prints it unchanged) with ``math``, the
``(start, end)`` spans of it that are LaTeX. It is built by :meth:`Prose.format`, whose
template marks maths with ``$…$`` and whose arguments may be ``Prose`` themselves or be
named as maths; string operations other than ``+`` and ``join`` give a plain ``str``,
which is shown as text, never wrongly as maths.

>>> p = Prose.format(r"missing factor {f} in $\frac{{1}}{{m}}$", math=("f",), f="x_1")
>>> str(p), p.math
('missing factor x_1 in \\frac{1}{m}', ((15, 18), (22, 33)))
>>> [(text, is_math) for text, is_math in p.pieces()]
[('missing factor ', False), ('x_1', True), (' in ', False), ('\\frac{1}{m}', True)]
>>> (Prose.latex("a") + " and " + Prose.latex("b")).math
((0, 1), (6, 7))
"""
from __future__ import annotations

import string
from typing import Iterable, Iterator

Spans = tuple[tuple[int, int], ...]


class Prose(str):
    """A string with the spans of it that are LaTeX."""

    math: Spans

    def __new__(cls, text: str = "", math: Iterable[tuple[int, int]] = ()) -> "Prose":
        self = super().__new__(cls, text)
        self.math = _merged(tuple((int(a), int(b)) for a, b in math if b > a))
        return self

    def __getnewargs__(self) -> tuple[str, Spans]:       # pickled into --jobs workers
        return str(self), self.math

    @classmethod
    def latex(cls, text: object) -> "Prose":
        """All of ``text`` is maths, but the blanks around it (a blank text has no span)."""
        text = str(text)
        start = len(text) - len(text.lstrip())
        return cls(text, ((start, len(text.rstrip())),))

    @classmethod
    def of(cls, text: object) -> "Prose":
        """``text`` as Prose: its own spans when it is Prose, none when it is a plain str."""
        return text if isinstance(text, Prose) else cls(str(text))

    def pieces(self) -> Iterator[tuple[str, bool]]:
        """The text cut into (piece, is_math), in order, no piece empty."""
        at = 0
        for a, b in self.math:
            if a > at:
                yield str(self[at:a]), False
            yield str(self[a:b]), True
            at = b
        if at < len(self):
            yield str(self[at:]), False

    def __add__(self, other: str) -> "Prose":
        other = Prose.of(other)
        n = len(self)
        return Prose(str(self) + str(other),
                     self.math + tuple((a + n, b + n) for a, b in other.math))

    def __radd__(self, other: str) -> "Prose":
        return Prose.of(other) + self

    def join(self, items: Iterable[str]) -> "Prose":       # type: ignore[override]
        out = Prose()
        for k, item in enumerate(items):
            out = out + (self + item if k else Prose.of(item))
        return out

    @classmethod
    def format(cls, template: str, /, math: Iterable[str] = (), **args: object) -> "Prose":
        """``template.format(**args)``, knowing which parts are maths: what the template
        puts between ``$`` signs, the arguments named in ``math``, and the spans of
        arguments that are Prose. A template has no other use for ``$``."""
        math = set(math)
        out = Prose()
        in_math = False
        for literal, field, spec, conversion in string.Formatter().parse(template):
            for k, part in enumerate(literal.split("$")):
                if k:
                    in_math = not in_math
                out = out + (cls(part, ((0, len(part)),)) if in_math else cls(part))
            if field is None:
                continue
            value = args[field]
            if conversion:
                value = {"r": repr, "s": str, "a": ascii}[conversion](value)
            text = format(value, spec or "")
            if in_math or field in math:
                out = out + cls(text, ((0, len(text)),))
            elif isinstance(value, Prose) and not spec and not conversion:
                out = out + value
            else:
                out = out + cls(text)
        return cls(out, (_trimmed(out, a, b) for a, b in out.math))


def _trimmed(text: str, a: int, b: int) -> tuple[int, int]:
    """The span without the blanks at its ends (they are text, not maths)."""
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def _merged(spans: Spans) -> Spans:
    """Sorted, with touching or overlapping spans made one."""
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(b, out[-1][1]))
        else:
            out.append((a, b))
    return tuple(out)


def text_of(exc: BaseException) -> str:
    """An exception's message, as Prose when it was raised with Prose (``str(exc)``
    would drop the spans)."""
    first = exc.args[0] if len(exc.args) == 1 else None
    return first if isinstance(first, str) else str(exc)
