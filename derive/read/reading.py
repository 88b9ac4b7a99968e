"""Entry points: a formula (a chain of equalities) read side by side.

>>> r = read(r"a = \\frac{1}{m}\\sum_{i=1}^{m} x_{i} \\quad \\text{(mean)}.")
>>> [sexpr(s) for s in r.sides], r.notes
(['a', '(mul (div 1 m) (sum i 1 m x_i))'], ("dropped the words '(mean)'",))
>>> read_name("w_{1}"), read_name("dZ^{[2]}"), read_function_name(r"\\mathrm{softmax}")
('w_1', 'dZ^{[2]}', '\\\\operatorname{softmax}')
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from . import layout
from .errors import ReadError
from .lexicon import DEFAULT, Lexicon
from .names import GREEK, STYLES, UPRIGHT, canon
from .parser import Parser
from .tokens import Token, tokenize
from .tree import Node, Sym, sexpr

WORDS = {r"\text", r"\mbox", r"\textrm", r"\textit", r"\textbf", r"\textnormal"}


@dataclass(frozen=True)
class Reading:
    """A formula read: its sides (a chain of equalities), how each was read, where."""

    sides: tuple[Node, ...]
    relations: tuple[str, ...]            # between consecutive sides: '=' or ':='
    texts: tuple[str, ...]                # each side as printed (its span of the formula)
    notes: tuple[str, ...] = ()           # how notations were read; words dropped


def read(text: str, lexicon: Lexicon = DEFAULT) -> Reading:
    """Read one formula (a chain of equalities, possibly over several rows); a
    :class:`ReadError` names the first token that cannot be read. A display of several
    equations is refused here (see :func:`read_display`)."""
    found = _equations(text)
    if len(found) > 1:
        second = found[1][0][0]
        raise ReadError(f"{len(found)} equations in one formula: the row at column "
                        f"{second.start + 1} has a left side of its own", column=second.start,
                        construct=second.text,
                        fix="put each equation in its own block")
    tokens, notes = found[0]
    return _read_tokens(text, tokens, notes, lexicon)


def read_display(text: str, lexicon: Lexicon = DEFAULT) -> list[Reading]:
    """Every equation of a display (rows with their own left sides are equations of
    their own; the rows of one chain continue it)."""
    return [_read_tokens(text, tokens, notes, lexicon) for tokens, notes in _equations(text)]


def _equations(text: str) -> list[tuple[list[Token], list[str]]]:
    tokens, notes, breaks = layout.strip_rows(tokenize(text))
    if not tokens:
        raise ReadError("an empty formula", column=0, fix="write the formula")
    return [(eq, list(notes)) for eq in layout.equations(tokens, breaks)]


def _read_tokens(text: str, tokens: list[Token], notes: list[str], lexicon: Lexicon):
    sides, relations = layout.split_steps(tokens)
    trees, texts = [], []
    for k, side in enumerate(sides):
        side = _trim(side, notes, last=k == len(sides) - 1)
        if not side:
            where = relations[k - 1] if k else (relations[0] if relations else "")
            col = (sides[k - 1][-1].end if k and sides[k - 1] else 0)
            raise ReadError(f"nothing {'after' if k else 'before'} '{where or '='}'",
                            column=col, fix="write a formula on both sides of every '='")
        texts.append(text[side[0].start:side[-1].end])
        trees.append(Parser(side, lexicon, notes).side())
    return Reading(tuple(trees), tuple(relations), tuple(texts), tuple(notes))


def read_side(text: str, lexicon: Lexicon = DEFAULT) -> Node:
    """One expression (no '=')."""
    r = read(text, lexicon)
    if len(r.sides) != 1:
        raise ReadError("one expression expected, found an equation", column=None,
                        construct="=")
    return r.sides[0]


def _trim(side: list[Token], notes: list[str], last: bool) -> list[Token]:
    """A side without its closing punctuation and without words before or after it
    (``\\text{(chain rule)}``), which are dropped with a note."""
    changed = True
    while changed and side:
        changed = False
        if side[-1].text in (".", ",", ";") and len(side) > 1:
            side = side[:-1]
            changed = True
        for at_end in (True,):          # words after a step, not before one
            cut = _words_at(side, at_end)
            if cut is not None:
                words, rest = cut
                if rest or len(side) > 0:
                    note = f"dropped the words '{words}'"
                    if note not in notes:
                        notes.append(note)
                    side = rest
                    changed = True
    return side


def _words_at(side: list[Token], at_end: bool):
    """``\\text{...}`` (optionally in parentheses) at the start or the end of a side."""
    if len(side) < 3:
        return None
    toks = side
    if at_end:
        if toks[-1].text == ")":
            depth = 0
            for k in range(len(toks) - 1, -1, -1):
                depth += toks[k].text == ")"
                depth -= toks[k].text == "("
                if depth == 0:
                    inner = toks[k + 1:-1]
                    if inner and _only_words(inner):
                        return _join_words(inner, "()"), toks[:k]
                    return None
            return None
        if toks[-1].text != "}":
            return None
        depth = 0
        for k in range(len(toks) - 1, -1, -1):
            depth += toks[k].text == "}"
            depth -= toks[k].text == "{"
            if depth == 0:
                if k >= 1 and toks[k - 1].text in WORDS and not (
                        k >= 2 and toks[k - 2].text in ("_", "^")):   # _\text{...}: a script
                    return _words(toks[k + 1:-1]), toks[:k - 1]
                return None
        return None
    if toks[0].text in WORDS and toks[1].text == "{":
        depth = 0
        for k in range(1, len(toks)):
            depth += toks[k].text == "{"
            depth -= toks[k].text == "}"
            if depth == 0:
                rest = toks[k + 1:]
                if rest and rest[0].text in ("(", r"\left"):
                    return None              # \text{relu}(z): a function's name
                return _words(toks[2:k]), rest
    return None


def _only_words(toks: list[Token]) -> bool:
    k = 0
    while k < len(toks):
        if toks[k].text not in WORDS:
            return False
        depth, j = 0, k + 1
        while j < len(toks):
            depth += toks[j].text == "{"
            depth -= toks[j].text == "}"
            j += 1
            if depth == 0:
                break
        k = j
    return True


def _words(toks: list[Token]) -> str:
    """Words as printed: tokens joined, with a space where the text had one."""
    out = ""
    for t in toks:
        out += (" " if t.space_before and out else "") + t.text
    return out


def _join_words(toks: list[Token], wrap: str) -> str:
    words = re.sub(r"\\(text|mbox|textrm|textit|textbf|textnormal)\{([^{}]*)\}", r"\2",
                   _words(toks))
    return f"({words})" if wrap == "()" else words


def read_name(text: str, lexicon: Lexicon = DEFAULT) -> str:
    """The canonical spelling of a declared symbol's LaTeX; it must read as one name."""
    toks = tokenize(text)
    run = []
    for t in toks:
        if t.kind != "letter" and t.text not in GREEK:
            break
        run.append(t)
    declared = {canon(run)} if len(run) > 1 else set()
    if len(toks) > 2 and toks[0].text in GREEK and toks[1].text in STYLES:
        declared.add(f"{toks[0].text} {read_name(text[toks[1].start:], lexicon)}")
    if "'" in text:                               # W': a name with a prime
        declared.add(read_name(text[:text.index("'")], lexicon) + "'")
    lex = Lexicon(lexicon.names | declared,
                  lexicon.functions, (), lexicon.plain, lexicon.parenthesised, lexicon.star)
    close = next((k for k, t in enumerate(toks) if t.text == "}"), None)
    if toks and toks[0].text in UPRIGHT and len(toks) >= 4 and toks[1].text == "{" and close:
        word = canon(toks[2:close])
        if re.fullmatch(r"[A-Za-z]{2,}", word):      # \mathrm{dZ}: the name dZ
            text = word + text[toks[close].end:]
            lex = Lexicon(lex.names | {word}, lex.functions, (), lex.plain,
                          lex.parenthesised, lex.star)
    node = read_side(text, lex)
    if not isinstance(node, Sym):
        raise ReadError(f"'{text}' does not read as one name (it reads as {sexpr(node)})",
                        column=0, construct=text,
                        fix="write e.g. w_1 for w1; declare each name on its own")
    return node.name


def read_function_name(text: str) -> str:
    """The canonical name of a function as declared: ``\\sigma``, ``f``, ``L_1``,
    ``\\operatorname{softmax}`` for any upright spelling (``\\mathrm``, ``\\text``)."""
    toks = tokenize(text.strip())
    if not toks:
        raise ReadError("an empty function name", column=0)
    if toks[0].text in UPRIGHT:
        inner = toks[2:-1] if len(toks) > 2 and toks[1].text == "{" and toks[-1].text == "}" \
            else toks[1:]
        word = canon(inner)
        if re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", word):
            return rf"\operatorname{{{word}}}"
        raise ReadError(f"'{text}' is not a function name", column=0, construct=text)
    if len(toks) == 1 and toks[0].kind == "cmd" and toks[0].text not in GREEK | STYLES:
        return toks[0].text                       # \tanh, \log: built in
    return read_name(text)


def read_header(text: str, lexicon: Lexicon = DEFAULT):
    """``L(y, a)``, ``J(w, b)``, ``f_{w,b}(x)``: (function name, parameter names), or
    None when the text is not a function header."""
    try:
        toks = tokenize(text.strip())
    except ReadError:
        return None
    opens = [k for k, t in enumerate(toks) if t.text in ("(", r"\left")]
    if not opens or toks[-1].text != ")":
        return None
    k = opens[0]
    head = text.strip()[:toks[k].start] if k else ""
    if not head:
        return None
    try:
        fname = read_function_name(head)
    except ReadError:
        return None
    close = len(toks) - 1
    if toks[k].text == r"\left":
        if len(toks) < 4 or toks[-2].text != r"\right":
            return None
        inner = toks[k + 2:-2]
    else:
        inner = toks[k + 1:close]
    params, cur = [], []
    for t in inner + [Token("char", ",", 0, 0)]:
        if t.text == ",":
            if not cur:
                return None
            try:
                params.append(read_name(text.strip()[cur[0].start:cur[-1].end], lexicon))
            except ReadError:
                return None
            cur = []
        else:
            cur.append(t)
    return fname, params
