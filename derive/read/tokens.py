"""Tokens of one formula: every character of the text belongs to exactly one token or
to the white space between them, and each token knows where it stands.

TeX reads math as a sequence of tokens: a control sequence (``\\frac``, ``\\,``), one
letter, one digit or one other character. The reader works on the same tokens, so that
``x^23`` is ``x^{2} 3`` as TeX prints it (not ``x^{23}``) and ``\\frac12`` is
``\\frac{1}{2}``. A few Unicode characters that Markdown sources use in maths are read as
the command they stand for (``σ`` as ``\\sigma``, ``→`` as ``\\to``).

>>> [t.text for t in tokenize(r"\\frac{\\partial L}{\\partial w_1}")]
['\\\\frac', '{', '\\\\partial', 'L', '}', '{', '\\\\partial', 'w', '_', '1', '}']
>>> tokenize("x^23")[2].text, tokenize("x^23")[3].text
('2', '3')
>>> tokenize("x → y")[1].text
'\\\\to'
"""
from __future__ import annotations

from dataclasses import dataclass

from .errors import ReadError

# The longest formula the reader accepts: a page of derivation is a few thousand
# characters; beyond this the text is not one formula (and reading stays bounded).
MAX_FORMULA = 20_000

_CHARS = set("+-*/=()[]{}^_',.;:|&<>!?@\"`~#$")

# Unicode as written in Markdown maths, read as the LaTeX command it renders like.
UNICODE = {
    "→": r"\to", "←": r"\leftarrow", "⇒": r"\Rightarrow", "−": "-", "·": r"\cdot",
    "×": r"\times", "′": "'", "∂": r"\partial", "∑": r"\sum", "∏": r"\prod", "∇": r"\nabla",
    "≠": r"\neq", "≤": r"\leq", "≥": r"\geq", "∈": r"\in", "⊙": r"\odot", "∘": r"\circ",
    "⊤": r"\top", "∞": r"\infty", "≈": r"\approx", "≡": r"\equiv", "ℓ": r"\ell",
    "α": r"\alpha", "β": r"\beta", "γ": r"\gamma", "δ": r"\delta", "ε": r"\epsilon",
    "ζ": r"\zeta", "η": r"\eta", "θ": r"\theta", "κ": r"\kappa", "λ": r"\lambda",
    "μ": r"\mu", "ν": r"\nu", "ξ": r"\xi", "π": r"\pi", "ρ": r"\rho", "σ": r"\sigma",
    "τ": r"\tau", "φ": r"\phi", "χ": r"\chi", "ψ": r"\psi", "ω": r"\omega",
    "Γ": r"\Gamma", "Δ": r"\Delta", "Θ": r"\Theta", "Λ": r"\Lambda", "Σ": r"\Sigma",
    "Φ": r"\Phi", "Ψ": r"\Psi", "Ω": r"\Omega",
}


@dataclass(frozen=True)
class Token:
    """One token: ``kind`` is ``cmd``, ``letter``, ``digit`` or ``char``."""

    kind: str
    text: str           # \frac, x, 2, ^ (a Unicode character: the command it stands for)
    start: int          # offset of its first character in the formula
    end: int            # offset just after it
    space_before: bool = False
    wide: bool = False  # a wide space (\quad, \qquad, \hspace) was dropped before it

    def is_(self, *texts: str) -> bool:
        return self.text in texts

    def __str__(self) -> str:
        return self.text


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text``; a character no formula may hold is a :class:`ReadError`."""
    if len(text) > MAX_FORMULA:
        raise ReadError(f"the formula is {len(text)} characters long; the reader takes at "
                        f"most {MAX_FORMULA} in one formula", column=MAX_FORMULA,
                        fix="split it into several blocks")
    out: list[Token] = []
    i, n = 0, len(text)
    space = False
    while i < n:
        ch = text[i]
        if ch.isspace():
            space, i = True, i + 1
            continue
        if ch == "\\":
            j = i + 1
            if j < n and text[j].isascii() and text[j].isalpha():
                while j < n and text[j].isascii() and text[j].isalpha():
                    j += 1
            elif j < n:
                j += 1
            else:
                raise ReadError("a backslash at the end of the formula", column=i,
                                construct="\\", fix="remove it or complete the command")
            out.append(Token("cmd", text[i:j], i, j, space))
        elif ch.isascii() and ch.isalpha():
            out.append(Token("letter", ch, i, i + 1, space))
        elif ch.isascii() and ch.isdigit():
            out.append(Token("digit", ch, i, i + 1, space))
        elif ch == "%":
            raise ReadError("a % comment inside a formula", column=i, construct="%",
                            fix="write \\% for a percent sign, or end the formula first")
        elif ch in _CHARS:
            out.append(Token("char", ch, i, i + 1, space))
        elif ch in UNICODE:
            mapped = UNICODE[ch]
            kind = "cmd" if mapped.startswith("\\") else "char"
            out.append(Token(kind, mapped, i, i + 1, space))
        else:
            raise ReadError(f"the character {ch!r} (U+{ord(ch):04X}) is not maths the "
                            "reader knows", column=i, construct=ch,
                            fix="write it as a LaTeX command, or put words in \\text{...}")
        space = False
        i = out[-1].end
    return out
