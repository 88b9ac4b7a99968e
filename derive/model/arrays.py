r"""Vectors and matrices in index notation: one model for entries and arrays.

A symbol declared with ``entries = ["K", "M"]`` is a set of scalar entries (``w_{kj}``).
Written with fewer indices than it has, it is the array of the entries that remain:
``\mathbf{w}_k`` is the vector (w_{k1}, …, w_{kM}), ``\boldsymbol{h}^{(t)}`` (a time
superscript is the first index) the vector of the units of h at time t, and ``W`` the
whole matrix. Arrays are SymPy matrices of the same scalar entries, so a chapter may
write ``a_k = \mathbf{w}_k^T \boldsymbol{\phi}`` beside ``y_{nk}`` and the engine works
on entries throughout.

Products follow the shapes (an inner product a^T b is a scalar); ``1 - h^2`` of a vector
is taken entry by entry (Goodfellow's convention, said in a note); ``\mathrm{diag}(v)``
is the diagonal matrix; activations apply entry by entry. A formula whose first side is
an array (a definition of ``h^{(t)}``, a claim about ``\nabla_{W} L``) is checked at each
of its entries (:func:`array_axes`; the instance's ``#`` value says which).

>>> M = sympy.ImmutableMatrix([[1], [2]])
>>> add([sympy.Integer(1), -M], lambda text: None)
Matrix([
[ 0],
[-1]])
>>> multiply([M.T, M])
5
"""
from __future__ import annotations

import itertools
import re

import sympy
from sympy.matrices import MatrixBase

from ..prose import Prose
from ..errors import InputError
from ..read import tree as T
from ..read.printer import latex as tree_latex
from .vocabulary import sympy_name

ELEMENTWISE = (r"\exp", r"\log", r"\ln", r"\tanh", r"\sinh", r"\cosh", r"\sqrt")


class WrongShape(InputError):
    """Arrays whose shapes do not fit (a sum of a 2×1 and a 3×1 array, a number where the
    first side is a vector): in a claim a wrong formula, reported as a mismatch."""


def is_array(value) -> bool:
    return isinstance(value, MatrixBase)


def shape_text(value) -> str:
    return f"{value.rows}×{value.cols}"


def scalar_or_array(m: MatrixBase):
    """A 1×1 array is its one entry (the inner product a^T b is a scalar)."""
    return m[0, 0] if m.shape == (1, 1) else sympy.ImmutableMatrix(m)


def add(values: list, note) -> sympy.Expr:
    """A sum: arrays of one shape entry by entry; a scalar beside arrays is added to each
    entry (``1 - h^2``), which ``note`` says."""
    arrays = [v for v in values if is_array(v)]
    if not arrays:
        return sympy.Add(*values)
    shape = arrays[0].shape
    for a in arrays[1:]:
        if a.shape != shape:
            raise WrongShape(f"a sum of arrays of shapes {shape_text(arrays[0])} and "
                             f"{shape_text(a)}", token="+")
    total = sympy.zeros(*shape)
    for v in values:
        if is_array(v):
            total += v
        else:
            note(Prose.format("a number added to a vector is added to each of its entries "
                              "($1 - h^2$: the vector of the $1 - h_i^2$)"))
            total += sympy.ones(*shape) * v
    return scalar_or_array(total)


def multiply(values: list) -> sympy.Expr:
    """A product: scalars multiply everything; arrays multiply as matrices, in order."""
    scalars = [v for v in values if not is_array(v)]
    arrays = [v for v in values if is_array(v)]
    if not arrays:
        return sympy.Mul(*values)
    product = arrays[0]
    for a in arrays[1:]:
        if product.cols != a.rows:
            hint = " (an inner product is written a^T b)" if product.cols == 1 == a.cols \
                else ""
            raise WrongShape(f"a product of a {shape_text(product)} array and a "
                             f"{shape_text(a)} array: the shapes do not fit{hint}", token="·")
        product = product * a
    return scalar_or_array(product * sympy.Mul(*scalars))


def elementwise(a, b) -> sympy.Expr:
    """a ⊙ b of two arrays of one shape."""
    if a.shape != b.shape:
        raise WrongShape(f"an elementwise product of shapes {shape_text(a)} and "
                         f"{shape_text(b)}", token=r"\odot")
    return scalar_or_array(a.multiply_elementwise(b))


def power(base, exp, shown: str) -> sympy.Expr:
    """v^2 of a vector: entry by entry (Goodfellow's (h^{(t)})^2); of a matrix, refused."""
    if 1 not in base.shape:
        raise InputError(f"{shown}: a power of a {shape_text(base)} matrix; write the product "
                         "or an elementwise power with \\odot", token="^")
    return scalar_or_array(base.applyfunc(lambda e: sympy.Pow(e, exp)))


def apply(f, value):
    """f applied to each entry of an array (an activation, exp, tanh)."""
    return scalar_or_array(value.applyfunc(f))


def softmax(value, shown: str):
    if value.cols != 1 and value.rows != 1:
        raise InputError(f"{shown}: softmax of a {shape_text(value)} matrix: of which axis?",
                         token=shown)
    exps = [sympy.exp(e) for e in value]
    total = sympy.Add(*exps)
    return sympy.ImmutableMatrix(value.rows, value.cols, [e / total for e in exps])


def diag(value, shown: str):
    """diag(v): the square matrix with the entries of the vector v on its diagonal."""
    if not is_array(value) or 1 not in value.shape:
        raise InputError(f"{shown}: diag takes a vector", token=shown)
    return sympy.ImmutableMatrix(sympy.diag(*list(value)))


def component(value, index: tuple[int, ...] | None, shown: str):
    """The entry of a side's array that this instance checks (its ``#``), or the side
    itself when it is a scalar."""
    if not is_array(value):
        if index:
            raise WrongShape(Prose.format("${s}$: a scalar where an array is compared entry "
                                          "by entry (the first side is an array)", s=shown),
                             token=shown)
        return value
    if index is None:
        raise WrongShape(Prose.latex(shown) + f": this side is a {shape_text(value)} array; "
                         "a formula is compared entry by entry when its first side is an "
                         "array too", token=shown)
    if len(index) == 1:
        row, col = (index[0], 1) if value.cols == 1 else (1, index[0])
    else:
        row, col = index
    if not (1 <= row <= value.rows and 1 <= col <= value.cols):
        raise WrongShape(f"{shown}: a {shape_text(value)} array where the first side has an "
                         f"entry {','.join(map(str, index))}", token=shown)
    return value[row - 1, col - 1]


# --- the tree: time superscripts as indices, the first side's shape --------------------

def entries_name(node, vocab) -> str | None:
    if isinstance(node, T.Sym):
        name = vocab.written.get(sympy_name(node.name))
        if name in vocab.entries:
            return name
    return None


def as_index(node, vocab):
    """``h^{(t)}`` → ``h_{t}``, ``\\hat{y}^{(t)}_i`` and ``o_i^{(t)}`` → the entry (t, i) for a symbol
    written by its entries (the superscript is its first index); anything else as is."""
    if isinstance(node, T.Sample) and entries_name(node.x, vocab):
        return T.Index(node.x, (node.index,))
    if isinstance(node, T.Sample) and isinstance(node.x, T.Sym):
        numbered = re.fullmatch(r"(.+?)_\{?([0-9]+)\}?", node.x.name)   # a^t_1: entry (t, 1)
        if numbered and entries_name(T.Sym(numbered.group(1)), vocab):
            digits = numbered.group(2)
            rest = len(vocab.entries[entries_name(T.Sym(numbered.group(1)), vocab)]) - 1
            parts = [digits] if rest == 1 else list(digits)
            return T.Index(T.Sym(numbered.group(1)), (node.index, *map(T.Num, parts)))
    if isinstance(node, T.Index) and isinstance(node.x, T.Sample) and \
            entries_name(node.x.x, vocab):
        return T.Index(node.x.x, (node.x.index, *node.indices))
    if isinstance(node, T.Sample) and isinstance(node.x, T.Index) and \
            entries_name(node.x.x, vocab):              # o_i^{(t)}: the entry (t, i)
        return T.Index(node.x.x, (node.index, *node.x.indices))
    return node


def array_axes(node, vocab) -> tuple[int, ...] | None:
    """The sizes of the axes of an array that ``node`` (a first side) stands for: the
    variable of a gradient ``\\nabla_{w_j} E`` or ``\\partial E/\\partial W``, a slice
    ``h^{(t)}``, a whole symbol ``W``; None for a scalar."""
    if isinstance(node, T.DiffOp):
        return array_axes(node.var, vocab)
    if isinstance(node, T.Partial):
        return array_axes(node.den, vocab)
    node = as_index(node, vocab)
    if isinstance(node, T.Index):
        name = entries_name(node.x, vocab)
        if name is None:
            return None
        sizes = vocab.entries[name]
        rest = sizes[len(node.indices):]
        return tuple(rest) if rest and len(rest) <= 2 else None
    name = entries_name(node, vocab)
    if name is not None and len(vocab.entries[name]) <= 2:
        return tuple(vocab.entries[name])
    return None


def components(axes: tuple[int, ...]):
    """Every entry of an array of these axes, in order: (1,), (2,) … or (1, 1), (1, 2) …"""
    return itertools.product(*(range(1, s + 1) for s in axes))


class ArraysMeaning:
    """The methods of :class:`~derive.model.meaning.Meaning` for arrays (``self`` is the
    Meaning)."""

    def index_values(self, n: T.Index) -> list[int]:
        """The values of ``n``'s indices here (each must have one: a free index of the
        formula, a sum's own, or a number)."""
        values = []
        for i in n.indices:
            value = self(i)
            if not value.is_Integer:
                raise InputError(f"{tree_latex(n)}: the index {tree_latex(i)} has no value "
                                 "here", token=tree_latex(n))
            values.append(int(value))
        return values

    def array_of(self, n: T.Index, name: str):
        """``w_k`` (fewer indices than w has): the array of the entries that remain."""
        sizes = self.vocab.entries[name]
        given = self.index_values(n)
        rest = sizes[len(given):]
        if len(rest) > 2:
            raise InputError(f"{tree_latex(n)}: {len(rest)} indices left; write more of them",
                             token=tree_latex(n))
        if given and given[0] == 0:
            start = self.initial_array(n.x, rest)       # h^{(0)}: the state before the first
            if start is not None:
                return start
        cells = []
        for rest_idx in components(rest):
            nums = tuple(T.Num(str(v)) for v in (*given, *rest_idx))
            cells.append(self.entry(T.Index(n.x, nums), name))
        if len(rest) == 1:
            return sympy.ImmutableMatrix(rest[0], 1, cells)
        return sympy.ImmutableMatrix(rest[0], rest[1], cells)

    def initial_array(self, x: T.Sym, rest):
        """``h^{(0)}`` of ``h`` written by time: a declared ``h_0`` of the remaining shape."""
        bases = dict.fromkeys((x.name, self.vocab.spelled.get(entries_name(x, self.vocab))))
        for spelled in (f"{b}{z}" for b in bases if b for z in ("_0", "_{0}")):
            node = T.Sym(spelled)
            name = entries_name(node, self.vocab)
            if name is not None and tuple(self.vocab.entries[name]) == tuple(rest):
                return self.array_of(T.Index(node, ()), name)
        return None

    def entry_of_array(self, n: T.Index):
        """``(\\nabla_{o} L)_i``: entry i of an array written as a formula."""
        value = self(n.x)
        if not is_array(value):
            return None
        return component(value, tuple(self.index_values(n)), tree_latex(n))

    def kronecker(self, n: T.Index):
        """``\\delta_{kj}`` (the name \\delta not declared): 1 where the two indices are
        equal, 0 elsewhere (Bishop's I_{kj})."""
        a, b = self.index_values(n)
        self.note(Prose.format("$\\delta_{{kj}}$ read as the Kronecker delta (1 where $k = j$, "
                               "0 elsewhere)"))
        return sympy.Integer(int(a == b))

    def class_indicator(self, rel):
        """``1_{i = y^{(t)}}``, ``1\\{y^{(i)} = k\\}``: a label declared ``simplex`` (one-hot)
        written with one index fewer than it has is the class number; the indicator that it
        equals a class is the one-hot entry (None for any other condition)."""
        if not isinstance(rel, T.Rel) or rel.op != "=":
            return None
        for label, cls in ((rel.a, rel.b), (rel.b, rel.a)):
            node = as_index(label, self.vocab)
            given = node.indices if isinstance(node, T.Index) else ()
            name = entries_name(node.x if isinstance(node, T.Index) else node, self.vocab)
            if name is None or name not in self.vocab.one_hot or \
                    len(given) != len(self.vocab.entries[name]) - 1:
                continue
            base = node.x if isinstance(node, T.Index) else node
            return self(T.Index(base, (*given, cls)))
        return None

    def partials(self, num, var):
        """∂num/∂v by an array v: the array of the partials by its entries (the gradient
        ∇_v num, of v's shape)."""
        from .objects import Partial, SampleOf
        if is_array(num):
            # ∂h^{(t+1)}/∂h^{(t)}: the Jacobian, entry (i, j) = ∂h^{(t+1)}_i/∂h^{(t)}_j
            if num.cols != 1 or var.cols != 1 or not all(
                    isinstance(e, sympy.Symbol) for e in (*num, *var)):
                raise InputError("a derivative of an array is read as a Jacobian of a vector "
                                 "by a vector of declared quantities", token=r"\partial")
            return sympy.ImmutableMatrix(num.rows, var.rows,
                                         lambda i, j: Partial(num[i], var[j]))
        if not all(isinstance(e, sympy.Symbol) for e in var):
            raise InputError("a derivative by an array whose entries are not declared "
                             "quantities", token=r"\partial")
        if not isinstance(num, sympy.Symbol) and not num.has(SampleOf):
            # ∂(v'^T h)/∂h: an expression's gradient, through the model
            return var.applyfunc(lambda e: sympy.Derivative(num, e, evaluate=False))
        if not isinstance(num, sympy.Symbol):
            raise InputError("the quantity differentiated must be a single declared symbol "
                             "or an expression of the chapter's quantities", token=r"\partial")
        return var.applyfunc(lambda e: Partial(num, e))


ACCENTS = re.compile(r"\\(?:hat|widehat|tilde|widetilde|bar|overline)\{([^{}]*)\}")


def accent_siblings(name: str, vocab) -> list[str]:
    """Declared names written by entries of the same sizes that differ from ``name`` by an
    accent: a and \\hat{a} (Mallya's activation and pre-activation), y and \\tilde{y}."""
    from .vocabulary import sympy_name
    base = vocab.written.get(sympy_name(name))
    if base not in vocab.entries:
        return []
    plain = ACCENTS.sub(r"\1", name)
    out = []
    for spelled in sorted(set(vocab.spelled.values())):
        other = vocab.written.get(sympy_name(spelled))
        if spelled != name and other != base and other in vocab.entries and \
                vocab.entries[other] == vocab.entries[base] and \
                ACCENTS.sub(r"\1", spelled) == plain:
            out.append(spelled)
    return out


def array_variants(side, vocab, letters, shifted) -> list:
    """Diagnosis variants of a side with arrays (derive.calculus.indices): a time
    superscript moved by one or replaced by another index letter (h^{(t)} for h^{(t-1)}),
    a transpose dropped (W for W^T) or added to a matrix."""
    out = []
    for node in side.walk():
        if isinstance(node, T.Sample) and entries_name(node.x, vocab):
            out.extend((node, T.Sample(T.Sym(other), node.index))
                       for other in accent_siblings(node.x.name, vocab))
            for by in (-1, 1):
                moved = shifted(node.index, by)
                if moved is not None:
                    out.append((node, T.Sample(node.x, moved)))
            if isinstance(node.index, T.Sym) and node.index.name in letters:
                out.extend((node, T.Sample(node.x, T.Sym(other))) for other in letters
                           if other != node.index.name)
        elif isinstance(node, T.Transpose) and array_axes(node.x, vocab):
            out.append((node, node.x))
        name = entries_name(node, vocab)
        if name is not None and len(vocab.entries[name]) == 2:
            out.append((node, T.Transpose(node)))
    return out
