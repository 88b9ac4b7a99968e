"""Primaries: numbers, groups, fractions and derivatives, big operators, functions, bars.

Derivatives: ``\\frac{\\partial A}{\\partial B}`` and ``\\frac{dA}{dB}`` (also
``\\partial A / \\partial B``) are :class:`~derive.read.tree.Partial`;
``\\frac{d}{dv}``, ``\\frac{\\partial}{\\partial v}``, ``\\partial_v`` and ``\\nabla_v`` are
operators on the rest of their term (``\\frac{d}{dz} z^2`` is d(z²)/dz).
"""
from __future__ import annotations

import re

from ..prose import Prose
from . import tree as T
from .conditions import RELATIONS
from .names import GREEK, STYLES, UPRIGHT, canon
from .tokens import Token

FRACS = {r"\frac", r"\dfrac", r"\tfrac", r"\cfrac"}
BIG = {r"\sum": T.Sum, r"\prod": T.Prod}
# function commands that take one operand without parentheses: \log x, \exp z
OPERATORS = {r"\log", r"\ln", r"\exp", r"\tanh", r"\sinh", r"\cosh", r"\sin", r"\cos",
             r"\tan", r"\det", r"\lg"}
FUNCTION_WORDS = {"softmax", "relu", "ReLU", "sigmoid", "softplus", "tanh", "sign", "sgn",
                  "tr", "Tr", "trace", "diag", "max", "min", "exp", "log", "ln"}
OPENERS = {"(": ")", "[": "]", r"\{": r"\}", r"\langle": r"\rangle", "|": "|",
           r"\|": r"\|", r"\lVert": r"\rVert", r"\lvert": r"\rvert", r"\Vert": r"\Vert",
           r"\vert": r"\vert", ".": None}
SIZES = {r"\big", r"\Big", r"\bigg", r"\Bigg", r"\bigl", r"\Bigl", r"\biggl", r"\Biggl",
         r"\bigr", r"\Bigr", r"\biggr", r"\Biggr", r"\bigm", r"\Bigm"}
TRIG = {r"\tanh", r"\sinh", r"\cosh", r"\sin", r"\cos", r"\tan"}
DIFFERENTIALS = ("d", r"\mathrm{d}", r"\rm d", r"\operatorname{d}", r"\text{d}",
                 r"\textrm{d}", r"\mathrm d", r"\mathit{d}")


class Commands:
    """Mixin of :class:`derive.read.parser.Parser`: everything that is not a plain name."""

    def command_starts_factor(self, text: str) -> bool:
        return (text in GREEK or text in STYLES or text in UPRIGHT or text in FRACS
                or text in BIG or text in OPERATORS or text in SIZES
                or text in (r"\sqrt", r"\partial", r"\nabla", r"\max", r"\min", r"\pi",
                            r"\infty", r"\begin", r"\underbrace", r"\overbrace", r"\boxed",
                            r"\left", r"\langle", r"\lVert", r"\lvert", r"\vert", r"\Vert",
                            r"\|", r"\{"))

    # --- factors that take the rest of their term ---------------------------------------

    def operator_factor(self, t: Token):
        if t.text in BIG:
            return self.big_operator()
        if t.text in (r"\nabla", r"\partial") and self.peek(1) is not None \
                and self.peek(1).text == "_":
            op = self.take()
            self.take()
            var = self.sub_parse(self.script_tokens(), how="expr")
            kind = "nabla" if op.text == r"\nabla" else "partial"
            if self.peek() is None or not self.starts_factor(self.peek()):
                raise self.error(f"{op.text}_{{...}} needs the expression it differentiates",
                                 op, fix=f"write {op.text}_{{w}} L")
            return T.DiffOp(var, self.body(), kind)
        if t.text == r"\nabla":
            return self.nabla_of_call(t)
        if t.text == r"\partial":
            return self.slash_partial(t)
        if t.text in OPERATORS:
            return self.function_operator()
        return None

    def _prime_script_ahead(self) -> bool:
        """``^\\prime`` or ``^{\\prime}`` next."""
        texts = [t.text if t else None for t in (self.peek(k) for k in range(4))]
        return texts[0] == "^" and (texts[1] == r"\prime" or texts[1:4] == ["{", r"\prime",
                                                                           "}"])

    def nabla_of_call(self, t: Token) -> T.Node:
        """``\\nabla E(\\mathbf{w})``: the gradient with respect to the one argument."""
        self.take()
        start = self.pos
        nxt = self.peek()
        if nxt is not None and self.starts_factor(nxt):
            body = self.postfix(self.primary())
            if isinstance(body, T.Call) and len(body.args) == 1 and isinstance(
                    body.args[0], (T.Sym, T.Index)) and body.func not in OPERATORS:
                rest = self.peek()
                if rest is None or not self.starts_factor(rest):
                    return T.DiffOp(body.args[0], body, "nabla")
        self.pos = start
        self.taken = {k for k in self.taken if k < start}
        raise self.error("\\nabla needs its variable: a subscript, \\nabla_{w} L, or one "
                         "argument, \\nabla E(w)", t, fix="write \\nabla_{w} L")

    def big_operator(self) -> T.Node:
        op = self.take()
        if self.at(r"\limits", r"\nolimits"):
            self.take()
        sub = sup = None
        for _ in range(2):
            if self.at("_") and sub is None:
                self.take()
                sub = self.script_tokens()
            elif self.at("^") and sup is None:
                self.take()
                sup = self.script_tokens()
        if sub is None:
            raise self.error(f"{op.text} needs its index below it", op,
                             fix=f"write {op.text}_{{i=1}}^{{m}} or {op.text}_{{i}}")
        indices = self.big_subscript(sub, op)
        upper = self.sub_parse(sup) if sup is not None else None
        if self.peek() is None or not self.starts_factor(self.peek()) and not self.at("-"):
            raise self.error(f"{op.text} needs something to sum after it", op)
        body = self.body()
        node = body
        for k, (idx, lower, cond) in enumerate(reversed(indices)):
            up = upper if k == len(indices) - 1 else None
            node = BIG[op.text](idx, lower, up, cond, node)
        if len(indices) > 1 and upper is not None:
            raise self.error(f"{op.text} over several indices with one upper limit", op)
        return node

    def big_subscript(self, sub: list[Token], op: Token):
        """``i=1``, ``i``, ``j \\neq k``, ``n \\in N``, ``i,j``: [(index, lower, cond)]."""
        from .layout import split_steps
        parts, cur, depth = [], [], 0
        for t in sub:
            depth += t.text in ("{", "(", "[", r"\{", r"\left")
            depth -= t.text in ("}", ")", "]", r"\}", r"\right")
            if t.text == "," and depth == 0:
                parts.append(cur)
                cur = []
            else:
                cur.append(t)
        parts.append(cur)
        if len(parts) == 1 and len(parts[0]) > 1 and all(
                t.kind == "letter" and self.lex.index_kind(t.text) for t in parts[0]):
            parts = [[t] for t in parts[0]]        # \sum_{xj}: over x, then over j
        out = []
        for part in parts:
            if not part:
                raise self.error(f"an empty index under {op.text}", op)
            sides, _ = split_steps(part)
            rel = next((k for k, t in enumerate(part) if t.text in RELATIONS and t.text != "="),
                       None)
            if len(sides) == 2:
                idx = self.sub_parse(sides[0])
                lower = self.sub_parse(sides[1])
                out.append((idx, lower, None))
            elif len(sides) > 2:
                raise self.error(f"more than one '=' under {op.text}", op)
            elif rel is not None:
                idx = self.sub_parse(part[:rel])
                rhs = self.relation_side(part[rel], part[rel + 1:])
                out.append((idx, None, T.Rel(RELATIONS[part[rel].text], idx, rhs)))
            else:
                out.append((self.sub_parse(part), None, None))
            if not isinstance(out[-1][0], (T.Sym, T.Index)):
                raise self.error(f"the index under {op.text} must be one name", part[0],
                                 construct=canon(part))
        return out

    def slash_partial(self, t: Token) -> T.Node:
        """``\\partial L / \\partial w``: the derivative written inline."""
        self.take()
        num = self.name()
        if not self.at("/"):
            raise self.error("\\partial is read in \\frac{\\partial A}{\\partial B}, "
                             "\\partial A / \\partial B or \\partial_{v} A", t,
                             fix="write \\frac{\\partial L}{\\partial w}")
        self.take()
        if not self.at(r"\partial"):
            raise self.error("\\partial A / ... needs \\partial below too", t)
        self.take()
        return T.Partial(num, self.name())

    def function_operator(self, op: Token | None = None, name: str | None = None) -> T.Node:
        """``\\log x``, ``\\log(1 - a)``, ``\\log_2 x``, ``\\exp(z)``, ``\\log \\sum_k ...``:
        one operand. ``name``: the command an upright spelling stands for (\\text{exp})."""
        if op is None:
            op = self.take()
        if name is not None:
            op = Token("cmd", name, op.start, op.end, op.space_before)
        primes = 0
        while self.at("'") or self._prime_script_ahead():
            if self.take().text == "^":
                if self.take().text == "{":
                    self.take()
                    self.expect("}", "a prime")
            primes += 1
        if primes:
            if op.text not in self.lex.functions:
                raise self.error(f"{op.text}' needs {op.text} declared as an activation "
                                 "(its derivative is then known)", op,
                                 fix=f"declare '{op.text}' under [functions], or write "
                                     "\\frac{d}{dz} " + op.text + "(z)")
            return self.call(op.text, op, primes)
        base = None
        if self.at("_"):
            if op.text != r"\log":
                raise self.error(f"a subscript on {op.text}", op)
            self.take()
            base = self.sub_parse(self.script_tokens())
        power = None
        if self.at("^"):
            caret = self.take()
            exp = canon(self.script_tokens())
            if op.text not in TRIG or not re.fullmatch(r"[1-9]", exp):
                raise self.error(f"a power of {op.text} written before its argument", op,
                                 fix=f"write ({op.text} x)^2")
            # \tanh^2(c): (\tanh c)^2, as every table of identities writes it (a power
            # -1 would be the inverse function, refused above)
            power = T.Num(exp)
            self.notes.append(Prose.format("${op}^{exp}(...)$ read as $({op}(...))^{exp}$",
                                           op=op.text, exp=exp))
            del caret
        if power is not None:
            return T.Pow(self.operator_call(op, base), power)
        return self.operator_call(op, base)

    def operator_call(self, op: Token, base):
        """The argument of \\log, \\exp, \\tanh, ... (after its scripts)."""
        if self.peek() is None or not self.starts_factor(self.peek()):
            raise self.error(f"{op.text} needs an argument", op)
        if self.at("(") or self.at(r"\left") or self.at(*SIZES):
            arg = self.group(allow_list=False)
            return self.postfix(T.Call(op.text, (arg,), 0, base))
        if self.at(*BIG):                    # \log \sum_k e^{o_k}: the sum and its body
            return T.Call(op.text, (self.big_operator(),), 0, base)
        arg = self.postfix(self.primary())
        nxt = self.peek()
        if nxt is not None and self.starts_factor(nxt) and not self.at(*BIG):
            raise self.error(f"{op.text} followed by several factors: which does it apply "
                             "to?", nxt, construct=f"{op.text} ...",
                             fix=f"write {op.text}(x y) or ({op.text} x) y")
        return T.Call(op.text, (arg,), 0, base)

    # --- primaries ----------------------------------------------------------------------

    def primary(self) -> T.Node:
        t = self.peek()
        if t is None:
            raise self.error("the formula ends where a value is expected",
                             fix="complete the formula")
        if t.kind == "digit" or t.text == ".":
            return self.indicator_or_number()
        if t.kind == "letter":
            word = self._function_word() if not self.at_run() else None
            if word:
                raise self.error(f"'{word}' written in letters reads as the product "
                                 f"{' '.join(word)}", t, construct=word,
                                 fix=f"write \\{word}")
            if t.text == "e" and not self.at_run() and not (self.peek(1) and
                                                            self.peek(1).text == "_"):
                self.take()
                return T.Const("e")
            return self.name()
        if t.text in GREEK or t.text in STYLES:
            if t.text in (r"\mathbb", r"\mathbf") and self._indicator_ahead():
                return self.indicator()
            return self.name()
        if t.text in ("(", "[", r"\{", r"\left") or t.text in SIZES:
            return self.group()
        if t.text == "{":
            inner = self.group_tokens()
            node = self.sub_parse(inner)
            if isinstance(node, T.Sym) and not re.search(r"[_^]", node.name) and (
                    self.at("_") or self._layer_ahead()):
                # {w}_{1}, {{W}^{[1]}} (MathType): braces TeX does not show, so the
                # subscript or layer is the name's own
                return self.scripts(node.name, t)
            return node
        if t.text in ("|", r"\lvert", r"\vert", r"\|", r"\lVert", r"\Vert"):
            return self.bars_primary()
        if t.text == r"\langle":
            return self.group()
        if t.text in FRACS:
            return self.fraction()
        if t.text == r"\sqrt":
            return self.sqrt()
        if t.text in (r"\pi", r"\infty"):
            self.take()
            return T.Const(t.text)
        if t.text in (r"\max", r"\min"):
            return self.max_min()
        if t.text in UPRIGHT:
            return self.upright()
        if t.text == r"\begin":
            return self.environment()
        if t.text in (r"\underbrace", r"\overbrace", r"\boxed"):
            return self.braced_annotation()
        if t.text in (r"\ldots", r"\dots", r"\cdots", r"\dotsb", r"\dotsc", r"\vdots"):
            raise self.error("elided terms: the reader reads no '...'", t,
                             fix="write every term, or a sum over an index")
        if t.text == r"\mid":
            raise self.error("a conditional bar: probability notation p(a | b) is not read",
                             t)
        if t.text in (r"\to", r"\rightarrow", r"\Rightarrow", r"\implies", r"\leftarrow",
                      r"\gets", r"\mapsto", r"\longrightarrow", r"\impliedby", ")", "]",
                      r"\}", r"\right", "<", ">", r"\leq", r"\geq", r"\in", ","):
            raise self.leftover(t)
        if t.text in ("^", "_"):
            raise self.error("a script with nothing before it (an evaluation bar "
                             "|_{w=0} is not read)", t,
                             fix="write the derivative without the bar")
        if t.text.startswith("\\") and t.text[1:].isalpha():
            raise self.error(f"{t.text} is not a command the reader knows (a macro of the "
                             "book's own?)", t, fix="write it out in standard LaTeX, e.g. "
                             "\\boldsymbol{a} for a bold vector; see docs/format.md, "
                             "'The grammar'")
        raise self.error("not something the reader knows", t,
                         fix="see docs/format.md, 'The grammar'")

    def _layer_ahead(self) -> bool:
        """``^[...]`` or ``^{[...]...}`` next: a layer superscript."""
        if not self.at("^") or self.peek(1) is None:
            return False
        nxt = self.peek(1).text
        return nxt == "[" or nxt == "{" and self.peek(2) is not None and self.peek(2).text == "["

    def at_run(self) -> bool:
        return any(self._run_at(r) for r in self.lex.runs)

    def indicator_or_number(self) -> T.Node:
        digits, start = "", self.peek()
        while self.peek() is not None and (self.peek().kind == "digit" or (
                self.peek().text == "." and "." not in digits and self.peek(1) is not None
                and self.peek(1).kind == "digit")):
            if digits and self.peek().space_before:
                break
            digits += self.take().text
        if not digits or digits.startswith("."):
            raise self.error("a number is expected", start)
        if len(digits) > 60:
            raise self.error(f"a number with {len(digits)} digits", start,
                             construct=digits[:12] + "…", fix="use at most 60 digits")
        if digits == "1" and (self.at(r"\{") or self.at(r"\left") and self.peek(1) is not None
                              and self.peek(1).text == r"\{"):
            return self.indicator(taken_one=True)
        return T.Num(digits)

    def _indicator_ahead(self) -> bool:
        nxt = [self.peek(k) for k in range(1, 5)]
        texts = [t.text if t else None for t in nxt]
        after = texts[3] in ("[", r"\{", "(", r"\left", "_")
        if texts[:3] == ["{", "1", "}"]:
            return after or self.peek().text == r"\mathbb"
        return texts[:3] == ["{", "I", "}"] and self.peek().text == r"\mathbb"

    def indicator(self, taken_one: bool = False) -> T.Node:
        """``\\mathbb{1}[z > 0]``, ``\\mathbb{1}\\{y = k\\}``, ``1\\{...\\}``,
        ``\\mathbb{1}_{z > 0}``: 1 where the condition holds, else 0."""
        head = self.peek()
        if not taken_one:
            self.take()
            self.group_tokens()
        if self.at("_"):
            self.take()
            return T.Indicator(self.condition(self.script_tokens(), head))
        if self.at(r"\left"):
            self.take()
            opener = self.take()
            close = {"[": "]", r"\{": r"\}", "(": ")"}.get(opener.text)
            if close is None:
                raise self.error("an indicator needs its condition: \\mathbb{1}[z > 0]", head)
            toks = self.until(r"\right", opener)
            self.expect(close, "the indicator's closing bracket")
            return T.Indicator(self.condition(toks, head))
        close = {"[": "]", r"\{": r"\}", "(": ")"}.get(self.peek().text if self.peek() else "")
        if close is None:
            raise self.error("an indicator needs its condition: \\mathbb{1}[z > 0]", head)
        open_ = self.take()
        toks = self.until(close, open_)
        return T.Indicator(self.condition(toks, head))

    def until(self, close: str, open_: Token) -> list[Token]:
        """Tokens up to the matching ``close`` (consumed, not returned)."""
        depth, inner = 0, []
        while True:
            t = self.peek()
            if t is None:
                raise self.error(f"this {open_.text} is never closed", open_)
            self.take()
            if t.text == open_.text and close != open_.text:
                depth += 1
            elif t.text == close:
                if depth == 0:
                    return inner
                depth -= 1
            inner.append(t)

    from .conditions import condition, relation_side
    from .environments import environment
    from .structures import (bars_primary, braced_annotation, call, fraction, group,
                             max_min, sqrt, upright)
