"""Reading index notation (derive.model.entries): an entry at index values, an entry
of an activation of a vector, sums and products over a unit, class or time index written
out term by term. Mixed into :class:`~derive.model.meaning.Meaning`."""
from __future__ import annotations

import re

import sympy

from ..prose import Prose
from ..errors import InputError
from ..read import tree as T
from ..read.printer import latex as tree_latex
from .arrays import add, is_array
from .objects import Partial
from .vocabulary import ACTIVATION_WORDS, sympy_name

MAX_SUM_TERMS = 5000      # terms of written-out sums (nested sums multiply)
EXPANDED_KINDS = ("unit", "class", "time")   # indices whose sums are written out


class EntriesMeaning:
    """The methods of :class:`Meaning` for entries (``self`` is the Meaning)."""

    def numbered_entry(self, canonical: str):
        """``x_1``, ``w_{21}``, ``w_{2,1}``: an entry at numbers (each digit one index when
        the symbol has as many indices and no comma separates them)."""
        m = re.fullmatch(r"(.+?)_\{?([0-9A-Za-z][0-9A-Za-z,]*)\}?", canonical)
        if m is None:
            return None
        base, digits = m.groups()
        if digits in self.vocab.sizes:                  # h_T: the last entry
            digits = str(self.vocab.sizes[digits])
        elif not re.fullmatch(r"[0-9,]+", digits):
            return None
        name = self.vocab.written.get(sympy_name(base))
        if name not in self.vocab.entries:
            return None
        dims = len(self.vocab.entries[name])
        parts = digits.split(",") if "," in digits else \
            [digits] if dims == 1 else list(digits)
        if len(parts) != dims or not all(parts):
            return None
        index = T.Index(T.Sym(base), tuple(T.Num(p) for p in parts))
        return self.entry(index, name)

    def entry(self, n, name: str):
        """``w_{jk}`` at the values of j and k: the entry's symbol (derive.model.entries)."""
        shown = tree_latex(n)
        sizes = self.vocab.entries[name]
        if len(n.indices) != len(sizes):
            raise InputError(f"{shown}: {n.x.name} has {len(sizes)} "
                             f"ind{'ex' if len(sizes) == 1 else 'ices'}, not {len(n.indices)}",
                             token=shown)
        idx = []
        for i, size in zip(n.indices, sizes):
            value = self(i)
            if not value.is_Integer:
                raise InputError(f"{shown}: the index {tree_latex(i)} has no value here (a free "
                                 "index of a formula is given every value of its range; "
                                 "inside a sum, the sum's own index)", token=shown)
            if int(value) == 0 and not idx:
                start = self.initial_entry(n, name)      # h_0: the state before the first
                if start is not None:
                    return start
            if not 1 <= int(value) <= size:
                raise InputError(f"{shown} at {tree_latex(i)} = {value}: {n.x.name} has entries "
                                 f"1 to {size} there", token=shown)
            idx.append(int(value))
        key = (name, tuple(idx))
        self.spellings.add((sympy_name(n.x.name), name))
        if name in self.vocab.entry_gradients:
            loss, of = self.vocab.entry_gradients[name]
            return Partial(loss, self.vocab.entry_symbols[(of, key[1])])
        if key in self.vocab.entry_values:
            return self.vocab.entry_values[key]
        return self.vocab.entry_symbols[key]

    def over_entries(self, n, base: str):
        """``\\sum_w w^2`` (Nielsen's sum over all the weights): the body at every entry of
        the symbol the sum runs over."""
        key = "@" + base
        outer = self.bound.get(key)
        terms = []
        try:
            for (b, _), sym in sorted(self.vocab.entry_symbols.items(), key=str):
                if b == base:
                    self.bound[key] = sym
                    terms.append(self(n.body))
        finally:
            if outer is None:
                self.bound.pop(key, None)
            else:
                self.bound[key] = outer
        return sympy.Add(*terms)

    def unspecified_call(self, f: str, args: list):
        """``f(x_t, h_{t-1}, w_h)`` of a function left unspecified: a value and a first
        partial per argument, free variables of this application (the same application
        written again is the same). Every first derivative through the model is then what
        the chain rule makes of any f; second derivatives of f are not claims derive
        checks."""
        key = (f, tuple(args))
        site = self.vocab.unspecified_sites.get(key)
        if site is None:
            shown = ", ".join(sympy.latex(a) for a in args)
            value = sympy.Symbol(f"{f}({shown})", real=True)
            partials = tuple(sympy.Symbol(f"\\partial_{{{k + 1}}} {f}({shown})", real=True)
                             for k in range(len(args)))
            site = self.vocab.unspecified_sites[key] = (value, partials)
            self.vocab.unspecified_symbols.extend([value, *partials])
        value, partials = site
        # affine in the arguments: its value is free (value is), its slopes are ∂_k f
        return value + sympy.Add(*[d * a for d, a in zip(partials, args)])

    def partial_of_unspecified(self, n):
        """∂f(x_t, h_{t-1}, w_h)/∂w_h: the partial by one of its arguments, the others held
        (d2l's immediate partial); by anything else, the derivative through the model."""
        call = n.num
        args = [self(a) for a in call.args]
        var = self.argument_by_name(n.den, call) or self.one_symbol(n.den)
        value, partials = self.vocab.unspecified_sites.get((call.func, tuple(args))) or \
            (None, None)
        if value is None:
            self.unspecified_call(call.func, args)
            value, partials = self.vocab.unspecified_sites[(call.func, tuple(args))]
        if var in args:
            return sympy.Add(*[d * sympy.diff(a, var) for d, a in zip(partials, args)])
        return sympy.Add(*[d * Partial(a, var) for d, a in zip(partials, args)
                           if isinstance(a, sympy.Symbol)])

    def argument_by_name(self, den, call):
        """``\\partial_h f(x_t, h_{t-1}, w)``: h names the argument that is an entry of h
        (the one argument written with that symbol), or None."""
        if not isinstance(den, T.Sym):
            return None
        base = self.vocab.written.get(sympy_name(den.name))
        if base not in self.vocab.entries:
            return None
        hits = [a for a in call.args if isinstance(a, T.Index) and isinstance(a.x, T.Sym)
                and self.vocab.written.get(sympy_name(a.x.name)) == base]
        if len(hits) != 1:
            return None
        self.note(Prose.format("$\\partial_{{{var}}} {f}(...)$ read as the partial by its "
                               "argument ${arg}$", var=den.name, f=call.func,
                               arg=tree_latex(hits[0])))
        return self(hits[0])

    def initial_entry(self, n, name: str):
        """Entry 0 of a sequence by its first index: ``h_0`` (h_1..h_T), the entry i of a
        declared vector ``c_0`` (``c^{t-1}_i`` at t = 1), and for a named gradient of such
        a sequence (``\\delta c^{t-1}``) the loss's derivative by that entry; or None."""
        grad = self.vocab.entry_gradients.get(name)
        base = grad[1] if grad else name
        spelled = n.x.name if grad is None else self.vocab.spelled.get(base, base)
        start = self.initial(spelled, base)
        if start is None:
            return None
        if len(n.indices) > 1:
            written = next(s for s in (f"{spelled}_0", f"{spelled}_{{0}}")
                           if self.vocab.symbol(sympy_name(s)) is not None)
            start_name = self.vocab.written[sympy_name(written)]
            if start_name not in self.vocab.entries:
                return None
            start = self.entry(T.Index(T.Sym(written), n.indices[1:]), start_name)
        return start if grad is None else Partial(grad[0], start)

    def initial(self, written: str, name: str):
        """``h_0`` declared as a symbol of its own: entry 0 of a sequence h_1..h_T (the
        initial state of a recurrence), or None."""
        for spelled in (f"{written}_0", f"{written}_{{0}}"):
            sym = self.vocab.symbol(sympy_name(spelled))
            if sym is not None:
                return self.symbol(spelled)
        return None

    def entry_of_call(self, n):
        """``\\mathrm{softmax}(\\mathbf{o})_j``: entry j of an activation of a vector of
        entries (softmax: e^{o_j} / Σ_k e^{o_k}; an elementwise one: f(o_j))."""
        call, arg = n.x, n.x.args[0]
        name = self.vocab.written[sympy_name(arg.name)]
        sizes = self.vocab.entries[name]
        if len(sizes) != 1:
            raise InputError(f"{shown(n)}: {arg.name} is not a vector", token=shown(n))
        f = call.func
        cls_ = self.vocab.functions.get(f) or (self.inferred(f) if activation_word(f) else None)
        if cls_ is None:
            raise InputError(f"{shown(n)}: {f} is not a declared activation", token=f)
        j = self.entry(T.Index(arg, n.indices), name)
        if cls_.kind != "softmax":
            return cls_(j)
        everything = [self.vocab.entry_symbols[(name, (i,))] for i in range(1, sizes[0] + 1)]
        return sympy.exp(j) / sympy.Add(*[sympy.exp(v) for v in everything])

    def m_Prod(self, n):
        if self.vocab.indices.get(n.index.name) in EXPANDED_KINDS:
            return self.written_out(n, sympy.Mul)
        raise InputError(f"cannot use {shown(n)} in this chapter", token=r"\prod")

    def written_out(self, n, op):
        """A sum (product) over a unit, class or time index, term by term: the index runs
        over its limits, or, without them, over the entries it stands in."""
        idx = n.index.name
        name = sympy_name(idx)
        if n.lower is not None and n.upper is not None:
            lower, upper = self(n.lower), self(n.upper)
        elif n.lower is None and n.upper is not None:
            self.note(Prose.format("$\\sum_{{{i}}}^{{...}}$ read as "
                                   "$\\sum_{{{i}=1}}^{{...}}$", i=idx))
            lower, upper = sympy.Integer(1), self(n.upper)
        elif n.lower is None and n.upper is None:
            from .entries import WrongIndices, index_ranges, the_range
            sizes = index_ranges(n.body, self.vocab).get(idx, {})
            try:
                size = the_range(idx, sizes, shown(n), self.vocab)
            except WrongIndices as exc:
                raise InputError(f"{shown(n)}: {exc.message}", token=r"\sum") from None
            lower, upper = sympy.Integer(1), sympy.Integer(size)
        else:
            raise InputError(f"{shown(n)}: a sum with a lower limit and no upper one",
                             token=r"\sum")
        if not (lower.is_Integer and upper.is_Integer):
            raise InputError(f"{shown(n)}: its limits must be numbers or sizes from [sizes], "
                             f"not {lower} and {upper}", token=r"\sum")
        if lower > upper + 1:
            # \sum_{i=t}^{1} (a draft of d2l): read by the usual convention, an empty sum;
            # the note says so (\sum_{i=k+1}^{k}, empty by design, gets none)
            self.note(Prose.format(
                "${sum}$ runs from {lower} down to {upper}: read as empty, by the usual "
                "convention (for the terms in between, write the smaller limit below)",
                sum=shown(n), lower=lower, upper=upper))
        if isinstance(n.cond, T.Rel) and n.cond.op in ("in", "notin"):
            # \sum_{w_j \in W_neg}: a value of the set outside the index's range would be
            # dropped without a word
            outside = sorted(v for v in self.set_value(n.cond.b)
                             if not int(lower) <= v <= int(upper))
            if outside:
                raise InputError(f"{shown(n)}: the set has {outside[0]}, outside the range "
                                 f"{lower} to {upper} of {idx}", token=r"\in")
        count = int(upper) - int(lower) + 1
        self.terms = getattr(self, "terms", 1) * max(count, 1)
        if self.terms > MAX_SUM_TERMS:
            raise InputError(f"{shown(n)}: more than {MAX_SUM_TERMS} terms written out; use "
                             "smaller sizes", token=r"\sum")
        outer = self.bound.get(name, None)
        terms = []
        try:
            for v in range(int(lower), int(upper) + 1):
                self.bound[name] = sympy.Integer(v)
                if n.cond is not None and not self.holds_here(n):
                    continue                  # \sum_{j \neq k}: the values the condition keeps
                terms.append(self(n.body))
        finally:
            if outer is None:
                self.bound.pop(name, None)
            else:
                self.bound[name] = outer
            self.terms //= max(count, 1)
        if any(is_array(t) for t in terms):
            if op is not sympy.Add:
                raise InputError(f"{shown(n)}: a product of arrays over an index", token=r"\prod")
            return add(terms, self.note)
        return op(*terms) if terms else op.identity



    def holds_here(self, n) -> bool:
        """The condition under a sum at the index's current value (j ≠ k: true or false)."""
        value = self.relation(n.cond)
        if value not in (sympy.true, sympy.false):
            raise InputError(f"{shown(n)}: the condition under the sum has no value at "
                             "each term", token=r"\sum")
        return value is sympy.true


def activation_word(f: str) -> str | None:
    if f.startswith(r"\operatorname{"):
        return ACTIVATION_WORDS.get(f[len(r"\operatorname{"):-1].lower())
    return None


def shown(n: T.Node) -> str:
    try:
        return tree_latex(n)
    except Exception:  # noqa: BLE001 - a name for the construct is enough
        return type(n).__name__
