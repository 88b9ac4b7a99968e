"""The answer keys of tests/books, evaluated with SymPy alone (never with derive).

A key (``expected.toml``) gives the chapter's model in SymPy syntax (leaves, forward
definitions, the loss) and, for each claim, every side after the first in SymPy syntax
with the helpers below, and the verdict its writer derived by hand. :func:`key_verdicts`
recomputes each verdict at random points, so that a key whose hand verdict disagrees
with its own model is caught before derive is compared with it.

- ``sigmoid(z)``, ``sigmoid_prime(z)``;
- ``chain(F, n1, ..., nk)``: dF/dn1 · dn1/dn2 · …, each the derivative of the first name
  written (through the forward definitions) as a function of the second;
- ``grad(X)``: chain(loss, X);
- a claim's ``loss``: a SymPy expression replacing the model's loss for that claim, or the
  name of the cost of ``[model.batch]`` (``J = Sum(L(a[i], y[i]), (i, 1, m))/m``), whose
  sides use ``x1[i]``, ``a[i]`` for sample i and ``Sum(..., (i, 1, m))``.
"""
from __future__ import annotations

import random
import tomllib
from pathlib import Path

import sympy

SAMPLES = 3


def _sigmoid(z):
    return 1 / (1 + sympy.exp(-z))


class Key:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.data = tomllib.loads((folder / "expected.toml").read_text(encoding="utf-8"))
        model = self.data["model"]
        self.leaves = [sympy.Symbol(s) for s in model["symbols"].split()]
        self.nodes: dict[sympy.Symbol, sympy.Expr] = {}
        ns = self._namespace({})
        for line in model["forward"]:
            name, rhs = (x.strip() for x in line.split("=", 1))
            self.nodes[sympy.Symbol(name)] = sympy.sympify(rhs, locals=ns)
            ns[name] = sympy.Symbol(name)
        self.loss = sympy.sympify(model["loss"], locals=ns)
        self.batch = model.get("batch")

    # --- the model ------------------------------------------------------------------

    def _namespace(self, extra: dict) -> dict:
        ns = {s.name: s for s in self.leaves}
        ns.update({s.name: s for s in self.nodes})
        ns.update(sigmoid=_sigmoid, sigmoid_prime=lambda z: _sigmoid(z) * (1 - _sigmoid(z)),
                  exp=sympy.exp, log=sympy.log, tanh=sympy.tanh, Sum=sympy.Sum)
        ns.update(extra)
        return ns

    def written_in(self, expr: sympy.Expr, var: sympy.Symbol) -> sympy.Expr:
        """expr with every node that depends on var written out (var and what it is
        computed from kept): expr as a function of var."""
        for _ in range(len(self.nodes) + 1):
            reps = {n: rhs for n, rhs in self.nodes.items()
                    if n != var and var in self._depends(n)}
            new = expr.xreplace(reps)
            if new == expr:
                return new
            expr = new
        return expr

    def _depends(self, node: sympy.Symbol) -> set:
        out, todo = set(), [node]
        while todo:
            n = todo.pop()
            for s in self.nodes.get(n, sympy.Integer(0)).free_symbols:
                if s not in out:
                    out.add(s)
                    todo.append(s)
        return out

    def derivative(self, of: sympy.Expr, var: sympy.Symbol) -> sympy.Expr:
        return sympy.diff(self.written_in(of, var), var)

    # --- values at a point ------------------------------------------------------------

    def point(self, rng: random.Random) -> dict:
        values = {}
        for s in self.leaves:
            lo, hi = (0.15, 0.85) if s.name in ("y", "t") else (-1.3, 1.3)
            values[s] = sympy.Float(rng.uniform(lo, hi), 30)
        for n, rhs in self.nodes.items():
            values[n] = rhs.xreplace(values).evalf(30)
        return values


def _num(expr: sympy.Expr, values: dict) -> complex:
    return complex(sympy.N(expr.xreplace(values).doit(), 30))


def key_verdicts(folder: Path, seed: int = 7) -> dict[str, str]:
    """label -> the verdict the key's own model gives each claim (verified | mismatch)."""
    key = Key(folder)
    rng = random.Random(seed)
    out = {}
    for claim in key.data.get("claims", []):
        out[claim["label"]] = _claim_verdict(key, claim, rng)
    return out


def _claim_verdict(key: Key, claim: dict, rng: random.Random) -> str:
    var = sympy.Symbol(claim["wrt"])
    loss_name = key.data.get("loss", "L")
    override = claim.get("loss")
    if override and key.batch and override == key.batch.get("cost"):
        return _batch_verdict(key, claim, var, rng)
    loss = sympy.sympify(override, locals=key._namespace({})) if override else key.loss
    loss_sym = sympy.Symbol(loss_name)
    if var == loss_sym:
        expected = sympy.Integer(1)
    else:
        expected = key.derivative(loss, var)

    def chain(first, *names):
        f = loss if first == loss_sym else key.nodes.get(first, first)
        out = key.derivative(f, names[0])
        prev = names[0]
        for n in names[1:]:
            out *= key.derivative(key.nodes.get(prev, prev), n)
            prev = n
        return out

    def grad(x):
        return sympy.Integer(1) if x == loss_sym else key.derivative(loss, x)
    ns = key._namespace({"chain": chain, "grad": grad, loss_name: loss_sym})
    sides = [sympy.sympify(s, locals=ns) for s in claim["sides"]]
    for _ in range(4):
        values = key.point(rng)
        want = _num(expected, values)
        for side in sides:
            got = _num(side, values)
            if abs(got - want) > 1e-8 * max(1.0, abs(want)):
                return "mismatch"
    return "verified"


def _batch_verdict(key: Key, claim: dict, var: sympy.Symbol, rng: random.Random) -> str:
    i = sympy.Symbol("i", integer=True)
    m = sympy.Symbol(key.batch.get("size", "m"))
    per_sample = [s for s in key.leaves if s.name in ("x", "x1", "x2", "x3", "y", "t", "a0")]
    bases = {s.name: sympy.IndexedBase(s.name) for s in per_sample + list(key.nodes)}
    ns = key._namespace({**bases, "i": i, key.batch.get("size", "m"): m})
    sides = [sympy.sympify(s, locals=ns) for s in claim["sides"]]
    for _ in range(3):
        shared = key.point(rng)
        samples = []
        for _k in range(SAMPLES):
            v = dict(shared)
            for s in per_sample:
                lo, hi = (0.15, 0.85) if s.name in ("y", "t") else (-1.3, 1.3)
                v[s] = sympy.Float(rng.uniform(lo, hi), 30)
            for n, rhs in key.nodes.items():
                v[n] = rhs.xreplace(v).evalf(30)
            samples.append(v)
        want = sum(_num(key.derivative(key.loss, var), v) for v in samples) / SAMPLES
        for side in sides:
            e = side.xreplace({m: SAMPLES}).doit()
            reps = {}
            for ix in e.atoms(sympy.Indexed):
                k = int(ix.indices[0]) - 1
                reps[ix] = samples[k][sympy.Symbol(ix.base.name)]
            got = _num(e.xreplace(reps), shared)
            if abs(got - want) > 1e-8 * max(1.0, abs(want)):
                return "mismatch"
    return "verified"
