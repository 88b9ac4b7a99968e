"""Bracketed structures of the grammar: groups and calls, fractions and derivatives,
bars (|x|, ‖x‖), upright names, annotations (environments: :mod:`derive.read.environments`).

These are methods of :class:`derive.read.parser.Parser` (bound in
:class:`derive.read.commands.Commands`); they live here to keep each module short.
"""
from __future__ import annotations

from ..prose import Prose
from . import tree as T
from .errors import ReadError
from .names import GREEK, STYLES, UPRIGHT, canon, spelled

CLOSERS = {"(": ")", "[": "]", r"\{": r"\}", r"\langle": r"\rangle", "|": "|", r"\|": r"\|",
           r"\lVert": r"\rVert", r"\lvert": r"\rvert", r"\Vert": r"\Vert", r"\vert": r"\vert",
           ".": "."}
SIZES_OPEN = {r"\big", r"\Big", r"\bigg", r"\Bigg", r"\bigl", r"\Bigl", r"\biggl", r"\Biggl"}
SIZES_CLOSE = {r"\big", r"\Big", r"\bigg", r"\Bigg", r"\bigr", r"\Bigr", r"\biggr", r"\Biggr"}
ABS_BARS = {"|", r"\lvert", r"\vert", r"\rvert"}
NORM_BARS = {r"\|", r"\lVert", r"\Vert", r"\rVert"}


def _open(self):
    """The opening delimiter (with \\left or a size prefix): (kind, closer, token)."""
    t = self.take()
    if t.text == r"\left" or t.text in SIZES_OPEN:
        d = self.peek()
        if d is None or d.text not in CLOSERS:
            raise self.error(f"{t.text} must be followed by a delimiter", t)
        self.take()
        if d.text == "." and t.text != r"\left":
            raise self.error(f"{t.text}. is not a delimiter", t)
        return t.text, d.text, t
    return None, t.text, t


def _close(self, kind, open_text, open_tok):
    """Consume the delimiter that closes ``open_text`` (\\right for \\left)."""
    want = CLOSERS[open_text]
    t = self.peek()
    if kind == r"\left":
        if t is None or t.text != r"\right":
            raise self.error(f"\\left{open_text} is never closed by \\right", open_tok,
                             construct=f"\\left{open_text}",
                             fix="close it with \\right" + (want or "."))
        self.take()
        d = self.peek()
        if d is None or (d.text not in CLOSERS.values() and d.text != "."):
            raise self.error("\\right must be followed by a delimiter", t)
        self.take()
        if d.text != want and d.text != "." and open_text != ".":
            raise self.error(f"\\left{open_text} closed by \\right{d.text}", d,
                             fix=f"close it with \\right{want}")
        return d.text
    if kind is not None and t is not None and t.text in SIZES_CLOSE:
        self.take()
        t = self.peek()
    if t is None or t.text != want:
        if t is not None and t.text in (r"\ldots", r"\dots", r"\cdots", r"\vdots"):
            raise self.error("elided terms: the reader reads no '...'", t,
                             fix="write every term, or a sum over an index")
        found = f", but '{t.text}' comes first" if t is not None else ""
        raise self.error(f"this {open_text} is never closed{found}", open_tok,
                         fix=f"add the closing {want}")
    self.take()
    return want


def group(self, allow_list: bool = False, after=None):
    """``( e )``, ``[ e ]``, ``\\{ e \\}``, ``\\left( e \\right)``, ``\\langle a, b \\rangle``.

    With ``allow_list`` a comma-separated list is returned as a tuple (call arguments)."""
    kind, open_text, tok = _open(self)
    if open_text in ABS_BARS or open_text in NORM_BARS:
        return _bars_rest(self, kind, open_text, tok)
    # in a call, or in parentheses right after a name, p(y | x): a bar is conditional
    conditional = allow_list or isinstance(after, T.Sym)
    self.call_depth = getattr(self, "call_depth", 0) + (1 if conditional else 0)
    try:
        items = [self.expr()]
    finally:
        self.call_depth -= 1 if conditional else 0
    if conditional and self.at("|", r"\mid"):
        raise self.error("a conditional bar: probability notation p(a | b) is not read",
                         self.peek(), fix="write the quantity it stands for as a name")
    if self.at("=", "<", ">", r"\leq", r"\geq", r"\neq", r"\le", r"\ge", r"\ne"):
        raise self.error("a relation inside brackets (a condition, or probability "
                         "notation P(y = k)) is not read", self.peek(),
                         fix="write the quantity it stands for as a name")
    while self.at(",") or allow_list and self.at(";"):
        comma = self.take()
        if not allow_list and open_text != r"\langle":
            name = T.sexpr(after) if after is not None else None
            if isinstance(after, T.Sym):
                raise self.error(f"{after.name} is not a function: it cannot take "
                                 f"{_count_args(self, items)} arguments", comma,
                                 construct=after.name, fix="declare the function")
            raise self.error("a list (a, b) where one value is expected", comma,
                             construct=",", fix=name and "use one value")
        self.call_depth += 1 if allow_list else 0
        try:
            items.append(self.expr())
        finally:
            self.call_depth -= 1 if allow_list else 0
        if allow_list and self.at("|", r"\mid"):
            raise self.error("a conditional bar: probability notation p(a | b) is not read",
                             self.peek(), fix="write the quantity it stands for as a name")
    if open_text == ".":
        raise self.error("\\left. must close with a real delimiter", tok)
    _close(self, kind, open_text, tok)
    if open_text == r"\langle":
        if len(items) != 2:
            raise self.error("\\langle a, b \\rangle takes two vectors", tok)
        return self.postfix(T.Inner(items[0], items[1]))
    if allow_list:
        return tuple(items)
    return items[0]


def _count_args(self, items):
    depth, n = 0, len(items) + 1
    for k in range(self.pos, len(self.toks)):
        t = self.toks[k].text
        if t in ("(", "[", "{"):
            depth += 1
        elif t in (")", "]", "}"):
            if depth == 0:
                break
            depth -= 1
        elif t == "," and depth == 0:
            n += 1
    return n


def bars_primary(self):
    kind, open_text, tok = _open(self)
    return _bars_rest(self, kind, open_text, tok)


def _bars_rest(self, kind, open_text, tok):
    """|x| and ‖x‖ (with \\left| ... \\right|); the bar that follows closes."""
    want = {"|": "|", r"\lvert": r"\rvert", r"\vert": r"\vert", r"\|": r"\|",
            r"\lVert": r"\rVert", r"\Vert": r"\Vert"}[open_text]
    self.bars.append(r"\right" if kind == r"\left" else want)
    try:
        inner = self.expr()
    finally:
        self.bars.pop()
    if kind == r"\left":
        _close(self, kind, open_text, tok)
    else:
        if self.at(*SIZES_CLOSE):
            self.take()
        if not self.at(want):
            raise self.error(f"this {open_text} is never closed", tok, fix=f"add {want}")
        self.take()
    if open_text in NORM_BARS:
        sub = None
        if self.at("_"):
            self.take()
            sub = canon(self.script_tokens())
            if sub not in ("2", "F", "1", r"\infty", "p"):
                raise self.error(f"a norm ‖·‖_{sub} the reader does not know", tok)
        return T.Norm(inner, sub)
    return T.Abs(inner)


def call(self, fname: str, first, primes: int, entry=None):
    """``f(a, b)`` after the function's name (and its primes)."""
    if not (self.at("(") or self.at(r"\left") or self.at(*SIZES_OPEN)):
        if self.at("["):                            # g[1]'(z): a layer in brackets
            raise self.error(f"brackets after the function {fname}", self.peek(),
                             construct="[", fix=f"write a layer as {fname}^{{[1]}}, "
                             f"an argument as {fname}(z)")
        raise self.error(f"{fname} is a function: write its argument in parentheses",
                         first, construct=fname, fix=f"write {fname}(z)")
    args = self.group(allow_list=True)
    if self.at("'"):
        raise self.error("a prime after the arguments", self.peek(),
                         fix=f"write {fname}'(z)")
    node = T.Call(fname, args, primes)
    return self.postfix(node if entry is None else T.Index(node, entry))


def fraction(self):
    """``\\frac{a}{b}``, or a derivative: ``\\frac{\\partial A}{\\partial B}``,
    ``\\frac{dA}{dB}`` (Partial) and ``\\frac{d}{dv}`` (an operator on its term)."""
    head = self.take()
    num = self.style_arg_tokens()
    den = self.style_arg_tokens()
    num_in = _unbrace(num[1:-1] if num and num[0].text == "{" else num)
    den_in = _unbrace(den[1:-1] if den and den[0].text == "{" else den)
    dnum, num_rest = _differential(num_in)
    dden, den_rest = _differential(den_in)
    if dden is not None and dnum is not None:
        if (dnum == r"\partial") != (dden == r"\partial"):
            raise self.error("∂ on one side of the fraction and d on the other", head,
                             construct=canon(num_in) + " / " + canon(den_in),
                             fix="use \\partial (or d) in both")
        if not den_rest:
            raise self.error("the variable of the derivative is missing below", head)
        if den_rest[0].text == "^" or num_rest and num_rest[0].text == "^":
            raise self.error("a second derivative", head, construct=canon(num_in),
                             fix="write the first derivative of a named quantity")
        # \partial \sigma^2 below (and no power above) is the derivative with respect to
        # the square, as batch normalization writes it; the meaning layer decides
        var = _variable(self, den_rest)
        if not num_rest:
            if self.peek() is None or not self.starts_factor(self.peek()):
                raise self.error(f"{canon(num_in)}/{canon(den_in)} needs an expression "
                                 "after it", head, fix=f"write \\frac{{d}}{{{canon(den_in)}}}(...)")
            return T.DiffOp(var, self.body(), "partial" if dnum == r"\partial" else "d")
        return T.Partial(self.sub_parse(num_rest), var)
    if dden is not None and num_in and canon(num_in) in ("1",):
        pass                                         # \frac{1}{dw}: a plain fraction
    if not num_in or not den_in:
        raise self.error("a fraction with an empty part", head, fix="\\frac{a}{b}")
    return T.Div(self.sub_parse(num_in), self.sub_parse(den_in))


def _variable(self, toks):
    """What a derivative is taken by: one name with its scripts, or an expression
    (Rong's \\frac{\\partial E}{\\partial \\mathbf{v}'^T_{w_j} \\mathbf{h}}: by the
    product, the quantity it computes)."""
    try:
        return self.sub_parse(toks, how="primary_scripts")
    except ReadError as first:
        if any(t.text in (r"\partial", "d") for t in toks):
            raise                          # \partial w \partial b: a second derivative
        try:
            return self.sub_parse(toks)
        except ReadError:
            raise first from None


def _unbrace(toks):
    """``{dL}(a, y)``, ``{dz}`` (MathType): a leading group that starts a differential loses
    its braces, which TeX does not show."""
    if len(toks) >= 3 and toks[0].text == "{" and toks[1].text in ("d", r"\partial"):
        depth = 0
        for k, t in enumerate(toks):
            depth += t.text == "{"
            depth -= t.text == "}"
            if depth == 0:
                return toks[1:k] + toks[k + 1:]
    return toks


def _differential(toks):
    """A leading ∂ or d in a fraction's part: (the differential, the rest) or (None, ..)."""
    if not toks:
        return None, toks
    text0 = toks[0].text
    if text0 == r"\partial":
        return r"\partial", toks[1:]
    if text0 == "d" and (len(toks) == 1 or toks[1].kind != "letter" or len(toks) == 2
                         or toks[1].text != "d"):
        if len(toks) == 1 or toks[1].kind in ("letter",) or toks[1].text in GREEK | STYLES \
                or toks[1].text == "^":
            return "d", toks[1:]
        return None, toks
    if text0 in (r"\mathrm", r"\operatorname", r"\text", r"\textrm", r"\mathit") and \
            len(toks) >= 2:
        if toks[1].text == "d":
            return "d", toks[2:]
        if toks[1].text == "{" and len(toks) >= 4 and toks[2].text == "d" and \
                toks[3].text == "}":
            return "d", toks[4:]
    if text0 == "{" and len(toks) >= 4 and toks[1].text == r"\rm" and toks[2].text == "d" \
            and toks[3].text == "}":
        return "d", toks[4:]
    return None, toks


def sqrt(self):
    head = self.take()
    index = None
    if self.at("["):
        self.take()
        toks = self.until("]", head)
        index = self.sub_parse(toks)
    arg = self.sub_parse(self.group_tokens()) if self.at("{") else self.primary()
    return self.postfix(T.Call(r"\sqrt", (arg,), 0, index))


def max_min(self, head=None):
    head = head if head is not None else self.take()
    if self.at(r"\limits", r"\nolimits") and self.peek(1) is not None and \
            self.peek(1).text == "_":
        self.take()
    if self.at("_"):
        raise self.error(f"{head.text} over an index", head,
                         fix=f"write {head.text}(a, b) with its arguments")
    if self.at(r"\{"):
        self.take()
        toks = self.until(r"\}", head)
        args = type(self)([*toks], self.lex, self.notes)  # a Parser (a mixin of it)
        items = [args.expr()]
        while args.at(","):
            args.take()
            items.append(args.expr())
        if args.peek() is not None:
            raise args.leftover(args.peek())
        return self.postfix(T.Call(head.text, tuple(items)))
    if not (self.at("(") or self.at(r"\left") or self.at(*SIZES_OPEN)):
        raise self.error(f"{head.text} needs its arguments in parentheses", head)
    return self.postfix(T.Call(head.text, self.group(allow_list=True)))


def upright(self):
    """``\\operatorname{relu}(z)``, ``\\mathrm{softmax}(Z)``, ``\\text{relu}(z)``: a function;
    ``\\mathrm{d}`` only inside derivatives; another upright word is a name."""
    head = self.take()
    if head.text in (r"\rm", r"\mathop"):
        raise self.error(f"{head.text} outside a derivative", head)
    if self.at("*"):
        self.take()
    toks = self.group_tokens() if self.at("{") else [self.take()]
    word = canon(toks)
    if not all(t.kind in ("letter", "digit") for t in toks):
        if head.text in (r"\text", r"\mbox", r"\textrm", r"\textit", r"\textbf"):
            raise self.error("words inside a formula", head, construct=f"{head.text}{{{spelled(toks)}}}",
                             fix="move the words out of the formula (text between steps, at "
                                 "the end of a side, is dropped with a note)")
        raise self.error(f"{head.text}{{{word}}} is not a name", head,
                         construct=f"{head.text}{{{spelled(toks)}}}")
    if word in ("exp", "log", "ln", "tanh", "sinh", "cosh", "sin", "cos", "det"):
        return self.function_operator(head, name="\\" + word)
    if word in ("max", "min"):
        return self.max_min(type(head)("cmd", "\\" + word, head.start, head.end,
                                       head.space_before))
    fname = rf"\operatorname{{{word}}}"
    if self.at("[") and len(word) > 1:            # \text{Var}[x]: brackets as parentheses
        open_ = self.take()
        toks = self.until("]", open_)
        return self.postfix(T.Call(fname, (self.sub_parse(toks),)))
    if self.at("(") or self.at(r"\left") or self.at(*SIZES_OPEN) or self.at("'", "^") \
            and fname in self.lex.functions:
        primes = 0
        while self.at("'"):
            self.take()
            primes += 1
        return self.call(fname, head, primes)
    if head.text in (r"\text", r"\mbox", r"\textrm", r"\textit", r"\textbf") and \
            len(word) > 1 and word not in self.lex.names and not self.at("_", "^"):
        raise self.error("words inside a formula", head, construct=f"{head.text}{{{spelled(toks)}}}",
                         fix="move the words out of the formula")
    return self.scripts(word, head)             # \mathrm{dZ}^{[2]}: the name dZ^{[2]}


def braced_annotation(self):
    """``\\underbrace{X}_{...}``, ``\\overbrace{X}^{...}``, ``\\boxed{X}``: X (the note
    under or over the brace is words, dropped with a note)."""
    head = self.take()
    inner = self.sub_parse(self.group_tokens())
    if head.text != r"\boxed":
        mark = "_" if head.text == r"\underbrace" else "^"
        if self.at(mark):
            self.take()
            words = canon(self.script_tokens())
            self.note(Prose.format("dropped the annotation ${head}{{...}}{mark}{{{words}}}$",
                                   head=head.text, mark=mark, words=words))
    return self.postfix(inner)


_ = (STYLES, UPRIGHT)
