"""Properties of the strict reader that do not trust its tree (shared by the tests).

- :func:`deletions`: every formula with one token deleted; the reading must differ or the
  formula be rejected (a token whose deletion leaves the same reading was never read).
  Only layout tokens and product operators may be deleted without a change (they are
  read as nothing and as juxtaposition, by definition).
- :func:`tails`: the formula with ``+ x``-like tails after a row break, an alignment
  mark or a bracket; the reading must differ or the formula be rejected.
- :func:`round_trip`: the reading printed back as LaTeX reads back to the same tree.
"""
from __future__ import annotations

import re

from derive.read import Lexicon, ReadError, read_display
from derive.read.layout import SPACING
from derive.read.printer import latex
from derive.read.tokens import tokenize

# tokens a formula may lose without changing its reading, by the grammar's definition
IGNORABLE = SPACING | {r"\limits", r"\nolimits", r"\\", "&", r"\cdot", r"\times", r"\ast",
                       r"\big", r"\Big", r"\bigg", r"\Bigg", r"\bigl", r"\Bigl", r"\biggl",
                       r"\Biggl", r"\bigr", r"\Bigr", r"\biggr", r"\Biggr"}
PUNCTUATION = {".", ",", ";"}

TAILS = [r" \\ + {v}", r" \\[1ex] + {v}", r" & + {v}", r" ) + {v}", r" }} + {v}",
         r" \right) + {v}", r" \}} + {v}", r" ] + {v}", r" \to {v}", r" \rightarrow {v}",
         r" \Rightarrow {v}", r" \\ &\quad + {v}"]


def reading(text: str, lexicon: Lexicon):
    """The trees of every equation of ``text`` (a tuple per equation) with the notes on how
    it was read (the words it dropped, for one), or None when it is rejected."""
    try:
        return tuple((r.sides, r.relations, r.notes) for r in read_display(text, lexicon))
    except ReadError:
        return None


# equation numbers and labels: \tag{3.1}, \label{eq:x}, \nonumber, \qquad (8) at a row's end
NUMBERING = re.compile(r"\\tag\*?\{[^{}]*\}|\\label\{[^{}]*\}|\\nonumber|\\notag|"
                       r"(?:\\q?quad|\\hspace\{[^{}]*\})\s*\(\s*[\w.\-]+\s*\)"
                       r"(?=\s*(?:\\\\|\\end|$))")
ENDS = re.compile(r"\\end\{[a-z]+\*?\}")


def ignorable(tok, text: str, lexicon: Lexicon) -> bool:
    if tok.text in IGNORABLE:
        return True
    if tok.text == "*" and lexicon.star == "product":
        return True
    # the inside of an equation number or label (its command is not ignorable)
    if any(m.start() < tok.start and tok.end <= m.end() for m in NUMBERING.finditer(text)):
        return True
    # a comma between the indices of a subscript: w_{j,k} is w_{jk}
    if tok.text == "," and _in_subscript(text, tok.start):
        return True
    # an upright or bold T: ^{\mathrm{T}} is ^{T}, the transpose
    if re.match(r"\\(mathrm|mathsf|mathbf|text|textsf|rm)\s*\{?\s*T\s*\}?", text[tok.start:]) \
            and text[:tok.start].rstrip().endswith(("^", "^{")):
        return True
    # an upright differential: \mathrm{d}L is dL, as {d}L is
    if re.match(r"\\(mathrm|rm|text|operatorname)\s*\{\s*d\s*\}", text[tok.start:]):
        return True
    # punctuation that ends a side (a row, or the formula)
    rest = ENDS.sub(" ", NUMBERING.sub(" ", text[tok.end:])).strip(" \t\n}")
    return tok.text in PUNCTUATION and (not rest or rest.startswith((r"\\", "&", "=")))


def _in_subscript(text: str, at: int) -> bool:
    """Is position ``at`` directly inside the braces of a subscript ``_{...}``?"""
    depth = 0
    for k in range(at - 1, -1, -1):
        if text[k] == "}":
            depth += 1
        elif text[k] == "{":
            if depth == 0:
                return text[:k].rstrip().endswith("_")
            depth -= 1
    return False


def deletions(text: str, lexicon: Lexicon) -> list[str]:
    """Descriptions of the deletions that left the reading unchanged (should be empty)."""
    base = reading(text, lexicon)
    assert base is not None, f"not accepted: {text}"
    same = []
    for tok in tokenize(text):
        if ignorable(tok, text, lexicon):
            continue
        shorter = text[:tok.start] + " " + text[tok.end:]
        if reading(shorter, lexicon) == base:
            same.append(f"deleting {tok.text!r} at {tok.start}: {shorter}")
    return same


def tails(text: str, lexicon: Lexicon, variable: str = "x") -> list[str]:
    """Tails that were ignored (should be empty)."""
    base = reading(text, lexicon)
    assert base is not None, f"not accepted: {text}"
    return [t for t in TAILS if reading(text + t.format(v=variable), lexicon) == base]


def round_trip(text: str, lexicon: Lexicon) -> list[str]:
    """Sides whose printed LaTeX does not read back to the same tree (should be empty)."""
    bad = []
    for r in read_display(text, lexicon):
        for side in r.sides:
            printed = latex(side, lexicon)
            back = reading(printed, lexicon)
            if back is None or [b[0] for b in back] != [(side,)]:
                bad.append(f"{printed!r} reads back as {back}")
    return bad
