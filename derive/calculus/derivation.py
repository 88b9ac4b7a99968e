"""Reverse-mode chain rule over the chapter's graph, in the chapter's own variables.

micrograd-style: each node's local partial comes from its definition; the gradient of a
variable is the sum over the nodes computed from it,

    dL/dv = sum_{c : v -> c} dL/dc * ∂c/∂v,

and activations are written back as the nodes that hold them (σ(z_1) -> a_1), so results
read like a textbook's (a_2 - y, not σ(w_2σ(w_1x+b_1)+b_2) - y).
"""
from __future__ import annotations

import sympy

from ..model import activations
from .dag import dag_replace, dag_xreplace, has_kind, kinds
from .exponentials import as_shares
from ..read.latex import Partial, SampleOf
from ..memo import Memo
from ..model import Model
from ..model.functions import expand_calls
from ..model.objects import PartialBy
from ..model.quotients import node_only_definitions, quotient_nodes, write_out_node_only


def to_nodes(expr: sympy.Expr, model: Model) -> sympy.Expr:
    """Write f'(z) as a function of f, then f(z_k) as the node a_k = f(z_k) that holds it."""
    expr = activations.expand_primes(expr)
    held = {d.rhs: node for node, d in model.definitions.items()
            if isinstance(d.rhs, activations.Activation)}
    if held:
        expr = dag_xreplace(expr, held)
    return expr


def tidy(expr: sympy.Expr) -> sympy.Expr:
    """A compact canonical form for display: cancel, then factor."""
    expr = sympy.cancel(sympy.together(expr))
    try:
        return sympy.factor(expr)
    except sympy.PolynomialError:
        return expr


def local_partial(model: Model, node: sympy.Symbol, var: sympy.Symbol) -> sympy.Expr:
    """∂node/∂var from node's own definition (var held as an independent symbol)."""
    return to_nodes(derivative(model.definitions[node].rhs, var), model)


def derivative(expr: sympy.Expr, var: sympy.Symbol) -> sympy.Expr:
    """d expr/d var: sums, products, constant powers and one-argument functions by their
    rules, anything else by sympy.diff. The same tree as sympy.diff (built in SymPy's
    order), without its dispatch machinery on the many small local partials of a model.

    >>> w, x, b = sympy.symbols("w x b")
    >>> derivative(w * x + b, w), derivative((w * x + b) ** 2, x)
    (x, 2*w*(b + w*x))
    """
    if var not in expr.free_symbols:
        return sympy.Integer(0)
    if expr == var:
        return sympy.Integer(1)
    if not expr.is_commutative:
        return sympy.diff(expr, var)
    if expr.is_Add:                      # (u + v)' = u' + v'
        return sympy.Add(*[derivative(t, var) for t in expr.args])
    if expr.is_Mul:                      # (u v)' = u' v + u v'
        args = expr.args
        return sympy.Add(*[sympy.Mul(*args[:i], derivative(f, var), *args[i + 1:])
                           for i, f in enumerate(args) if var in f.free_symbols])
    if expr.is_Pow and var not in expr.exp.free_symbols:
        base, n = expr.args              # (u^n)' = u^n (n u' / u)
        return expr * (derivative(base, var) * n / base)
    if (isinstance(expr, sympy.Function) and len(expr.args) == 1
            and not isinstance(expr, sympy.core.function.AppliedUndef)
            and type(expr)._eval_derivative is sympy.Function._eval_derivative):
        du = derivative(expr.args[0], var)    # f(u)' = f'(u) u'  (log, exp, activations)
        return sympy.Integer(0) if du.is_zero else expr.fdiff(1) * du
    return sympy.diff(expr, var)


# gradients already derived in this process, by the model's content: a run that checks
# the same chapter again (mutation testing) derives them once
_BACKPROP = Memo(1000)


def backprop(model: Model, root: sympy.Symbol | None = None,
             wrt: sympy.Symbol | None = None) -> dict[sympy.Symbol, sympy.Expr]:
    """d root / d v for every v the root depends on (root = the loss by default); with
    ``wrt``, only for wrt and the nodes computed from it (the paths from wrt to the root:
    a Jacobian entry ∂h_4/∂h_3 costs one step, not the root's whole history)."""
    key = (model.content_key(), root, wrt)
    if key not in _BACKPROP:
        _BACKPROP.put(key, _backprop(model, root, wrt))
    return dict(_BACKPROP[key])


def _computed_from(model: Model, wrt: sympy.Symbol) -> set:
    """wrt and every node computed from it (in the model's order)."""
    reached = {wrt}
    for node in model.order:
        if model.definitions[node].rhs.free_symbols & reached:
            reached.add(node)
    return reached


def _backprop(model: Model, root: sympy.Symbol | None,
              wrt: sympy.Symbol | None = None) -> dict[sympy.Symbol, sympy.Expr]:
    grads: dict[sympy.Symbol, sympy.Expr] = {}
    if root is None or root == model.loss:
        if model.loss_expr is None:
            return {}
        # dL/d output from the loss definition, e.g. -y/a_2 + (1-y)/(1-a_2); a cost
        # written with a chapter function, J = 1/m Σ L(y, a), is differentiated through
        # its body (else each gradient would carry d/da L(y, a) unevaluated)
        loss = expand_calls(model.loss_expr, model)
        for v in loss.free_symbols:
            grads[v] = to_nodes(derivative(loss, v), model)
        start = model.order
    else:
        grads[root] = sympy.Integer(1)
        start = model.order[:model.order.index(root) + 1] if root in model.order else []
    between = None if wrt is None else _computed_from(model, wrt)
    for node in reversed(start):
        if between is not None and node not in between:
            continue                # no path from wrt through it
        g = grads.get(node)
        if g is None or g == 0:
            continue
        # the node's gradient is complete here: one cheap canonical form before it is
        # pushed to the parents keeps the expressions of deep models from nesting
        g = grads[node] = canonical(g, model, node)
        for var in sorted(model.definitions[node].rhs.free_symbols, key=str):
            if between is not None and var not in between:
                continue
            contribution = g * local_partial(model, node, var)
            grads[var] = grads.get(var, sympy.Integer(0)) + contribution
    # no simplification here: factoring every gradient is what makes deep models slow;
    # comparisons cancel differences, and displays tidy the few forms they show
    return grads


def canonical(g: sympy.Expr, model: Model, node: sympy.Symbol | None = None) -> sympy.Expr:
    """The form a node's gradient is kept in before it is pushed to its parents: the
    nodes defined from other nodes only written out; cancelled over one denominator
    only where such a definition is differentiated (the node itself or a node it reads,
    ∂L/∂o = Σ_k ∂L/∂ŷ_k ∂ŷ_k/∂o: the softmax's quotient rule, which cancels to ŷ - y)."""
    if not node_only_definitions(model):
        # nothing to write out: cancelling would multiply out the product of per-layer
        # factors (exponential in depth), so the gradient stays as the chain rule built it
        return g
    g = write_out_node_only(g, model)
    if node is not None and node not in quotient_nodes(model):
        # elsewhere one denominator multiplies out the products of the later steps (in a
        # recurrence, exponential in the steps): kept as the chain rule built it
        return g
    try:
        # a softmax's K-term sums cancelled as a scale and shares (one to one, see
        # calculus.exponentials.normalised): over one denominator they would multiply out
        shares = as_shares(g)
        if shares is not None:
            return sympy.cancel(sympy.together(shares[0])).xreplace(shares[1])
        return sympy.cancel(sympy.together(g))
    except sympy.PolynomialError:
        return g


def strip_sample_sums(e: sympy.Expr, model: Model) -> sympy.Expr:
    """Σ_{i=1}^{m} G^{(i)} -> G: the per-sample term whose sum over the batch the side is,
    where that is an identity (derive.calculus.samples.reduce_samples; raises
    KeepSamples where it is not). x^{(i)} outside a sum is the per-sample x."""
    from .samples import reduce_samples
    return reduce_samples(e, model)


def has_sample_sum(e: sympy.Expr) -> bool:
    """Does e sum over the samples (a sum whose upper limit is a symbol such as m)?"""
    return any(not lim[2].is_Integer for s in e.atoms(sympy.Sum) for lim in s.limits)


class Derivation:
    """All gradients of one model, computed once per run and cached."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self._loss_grads = None
        self._node_grads: dict[tuple, sympy.Expr] = {}

    @property
    def loss_grads(self) -> dict:
        """d loss / d v for every v (the chain rule over the whole model, on first use)."""
        if self._loss_grads is None:
            self._loss_grads = backprop(self.model)
        return self._loss_grads

    def gradient(self, of: sympy.Symbol, wrt: sympy.Symbol) -> sympy.Expr:
        """d of / d wrt through the graph (0 when wrt does not reach of)."""
        m = self.model
        if of == wrt:
            return sympy.Integer(1)
        if of == m.loss:
            return self.loss_grads.get(wrt, sympy.Integer(0))
        if of in m.definitions:
            if (of, wrt) not in self._node_grads:
                self._node_grads[of, wrt] = backprop(m, of, wrt).get(wrt, sympy.Integer(0))
            return self._node_grads[of, wrt]
        return sympy.Integer(0)

    def value(self, expr: sympy.Expr) -> sympy.Expr:
        """The per-sample meaning of a printed expression, in the chapter's variables.

        Partial(A, B) becomes dA/dB from the graph, d/dv(...) is differentiated with the
        other symbols held fixed, calls of chapter functions are expanded, f'(z) is
        written with f, and f(z_k) becomes a_k. A side that sums over the samples is read
        as its per-sample term where that is an identity; elsewhere
        :class:`~derive.calculus.samples.KeepSamples` is raised.
        """
        e = self.resolve(expr, nodes=False)
        if has_kind(e, sympy.Sum, SampleOf):
            e = strip_sample_sums(e, self.model)
        return to_nodes(e, self.model)

    def resolve(self, expr: sympy.Expr, nodes: bool = True) -> sympy.Expr:
        """A printed expression with its derivatives and calls evaluated; sums over the
        samples and sample superscripts kept as printed."""
        m = self.model
        e = expr
        # each rewrite walks and rebuilds the expression: only those that apply (a
        # gradient or a function body may bring derivatives and sums with it); the walks
        # go once through each shared subexpression (calculus.dag), as a recurrence's
        # gradients are DAGs whose trees grow exponentially in the steps
        if has_kind(e, Partial):
            e = dag_replace(e, lambda x: self.gradient(x.args[0], x.args[1])
                            if isinstance(x, Partial) else None)
        found = kinds(e)
        if PartialBy in found:
            e = dag_replace(e, lambda x: self.by_expression(*x.args)[0]
                            if isinstance(x, PartialBy) else None)
            found = kinds(e)
        if m.functions and any(issubclass(k, sympy.core.function.AppliedUndef)
                               for k in found):
            e = self.expand_calls(e)
            found = kinds(e)
        if any(issubclass(k, sympy.Derivative) for k in found):
            e = dag_replace(e, lambda x: self.total_derivative(x)
                            if isinstance(x, sympy.Derivative) else None)
        return to_nodes(e, m) if nodes else e

    def by_expression(self, of: sympy.Symbol, g: sympy.Expr):
        """∂of/∂(g) and the variable of g it was taken through (see
        :mod:`derive.calculus.by_expression`), both written down to the leaves."""
        from .by_expression import by_expression
        m = self.model
        full = m.loss_expr if of == m.loss and m.loss_expr is not None else of
        return by_expression(self.compose(self.expand_calls(full)),
                             self.compose(self.expand_calls(g)))

    def total_derivative(self, d: sympy.Derivative) -> sympy.Expr:
        r"""\frac{d}{dv} X as textbooks mean it: through the model. The quantities of X that
        depend on v are written out down to v (\frac{d}{dz} L(a, y) with a = \sigma(z)
        differentiates \sigma(z)); v and what it is computed from stay."""
        inner = self.expand_calls(d.expr)
        for v in d.variables:
            inner = self.compose(inner, keep=v) if v in self.model.definitions or \
                any(v in self.ancestors(n) for n in inner.free_symbols
                    if n in self.model.definitions) else inner
        if len(d.variables) == 1:
            return derivative(inner, d.variables[0])
        return sympy.diff(inner, *d.variables)

    def expand_calls(self, e: sympy.Expr) -> sympy.Expr:
        """Replace calls of chapter functions, L(a_2, y), by their bodies (by position)."""
        return expand_calls(e, self.model)

    def compose(self, expr: sympy.Expr, keep: sympy.Symbol | None = None) -> sympy.Expr:
        """Substitute node definitions down to the leaves (``keep`` and what feeds it stay)."""
        return expr.xreplace(self._composed_table(keep))

    def _composed_table(self, keep: sympy.Symbol | None) -> dict:
        """Each node's definition written down to the leaves (``keep`` and its ancestors
        left as they are), once per model: one substitution then composes any expression
        (node by node it would walk the expression once per node)."""
        m = self.model
        key = (keep, m.content_key())
        cache = self.__dict__.setdefault("_composed_tables", {})
        if key not in cache:
            protected = set()
            if keep is not None and keep in m.definitions:
                protected = {keep} | self.ancestors(keep)
            table: dict = {}
            for node in m.order:
                if node not in protected and node in m.definitions:
                    table[node] = m.definitions[node].rhs.xreplace(table)
            cache[key] = table
        return cache[key]

    def abstract(self, expr: sympy.Expr, keep: sympy.Symbol | None = None) -> sympy.Expr:
        """The inverse of :meth:`compose`: every composed definition written back as the
        node that holds it, so that a gradient of the composed loss reads in the chapter's
        variables and compares with the chain rule's without expanding anything.
        """
        m = self.model
        protected = set()
        if keep is not None and keep in m.definitions:
            protected = {keep} | self.ancestors(keep)
        composed: dict = {}
        table: dict = {}
        for node in m.order:
            if node in m.definitions and node not in protected:
                composed[node] = m.definitions[node].rhs.xreplace(composed)
                table[composed[node]] = node
        expr = to_nodes(expr.xreplace(table), m)
        return expr.xreplace(table)

    def ancestors(self, node: sympy.Symbol) -> set[sympy.Symbol]:
        m = self.model
        out: set[sympy.Symbol] = set()
        todo = [node]
        while todo:
            n = todo.pop()
            if n in m.definitions:
                for p in m.definitions[n].rhs.free_symbols:
                    if p not in out:
                        out.add(p)
                        todo.append(p)
        return out

    def composed_loss(self, keep: sympy.Symbol | None = None) -> sympy.Expr:
        return self.compose(self.model.loss_expr, keep)

    def forward_gradient(self, wrt: sympy.Symbol) -> sympy.Expr:
        """Independent route for deep models: d loss/d wrt by forward accumulation, in
        the chapter's variables. A tangent is pushed from ``wrt`` through the definitions
        in graph order, dn = Σ_p (∂n/∂p) dp, with each local partial by sympy.diff (not
        by :func:`derivative`, which the chain rule uses): the other direction of the
        chain rule, with other code, at a cost linear in the depth per variable.
        """
        m = self.model
        tangent = {wrt: sympy.Integer(1)}

        def push(expr):
            # (∂expr/∂p) dp summed over the parents p that carry a tangent
            return sympy.Add(*[to_nodes(sympy.diff(expr, p), m) * tangent[p]
                               for p in sorted(expr.free_symbols & tangent.keys(), key=str)])
        after = m.order[m.order.index(wrt) + 1:] if wrt in m.order else m.order
        for node in after:
            if node in m.definitions and node != wrt:
                t = push(m.definitions[node].rhs)
                if t != 0:
                    tangent[node] = t
        return push(m.loss_expr)

    def direct_gradient(self, wrt: sympy.Symbol) -> sympy.Expr:
        """Independent route: sympy.diff of the loss composed down to wrt."""
        return sympy.diff(self.composed_loss(keep=wrt), wrt)
