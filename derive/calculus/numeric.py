"""The numeric route: NumPy at seeded random points against finite differences.

The oracle never uses SymPy's derivatives: every ∂A/∂B in a stated formula, and the
target gradient itself, is a 5-point central difference of the forward model written
from the definitions (``lambdify`` of the forward pass only). Stated formulas are
lambdified as printed. Points: ``draws`` parameter draws × ``samples`` training samples.
"""
from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass

import numpy as np
import sympy

from ..model import activations
from . import moved
from .moved import FD_MEMO as _FD_MEMO
from .derivation import Derivation
from ..read.latex import Partial
from ..memo import Memo
from ..model.objects import PartialBy

TINY = 1e-12
# model contents -> a number never reused in this process (the memo's keys carry it)
_MODEL_IDS = Memo(1_000)
_COUNTER = itertools.count()


def rel_error(a: np.ndarray, b: np.ndarray) -> float:
    """max |a-b| / max(|a|, |b|, 1e-12), elementwise.

    >>> rel_error(np.array([1.0, 2.0]), np.array([1.0, 2.2]))
    0.0909...
    """
    a, b = np.broadcast_arrays(np.asarray(a, float), np.asarray(b, float))
    if a.size == 0:
        return 0.0
    with np.errstate(invalid="ignore", over="ignore"):
        err = np.abs(a - b) / np.maximum(np.maximum(np.abs(a), np.abs(b)), TINY)
    if not np.all(np.isfinite(err)):
        return float("inf")
    return float(err.max())


def gradient_function(derivation: Derivation, wrt: sympy.Symbol,
                      of: sympy.Symbol | None = None):
    """The derived gradient d(of)/d(wrt) (the loss by default) as a NumPy function.

    It is lambdified from the compact form the report prints (cancelled and factored, or
    factor by factor for long chains), with common subexpressions computed once, so it
    costs about what the same formula written by hand in NumPy costs. Returns
    ``(function, symbols)``: call ``function(*values)`` with one value (array or float)
    per symbol, in that order.

    >>> d = _demo_derivation()
    >>> w = next(s for s in d.model.parameters if str(s) == "w")
    >>> fn, syms = gradient_function(d, w)
    >>> [str(s) for s in syms], float(fn(0.5, 2.0, 1.0))     # dL/dw = (a - y) x
    (['a', 'x', 'y'], -1.0)
    """
    from .display import display

    model = derivation.model
    g = derivation.gradient(of if of is not None else model.loss, wrt)
    form = display(g)
    syms = tuple(sorted(form.free_symbols, key=lambda s: s.name))
    fn = sympy.lambdify(syms, form, modules=[activations.numpy_functions(form), np], cse=True)
    return fn, syms


def _demo_derivation() -> Derivation:
    """A logistic unit z = w x + b, a = σ(z), L = -(y log a + (1-y) log(1-a)) (doctests)."""
    from ..read.manifest import parse_manifest
    from ..model import build_model, build_vocabulary, read_definitions, read_graph
    from ..read.source import parse_chapter_text

    man = parse_manifest(
        "[functions]\n'\\sigma' = { activation = \"sigmoid\" }\n[symbols]\n"
        "x = { role = \"input\" }\ny = { role = \"label\" }\nw = { role = \"weight\" }\n"
        "b = { role = \"bias\" }\nz = { role = \"weighted_input\" }\n"
        "a = { role = \"activation\" }\nL = { role = \"loss\" }\n", "demo.toml")
    items = parse_chapter_text(
        "% derive: definition\nz = w x + b\n% derive: definition\na = \\sigma(z)\n"
        "% derive: definition\nL = -(y \\log a + (1 - y) \\log (1 - a))\n", "demo.tex")
    vocab = build_vocabulary(man)
    defs, fns, _ = read_definitions(items, vocab)
    edges, _ = read_graph(items, vocab)
    return Derivation(build_model(man, vocab, defs, fns, edges, []))


class NumericError(Exception):
    """A formula the numeric route cannot evaluate (said plainly in the report)."""


@dataclass
class Draw:
    values: dict           # symbol -> ndarray (samples,) or float (parameters)


class NumericRoute:
    def __init__(self, derivation: Derivation, *, samples: int = 32, draws: int = 3,
                 seed: int = 0) -> None:
        self.d = derivation
        self.model = derivation.model
        self.m = samples
        rng = np.random.default_rng(seed)
        self.draws: list[Draw] = []
        params = set(self.model.parameters)
        for _ in range(draws):
            values = {}
            for sym in sorted(self.model.leaves, key=str):
                lo, hi = self._range(sym)
                size = None if sym in params else samples
                values[sym] = rng.uniform(lo, hi, size=size)
            if self.model.samples is not None:
                values[self.model.samples] = float(samples)
            self.draws.append(Draw(values))
        self._fns: dict = {}
        self._draw_keys: dict[int, tuple] = {}
        self._forward_fn = None
        self._forward_syms = ((), ())
        self._base: dict = {}        # id(draw values) -> (values, the unmoved forward pass)
        self._model_number: int | None = None

    @property
    def points(self) -> int:
        return len(self.draws) * self.m

    def away_from_kinks(self, draw: Draw) -> np.ndarray:
        """Samples whose ReLU inputs are not within 0.05 of the kink (where a finite
        difference straddles two slopes); the comparisons use only these."""
        mask = np.ones(self.m, dtype=bool)
        kinks = [d.rhs.args[0] for d in self.model.definitions.values()
                 if isinstance(d.rhs, activations.Activation) and d.rhs.kind == "relu"]
        if not kinks:
            return mask
        vals = self.forward(draw.values)
        for z in kinks:
            mask &= np.abs(self._eval(z, vals)) > 0.05
        return mask

    def _range(self, sym):
        m = self.model
        decl = m.manifest.symbols.get(m.latex(sym))
        if decl and decl.range:
            return decl.range
        return (0.05, 0.95) if m.roles.get(sym) == "label" else (-1.5, 1.5)

    # --- lambdify with a cache -------------------------------------------------------

    def _fn(self, expr: sympy.Expr, symbols: tuple):
        key = (expr, symbols)
        if key not in self._fns:
            expr = expr.subs(sympy.Heaviside(0, sympy.Rational(1, 2)), sympy.Rational(1, 2))
            # the numpy module itself, not "numpy": the same printer and code, without
            # lambdify's `from numpy import *` (0.07 s: it loads numpy.f2py, fft, ma...)
            if any(getattr(type(f), "kind", None) == "softmax"
                   for f in expr.atoms(sympy.Function)):
                raise NumericError("softmax is not elementwise: it has no value entry by "
                                   "entry in a scalar chapter")
            modules = [activations.numpy_functions(expr), np]
            self._fns[key] = sympy.lambdify(symbols, expr, modules=modules)
        return self._fns[key]

    def _eval(self, expr: sympy.Expr, values: dict) -> np.ndarray:
        syms = tuple(sorted(expr.free_symbols, key=lambda s: s.name))
        missing = [s for s in syms if s not in values]
        if missing:
            raise NumericError(f"no numeric value for {', '.join(map(str, missing))}")
        with np.errstate(all="ignore"):
            out = self._fn(expr, syms)(*[values[s] for s in syms])
        return np.broadcast_to(np.asarray(out, dtype=float), (self.m,)).copy()

    # --- the forward model ------------------------------------------------------------

    def forward(self, values: dict, override: dict | None = None) -> dict:
        """All node values (and the per-sample loss under the loss symbol)."""
        override = override or {}
        if not override:
            # the unmoved forward pass of a draw is asked for by every side: once per draw
            key = id(values)
            hit = self._base.get(key)
            if hit is not None and hit[0] is values:
                return dict(hit[1])
        vals = self.run_forward(values, {k: (lambda _, v=v: v) for k, v in override.items()})
        if not override:
            self._base[id(values)] = (values, vals)
            return dict(vals)
        return vals

    def run_forward(self, values: dict, moves: dict, shape: tuple | None = None) -> dict:
        """The forward pass with ``moves``: symbol -> function of its computed value giving
        the value used (a leaf's is called with its drawn value)."""
        vals = dict(values)
        for k, move in moves.items():
            if k not in self.model.definitions:
                vals[k] = move(vals.get(k, 0.0))
        if self._forward_fn is None:
            self._forward_fn, self._forward_syms = self._compile_forward()
        leaves, outputs = self._forward_syms
        args = [vals.get(s, 0.0) for s in leaves]
        ov = {i: moves[s] for i, s in enumerate(outputs) if s in moves}
        with np.errstate(all="ignore"):
            results = self._forward_fn(args, ov)
        shape = shape or (self.m,)
        for s, r in zip(outputs, results):
            r = np.asarray(r, dtype=float)
            vals[s] = r if r.shape == shape else np.broadcast_to(r, shape)
        return vals

    def _compile_forward(self):
        """One generated Python function for the whole forward pass (NumPy code printed by
        SymPy), so that a finite difference costs one call, not one lambdify per node."""
        from sympy.printing.numpy import NumPyPrinter

        model = self.model
        outputs = list(model.order)
        exprs = [model.definitions[n].rhs for n in outputs]
        if model.loss_expr is not None:
            outputs.append(model.loss)
            exprs.append(model.loss_expr)
        # a call of a chapter's function (J = mean L(y, a)) by its body, as the symbolic
        # route reads it: NumPy has no L
        exprs = [self.d.expand_calls(e) for e in exprs]
        leaves = sorted({s for e in exprs for s in e.free_symbols} - set(outputs),
                        key=lambda s: s.name)
        names = {s: f"v{i}" for i, s in enumerate(leaves)}
        names.update({s: f"n{i}" for i, s in enumerate(outputs)})
        namespace = {"numpy": np}
        printer = NumPyPrinter({"fully_qualified_modules": True, "allow_unknown_functions": True})
        lines = ["def _forward(V, OV):"]
        lines += [f"    {names[s]} = V[{i}]" for i, s in enumerate(leaves)]
        for i, (s, e) in enumerate(zip(outputs, exprs)):
            e = e.subs(sympy.Heaviside(0, sympy.Rational(1, 2)), sympy.Rational(1, 2))
            namespace.update(activations.numpy_functions(e))
            code = printer.doprint(e.xreplace({k: sympy.Symbol(v) for k, v in names.items()}))
            lines.append(f"    {names[s]} = ({code})")
            lines.append(f"    if {i} in OV: {names[s]} = OV[{i}]({names[s]})")
        lines.append("    return [" + ", ".join(names[s] for s in outputs) + "]")
        exec("\n".join(lines), namespace)  # noqa: S102 - code printed by SymPy from the model
        return namespace["_forward"], (leaves, outputs)

    @staticmethod
    def _stencil(f, x, h):
        # f'(x) ≈ (-f(x+2h) + 8 f(x+h) - 8 f(x-h) + f(x-2h)) / 12h, error O(h^4); a
        # non-finite value (relu' at a kink, log of a negative) is judged by the caller
        with np.errstate(all="ignore"):
            return (-f(x + 2 * h) + 8 * f(x + h) - 8 * f(x - h) + f(x - 2 * h)) / (12 * h)

    def _draw_key(self, draw: Draw) -> tuple:
        """What an FD result depends on: the model's definitions and the draw's values."""
        key = self._draw_keys.get(id(draw))
        if key is None:
            h = hashlib.blake2b(digest_size=16)
            for s in sorted(draw.values, key=str):
                h.update(str(s).encode())
                h.update(np.asarray(draw.values[s], dtype=float).tobytes())
            key = (self._model_id(), self.m, h.hexdigest())
            self._draw_keys[id(draw)] = key
        return key

    def _model_id(self) -> int:
        """A small number standing for the model's content (hashing the whole content
        for every finite difference looked up would cost more than the lookup)."""
        if self._model_number is None:
            key = self.model.content_key()
            if key not in _MODEL_IDS:
                _MODEL_IDS.put(key, next(_COUNTER))
            self._model_number = _MODEL_IDS[key]
        return self._model_number

    def fd(self, of: sympy.Symbol, wrt: sympy.Symbol, draw: Draw) -> np.ndarray:
        """∂of/∂wrt per sample by finite differences of the forward model."""
        key = (self._draw_key(draw), of, wrt)
        if key not in _FD_MEMO:
            _FD_MEMO.put(key, self._fd(of, wrt, draw))
        return _FD_MEMO[key].copy()

    def _fd(self, of: sympy.Symbol, wrt: sympy.Symbol, draw: Draw) -> np.ndarray:
        base = self.forward(draw.values)
        x0 = base[wrt]
        h = 2e-4 * np.maximum(1.0, np.abs(x0))

        def f(x):
            return self.forward(draw.values, {wrt: x})[of]
        if of not in base:
            raise NumericError(f"no forward value for {of}")
        return np.broadcast_to(self._stencil(f, x0, h), (self.m,)).copy()

    def prefetch(self, exprs, draw: Draw) -> None:
        """Every ∂L/∂v of ``exprs`` in batched passes (derive.calculus.moved.prefetch)."""
        moved.prefetch(self, exprs, draw)

    def prefetch_batch(self, wrts, draw: Draw) -> None:
        """:meth:`batch_fd` of each of ``wrts`` in batched passes (moved.prefetch_batch)."""
        moved.prefetch_batch(self, wrts, draw)

    def batch_fd(self, wrt: sympy.Symbol, draw: Draw) -> float:
        """∂J/∂wrt for the batch-mean cost J = mean_i L^(i), by finite differences of J."""
        key = (self._draw_key(draw), "J", wrt)
        if key in _FD_MEMO:
            return _FD_MEMO[key]
        x0 = draw.values[wrt]
        h = 2e-4 * max(1.0, abs(float(x0)))

        def J(x):
            return float(np.mean(self.forward(draw.values, {wrt: x})[self.model.loss]))
        return self._stencil(J, x0, h)

    # --- stated formulas --------------------------------------------------------------

    def side(self, expr: sympy.Expr, draw: Draw, chain_var=None) -> np.ndarray:
        """The value of a printed formula per sample; every derivative in it by FD."""
        vals = self.forward(draw.values)
        subs = {}
        self.prefetch([expr], draw)
        for k, p in enumerate(sorted(expr.atoms(Partial), key=str)):
            dummy = sympy.Symbol(f"_pd{k}")
            vals[dummy] = self.fd(p.args[0], p.args[1], draw)
            subs[p] = dummy
        for k, p in enumerate(sorted(expr.atoms(PartialBy), key=str)):
            dummy = sympy.Symbol(f"_pb{k}")
            vals[dummy] = self._by_expression(p, draw)
            subs[p] = dummy
        for k, dv in enumerate(sorted(expr.atoms(sympy.Derivative), key=str)):
            dummy = sympy.Symbol(f"_dv{k}")
            vals[dummy] = self._derivative_op(dv, vals, draw)
            subs[dv] = dummy
        e = expr.xreplace(subs)
        e = self.d.expand_calls(e)
        from .samples import KeepSamples
        from .derivation import strip_sample_sums
        try:
            e = strip_sample_sums(e, self.model)
        except KeepSamples as exc:
            raise NumericError(f"not a sum of per-sample terms ({exc})") from None
        if e.atoms(sympy.Sum):
            raise NumericError("only sums over the samples, \\sum_{i=1}^{m}, are evaluated")
        return self._eval(e, vals)

    def _by_expression(self, p, draw: Draw) -> np.ndarray:
        """∂E/∂(g) by finite differences: (∂E/∂s) / (∂g/∂s) for the variable s of g that E
        uses only inside g (chosen symbolically, moved numerically)."""
        of, g = p.args
        _, s = self.d.by_expression(of, g)
        if s in self.model.definitions:
            raise NumericError(f"the derivative by {sympy.latex(g)} goes through a node")
        inner = self.d.expand_calls(g)
        x0 = np.broadcast_to(np.asarray(draw.values[s], float), (self.m,))
        h = 2e-4 * np.maximum(1.0, np.abs(x0))

        def moved(x):
            v = self.forward(draw.values, {s: x})
            v[s] = x
            return self._eval(inner, v)
        return self.fd(of, s, draw) / self._stencil(moved, x0, h)

    def _derivative_op(self, dv: sympy.Derivative, vals: dict, draw: Draw) -> np.ndarray:
        """\frac{d}{dv} X by finite differences through the model: moving v moves every
        quantity computed from it (as Derivation.total_derivative reads it)."""
        inner = self.d.expand_calls(dv.expr)
        (var,) = dv.variables
        x0 = np.broadcast_to(np.asarray(vals[var], float), (self.m,))
        h = 2e-4 * np.maximum(1.0, np.abs(x0))

        def f(x):
            v = dict(vals)
            v.update(self.forward(draw.values, {var: x}))
            v[var] = x
            return self._eval(inner, v)
        return self._stencil(f, x0, h)

    def oracle(self, wrt: sympy.Symbol, draw: Draw) -> np.ndarray:
        return self.fd(self.model.loss, wrt, draw)
