"""Names and scripts: ``w_1``, ``\\hat{y}_j^k``, ``W^{[l]T}``, ``x^{(i)}``, ``(...)^2``, ``f'(z)``.

A name is a letter (or a declared multi-letter name such as ``dZ``), a Greek letter, or
a styled letter (``\\mathbf{x}``, ``\\hat{y}``), with an optional subscript and
superscript in either order. What a script means is decided by the chapter's
:class:`~derive.read.lexicon.Lexicon`, never by the formula:

- a subscript of declared indices (``x_i``, ``w_{jk}``, ``h_{t-1}``) is an entry; any other
  subscript is part of the name (``w_1``, ``W_{xh}``, ``\\sigma_{\\mathcal{B}}``);
- ``^{[l]}`` is a layer (part of the name), ``^T``/``^\\top`` a transpose, ``^{(i)}``
  a sample (or a layer, by the convention), ``'``/``^\\prime`` a prime on a function;
- any other superscript on a name is a power, a layer or a sample by the convention.
"""
from __future__ import annotations

import re

from . import tree as T
from .errors import ReadError
from .tokens import Token

GREEK = set(r"""\alpha \beta \gamma \delta \epsilon \varepsilon \zeta \eta \theta \vartheta
\iota \kappa \lambda \mu \nu \xi \pi \varpi \rho \varrho \sigma \varsigma \tau \upsilon \phi
\varphi \chi \psi \omega \Gamma \Delta \Theta \Lambda \Xi \Pi \Sigma \Upsilon \Phi \Psi
\Omega \ell \imath \jmath""".split())
STYLES = {r"\mathbf", r"\boldsymbol", r"\bm", r"\mathit", r"\mathcal", r"\mathbb", r"\mathsf",
          r"\mathfrak", r"\mathscr", r"\hat", r"\widehat", r"\bar", r"\overline", r"\tilde",
          r"\widetilde", r"\vec", r"\dot", r"\ddot", r"\check", r"\breve", r"\underline",
          r"\mathbold", r"\pmb"}
UPRIGHT = {r"\mathrm", r"\operatorname", r"\text", r"\textrm", r"\textit", r"\mathop",
           r"\textbf", r"\mbox", r"\textsf", r"\textnormal", r"\rm"}
TRANSPOSE = {"T", r"\top", r"\intercal", r"\mathsf{T}", r"\mathrm{T}", r"\mathsf T",
             r"\mathrm T", r"\text{T}", r"\textsf{T}", r"\mathbf{T}"}
PRIME = {r"\prime", "'"}


def canon(tokens: list[Token]) -> str:
    """Tokens written back as canonical LaTeX (no spaces, a space only where needed)."""
    out = ""
    for t in tokens:
        if out and out[-1].isalpha() and t.kind == "letter" and re.search(r"\\[A-Za-z]+$", out):
            out += " "
        out += t.text
    return out


def spelled(tokens: list[Token]) -> str:
    """Tokens as written, with the spaces between words kept (for messages)."""
    return "".join((" " if k and t.space_before else "") + t.text
                   for k, t in enumerate(tokens))


class Names:
    """Mixin of :class:`derive.read.parser.Parser`: names and their scripts."""

    # --- script arguments -------------------------------------------------------------

    def script_tokens(self) -> list[Token]:
        """The argument of ^ or _: one token (a style command with its argument) or a
        brace group's contents. Consumes it."""
        t = self.peek()
        if t is None:
            raise self.error("a script ^ or _ with nothing after it")
        if t.text == "{":
            inner = self.group_tokens()
            if not inner:
                raise self.error("an empty script {} after ^ or _", t, construct="{}",
                                 fix="remove the ^{} or _{}, or fill it")
            return inner
        if t.text in STYLES | UPRIGHT and self.peek(1) is not None:
            self.take()
            return [t, *self.wrap(self.style_arg_tokens())]
        if t.kind == "char" and t.text not in ("'",):
            raise self.error("a script needs a letter, a digit, a command or {...}", t)
        return [self.take()]

    def wrap(self, tokens: list[Token]) -> list[Token]:
        if len(tokens) == 1:
            return [Token("char", "{", tokens[0].start, tokens[0].start), tokens[0],
                    Token("char", "}", tokens[0].end, tokens[0].end)]
        return tokens

    def group_tokens(self) -> list[Token]:
        """``{ ... }`` (consumed): the tokens inside, braces balanced."""
        open_ = self.expect("{", "a group")
        depth, inner = 1, []
        while True:
            t = self.peek()
            if t is None:
                raise self.error("this { is never closed", open_, fix="add the }")
            self.take()
            if t.text == "{":
                depth += 1
            elif t.text == "}":
                depth -= 1
                if depth == 0:
                    return inner
            inner.append(t)

    def style_arg_tokens(self) -> list[Token]:
        """The argument of a style command, with its braces: ``{y}`` or a single token."""
        t = self.peek()
        if t is None:
            raise self.error("a style command with nothing after it")
        if t.text == "{":
            start = self.pos
            self.group_tokens()
            return self.toks[start:self.pos]
        return [self.take()]

    def sub_parse(self, tokens: list[Token], how: str = "expr"):
        """Parse a token list taken out of the stream (a script's argument)."""
        p = type(self)(tokens, self.lex, self.notes)     # a Parser (this is one of its mixins)
        p.depth = self.depth
        if not tokens:
            raise self.error("an empty group where a value is expected")
        if how == "expr":
            node = p.expr()
        elif how == "primary_scripts":
            node = p.postfix(p.primary())
        else:
            node = p.primary()
        if p.peek() is not None:
            raise p.leftover(p.peek())
        return node

    # --- names ------------------------------------------------------------------------

    def base_name(self) -> tuple[str, Token]:
        """The name without scripts: (canonical text, first token). Consumes it."""
        t = self.peek()
        if t is None:
            raise self.error("a name is expected here, but the formula ends",
                             fix="complete the formula")
        if t.kind == "letter" or t.text in GREEK:
            for run in self.lex.runs:
                if self._run_at(run):
                    toks = [self.take() for _ in run]
                    return canon(toks), t
            word = self._function_word()
            if word:
                raise self.error(f"'{word}' written in letters reads as the product "
                                 f"{' '.join(word)}", t, construct=word,
                                 fix=f"write \\{word}")
            prefixed = self._prefixed_name(t) or self._braced_gradient(t)
            if prefixed:
                return prefixed, t
            self.take()
            return t.text, t
        if t.text in STYLES:
            self.take()
            arg = self.style_arg_tokens()
            inner = arg[1:-1] if arg and arg[0].text == "{" else arg
            cut = next((k for k, x in enumerate(inner) if x.text == "_"), None)
            if cut and self._is_name_tokens(inner[:cut]) and cut + 1 < len(inner):
                # \boldsymbol{x_i}: the styled x with the subscript i, as \boldsymbol{x}_i
                self.pending_sub = inner[cut + 1:]
                if self.pending_sub[0].text == "{" and self.pending_sub[-1].text == "}":
                    self.pending_sub = self.pending_sub[1:-1]
                return f"{t.text}{{{_styled(inner[:cut])}}}", t
            if not inner or not self._is_name_tokens(inner):
                raise self.error(f"{t.text} must hold one letter or name", t,
                                 fix=f"write e.g. {t.text}{{x}}")
            return f"{t.text}{{{_styled(inner)}}}", t
        raise self.error("a name is expected here", t)

    def _prefixed_name(self, t: Token) -> str | None:
        """A Greek letter before a styled name, declared together as one name (the
        increment \\Delta \\boldsymbol{w}). Consumes it only when declared."""
        after = self.peek(1)
        if t.text not in GREEK or after is None or after.text not in STYLES:
            return None
        saved = (self.pos, set(self.taken), self.pending_sub)
        self.take()
        styled, _ = self.base_name()
        if f"{t.text} {styled}" in self.lex.names:
            return f"{t.text} {styled}"
        self.pos, self.taken, self.pending_sub = saved
        return None

    def _braced_gradient(self, t: Token) -> str | None:
        """``d{{w}_{1}}`` (MathType): the declared name dw_1 with its name in braces."""
        if t.text != "d" or self.peek(1) is None or self.peek(1).text != "{":
            return None
        saved = (self.pos, set(self.taken), self.pending_sub)
        self.take()
        try:
            node = self.sub_parse(self.group_tokens())
        except ReadError:
            node = None
        if isinstance(node, T.Sym) and "d" + node.name in self.lex.names:
            return "d" + node.name
        self.pos, self.taken, self.pending_sub = saved
        return None

    def _is_name_tokens(self, toks: list[Token]) -> bool:
        if len(toks) == 1:
            return toks[0].kind in ("letter", "digit") or toks[0].text in GREEK
        if toks[0].text in STYLES and len(toks) >= 2:
            return True
        return all(t.kind == "letter" for t in toks)

    def _primed_name(self, base: str) -> bool:
        """Is base' a declared name (a quantity named with a prime, such as W')?"""
        primed = base + "'"
        return any(n == primed or n.startswith(primed + "_") or n.startswith(primed + "^")
                   for n in self.lex.names)

    def _function_word(self) -> str | None:
        """log, exp, ln, ... written in plain letters (no backslash), not a declared name."""
        for word in ("log", "exp", "tanh", "sinh", "cosh", "max", "min", "ln"):
            if self._run_at(tuple(word)):
                return word
        return None

    def _run_at(self, run: tuple[str, ...]) -> bool:
        """Is the declared multi-letter name ``run`` next (its letters written together;
        after a command, such as \\Delta in \\Delta w, TeX needs the space)?"""
        for k, text in enumerate(run):
            t = self.peek(k)
            if t is None or t.text != text:
                return False
            if k and t.space_before and self.peek(k - 1).kind == "letter":
                return False
        nxt = self.peek(len(run))
        return nxt is None or nxt.kind != "letter" or nxt.space_before

    def name(self) -> T.Node:
        """A name with its scripts, read by the lexicon's rules (see the module doc)."""
        self.pending_sub = None
        base, first = self.base_name()
        sub: list[Token] | None = self.pending_sub
        self.pending_sub = None
        return self.scripts(base, first, sub)

    def scripts(self, base: str, first: Token, sub=None) -> T.Node:
        """The scripts and primes after a name's base, and the name they make."""
        sup: list[Token] | None = None
        primes = 0
        while True:
            if self.at("_"):
                if sub is not None:
                    raise self.error("a second subscript on one name", construct="_")
                self.take()
                sub = self.script_tokens()
            elif self.at("^"):
                if sup is not None:
                    raise self.error("a second superscript on one name", construct="^",
                                     fix="group it: {x^{a}}^{b}")
                caret = self.take()
                sup = self.script_tokens()
                if canon(sup) in ("'", r"\prime") and self._primed_name(base):
                    base, sup = base + "'", None      # w^{'}: the declared name w'
                    continue
                if len(sup) > 1 and sup[0].text in PRIME:
                    if not self._primed_name(base):
                        raise self.error(f"a prime on {base}, which is neither a declared "
                                         f"function nor a declared name {base}'", sup[0],
                                         construct="^{" + canon(sup) + "}",
                                         fix=f"declare {base}' as a name")
                    base, sup = base + "'", sup[1:]   # w^{'(new)}: w' with a superscript
                if canon(sup) in PRIME or canon(sup) == r"\prime\prime":
                    primes += canon(sup).count(r"\prime")
                    sup = None
                    if not self.is_function(base, None):
                        raise self.error("a prime is read on a declared function, f'(z), or "
                                         "on a group, (...)'", caret, construct="^\\prime")
            elif self.at("'") and self._primed_name(base):
                self.take()
                base += "'"                           # w': the declared name w'
            elif self.at("'"):
                tick = self.take()
                primes += 1
                if not self.is_function(base, sub):
                    if self.at("(", r"\left"):
                        raise self.error(f"unknown function '{base}': declare it in the "
                                         "manifest's [functions] table to use its derivative",
                                         first, construct=base)
                    raise self.error("a prime is read on a declared function, f'(z), or on "
                                     "a group, (...)'", tick, construct="'",
                                     fix="write \\frac{d}{dv}(...) or declare the function")
            else:
                break
        return self.named(base, first, sub, sup, primes)

    def named(self, base, first, sub, sup, primes) -> T.Node:
        subtext = canon(sub) if sub is not None else None
        full = base + (_sub_text(subtext) if subtext is not None else "")
        layer, sup = self.split_layer(sup)
        if layer is not None:
            full_layer = f"{full}^{{[{layer}]}}"
        else:
            full_layer = full
        if self.is_function(base, sub, layer) and (
                self.at("(") or self.at(r"\left") or primes
                or full_layer not in self.lex.names and full not in self.lex.names):
            fname = full_layer if full_layer in self.lex.functions else full
            entry = self.index_items(sub) if sub is not None and fname == full and \
                full not in self.lex.functions and layer is None else None
            if entry is not None and sup is None:
                # s_j(x) for a declared s: entry j of s(x), not a function named s_j
                return self.call(base, first, primes, entry=entry)
            if sup is not None and self._sample_script(sup) and self.at("(", r"\left"):
                # l^{(i)}(w, b): the function of sample i
                return self.sample(self.call(fname, first, primes), sup, first)
            if sup is not None:
                raise self.error(f"a superscript on the function {fname} (a power of f(x) "
                                 "is written f(x)^2)", first, construct=fname)
            return self.call(fname, first, primes)
        if primes:
            raise self.error("a prime is read on a declared function", first)
        # the name itself: a whole declared name, or a base with index subscripts
        node: T.Node
        spelled = self.lex.index_spelling(base, subtext) if subtext and sup is None and \
            full not in self.lex.names else None
        if spelled is not None:
            # w_j, w_O of a declared index w: the index j, the named value
            return T.Sym(spelled) if isinstance(spelled, str) else T.Num(str(spelled))
        indices = self.index_items(sub) if sub is not None else None
        if full_layer in self.lex.names or indices is None or self.lex.index_kind(full):
            node = T.Sym(full_layer)
        else:
            node = T.Index(T.Sym(base if layer is None else f"{base}^{{[{layer}]}}"),
                           indices)
        if sup is None:
            return node
        return self.superscript(node, sup, on_name=True, head=first)

def _styled(tokens: list[Token]) -> str:
    """The canonical text inside a style command: \\boldsymbol x is \\boldsymbol{x}."""
    text = canon(tokens)
    return re.sub(r"(\\[A-Za-z]+) ([A-Za-z])", lambda m: f"{m.group(1)}{{{m.group(2)}}}"
                  if m.group(1) in STYLES else m.group(0), text)


def _sub_text(text: str) -> str:
    """A subscript as a name spells it: one character bare (w_1), anything else braced."""
    return f"_{text}" if len(text) == 1 else f"_{{{text}}}"
