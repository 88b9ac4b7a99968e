"""Scripts whose meaning the chapter's convention decides: layers ``^{[l]}``, samples
``^{(i)}``, entries ``_{jk}``, powers and transposes, and the scripts and primes after a
primary that is not a name (``\\sigma(z)_k``, ``(\\dots)^T``, ``(\\dots)'``).
See :mod:`derive.read.names` for how a name's scripts are collected."""
from __future__ import annotations

import re

from . import tree as T
from .names import PRIME, TRANSPOSE, _sub_text, canon
from .tokens import Token


class Superscripts:
    """Mixin of :class:`derive.read.parser.Parser`: what a script on a name means."""

    def _sample_script(self, sup: list[Token]) -> bool:
        """Is ``^{(i)}`` a sample here (by the convention, or by i's declared kind)?"""
        text = canon(sup)
        if not (text.startswith("(") and text.endswith(")")):
            return False
        if self.lex.parenthesised == "sample":
            return True
        kind = self.lex.index_kind(text[1:-1])
        return self.lex.parenthesised == "index" and kind == "sample"

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
            spelled = re.fullmatch(r"([A-Za-z])_\{?([A-Za-z0-9]+)\}?", item)
            if spelled:
                # w_j: the index j written as "word j"; w_O: a value named in the manifest
                hit = self.lex.index_spelling(spelled.group(1), spelled.group(2))
                if hit is None:
                    return None
                out.append(T.Sym(hit) if isinstance(hit, str) else T.Num(str(hit)))
                continue
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
            inner = sup[:-1]                      # ^{(i)T}: sample i, transposed
            return T.Transpose(self.superscript(node, inner, on_name=on_name, head=head))
        if text.startswith("(") and text.endswith(")") and self._balanced_parens(sup):
            return self.sample(node, sup, head)
        if on_name and self.lex.plain == "index":
            # x^t, h^{t-1} (Graves, Mallya): a time, unit or class index is the quantity's
            # first index, as h^{(t)}; anything else (x^2) a power
            idx = self.sub_parse(sup)
            if isinstance(idx, T.Sym) and self.lex.index_kind(idx.name) in (
                    "unit", "class", "time") or self.step_of_time(idx):
                return T.Sample(node, idx)
            return T.Pow(node, idx)
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
        if self.step_of_time(idx):
            return T.Sample(node, idx)            # h^{(t-1)}, h^{(\tau)}: a step of time
        self.require_index(idx, inner[0], canon(inner), parenthesised=True)
        return T.Sample(node, idx)

    def step_of_time(self, idx: T.Node) -> bool:
        """``t - 1``, ``t + 1`` of a time index, or a size name (``\tau``, the last step)."""
        if isinstance(idx, T.Sym):
            return idx.name in self.lex.sizes
        if isinstance(idx, T.Add) and len(idx.terms) == 2 and isinstance(idx.terms[0], T.Sym):
            off = idx.terms[1].x if isinstance(idx.terms[1], T.Neg) else idx.terms[1]
            return isinstance(off, T.Num) and \
                self.lex.index_kind(idx.terms[0].name) in ("time", "unit", "class")
        return False

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
                    node, (T.Call, T.Sym, T.Index, T.Sample, T.Add, T.Mul, T.Transpose, T.DiffOp,
                           T.Partial, T.Had)) \
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
