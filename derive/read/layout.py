"""Layout: the tokens that arrange a display on the page, and the split into steps.

A chain of equalities is printed across rows (``&=``, ``\\\\``) with spacing, numbering
control and labels; none of that is maths. :func:`strip` removes exactly these tokens
(outside ``cases`` and matrix environments, where ``&`` and ``\\\\`` are structure) and
says which it removed; :func:`split_steps` cuts the rest on the top-level ``=`` signs.

>>> from .tokens import tokenize
>>> toks, notes = strip(tokenize(r"\\frac{a}{b} &= c \\\\ &\\quad + d \\nonumber"))
>>> " ".join(t.text for t in toks)
'\\\\frac { a } { b } = c + d'
>>> [" ".join(t.text for t in s) for s in split_steps(toks)[0]]
['\\\\frac { a } { b }', 'c + d']
"""
from __future__ import annotations

import re
from dataclasses import replace

from .errors import ReadError
from .tokens import Token

SPACING = {r"\,", r"\;", r"\:", r"\!", r"\ ", r"\quad", r"\qquad", r"\displaystyle",
           r"\textstyle", r"\scriptstyle", r"\nonumber", r"\notag", r"\medskip",
           r"\smallskip", r"\bigskip", r"\allowbreak", r"\mathstrut", r"\strut", "~",
           r"\enspace", r"\thinspace", r"\negthinspace", r"\>"}
WITH_GROUP = {r"\label", r"\tag", r"\tag*", r"\hspace", r"\hspace*", r"\vspace",
              r"\vspace*", r"\phantom", r"\hphantom", r"\vphantom"}
# environments that only arrange rows: the whole display may be wrapped in one
WRAPPERS = {"aligned", "align", "align*", "split", "gathered", "gather", "gather*",
            "equation", "equation*", "multline", "multline*", "eqnarray", "eqnarray*",
            "alignedat", "flalign", "flalign*"}
STRUCTURED = {"cases", "dcases", "matrix", "bmatrix", "pmatrix", "vmatrix", "Bmatrix",
              "smallmatrix", "array"}
WIDE = {r"\quad", r"\qquad"}
DEFINES = {":=", r"\coloneqq", r"\triangleq", r"\equiv", r"\doteq", r"\eqqcolon", "=:"}
# what ends the text of an equation that the next one follows in the same display: a row
# break, or one of the joints strip_rows reads (\text{ and }, a comma and a wide space)
JOINED_TAIL = re.compile(r"(\\\\\s*(\[[^\]]*\])?|\\(text|mbox)\s*\{\s*and\s*\}|,\s*\\q?quad)\s*$")


def env_name(tokens: list[Token], i: int) -> tuple[str, int] | None:
    """``\\begin{name}`` / ``\\end{name}`` at i: (name, index after the closing brace)."""
    if i + 1 < len(tokens) and tokens[i + 1].text == "{":
        j, name = i + 2, ""
        while j < len(tokens) and tokens[j].text != "}":
            name += tokens[j].text
            j += 1
        if j < len(tokens):
            return name, j + 1
    raise ReadError("\\begin and \\end need the environment's name in braces",
                    column=tokens[i].start, construct=tokens[i].text)


def strip(tokens: list[Token]) -> tuple[list[Token], list[str]]:
    """The tokens without layout, and notes on what was dropped (besides spacing)."""
    out, notes, _breaks = strip_rows(tokens)
    return out, notes


def strip_rows(tokens: list[Token]) -> tuple[list[Token], list[str], list[int]]:
    """:func:`strip`, and where each row after the first starts in the result."""
    out: list[Token] = []
    notes: list[str] = []
    breaks: list[int] = []
    joints: list[tuple[int, Token]] = []
    wide = False
    structured = 0
    i = 0
    while i < len(tokens):
        t = tokens[i]
        if t.text in (r"\begin", r"\end"):
            name, after = env_name(tokens, i)
            if name in STRUCTURED:
                structured += 1 if t.text == r"\begin" else -1
                out.extend(tokens[i:after])
            elif name not in WRAPPERS:
                raise ReadError(f"the environment {name} is not one the reader knows",
                                column=t.start, construct=f"{t.text}{{{name}}}",
                                fix="write the formula without it")
            elif structured:
                raise ReadError(f"{name} inside a cases or matrix environment",
                                column=t.start, construct=f"{t.text}{{{name}}}")
            i = after
            continue
        if t.text in (r"\quad", r"\qquad") and _number_at_row_end(tokens, i + 1):
            close = next(k for k in range(i + 1, len(tokens)) if tokens[k].text == ")")
            number = "".join(x.text for x in tokens[i + 2:close])
            note = f"({number}) after the formula read as its equation number"
            if note not in notes:
                notes.append(note)
            i = close + 1
            continue
        if t.text in SPACING:
            if t.text in WIDE:
                wide = True
            i += 1
            continue
        if t.text in (r"\text", r"\mbox", r"\hbox") and i + 2 < len(tokens) and \
                tokens[i + 1].text == "{" and tokens[i + 2].text == "}":
            i += 3                       # \text{ }: a space
            continue
        if not structured and _conjunction_at(tokens, i):
            # "A = B \text{ and } C = D": two equations in one row (_check_joints)
            breaks.append(len(out))
            joints.append((len(out), t))
            i += 6
            continue
        if not structured and t.text == "," and i + 1 < len(tokens) and \
                tokens[i + 1].text in WIDE and _relation_follows(tokens, i + 1):
            # "∂E/∂w = δ x, \quad ∂E/∂b = δ": two gradients in one row (_check_joints)
            breaks.append(len(out))
            joints.append((len(out), t))
            i += 1
            continue
        if t.text in WITH_GROUP or (t.text in (r"\tag", r"\hspace", r"\vspace")
                                    and i + 1 < len(tokens) and tokens[i + 1].text == "*"):
            j = i + 1 + (tokens[i + 1].text == "*" if i + 1 < len(tokens) else 0)
            i = _skip_group(tokens, j, t)
            wide = wide or t.text in (r"\hspace", r"\hspace*")
            continue
        if not structured and t.text == "&":
            i += 1
            continue
        if t.text in (r"\therefore", r"\because") and (not out or breaks and
                                                        breaks[-1] == len(out)):
            # "∴ δo = δh ⊙ tanh(c)": the word before a result, not part of it
            note = f"dropped {t.text} before the formula"
            if note not in notes:
                notes.append(note)
            i += 1
            continue
        if not structured and t.text == r"\\":
            breaks.append(len(out))          # a new row starts here
            i += 1
            if i < len(tokens) and tokens[i].text == "[":      # \\[1ex]
                while i < len(tokens) and tokens[i].text != "]":
                    i += 1
                if i == len(tokens):
                    raise ReadError("a row break \\\\[ without its closing ]",
                                    column=t.start, construct="\\\\[")
                i += 1
            continue
        if wide:
            t = replace(t, wide=True)
            wide = False
        out.append(t)
        i += 1
    if joints:
        _check_joints(out, breaks, joints)
    return _joined_delimiters(out, breaks), notes, breaks


def _conjunction_at(tokens: list[Token], i: int) -> bool:
    r"""``\text{ and }`` (or ``\mbox``) at i: the word "and" alone in a text group."""
    return (tokens[i].text in (r"\text", r"\mbox")
            and [t.text for t in tokens[i + 1:i + 6]] == ["{", "a", "n", "d", "}"])


def _check_joints(out: list[Token], breaks: list[int], joints) -> None:
    r"""Each ``\text{ and }`` must join two whole equations, each with its own left side
    and relation, outside every bracket: otherwise ("a = b \text{ and } c") it is a word
    the reader cannot read, and the display is refused. A comma before a wide space
    joins two equations only when both are about a derivative (``\frac{\partial E}{\partial
    w} = …, \quad \frac{\partial E}{\partial b} = …``): after ``a_i = b_i, \quad i = 1``
    the second is a condition, not a definition of i."""
    bounds = sorted(set(breaks) | {0, len(out)})
    for at, token in joints:
        before = out[bounds[bounds.index(at) - 1]:at]
        after = out[at:bounds[bounds.index(at) + 1]]
        for row in (before, after):
            sides, _ = split_steps(row)
            whole = len(sides) >= 2 and sides[0] and _balanced(row)
            if token.text == ",":
                if not (whole and _derivative(sides[0])):
                    raise ReadError("a comma between two formulas that are not each a "
                                    "derivative's equation", column=token.start,
                                    construct=",",
                                    fix="write each equation in a display of its own")
            elif not whole:
                raise ReadError('"and" between two formulas that are not each a whole '
                                "equation", column=token.start, construct=r"\text{ and }",
                                fix="write each equation in a display of its own")


def _relation_follows(tokens: list[Token], k: int) -> bool:
    """A relation later in the row (before a row break or the end): what follows a comma
    is a formula of its own, not an equation number or nothing (``a = b, \\quad (3)``)."""
    for t in tokens[k:]:
        if t.text in (r"\\", r"\end"):
            return False
        if t.text == "=" or t.text in DEFINES:
            return True
    return False


def _derivative(side: list[Token]) -> bool:
    r"""The side starts with a derivative: ``\frac{\partial …}{…}``, ``\frac{d…}{…}``,
    ``\partial``, ``\nabla``."""
    texts = [t.text for t in side[:3]]
    return bool(texts) and (texts[0] in (r"\partial", r"\nabla") or (
        texts[:2] in ([r"\frac", "{"], [r"\dfrac", "{"], [r"\tfrac", "{"]) and len(texts) > 2
        and (texts[2] == r"\partial" or texts[2].startswith("d"))))


def _balanced(row: list[Token]) -> bool:
    """Every bracket of the row closed in it (\\left and \\right counted with their
    delimiters, as :func:`split_steps` counts them)."""
    depth, i = 0, 0
    while i < len(row):
        t = row[i].text
        if t in (r"\left", r"\right"):
            depth += 1 if t == r"\left" else -1
            i += 2
            continue
        depth += (t in _OPEN) - (t in _CLOSE)
        if depth < 0:
            return False
        i += 1
    return depth == 0


def _joined_delimiters(out: list[Token], breaks: list[int]) -> list[Token]:
    r"""``\left( A \right. \\ \left. B \right)``: a bracket split over rows (TeX wants each
    row balanced) is one bracket, so the null delimiters between the rows go."""
    k = 0
    while k + 3 < len(out):
        if [t.text for t in out[k:k + 4]] == [r"\right", ".", r"\left", "."]:
            del out[k:k + 4]
            for n, b in enumerate(breaks):
                if b > k:
                    breaks[n] = max(k, b - 4)
            continue
        k += 1
    return out


def _number_at_row_end(tokens: list[Token], j: int) -> bool:
    """( digits ) at j, then the end of the row (a row break, \\end, or the end)."""
    if j >= len(tokens) or tokens[j].text != "(":
        return False
    k = j + 1
    while k < len(tokens) and tokens[k].kind == "digit":
        k += 1
    if k == j + 1 or k >= len(tokens) or tokens[k].text != ")":
        return False
    k += 1
    while k < len(tokens) and tokens[k].text in SPACING:
        k += 1
    return k == len(tokens) or tokens[k].text in (r"\\", r"\end")


def equations(tokens: list[Token], breaks: list[int]) -> list[list[Token]]:
    """The equations of a display: a row with its own left side and a relation
    (``b_2 &= ...`` after ``a_1 &= ...``) starts a new one; a row that begins at the
    relation (``&= ...``) or has none (``&\\quad + w``) continues the one above."""
    rows, start = [], 0
    for b in breaks + [len(tokens)]:
        rows.append(tokens[start:b])
        start = b
    out: list[list[Token]] = []
    for row in rows:
        if not row:
            continue
        sides, _ = split_steps(row)
        if out and not (len(sides) >= 2 and sides[0]):
            out[-1].extend(row)
        else:
            out.append(list(row))
    return out


def _skip_group(tokens: list[Token], j: int, head: Token) -> int:
    if j >= len(tokens) or tokens[j].text != "{":
        raise ReadError(f"{head.text} needs its argument in braces", column=head.start,
                        construct=head.text)
    depth = 0
    for k in range(j, len(tokens)):
        if tokens[k].text == "{":
            depth += 1
        elif tokens[k].text == "}":
            depth -= 1
            if depth == 0:
                return k + 1
    raise ReadError(f"the argument of {head.text} is not closed", column=head.start,
                    construct=head.text)


_OPEN = {"(", "[", "{", r"\{", r"\langle", r"\lVert", r"\lvert"}
_CLOSE = {")", "]", "}", r"\}", r"\rangle", r"\rVert", r"\rvert"}


def split_steps(tokens: list[Token]) -> tuple[list[list[Token]], list[str]]:
    """The sides of a chain of equalities: the tokens between top-level ``=`` signs.

    Returns (sides, the relation before each side after the first: '=' or ':=')."""
    sides: list[list[Token]] = [[]]
    relations: list[str] = []
    depth = 0
    i = 0
    while i < len(tokens):
        t = tokens[i]
        width = 1
        if t.text in (r"\left", r"\right"):
            depth += 1 if t.text == r"\left" else -1
            width = 2                       # the delimiter belongs to \left / \right
        elif t.text in (r"\begin", r"\end"):
            depth += 1 if t.text == r"\begin" else -1
            width = env_name(tokens, i)[1] - i
        elif t.text in _OPEN:
            depth += 1
        elif t.text in _CLOSE:
            depth -= 1
        elif depth == 0:
            rel = _relation_at(tokens, i)
            if rel is not None:
                sides.append([])
                relations.append(rel[0])
                i += rel[1]
                continue
        sides[-1].extend(tokens[i:i + width])
        i += width
    return sides, relations


def _relation_at(tokens: list[Token], i: int) -> tuple[str, int] | None:
    t = tokens[i]
    nxt = tokens[i + 1].text if i + 1 < len(tokens) else None
    if t.text == ":" and nxt == "=":
        return ":=", 2
    if t.text == "=" and nxt == ":":
        return ":=", 2
    if t.text == "=":
        return "=", 1
    if t.text in DEFINES:
        return ":=", 1
    return None
