"""What a reading means in the chapter: the reader's tree turned into the engine's SymPy
expression under the chapter's closed world (:class:`~derive.model.vocabulary.Vocabulary`).

Every node of the tree is used or the formula is rejected: a construct the engine cannot
evaluate in this chapter is an :class:`~derive.errors.InputError` naming it, never
dropped. Nothing is evaluated beyond SymPy's own canonical form, and numbers are bounded
(a power tower of numbers is refused, not computed).
"""
from __future__ import annotations

import sympy

from ..prose import Prose
from ..errors import InputError
from ..read import tree as T
from ..read.printer import latex as tree_latex
from . import arrays
from .arrays import ArraysMeaning, is_array
from .functions import FunctionsMeaning
from .indexed import EXPANDED_KINDS, EntriesMeaning
from .indexed import shown as _shown
from .objects import Hadamard, Partial, PartialBy, SampleOf, Transposed
from .vocabulary import sympy_name

MAX_EXPONENT = 10_000     # |n| in a power of numbers (2^{2^{100}} is refused, not computed)
MAX_FORMULA_EXPONENT = 64  # |n| in a power of a formula ((a - y)^{2^{16}} would be expanded)


# nodes that make an expression (not one quantity) inside a derivative's fraction
EXPRESSIONS = (T.Mul, T.Add, T.Neg, T.Div, T.Pow, T.Had, T.Inner)


class Meaning(EntriesMeaning, ArraysMeaning, FunctionsMeaning):
    """Turn one side's tree into SymPy; collects the spellings, aliases and notes."""

    def __init__(self, vocab, chain_var=None, bound=None) -> None:
        self.vocab = vocab
        self.chain_var = chain_var
        self.bound = dict(bound or {})
        self.aliases: set[tuple[str, str]] = set()
        self.spellings: set[tuple[str, str]] = set()
        self.notes: list[str] = []

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def __call__(self, n: T.Node):
        method = getattr(self, "m_" + type(n).__name__, None)
        if method is None:
            raise InputError(f"cannot use {_shown(n)} in this chapter",
                             token=_shown(n))
        return method(n)

    # --- atoms --------------------------------------------------------------------------

    def m_Num(self, n):
        return sympy.Rational(n.text) if "." in n.text else sympy.Integer(n.text)

    def m_Const(self, n):
        if n.name == "e":
            return sympy.E
        if n.name == r"\pi":
            return sympy.pi
        raise InputError(f"cannot use {n.name} in a formula that is evaluated",
                         token=n.name)

    def m_Sym(self, n):
        if n.name in self.vocab.sets:
            raise InputError(f"the set {n.name} where a number is expected (a set is read "
                             "after \\in)", token=n.name)
        sym = self.symbol(n.name)
        named = self.vocab.gradients.get(sympy_name(n.name)) or \
            self.vocab.gradients.get(str(sym))
        if named is not None:                      # dz: the loss's derivative by z
            return Partial(*named)
        return sym

    def symbol(self, canonical: str) -> sympy.Symbol:
        name = sympy_name(canonical)
        if name in self.bound:
            return self.bound[name]
        sym = self.vocab.symbol(name)
        if sym is None and canonical in self.vocab.sizes:
            return sympy.Integer(self.vocab.sizes[canonical])     # K of [sizes]: its value
        if sym is None and self.vocab.entries:
            numbered = self.numbered_entry(canonical)           # x_1, w_{21}: one entry
            if numbered is not None:
                return numbered
        if sym is not None and self.vocab.written.get(name) in self.vocab.entries:
            base = self.vocab.written[name]
            if "@" + base in self.bound:       # "w" for any weight: this instance's entry
                return self.bound["@" + base]
            if len(self.vocab.entries[base]) <= 2:
                return self.array_of(T.Index(T.Sym(canonical), ()), base)   # W: the matrix
            raise InputError(f"{canonical} is written by its entries: write one entry, or a "
                             "sum over them", token=canonical)
        if sym is None:
            raise InputError(f"unknown symbol '{canonical}': declare it in the manifest's "
                             "[symbols] table (or as an alias)", token=canonical)
        canonical_name = self.vocab.written[name]
        self.spellings.add((name, canonical_name))
        if canonical_name != name:
            self.aliases.add((name, canonical_name))
        return sym

    def m_Index(self, n):
        n = arrays.as_index(n, self.vocab)            # \hat{y}^{(t)}_i: the entry (t, i)
        if isinstance(n.x, T.Sym):
            name = self.vocab.written.get(sympy_name(n.x.name))
            if name in self.vocab.entries:
                if len(n.indices) < len(self.vocab.entries[name]):
                    return self.array_of(n, name)       # w_k: the vector of row k
                return self.entry(n, name)
        if isinstance(n.x, T.Call) and len(n.x.args) == 1 and len(n.indices) == 1 and \
                isinstance(n.x.args[0], T.Sym) and not n.x.primes and \
                self.vocab.written.get(sympy_name(n.x.args[0].name)) in self.vocab.entries:
            return self.entry_of_call(n)
        if self.vocab.entries and not isinstance(n.x, T.Sym):
            value = self.entry_of_array(n)              # (\nabla_o L)_i
            if value is not None:
                return value
        if self.vocab.entries and isinstance(n.x, T.Sym) and n.x.name == r"\delta" and \
                len(n.indices) == 2 and self.vocab.symbol(sympy_name(r"\delta")) is None:
            return self.kronecker(n)                     # \delta_{kj}: 1 where k = j
        shown = tree_latex(n)
        raise InputError(f"{shown}: an entry at a free index is index notation, which this "
                         "chapter cannot evaluate yet; declare the entry as a symbol of its "
                         "own, or write the chapter with vectors", token=shown)

    # --- arithmetic ---------------------------------------------------------------------

    def m_Neg(self, n):
        return -self(n.x)

    def m_Add(self, n):
        return arrays.add([self(t) for t in n.terms], self.note)

    def m_Mul(self, n):
        return arrays.multiply([self(f) for f in n.factors])

    def m_Had(self, n):
        a, b = self(n.a), self(n.b)
        if is_array(a) and is_array(b):
            return arrays.elementwise(a, b)
        if is_array(a) or is_array(b):
            return arrays.multiply([a, b])
        if a.is_commutative and b.is_commutative:
            return a * b              # ⊙ of scalars is the product
        return Hadamard(a, b)

    def m_Div(self, n):
        num, den = self(n.num), self(n.den)
        if is_array(den):
            raise InputError(f"{tree_latex(n)}: a division by an array", token=r"\frac")
        return arrays.scalar_or_array(num / den) if is_array(num) else num / den

    def m_Pow(self, n):
        if isinstance(n.base, T.Sym) and isinstance(n.exp, T.Num):
            # a declared power name (\sigma_{\mathcal{B}}^2): the variable, not a square
            declared = self.vocab.symbol(sympy_name(f"{n.base.name}^{{{n.exp.text}}}"))
            if declared is not None:
                return self.symbol(f"{n.base.name}^{{{n.exp.text}}}")
        base, exp = self(n.base), self(n.exp)
        if is_array(base) and not is_array(exp):
            return arrays.power(base, exp, tree_latex(n))
        if base.is_Number and exp.is_Number and abs(exp) > MAX_EXPONENT:
            raise InputError(f"the power {tree_latex(n)} is too large to evaluate",
                             token="^")
        if exp.is_Number and not base.is_Number and abs(exp) > MAX_FORMULA_EXPONENT:
            raise InputError(f"the power {tree_latex(n)} has the exponent {exp}: derive reads "
                             f"powers of a formula up to {MAX_FORMULA_EXPONENT}", token="^")
        if exp.is_Number and not exp.is_Integer and base.is_Number and base < 0:
            raise InputError(f"{tree_latex(n)}: a fractional power of a negative number",
                             token="^")
        return sympy.Pow(base, exp)

    def m_Transpose(self, n):
        inner = self(n.x)
        if is_array(inner):
            return arrays.scalar_or_array(inner.T)
        if getattr(inner, "is_commutative", True):
            self.note(Prose.format("$^T$ on a scalar read as the scalar itself"))
            return inner
        return Transposed(inner)

    def m_Sample(self, n):
        flat = arrays.as_index(n, self.vocab)
        if flat is not n:
            return self(flat)                    # h^{(t)} of h written by its entries
        if isinstance(n.index, T.Num):
            raise InputError(f"{tree_latex(n)}: a sample superscript takes an index letter, "
                             "x^{(i)}; for a power write x^{2}", token=tree_latex(n))
        if not isinstance(n.index, T.Sym):
            raise InputError(f"{tree_latex(n)}: a sample superscript takes one index",
                             token=tree_latex(n))
        return SampleOf(self(n.x), self.index_symbol(n.index.name))

    def index_symbol(self, canonical: str) -> sympy.Symbol:
        sym = self.vocab.symbol(sympy_name(canonical))
        if sym is None:
            raise InputError(f"unknown index '{canonical}': declare it with role = \"index\"",
                             token=canonical)
        return self.symbol(canonical)

    # --- derivatives --------------------------------------------------------------------

    def m_Partial(self, n):
        if isinstance(n.num, T.Call) and n.num.func in self.vocab.unspecified:
            return self.partial_of_unspecified(n)
        if isinstance(n.num, T.Call) and n.num.func in self.vocab.user_functions:
            # \frac{dL(a, y)}{da}: the chapter's function differentiated by one of its
            # arguments, the others held fixed, as \frac{d}{da} L(a, y)
            return sympy.Derivative(self(n.num), self.one_symbol(n.den), evaluate=False)
        den = self(n.den)
        if is_array(den):
            return self.partials(self(n.num), den)        # ∂E/∂w_j: a gradient vector
        if isinstance(n.den, EXPRESSIONS) and not isinstance(den, sympy.Symbol) and \
                not den.is_number:
            # Rong's ∂E/∂(v'^T_{w_j} h): by the quantity the expression computes
            return PartialBy(self.one_symbol(n.num), den)
        if isinstance(n.num, EXPRESSIONS) and not isinstance(self(n.num), sympy.Symbol):
            # ∂(v'^T h)/∂v'_{21}: an expression differentiated through the model
            return sympy.Derivative(self(n.num), self.one_symbol(n.den), evaluate=False)
        num, den = self.one_symbol(n.num), self.one_symbol(n.den)
        return Partial(num, den)

    def one_symbol(self, node):
        value = self(node)
        if not isinstance(value, sympy.Symbol):
            shown = tree_latex(node)
            raise InputError(f"'{shown}' in a derivative must be a single declared symbol",
                             token=shown)
        return value

    def m_DiffOp(self, n):
        body = n.body
        if isinstance(body, T.Call) and body.func in self.vocab.unspecified:
            # \partial_w f(x_t, h_{t-1}, w): as \frac{\partial f(...)}{\partial w}
            return self.partial_of_unspecified(T.Partial(body, n.var))
        if isinstance(body, T.Mul) and isinstance(body.factors[0], T.Call) and \
                body.factors[0].func in self.vocab.unspecified:
            # \partial_{o_t} l(y_t, o_t) \partial_w g(h_t, w): each operator applies to the
            # function written after it (d2l's notation), not to the whole product
            self.note(Prose.format("$\\partial_{{{var}}} {f}(...)$ applies to ${f}(...)$ alone, "
                                   "not to what follows it", var=tree_latex(n.var),
                                   f=body.factors[0].func))
            rest = body.factors[1:]
            tail = self(rest[0] if len(rest) == 1 else T.Mul(tuple(rest)))
            return self.partial_of_unspecified(T.Partial(body.factors[0], n.var)) * tail
        if is_array(self(n.var)):
            return self.partials(self(body), self(n.var))  # \nabla_{h^{(t)}} L
        var = self.one_symbol(n.var)
        if isinstance(body, T.Index):
            return Partial(self.one_symbol(body), var)    # \partial_w h_t: h_t by w
        if isinstance(body, T.Sym):
            # d/dv of a named quantity: its derivative through the model, as ∂A/∂v
            return Partial(self.one_symbol(body), var)
        return sympy.Derivative(self(body), var, evaluate=False)

    def m_PrimeOf(self, n):
        if self.chain_var is None:
            raise InputError("a trailing prime (...)' needs the variable it differentiates "
                             "by; write \\frac{d}{dv}(...) instead", token="'")
        inner = self(n.x)
        self.note(Prose.format("$(...)'$ read as $d/d{var}$ (the variable of this chain)",
                               var=sympy.latex(self.chain_var)))
        return sympy.Derivative(inner, self.chain_var, evaluate=False)

    # --- sums and the rest --------------------------------------------------------------

    def m_Sum(self, n):
        idx = n.index.name
        if self.vocab.indices.get(idx) in EXPANDED_KINDS:
            return self.written_out(n, sympy.Add)          # (\sum_{j \neq k}: the others)
        over = self.vocab.written.get(sympy_name(idx))
        if over in self.vocab.entries and n.cond is None and n.lower is None \
                and n.upper is None:
            return self.over_entries(n, over)          # \sum_w w^2: every weight
        if n.cond is not None:
            raise InputError(f"{tree_latex(n).split(' ')[0]}: a sum with a condition under "
                             "it cannot be evaluated in this chapter", token=r"\sum")
        index = self.index_symbol(idx)
        if n.lower is None and n.upper is not None:
            # \sum_{i}^{m}: the index counts from 1 (as the books that write it mean)
            self.note(Prose.format("$\\sum_{{{i}}}^{{...}}$ read as "
                                   "$\\sum_{{{i}=1}}^{{...}}$", i=idx))
            lower, upper = sympy.Integer(1), self(n.upper)
        elif n.lower is None or n.upper is None:
            samples = self.vocab.samples
            if samples is None or n.lower is not None or n.upper is not None:
                raise InputError(f"\\sum_{{{idx}}} without its limits: write "
                                 f"\\sum_{{{idx}=1}}^{{m}}", token=r"\sum")
            self.note(Prose.format("$\\sum_{{{i}}}$ read as $\\sum_{{{i}=1}}^{{{m}}}$", i=idx,
                                   m=sympy.latex(samples)))
            lower, upper = sympy.Integer(1), samples
        else:
            lower, upper = self(n.lower), self(n.upper)
        body = self(n.body)
        try:
            return sympy.Sum(body, (index, lower, upper))
        except ValueError as exc:
            raise InputError(f"cannot read this sum: {exc}", token="\\sum") from None

    def m_Abs(self, n):
        return sympy.Abs(self(n.x))

    def m_Norm(self, n):
        inner = self(n.x)
        if is_array(inner):
            if n.sub not in (None, "2", "F"):
                raise InputError(f"the norm ‖·‖_{n.sub} is not evaluated", token=r"\|")
            return sympy.sqrt(sympy.Add(*[e ** 2 for e in inner]))
        if n.sub not in (None, "2", "F"):
            raise InputError(f"the norm ‖·‖_{n.sub} is not evaluated", token=r"\|")
        if inner.is_commutative:
            return sympy.Abs(inner)
        from .objects import NormOf
        return NormOf(inner)

    def m_Indicator(self, n):
        hit = self.class_indicator(n.cond)
        if hit is not None:
            return hit                  # 1_{i = y^{(t)}}: entry i of the one-hot label
        return sympy.Piecewise((1, self.relation(n.cond)), (0, True))

    def m_Cases(self, n):
        pieces = []
        for value, cond in n.rows:
            pieces.append((self(value), True if cond is None else self.relation(cond)))
        held = [c for _, c in pieces if c is not True]
        if held and all(c in (sympy.true, sympy.false) for c in held):
            # conditions on index values (w_j = w_O, w_j \in W_neg): decided here
            if not any(c is sympy.true for c in held) and pieces[-1][1] is not True:
                raise InputError(f"no row of the cases applies here ({self.where_bound()})",
                                 token=r"\begin{cases}")
            if sum(c is sympy.true for c in held) > 1:
                raise InputError(f"two rows of the cases apply here ({self.where_bound()})",
                                 token=r"\begin{cases}")
        if pieces[-1][1] is not True:
            pieces.append((sympy.nan, True))
        return sympy.Piecewise(*pieces)

    def relation(self, rel: T.Rel):
        if rel.op in ("in", "notin"):
            return self.membership(rel)
        a, b = self(rel.a), self(rel.b)
        ops = {"<": sympy.StrictLessThan, ">": sympy.StrictGreaterThan,
               "<=": sympy.LessThan, ">=": sympy.GreaterThan, "=": sympy.Eq,
               "!=": sympy.Ne}
        if rel.op not in ops:
            raise InputError(f"the condition {tree_latex(rel)} cannot be evaluated",
                             token=rel.op)
        return ops[rel.op](a, b)

    def where_bound(self) -> str:
        """The index values this formula is read at: "j=1, k=2"."""
        return ", ".join(f"{k}={v}" for k, v in sorted(self.bound.items())
                         if k[0] not in "@#" and getattr(v, "is_Integer", False)) or \
            "at every index value"

    def membership(self, rel: T.Rel):
        """j \\in S at a value of j: true or false (S a declared set or one written out)."""
        value = self(rel.a)
        if not value.is_Integer:
            raise InputError(f"the condition {tree_latex(rel)} has no value here (it is "
                             "evaluated at index values)", token=r"\in")
        hit = int(value) in self.set_value(rel.b)
        return sympy.true if hit == (rel.op == "in") else sympy.false

    def set_value(self, node) -> frozenset:
        """The index values of a set: a declared set, \\{a, b\\}, A \\cup B, ..."""
        if isinstance(node, T.Sym) and node.name in self.vocab.sets:
            return self.vocab.sets[node.name]
        if isinstance(node, T.SetOf):
            values = [self(x) for x in node.items]
            if not all(v.is_Integer for v in values):
                raise InputError(f"{tree_latex(node)}: a set of index values must list "
                                 "numbers or named values (w_O)", token=r"\{")
            return frozenset(int(v) for v in values)
        if isinstance(node, T.SetOp):
            a, b = self.set_value(node.a), self.set_value(node.b)
            return {"union": a | b, "intersection": a & b, "difference": a - b}[node.op]
        shown = tree_latex(node)
        raise InputError(f"'{shown}' after \\in is not a declared set: declare it in the "
                         "manifest's [sets] table", token=shown)

    def m_Inner(self, n):
        a, b = self(n.a), self(n.b)
        if is_array(a) and is_array(b):
            return arrays.multiply([a.T, b])
        if a.is_commutative and b.is_commutative:
            return a * b
        return Transposed(a) * b
