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
        from .parser import Parser
        p = Parser(tokens, self.lex, self.notes)
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
            prefixed = self._prefixed_name(t)
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

    def _is_name_tokens(self, toks: list[Token]) -> bool:
        if len(toks) == 1:
            return toks[0].kind in ("letter", "digit") or toks[0].text in GREEK
        if toks[0].text in STYLES and len(toks) >= 2:
            return True
        return all(t.kind == "letter" for t in toks)

    def _sample_script(self, sup: list[Token]) -> bool:
        """Is ``^{(i)}`` a sample here (by the convention, or by i's declared kind)?"""
        text = canon(sup)
        if not (text.startswith("(") and text.endswith(")")):
            return False
        if self.lex.parenthesised == "sample":
            return True
        kind = self.lex.index_kind(text[1:-1])
        return self.lex.parenthesised == "index" and kind == "sample"

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
        indices = self.index_items(sub) if sub is not None else None
        if full_layer in self.lex.names or indices is None or self.lex.index_kind(full):
            node = T.Sym(full_layer)
        else:
            node = T.Index(T.Sym(base if layer is None else f"{base}^{{[{layer}]}}"),
                           indices)
        if sup is None:
            return node
        return self.superscript(node, sup, on_name=True, head=first)

    def split_layer(self, sup: list[Token] | None):
        """``^{[l]...}``: the layer (canonical text) and what follows it in the braces;
        under the ``layer`` convention a plain superscript is the layer itself."""
        if sup is None:
            return None, None
        text = canon(sup)
        if sup and sup[0].text == "[":
            close = next((k for k, t in enumerate(sup) if t.text == "]"), None)
            if close is None:
                raise self.error("a layer ^{[...] without its ]", sup[0])
            layer = self.layer_text(sup[1:close], sup[0])
            rest = sup[close + 1:]
            return layer, (rest or None)
        if self.lex.plain == "layer" and text not in TRANSPOSE and not text.startswith("("):
            if text.isdigit():
                raise self.error(f"^{text} on a name: in this chapter a superscript on a name "
                                 "is a layer, and a number could be a layer or a power",
                                 sup[0], construct=f"^{text}",
                                 fix=f"write ^{{[{text}]}} for layer {text}, or (x)^{{{text}}} "
                                     "for a power")
            return self.layer_text(sup, sup[0]), None
        if (self.lex.parenthesised == "layer" or self.lex.parenthesised == "index") and \
                text.startswith("(") and text.endswith(")") and len(sup) >= 3:
            inner = sup[1:-1]
            lead = re.match(r"[A-Za-z](?:_\{?[A-Za-z0-9]+\}?)?",
                            re.sub(r"_\{([A-Za-z0-9])\}", r"_\1", canon(inner)))
            kind = self.lex.index_kind(lead.group(0)) if lead else None
            if self.lex.parenthesised == "layer" or kind == "layer" or (
                    len(inner) >= 1 and inner[0].kind == "digit"):
                return self.layer_text(inner, sup[0]), None
        return None, sup

    def layer_text(self, toks: list[Token], where: Token) -> str:
        """A layer: a number, a layer index (l, L or declared) or one of them ± a number."""
        text = canon(toks)
        m = re.fullmatch(r"([A-Za-z](?:_\{?[A-Za-z0-9]+\}?)?|\d+)(?:([+-])(\d+))?", text)
        head = m.group(1) if m else ""
        if head and "_" in head:                  # n_{l} and n_l are one name
            head = re.sub(r"_\{([A-Za-z0-9])\}", r"_\1", head)
            text = head + text[len(m.group(1)):]
        if not m or (head[0].isalpha() and head not in ("l", "L")
                     and self.lex.index_kind(head) != "layer"):
            raise self.error(f"'{text}' is not a layer (a number, l, L or a layer index, "
                             "optionally plus or minus a number)", where,
                             construct=text or "[]",
                             fix="write W^{[l-1]}; a power of a named quantity is (x)^{2}"
                             if self.lex.plain == "layer" else "write W^{[l-1]}")
        return text

    def index_items(self, sub: list[Token]) -> tuple[T.Node, ...] | None:
        """The indices a subscript lists, when every item is a declared index (± n)."""
        if not self.lex.indices or not sub:
            return None
        text = canon(sub)
        items = text.split(",") if "," in text else (
            list(text) if re.fullmatch(r"[A-Za-z]{2,}", text) else [text])
        out = []
        for item in items:
            m = re.fullmatch(r"([A-Za-z])(?:([+-])(\d+))?", item)
            if not m or self.lex.index_kind(m.group(1)) is None:
                return None
            node: T.Node = T.Sym(m.group(1))
            if m.group(2):
                off = T.Num(m.group(3))
                node = T.Add((node, T.Neg(off) if m.group(2) == "-" else off))
            out.append(node)
        return tuple(out)

    def is_function(self, base: str, sub, layer: str | None = None) -> bool:
        """Is this name a function? A declared function, or one with a subscript of
        parameters written before its arguments (f_{w,b}(x) for a declared f)."""
        full = base + (_sub_text(canon(sub)) if sub is not None else "")
        if full in self.lex.functions:
            return True
        if base in self.lex.functions and (sub is None or self.at("(", r"\left", "'")):
            return True
        return layer is not None and f"{full}^{{[{layer}]}}" in self.lex.functions

    # --- superscripts -----------------------------------------------------------------

    def superscript(self, node: T.Node, sup: list[Token], *, on_name: bool,
                    head: Token) -> T.Node:
        text = canon(sup)
        if text in TRANSPOSE:
            return T.Transpose(node)
        if text.endswith("T") and text[:-1].startswith("(") or text.endswith(r"\top") and \
                text.startswith("("):
            cut = 1 if text.endswith("T") else 1
            inner = sup[:-cut]
            return T.Transpose(self.superscript(node, inner, on_name=on_name, head=head))
        if text.startswith("(") and text.endswith(")") and self._balanced_parens(sup):
            return self.sample(node, sup, head)
        if on_name and self.lex.plain == "sample":
            idx = self.sub_parse(sup)
            self.require_index(idx, sup[0], canon(sup))
            return T.Sample(node, idx)
        exp = self.sub_parse(sup)
        return T.Pow(node, exp)

    def _balanced_parens(self, sup: list[Token]) -> bool:
        depth = 0
        for k, t in enumerate(sup):
            depth += t.text == "("
            depth -= t.text == ")"
            if depth == 0 and k < len(sup) - 1:
                return False
        return depth == 0

    def sample(self, node: T.Node, sup: list[Token], head: Token) -> T.Node:
        inner = sup[1:-1]
        if not inner:
            raise self.error("an empty sample superscript ^{()}", sup[0], construct="^{()}")
        idx = self.sub_parse(inner)
        if isinstance(idx, T.Num):
            return T.Sample(node, idx)
        if self.lex.parenthesised == "index" and isinstance(idx, T.Sym) and \
                self.lex.index_kind(idx.name) in ("unit", "class", "time"):
            return T.Index(node, (idx,))          # \theta^{(k)}, k a class: the k-th \theta
        self.require_index(idx, inner[0], canon(inner), parenthesised=True)
        return T.Sample(node, idx)

    def require_index(self, idx: T.Node, where: Token, written: str,
                      parenthesised: bool = False) -> None:
        """A sample superscript holds a declared index (class: x^{(w)} is not sample w)."""
        name = idx.name if isinstance(idx, T.Sym) else None
        if name is not None and self.lex.index_kind(name) not in (None, "layer"):
            return
        script = f"^{{({written})}}" if parenthesised else f"^{{{written}}}"
        if name is not None and name in self.lex.names and self.lex.index_kind(name) is None:
            why = (f"a superscript in parentheses is a sample index in this chapter, but "
                   f"{name} is declared and is not an index")
        elif name is not None and self.lex.index_kind(name) == "layer":
            why = f"{name} is a layer index, but this chapter reads ^{{(...)}} as a sample"
        else:
            why = (f"{written} is not a declared index, and in this chapter a superscript "
                   f"{'in parentheses ' if parenthesised else ''}on a name is a sample")
        raise self.error(why, where, construct=script,
                         fix="declare the index with role = \"index\"; for a power write "
                             "x^{k}" if name is None or name not in self.lex.names
                         else f"for a power write {{x}}^{{{name}}}")


def _styled(tokens: list[Token]) -> str:
    """The canonical text inside a style command: \\boldsymbol x is \\boldsymbol{x}."""
    text = canon(tokens)
    return re.sub(r"(\\[A-Za-z]+) ([A-Za-z])", lambda m: f"{m.group(1)}{{{m.group(2)}}}"
                  if m.group(1) in STYLES else m.group(0), text)


def _sub_text(text: str) -> str:
    """A subscript as a name spells it: one character bare (w_1), anything else braced."""
    return f"_{text}" if len(text) == 1 else f"_{{{text}}}"


class Postfix:
    """Mixin: scripts and primes after a primary that is not a name."""

    def postfix(self, node: T.Node) -> T.Node:
        while True:
            if self.at("{") and self.peek(1) is not None and self.peek(1).text == "}" and \
                    self.peek(2) is not None and self.peek(2).text in ("^", "_"):
                self.take()                     # x{}^\top: the script goes on x
                self.take()
                continue
            if self.at("^"):
                caret = self.take()
                sup = self.script_tokens()
                text = canon(sup)
                if text in PRIME:
                    node = self.prime_of(node, caret)
                    continue
                if text.startswith("[") or isinstance(node, (T.Num, T.Const)) and text in TRANSPOSE:
                    raise self.error("a layer or transpose on a number or group", caret,
                                     construct=f"^{{{text}}}")
                node = self.superscript(node, sup, on_name=False, head=caret)
                continue
            if self.at("'"):
                node = self.prime_of(node, self.take())
                continue
            if self.at("_"):
                bar = self.take()
                sub = self.script_tokens() if self.peek() is not None else []
                items = self.index_items(sub) if sub and isinstance(
                    node, (T.Call, T.Sym, T.Index, T.Sample, T.Add, T.Mul, T.Transpose)) \
                    else None
                if items is not None:             # softmax(o)_j: entry j of the result
                    node = T.Index(node, items)
                    continue
                raise self.error("a subscript after a bracket, a bar or a call that is not "
                                 "made of declared indices (an evaluation bar |_{w=0}?)",
                                 bar, construct="_",
                                 fix="subscript the name itself, or write the derivative "
                                     "without the bar")
            return node

    def prime_of(self, node: T.Node, tick: Token) -> T.Node:
        if isinstance(node, (T.Sym, T.Num, T.Const, T.Index)) or isinstance(node, T.PrimeOf):
            raise self.error("a prime is read on a declared function, f'(z), or on a group, "
                             "(...)'", tick, construct="'",
                             fix="write \\frac{d}{dv}(...) or declare the function")
        if isinstance(node, T.Call):
            raise self.error("a prime after a call: write f'(z)", tick, construct="'")
        if not any(isinstance(n, (T.Sym, T.Index)) for n in node.walk()):
            raise self.error("a prime on a constant", tick, construct="'")
        return T.PrimeOf(node)
