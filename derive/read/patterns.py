"""The patterns that tell what a display is (derive.read.blocks, derive.read.named):
names, relations, derivatives, arrows, layout, and the text helpers built on them. They
find kinds and names only; formulas are read by the strict reader."""
from __future__ import annotations

import re

_ARROW = re.compile(r"\\to\b|\\rightarrow\b|\\longrightarrow\b|→|->|\\Rightarrow\b")
_DERIVATIVE = re.compile(
    r"^\s*(?:\\[dt]?c?frac\s*\{?\s*(?:\\partial|d(?![a-zA-Z]{2})|\\mathrm\s*\{?\s*d\b|\{\\rm\s*d\})"
    r"|\\partial(?![A-Za-z])|\\nabla(?![A-Za-z])|\\mathrm\{d\}\s*/|∂|∇)")
_NAME = r"(?:\\[A-Za-z]+\s*\{[^{}]*\}|\\[A-Za-z]+|[A-Za-z])(?:\s*[_^]\s*(?:\{[^{}]*\}|\\?[A-Za-z0-9]+))*"
_DEFINED = re.compile(rf"^\s*\{{?\s*({_NAME}(?:\s*\([^()=]*\)|\s*\\left\s*\([^=]*?\\right\s*\))?)"
                      rf"\s*\}}?\s*(?::=|=|\\coloneqq|\\triangleq|\\equiv|\\leftarrow(?![A-Za-z])|\\gets(?![A-Za-z]))")
_GRADIENT = re.compile(rf"^\s*d({_NAME})\s*=")
_LAYOUT = re.compile(r"&|\\(?:nonumber|notag)\b|\\label\s*\{[^{}]*\}|"
                     r"\\(?:begin|end)\s*\{(?:split|aligned|gathered)\}")
_RELATION = re.compile(r"(?<![<>!:\\])=|\\coloneqq|:=|\\triangleq|\\equiv|\\leftarrow(?![A-Za-z])|"
                       r"\\gets(?![A-Za-z])")
_REFERENCE = re.compile(
    r"^\s*(?:(?:公式|式|等式|方程)\s*[（(]?\s*(?P<zh>[0-9]+(?:[-.][0-9]+)*)\s*[)）]?"
    r"|(?:equations?|eqs?\.?|formula)\s*~?\s*\(?\s*(?P<en>[0-9]+(?:[-.][0-9]+)*[a-z]?)\s*\)?"
    r"|\\eqref\s*\{(?P<ref>[^{}]*)\}|\\ref\s*\{(?P<ref2>[^{}]*)\}|\{eq\}`(?P<myst>[^`]*)`"
    r"|:eqref:`(?P<d2l>[^`]*)`|\((?P<num>[0-9]+(?:[-.][0-9]+)*)\))", re.IGNORECASE)


def _flat(text: str) -> str:
    """Braces TeX does not show taken away (MathType writes {{w}_{1}} for w_1): for finding
    names only, never for reading."""
    def unwrap(m: re.Match) -> str:
        before = m.string[:m.start()]
        # an argument ({a} of \frac{a}, a script, the second group of \frac) stays
        if re.search(r"(\\[A-Za-z]+\s*|[_^]\s*|\}|\])$", before):
            return m.group(0)
        return m.group(1)
    for _ in range(6):
        new = re.sub(rf"\{{\s*({_NAME})\s*\}}", unwrap, text)
        if new == text:
            return new
        text = new
    return text


def _plain(name: str) -> str:
    return re.sub(r"\s+", "", name).replace("{", "").replace("}", "")


def _top_level(text: str) -> str:
    """``text`` with everything inside braces blanked (limits, subscripts, arguments)."""
    out, depth = [], 0
    for ch in text:
        if ch == "{":
            depth += 1
        out.append(ch if depth == 0 else " ")
        if ch == "}":
            depth = max(0, depth - 1)
    return "".join(out)


def _base_name(text: str) -> str:
    """The name a side starts with, without its scripts (``\\delta`` of ``\\delta^L_j``)."""
    m = re.match(r"\s*\{?\s*(\\[A-Za-z]+|[A-Za-z])", text)
    return m.group(1) if m else ""
