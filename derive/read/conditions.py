"""Conditions: one comparison (``k \\neq j``, ``w_j = w_O``) under a sum, in an indicator
or a case, and after ``\\in`` a set: a declared set's name, ``\\{a, b\\}`` written out,
and these combined by ``\\cup``, ``\\cap``, ``\\setminus`` (methods of the parser, as in
:mod:`derive.read.environments`)."""
from __future__ import annotations

from . import tree as T
from .names import canon
from .tokens import Token

RELATIONS = {"<": "<", ">": ">", r"\leq": "<=", r"\le": "<=", r"\geq": ">=", r"\ge": ">=",
             r"\neq": "!=", r"\ne": "!=", "=": "=", r"\in": "in", r"\notin": "notin",
             r"\leqslant": "<=", r"\geqslant": ">="}
SET_OPS = {r"\cup": "union", r"\cap": "intersection", r"\setminus": "difference"}


def condition(self, toks: list[Token], head: Token) -> T.Node:
    words = canon(toks)
    rel = [k for k, t in enumerate(toks) if t.text in RELATIONS]
    if len(rel) != 1 or rel[0] == 0 or rel[0] == len(toks) - 1:
        raise self.error(f"a condition must be one comparison (a > b), not '{words}'",
                         head, construct=words)
    k = rel[0]
    return T.Rel(RELATIONS[toks[k].text], self.sub_parse(toks[:k]),
                 self.relation_side(toks[k], toks[k + 1:]))

def relation_side(self, rel: Token, toks: list[Token]) -> T.Node:
    """The right side of a comparison; after \\in, a set: a declared set's name,
    \\{a, b\\} written out, and these combined by \\cup, \\cap, \\setminus."""
    if RELATIONS[rel.text] not in ("in", "notin"):
        return self.sub_parse(toks)
    depth, cut, ops = 0, None, set()
    for k, t in enumerate(toks):
        depth += t.text in ("{", "(", r"\{", r"\left")
        depth -= t.text in ("}", ")", r"\}", r"\right")
        if depth == 0 and t.text in SET_OPS:
            cut = k                          # the last one: \cup is left-associative
            ops.add(SET_OPS[t.text])
    if len(ops) > 1:
        raise self.error("\\cup, \\cap and \\setminus mixed without parentheses",
                         toks[cut], fix="group the sets: (A \\cup B) \\setminus C")
    if cut is not None:
        if cut == 0 or cut == len(toks) - 1:
            raise self.error(f"{toks[cut].text} needs a set on each side", toks[cut])
        return T.SetOp(SET_OPS[toks[cut].text], self.relation_side(rel, toks[:cut]),
                       self.relation_side(rel, toks[cut + 1:]))
    inner = toks
    if inner and inner[0].text == r"\left":
        inner = inner[1:]
    if inner and inner[-2:-1] and inner[-2].text == r"\right":
        inner = inner[:-2] + inner[-1:]
    if len(inner) >= 2 and inner[0].text == r"\{" and inner[-1].text == r"\}":
        items, cur = [], []
        for t in inner[1:-1]:
            if t.text == ",":
                items.append(cur)
                cur = []
            else:
                cur.append(t)
        items.append(cur)
        if not all(items):
            raise self.error("an empty item in a set \\{...\\}", inner[0])
        return T.SetOf(tuple(self.sub_parse(i) for i in items))
    return self.sub_parse(toks)
