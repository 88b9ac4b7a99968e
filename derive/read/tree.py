"""The reading of a formula: a small tree, nothing evaluated, every node from tokens.

Nodes are frozen dataclasses compared structurally. ``sexpr`` writes a tree as an
S-expression, the form the tests write readings in by hand:

>>> sexpr(Mul((Div(Num("1"), Sym("m")), Sum(Sym("i"), Num("1"), Sym("m"), None,
...                                             Sample(Sym("x"), Sym("i"))))))
'(mul (div 1 m) (sum i 1 m (sample x i)))'
"""
from __future__ import annotations

from dataclasses import dataclass, fields


class Node:
    """Base class of reading nodes."""

    def children(self) -> tuple["Node", ...]:
        out: list[Node] = []
        for f in fields(self):
            v = getattr(self, f.name)
            if isinstance(v, Node):
                out.append(v)
            elif isinstance(v, tuple):
                for x in v:
                    if isinstance(x, Node):
                        out.append(x)
                    elif isinstance(x, tuple):
                        out.extend(y for y in x if isinstance(y, Node))
        return tuple(out)

    def walk(self):
        """This node and every node below it (pre-order)."""
        yield self
        for c in self.children():
            yield from c.walk()


@dataclass(frozen=True)
class Num(Node):
    text: str                 # digits, optionally with one decimal point: 2, 0.5


@dataclass(frozen=True)
class Sym(Node):
    name: str                 # canonical spelling: x, w_1, a_{12}, \hat{y}, W^{[1]}, dZ


@dataclass(frozen=True)
class Const(Node):
    name: str                 # e (Euler's number), \pi, \infty


@dataclass(frozen=True)
class Neg(Node):
    x: Node


@dataclass(frozen=True)
class Add(Node):
    terms: tuple[Node, ...]   # a - b is Add((a, Neg(b)))


@dataclass(frozen=True)
class Mul(Node):
    factors: tuple[Node, ...]  # juxtaposition, \cdot, \times (and * unless elementwise)


@dataclass(frozen=True)
class Had(Node):
    a: Node                   # \odot, \circ: the elementwise product
    b: Node


@dataclass(frozen=True)
class Div(Node):
    num: Node
    den: Node


@dataclass(frozen=True)
class Pow(Node):
    base: Node
    exp: Node


@dataclass(frozen=True)
class Transpose(Node):
    x: Node


@dataclass(frozen=True)
class Sample(Node):
    x: Node                   # x^{(i)}: x of training sample i
    index: Node


@dataclass(frozen=True)
class Index(Node):
    x: Node                   # x_i, w_{jk}: entries of x at declared indices
    indices: tuple[Node, ...]


@dataclass(frozen=True)
class Call(Node):
    func: str                 # \sigma, f, L, \operatorname{relu}, \max, \log ...
    args: tuple[Node, ...]
    primes: int = 0           # f'(z): 1
    base: Node | None = None  # \log_2 x: the base (None: the chapter's convention)


@dataclass(frozen=True)
class Partial(Node):
    num: Node                 # \frac{\partial L}{\partial w}, \frac{dL}{dw}
    den: Node


@dataclass(frozen=True)
class DiffOp(Node):
    var: Node                 # \frac{d}{dv} X, \partial_v X, \nabla_v X
    body: Node
    kind: str = "d"           # d | partial | nabla


@dataclass(frozen=True)
class PrimeOf(Node):
    x: Node                   # (...)': d/dv of the group, v the chain's variable


@dataclass(frozen=True)
class Sum(Node):
    index: Node               # \sum_{i=1}^{m} body; \sum_i body; \sum_{j \neq k} body
    lower: Node | None
    upper: Node | None
    cond: Node | None         # a Rel: j \neq k, n \in N
    body: Node


@dataclass(frozen=True)
class Prod(Node):
    index: Node
    lower: Node | None
    upper: Node | None
    cond: Node | None
    body: Node


@dataclass(frozen=True)
class Abs(Node):
    x: Node


@dataclass(frozen=True)
class Norm(Node):
    x: Node                   # \|x\|, \|x\|_2, \|A\|_F
    sub: str | None = None


@dataclass(frozen=True)
class Indicator(Node):
    cond: Node                # \mathbb{1}[z > 0], 1\{y = k\}


@dataclass(frozen=True)
class Cases(Node):
    rows: tuple[tuple[Node, Node | None], ...]   # (value, condition); None: otherwise


@dataclass(frozen=True)
class Inner(Node):
    a: Node                   # \langle a, b \rangle
    b: Node


@dataclass(frozen=True)
class Rel(Node):
    op: str                   # =, \neq, <, >, \leq, \geq, \in
    a: Node
    b: Node


@dataclass(frozen=True)
class SetOf(Node):
    items: tuple[Node, ...]   # \{w_O\}, \{1, 2\}: a set of index values, written out


@dataclass(frozen=True)
class SetOp(Node):
    op: str                   # union | intersection | difference (\cup, \cap, \setminus)
    a: Node
    b: Node


@dataclass(frozen=True)
class Matrix(Node):
    rows: tuple[tuple[Node, ...], ...]   # \begin{bmatrix} a & b \\ c & d \end{bmatrix}


def replace_node(node: Node, old: Node, new: Node, by_value: bool = False) -> Node:
    """``node`` with the subtree ``old`` replaced by ``new``: that very node (by identity),
    or with ``by_value`` every subtree equal to it."""
    from dataclasses import replace
    if node is old or by_value and node == old:
        return new
    changes = {}
    for f in fields(node):
        v = getattr(node, f.name)
        if isinstance(v, Node):
            changes[f.name] = replace_node(v, old, new, by_value)
        elif isinstance(v, tuple):
            changes[f.name] = tuple(
                replace_node(x, old, new, by_value) if isinstance(x, Node) else
                tuple(replace_node(y, old, new, by_value) if isinstance(y, Node) else y
                      for y in x)
                if isinstance(x, tuple) else x for x in v)
    return replace(node, **changes) if changes else node


def sexpr(node: Node | None) -> str:
    """The S-expression of a reading (the form tests write readings in)."""
    if node is None:
        return "_"
    if isinstance(node, Num):
        return node.text
    if isinstance(node, (Sym, Const)):
        return node.name.replace(" ", "~")           # \Delta w: one name, \Delta~w
    name = _SEXPR.get(type(node))
    if isinstance(node, Call):
        head = "call" + "'" * node.primes
        parts = [node.func, *map(sexpr, node.args)]
        if node.base is not None:
            parts.append(":base " + sexpr(node.base))
        return f"({head} {' '.join(parts)})"
    if isinstance(node, Norm):
        return f"(norm {sexpr(node.x)}" + (f" {node.sub})" if node.sub else ")")
    if isinstance(node, Rel):
        return f"({node.op} {sexpr(node.a)} {sexpr(node.b)})"
    if isinstance(node, DiffOp):
        return f"(d{'' if node.kind == 'd' else ':' + node.kind} {sexpr(node.var)} " \
               f"{sexpr(node.body)})"
    if isinstance(node, (Sum, Prod)):
        where = f" :where {sexpr(node.cond)}" if node.cond is not None else ""
        return (f"({name} {sexpr(node.index)} {sexpr(node.lower)} {sexpr(node.upper)}"
                f"{where} {sexpr(node.body)})")
    if isinstance(node, Cases):
        rows = " ".join(f"({sexpr(v)} {sexpr(c)})" for v, c in node.rows)
        return f"(cases {rows})"
    if isinstance(node, SetOf):
        return "(set " + " ".join(map(sexpr, node.items)) + ")"
    if isinstance(node, SetOp):
        return f"({node.op} {sexpr(node.a)} {sexpr(node.b)})"
    if isinstance(node, Matrix):
        rows = " ".join("(" + " ".join(map(sexpr, r)) + ")" for r in node.rows)
        return f"(matrix {rows})"
    parts = []
    for c in node.children():
        parts.append(sexpr(c))
    return f"({name} {' '.join(parts)})"


_SEXPR = {Neg: "neg", Add: "add", Mul: "mul", Had: "had", Div: "div", Pow: "pow",
          Transpose: "T", Sample: "sample", Index: "idx", Partial: "partial",
          PrimeOf: "prime", Sum: "sum", Prod: "prod", Abs: "abs", Indicator: "ind",
          Inner: "inner"}
