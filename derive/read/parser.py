"""Recursive descent over the grammar of docs/format.md ("The grammar"): one formula side.

    side    := ['+' | '-'] term (('+' | '-') term)*
    term    := hterm (('\\odot' | '\\circ') hterm)*
    hterm   := factor ((['\\cdot' | '\\times' | '*'] factor) | '/' factor)*
    factor  := bigop | derivative-operator | function-operator | postfix
    postfix := primary scripts          (names: docs/format.md "Names and scripts")

Juxtaposition binds tighter than ``\\odot`` (``W^T dZ \\odot g'(Z)`` is
``(W^T dZ) \\odot g'(Z)``); a big operator (``\\sum``, ``\\prod``, ``\\frac{d}{dv}``,
``\\nabla_v``, ``\\partial_v``) takes the rest of its term as its body. Every token is
consumed into the tree or the side is rejected; :meth:`Parser.side` checks the account.
"""
from __future__ import annotations

from . import tree as T
from .commands import Commands
from .errors import ReadError
from .lexicon import Lexicon
from .names import Names
from .scripts import Postfix, Superscripts
from .tokens import Token

MAX_DEPTH = 60          # nesting of groups, fractions and operators in one formula

# tokens after which a factor may follow by juxtaposition
STARTS = {"(", "[", "{", r"\{", r"\left", r"\langle", r"\lVert", r"\lvert", r"\|", r"\Vert",
          r"\vert", r"\bigl", r"\Bigl", r"\biggl", r"\Biggl", r"\big", r"\Big", r"\bigg",
          r"\Bigg"}
SIZE_COMMANDS = {r"\bigl", r"\Bigl", r"\biggl", r"\Biggl", r"\big", r"\Big", r"\bigg",
                 r"\Bigg"}
EXPLICIT_PRODUCT = {r"\cdot", r"\times", "*", r"\ast"}
ELEMENTWISE = {r"\odot", r"\circ"}
UNDECIDED = {r"\bullet": "write \\odot for the elementwise product or \\cdot for the product",
             r"\otimes": "the outer or Kronecker product is not read; write the product out",
             r"\oplus": "write + or name the operation"}


class Parser(Names, Superscripts, Postfix, Commands):
    def __init__(self, tokens: list[Token], lexicon: Lexicon, notes: list[str]) -> None:
        self.toks = tokens
        self.pos = 0
        self.lex = lexicon
        self.notes = notes
        self.depth = 0
        self.bars: list[str] = []   # closers of open |...| and ‖...‖ bars (innermost last)
        self.taken: set[int] = set()

    # --- tokens -----------------------------------------------------------------------

    def peek(self, k: int = 0) -> Token | None:
        j = self.pos + k
        return self.toks[j] if j < len(self.toks) else None

    def at(self, *texts: str) -> bool:
        t = self.peek()
        return t is not None and t.text in texts

    def take(self) -> Token:
        t = self.peek()
        if t is None:
            raise self.error("the formula ends here, but something must follow",
                             fix="complete the formula")
        self.taken.add(self.pos)
        self.pos += 1
        return t

    def expect(self, text: str, what: str) -> Token:
        t = self.peek()
        if t is None or t.text != text:
            raise self.error(f"{what}: expected '{text}'", t)
        return self.take()

    def error(self, message: str, tok: Token | None = None, *, construct: str | None = None,
              fix: str | None = None) -> ReadError:
        tok = tok if tok is not None else self.peek()
        if tok is None:
            end = self.toks[-1].end if self.toks else 0
            return ReadError(message, column=end, construct=construct, fix=fix)
        return ReadError(message, column=tok.start, construct=construct or tok.text, fix=fix)

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def nested(self):
        parser = self

        class _Depth:
            def __enter__(self):
                parser.depth += 1
                if parser.depth > MAX_DEPTH:
                    raise parser.error(f"nested more than {MAX_DEPTH} levels deep",
                                       fix="split the formula")

            def __exit__(self, *exc):
                parser.depth -= 1
        return _Depth()

    # --- the grammar ------------------------------------------------------------------

    def side(self) -> T.Node:
        """A whole side: every token read, or a ReadError at the first one that is not."""
        if not self.toks:
            raise ReadError("an empty side: nothing between two '=' signs or at an end",
                            fix="write a formula on both sides of every '='")
        node = self.expr()
        if self.peek() is not None:
            raise self.leftover(self.peek())
        assert len(self.taken) == len(self.toks), "a token was skipped"  # the account
        return node

    def expr(self) -> T.Node:
        with self.nested():
            terms = []
            sign = self._sign()
            t = self.term()
            terms.append(T.Neg(t) if sign == "-" else t)
            while self.at("+", "-"):
                op = self.take().text
                if self.at("+", "-"):
                    raise self.error("two signs in a row", fix="write a - (-b) or a + b")
                t = self.term()
                terms.append(T.Neg(t) if op == "-" else t)
            return terms[0] if len(terms) == 1 else T.Add(tuple(terms))

    def _sign(self) -> str | None:
        if self.at("+", "-"):
            op = self.take().text
            if self.at("+", "-"):
                raise self.error("two signs in a row", fix="write -(-a) or a")
            return op
        return None

    def body(self) -> T.Node:
        """The operand of a big operator: the rest of its product (up to a +, a - or a
        \\odot at its level), with an optional sign."""
        sign = self._sign()
        t = self.hterm()
        return T.Neg(t) if sign == "-" else t

    def term(self) -> T.Node:
        node = self.hterm()
        while self.at(*ELEMENTWISE) or (self.at("*", r"\ast") and self.lex.star == "elementwise"):
            self.take()
            node = T.Had(node, self.hterm())
        return node

    def hterm(self) -> T.Node:
        factors: list[T.Node] = [self.factor()]
        while True:
            t = self.peek()
            if t is None:
                break
            if t.text in EXPLICIT_PRODUCT and not (t.text in ("*", r"\ast")
                                                   and self.lex.star == "elementwise"):
                self.take()
                if self.at("+"):
                    raise self.error("a + right after a product operator",
                                     fix="drop the + or put the factor in parentheses")
                if self.at("-"):                 # a \cdot -b: the product with -b
                    self.take()
                    factors.append(T.Neg(self.factor()))
                    continue
                factors.append(self.factor())
            elif t.text == "/":
                factors = [self.slash(factors)]
            elif t.text in UNDECIDED:
                raise self.error(f"{t.text} between factors", t, fix=UNDECIDED[t.text])
            elif self.starts_factor(t):
                if getattr(t, "wide", False) and t.text not in (r"\text", r"\mbox",
                                                                r"\textrm"):
                    raise self.error("a wide space between two factors: two formulas on one "
                                     "line?", t, construct=t.text,
                                     fix="put each formula in its own block; write a product "
                                         "without \\quad")
                if self.is_number_start(t):
                    before = self.toks[self.pos - 1]
                    if before.kind == "letter" and t.kind == "digit" and not t.space_before:
                        digits = "".join(x.text for x in self.toks[self.pos:]
                                         if x.kind == "digit")[:1]
                        glued = before.text + digits
                        raise self.error(f"'{glued}' reads as {before.text} times {digits}",
                                         t, construct=glued,
                                         fix=f"write {before.text}_{digits} for a subscript "
                                             f"or {digits} {before.text} for a product")
                    raise self.error("a number after a factor (it would read as a product "
                                     "with the number last)", t,
                                     fix="write the number first, 2 x, or use \\cdot")
                if t.text in ("(", "[") and self.peek(1) is not None and \
                        self.peek(1).kind == "digit" and self._closes_number():
                    raise self.error("a number in brackets after a factor (an equation "
                                     "number? a layer?)", t,
                                     construct=self._bracketed_number(),
                                     fix="write \\tag{3} for a number, g^{[1]} for a layer, "
                                         "or 2 x for a product")
                if t.text in ("(", r"\left") and isinstance(factors[-1], (T.Sym, T.Call,
                                                                          T.Partial, T.Index)):
                    factors.append(self.juxtaposed(factors[-1]))
                else:
                    factors.append(self.factor())
            else:
                break
        return factors[0] if len(factors) == 1 else T.Mul(tuple(factors))

    def juxtaposed(self, before: T.Node) -> T.Node:
        """``w(x)``: a value before a parenthesised group is a product (a note says so
        when the group is one name, where a call could have been meant)."""
        start = self.pos
        node = self.postfix(self.group(after=before))
        inner = self.toks[start + 1:self.pos]
        if isinstance(node, (T.Sym, T.Index)) and inner and inner[-1].text == ")":
            self.note(f"{T.sexpr(before)}({T.sexpr(node)}) read as a product")
        return node

    def _closes_number(self) -> bool:
        """( 3 ) or [ 1 ] next: a bracket holding only digits."""
        k = 1
        while self.peek(k) is not None and self.peek(k).kind == "digit":
            k += 1
        close = self.peek(k)
        return close is not None and close.text in (")", "]")

    def _bracketed_number(self) -> str:
        k, text = 0, ""
        while self.peek(k) is not None and (k == 0 or self.peek(k - 1).text not in (")", "]")):
            text += self.peek(k).text
            k += 1
        return text

    def slash(self, factors: list[T.Node]) -> T.Node:
        """``a / b``: the product so far over the next factor."""
        slash = self.take()
        if not factors or self.peek() is None:
            raise self.error("'/' needs something on both sides", slash)
        num = factors[0] if len(factors) == 1 else T.Mul(tuple(factors))
        den = self.factor()
        nxt = self.peek()
        if nxt is not None and (self.starts_factor(nxt) or nxt.text == "/"):
            self.note("a / b c read as (a / b) c")
        return T.Div(num, den)

    def starts_factor(self, t: Token) -> bool:
        if t.kind in ("letter", "digit"):
            return True
        if self.bars and t.text == self.bars[-1]:
            return False                 # the bar that closes the open |...| or ‖...‖
        if t.text in ("|", r"\mid") and getattr(self, "call_depth", 0):
            return False                 # p(a | b): the group reports the conditional bar
        if t.text in STARTS:
            if t.text in SIZE_COMMANDS:          # \big) closes; \big( opens
                nxt = self.peek(1) if self.peek() is t else None
                return nxt is None or nxt.text not in (")", "]", r"\}", "|", r"\|",
                                                       r"\rangle", r"\rVert", r"\rvert")
            return True
        return t.kind == "cmd" and self.command_starts_factor(t.text)

    def is_number_start(self, t: Token) -> bool:
        return t.kind == "digit" or t.text == "."

    def factor(self) -> T.Node:
        with self.nested():
            t = self.peek()
            if t is None:
                raise self.error("the formula ends where a value is expected",
                                 fix="complete the formula")
            if t.text in ("+", "-"):
                raise self.error("a sign where a value is expected", t,
                                 fix="put the signed value in parentheses")
            big = self.operator_factor(t)
            if big is not None:
                return big
            return self.postfix(self.primary())

    def leftover(self, t: Token) -> ReadError:
        """The error for a token where the formula should have ended."""
        text = t.text
        if text in (r"\ldots", r"\dots", r"\cdots", r"\dotsb", r"\dotsc", r"\dotsm"):
            return self.error("elided factors: the reader reads no '...'", t,
                              fix="write every factor")
        if text in (")", "]", "}", r"\}", r"\rangle"):
            return self.error("there is no opening bracket for it", t,
                              fix="remove it or add the opening bracket")
        if text == r"\right":
            return self.error("there is no \\left before it", t,
                              fix="write \\left( ... \\right) in pairs, or drop \\right")
        if text in (r"\to", r"\rightarrow", r"\Rightarrow", r"\implies", r"\mapsto",
                    r"\longrightarrow", r"\Longrightarrow", r"\leftarrow"):
            return self.error("an arrow inside a formula: only graph blocks hold arrows", t,
                              fix="split the steps into separate formulas")
        if text in ("<", ">", r"\leq", r"\le", r"\geq", r"\ge", r"\neq", r"\ne", r"\approx",
                    r"\propto", r"\sim", r"\in", r"\ll", r"\gg"):
            return self.error("a relation other than '=' cannot be checked", t,
                              fix="state an equality")
        if text == ",":
            return self.error("a comma inside a side: two formulas in one block, or a "
                              "list where one value is expected", t,
                              fix="put each formula in its own block")
        if text in SIZE_COMMANDS or text in ("|", r"\vert", r"\Big|"):
            k = self.toks.index(t)
            rest = [x.text for x in self.toks[k:k + 3]]
            if "_" in rest:
                return self.error("an evaluation bar |_{...} is not read", t,
                                  fix="write the derivative without the bar")
            if text == "|" and not self.bars:
                return self.error("a '|' that closes nothing", t)
            return self.error("a closing delimiter that closes nothing", t)
        if text == "." and self.toks.index(t) == 1 and self.toks[0].kind == "digit":
            return self.error("a numbered step (1. …) is not read", t,
                              fix="remove the step's number, or put it in \\text{…}")
        return self.error("unexpected here", t, fix="check the formula around it")
