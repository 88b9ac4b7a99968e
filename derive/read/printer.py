"""A reading printed back as LaTeX that reads back to the same tree (the round trip).

>>> from derive.read import read_side
>>> latex(read_side(r"\\frac{1}{m}\\sum_{i=1}^{m} (a - y) x"))
'\\\\frac{1}{m} \\\\sum_{i=1}^{m} \\\\left(a - y\\\\right) x'
"""
from __future__ import annotations

from . import tree as T
from .lexicon import DEFAULT, Lexicon

_REL = {"<": "<", ">": ">", "<=": r"\leq", ">=": r"\geq", "!=": r"\neq", "=": "=",
        "in": r"\in", "notin": r"\notin"}
_ATOMIC = (T.Num, T.Sym, T.Const, T.Call, T.Div, T.Partial, T.Abs, T.Norm, T.Indicator,
           T.Inner, T.Cases, T.Matrix, T.Index)


def latex(node: T.Node, lexicon: Lexicon = DEFAULT) -> str:
    """LaTeX for ``node`` that the reader, with ``lexicon``, reads back as ``node``."""
    return _Printer(lexicon).p(node)


class _Printer:
    def __init__(self, lex: Lexicon) -> None:
        self.lex = lex

    def paren(self, node: T.Node) -> str:
        return rf"\left({self.p(node)}\right)"

    def name(self, name: str) -> str:
        base = name.split("_")[0].split("^")[0]
        runs = {"".join(r) for r in self.lex.runs}
        if base.isalpha() and len(base) > 1 and base not in runs:
            return rf"\mathrm{{{base}}}" + name[len(base):]
        return name

    def p(self, n: T.Node) -> str:
        method = getattr(self, "p_" + type(n).__name__)
        return method(n)

    def p_Num(self, n):
        return n.text

    def p_Sym(self, n):
        return self.name(n.name)

    def p_Const(self, n):
        return n.name

    def p_Neg(self, n):
        inner = n.x
        text = self.p(inner)
        if isinstance(inner, (T.Add, T.Neg, T.Had)) or isinstance(inner, T.Mul) and \
                isinstance(inner.factors[0], T.Neg):
            text = self.paren(inner)
        return "-" + text

    def p_Add(self, n):
        out = ""
        for k, t in enumerate(n.terms):
            if isinstance(t, T.Neg):
                body = self.p_Neg(t)[1:]
                out += ("-" if k == 0 else " - ") + body
            else:
                text = self.paren(t) if isinstance(t, T.Add) else self.p(t)
                out += ("" if k == 0 else " + ") + text
        return out

    def p_Mul(self, n):
        parts = []
        last = len(n.factors) - 1
        for k, f in enumerate(n.factors):
            text = self.p(f)
            if isinstance(f, (T.Add, T.Neg, T.Had, T.Mul)) or (
                    isinstance(f, (T.Sum, T.Prod, T.DiffOp)) and k < last):
                text = self.paren(f)
            if k and isinstance(f, T.Num):
                text = r"\cdot " + text
            elif k and isinstance(n.factors[k - 1], T.Div) and isinstance(f, T.Div):
                pass
            parts.append(text)
        return " ".join(parts)

    def p_Had(self, n):
        a = self.paren(n.a) if isinstance(n.a, (T.Add, T.Neg)) else self.p(n.a)
        b = self.paren(n.b) if isinstance(n.b, (T.Add, T.Neg, T.Had)) else self.p(n.b)
        return rf"{a} \odot {b}"

    def p_Div(self, n):
        den = self.p(n.den)
        if den.startswith(("d", r"\partial", r"\mathrm{d", r"{\rm d")):
            den = self.paren(n.den)                # dZ/(dZ): a quotient, not a derivative
        return rf"\frac{{{self.p(n.num)}}}{{{den}}}"

    def _scripted(self, base: T.Node, sup: str) -> str:
        """``base`` with a superscript; a layer name takes it inside its brackets."""
        if isinstance(base, T.Sym) or isinstance(base, T.Index) and not isinstance(
                base, T.Sample):
            printed = self.p(base)
            if "^{[" in printed:                   # W_{j}^{[l]2}: after the layer
                return printed[:-1] + sup + "}"
            return f"{printed}^{{{sup}}}"
        return f"{self.paren(base)}^{{{sup}}}"

    def p_Pow(self, n):
        exp = self.p(n.exp)
        if isinstance(n.base, T.Const):
            return f"{n.base.name}^{{{exp}}}"
        if isinstance(n.base, T.Num):
            return f"{n.base.text}^{{{exp}}}"             # 2^{10}, not (2)^{10}
        if isinstance(n.base, (T.Sym, T.Index)) and not isinstance(n.base, T.Sample) and \
                "^{[" in self.p(n.base) and isinstance(n.exp, T.Num):
            return self._scripted(n.base, exp)
        if isinstance(n.base, (T.Sym, T.Index)) and self.lex.plain == "power" and \
                not exp.startswith("("):
            return f"{self.p(n.base)}^{{{exp}}}"
        if isinstance(n.base, (T.Call, T.Abs, T.Norm)) and not exp.startswith("("):
            return f"{self.p(n.base)}^{{{exp}}}"
        return f"{self.paren(n.base)}^{{{exp}}}"

    def p_Transpose(self, n):
        if isinstance(n.x, T.Sample):
            inner = self.p_Sample(n.x)
            return inner[:-1] + "T}"
        if isinstance(n.x, (T.Sym, T.Index)):
            return self._scripted(n.x, "T")
        return f"{self.paren(n.x)}^{{T}}"

    def _item(self, i: T.Node) -> str:
        """An index; a number that a declared index names (w_O for 1) as it is named."""
        if isinstance(i, T.Num):
            named = next((f"{w}_{{{name}}}" for w, name, v in self.lex.index_values
                          if str(v) == i.text), None)
            if named is not None:
                return named
        return self.p(i)

    def p_Sample(self, n):
        idx = f"({self.p(n.index)})"
        if self.lex.plain == "index" and not isinstance(n.index, T.Num):
            idx = self.p(n.index)              # x^t, h^{t-1}: as the chapter writes them
        if isinstance(n.x, (T.Sym, T.Index)):
            return self._scripted(n.x, idx)
        return f"{self.paren(n.x)}^{{{idx}}}"

    def p_Index(self, n):
        items = ",".join(self._item(i).replace(" ", "") for i in n.indices)
        base = self.name(n.x.name) if isinstance(n.x, T.Sym) else \
            self.p(n.x) if isinstance(n.x, (T.Call, T.Index)) else self.paren(n.x)
        if "^{[" in base:
            head, layer = base.split("^{[", 1)
            return f"{head}_{{{items}}}^{{[{layer}"
        return f"{base}_{{{items}}}"

    def p_Call(self, n):
        args = ", ".join(self.p(a) for a in n.args)
        if n.func == r"\sqrt":
            index = f"[{self.p(n.base)}]" if n.base is not None else ""
            return rf"\sqrt{index}{{{args}}}"
        base = f"_{{{self.p(n.base)}}}" if n.base is not None else ""
        return rf"{self.name(n.func)}{base}{chr(39) * n.primes}\left({args}\right)"

    def p_Partial(self, n):
        num = self.p(n.num)
        if not isinstance(n.num, (T.Sym, T.Index)):
            num = self.paren(n.num)
        return rf"\frac{{\partial {num}}}{{\partial {self.p(n.den)}}}"

    def p_DiffOp(self, n):
        var = self.p(n.var)
        body = self.paren(n.body) if isinstance(n.body, (T.Add, T.Neg, T.Had)) else \
            self.p(n.body)
        if n.kind == "nabla":
            return rf"\nabla_{{{var}}} {body}"
        d = r"\partial" if n.kind == "partial" else "d"
        return rf"\frac{{{d}}}{{{d} {var}}} {body}"

    def p_PrimeOf(self, n):
        return self.paren(n.x) + "'"

    def _big(self, n, op):
        if n.lower is not None:
            sub = f"{self.p(n.index)}={self.p(n.lower)}"
        elif n.cond is not None:
            sub = self.p(n.cond)
        else:
            sub = self.p(n.index)
        sup = f"^{{{self.p(n.upper)}}}" if n.upper is not None else ""
        body = self.paren(n.body) if isinstance(n.body, (T.Add, T.Neg, T.Had)) else \
            self.p(n.body)
        return rf"{op}_{{{sub}}}{sup} {body}"

    def p_Sum(self, n):
        return self._big(n, r"\sum")

    def p_Prod(self, n):
        return self._big(n, r"\prod")

    def p_Abs(self, n):
        return rf"\left|{self.p(n.x)}\right|"

    def p_Norm(self, n):
        sub = f"_{{{n.sub}}}" if n.sub else ""
        return rf"\left\|{self.p(n.x)}\right\|{sub}"

    def p_Rel(self, n):
        return f"{self.p(n.a)} {_REL[n.op]} {self.p(n.b)}"

    def p_SetOf(self, n):
        return r"\{" + ", ".join(self.p(x) for x in n.items) + r"\}"

    def p_SetOp(self, n):
        op = {"union": r"\cup", "intersection": r"\cap", "difference": r"\setminus"}[n.op]
        return f"{self.p(n.a)} {op} {self.p(n.b)}"

    def p_Indicator(self, n):
        return rf"\mathbb{{1}}\left[{self.p(n.cond)}\right]"

    def p_Cases(self, n):
        rows = []
        for value, cond in n.rows:
            c = self.p(cond) if cond is not None else r"\text{otherwise}"
            rows.append(f"{self.p(value)} & {c}")
        return r"\begin{cases} " + r" \\ ".join(rows) + r" \end{cases}"

    def p_Inner(self, n):
        return rf"\left\langle {self.p(n.a)}, {self.p(n.b)}\right\rangle"

    def p_Matrix(self, n):
        rows = [" & ".join(self.p(c) for c in r) for r in n.rows]
        return r"\begin{bmatrix} " + r" \\ ".join(rows) + r" \end{bmatrix}"


_ = _ATOMIC
