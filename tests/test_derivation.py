"""The chain-rule engine against gradients known by hand, on small models (not the seed)."""
from __future__ import annotations

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from derive.model.activations import activation_class
from derive.calculus.derivation import Derivation, derivative
from derive.calculus.equivalence import Equivalence
from derive.read.manifest import parse_manifest
from derive.model import build_model, build_vocabulary, read_definitions, read_graph
from derive.read.source import parse_chapter_text


def model_of(manifest: str, chapter: str):
    man = parse_manifest(manifest, "m.toml")
    items = parse_chapter_text(chapter, "c.tex")
    vocab = build_vocabulary(man)
    defs, fns, errors = read_definitions(items, vocab)
    assert not errors
    edges, _ = read_graph(items, vocab)
    model = build_model(man, vocab, defs, fns, edges, [])
    return model, {str(s): s for s in model.roles}


def same(a, b) -> bool:
    return sympy.simplify(a - b) == 0


LINEAR = """
[symbols]
x = { role = "input" }
y = { role = "label" }
w = { role = "weight" }
b = { role = "bias" }
z = { role = "node" }
L = { role = "loss" }
"""


def test_linear_regression_squared_error():
    model, s = model_of(LINEAR, r"""
% derive: definition
z = w x + b
% derive: definition
L = \frac{1}{2}(z - y)^2
""")
    g = Derivation(model).loss_grads
    x, y, w, b, z = (s[k] for k in "xywbz")
    assert same(g[z], z - y)
    assert same(g[w], (z - y) * x)        # dL/dw = (z - y) x
    assert same(g[b], z - y)


def test_tanh_unit_written_with_its_activation():
    model, s = model_of(LINEAR.replace('z = { role = "node" }', 'z = { role = "node" }\n'
                                       'a = { role = "activation" }') + """
[functions]
'\\tanh' = { activation = "tanh" }
""", r"""
% derive: definition
z = w x + b
% derive: definition
a = \tanh(z)
% derive: definition
L = \frac{1}{2}(a - y)^2
""")
    g = Derivation(model).loss_grads
    a, y, x, z = s["a"], s["y"], s["x"], s["z"]
    # tanh'(z) = 1 - tanh(z)^2 = 1 - a^2: the result is written with a, not tanh(z)
    assert same(g[z], (a - y) * (1 - a**2))
    assert same(g[s["w"]], (a - y) * (1 - a**2) * x)
    assert not g[z].has(sympy.tanh)


def test_fan_out_sums_over_children():
    model, s = model_of("""
[symbols]
x = { role = "input" }
y = { role = "label" }
w = { role = "weight" }
z = { role = "node" }
u = { role = "node" }
v = { role = "node" }
L = { role = "loss" }
""", r"""
% derive: definition
z = w x
% derive: definition
u = z^2
% derive: definition
v = 3 z
% derive: definition
L = u + v - y
""")
    g = Derivation(model).loss_grads
    z, x = s["z"], s["x"]
    assert same(g[z], 2 * z + 3)           # dL/dz = dL/du du/dz + dL/dv dv/dz
    assert same(g[s["w"]], (2 * z + 3) * x)


def test_two_inputs_sigmoid_cross_entropy():
    model, s = model_of("""
[symbols]
x_1 = { role = "input" }
x_2 = { role = "input" }
y = { role = "label" }
w_1 = { role = "weight" }
w_2 = { role = "weight" }
b = { role = "bias" }
z = { role = "weighted_input" }
a = { role = "activation" }
p = { role = "constant" }
L = { role = "loss" }
[functions]
'\\sigma' = { activation = "sigmoid" }
""", r"""
% derive: definition
z = w_1 x_1 + w_2 x_2 + b
% derive: definition
a = \sigma(z)
% derive: definition
L(y, p) = -(y \log p + (1 - y) \log(1 - p))
""")
    d = Derivation(model)
    a, y = s["a"], s["y"]
    assert model.output == a
    assert same(d.loss_grads[s["z"]], a - y)
    assert same(d.loss_grads[s["w_2"]], (a - y) * s["x_2"])
    # node-to-node derivatives through the graph
    assert same(d.gradient(a, s["w_1"]), a * (1 - a) * s["x_1"])
    assert d.gradient(s["z"], s["a"]) == 0


def test_chain_rule_agrees_with_sympy_diff_of_the_composed_loss():
    model, s = model_of("""
[symbols]
x = { role = "input" }
y = { role = "label" }
w_1 = { role = "weight" }
b_1 = { role = "bias" }
w_2 = { role = "weight" }
b_2 = { role = "bias" }
z_1 = { role = "weighted_input" }
a_1 = { role = "activation" }
z_2 = { role = "weighted_input" }
a_2 = { role = "activation" }
L = { role = "loss" }
[functions]
'\\sigma' = { activation = "sigmoid" }
""", r"""
% derive: definition
z_1 = w_1 x + b_1
% derive: definition
a_1 = \sigma(z_1)
% derive: definition
z_2 = w_2 a_1 + b_2
% derive: definition
a_2 = \sigma(z_2)
% derive: definition
L = \frac{1}{2}(a_2 - y)^2
""")
    d = Derivation(model)
    eq = Equivalence(d, seed=3)
    for v in (s["w_1"], s["b_1"], s["w_2"], s["b_2"], s["z_1"], s["a_1"]):
        composed = d.compose(d.loss_grads[v], keep=v)
        assert eq.compare(composed, d.direct_gradient(v)).equal is True, v
    # and the textbook form: dL/dz_1 = (a_2 - y) a_2 (1 - a_2) w_2 a_1 (1 - a_1)
    a1, a2, y, w2 = s["a_1"], s["a_2"], s["y"], s["w_2"]
    assert same(d.loss_grads[s["z_1"]], (a2 - y) * a2 * (1 - a2) * w2 * a1 * (1 - a1))


def test_a_wrong_gradient_is_not_equal():
    model, s = model_of(LINEAR, r"""
% derive: definition
z = w x + b
% derive: definition
L = \frac{1}{2}(z - y)^2
""")
    d = Derivation(model)
    eq = Equivalence(d, seed=1)
    result = eq.compare(d.loss_grads[s["w"]], (s["z"] - s["y"]) * s["b"])
    assert result.equal is False


# --- derivative(): the rules of sums, products and powers, else sympy.diff --------------

_W, _X, _B = sympy.symbols("w x b", real=True)
_SIG = activation_class("sigmoid", r"\sigma")


@pytest.mark.parametrize("expr,var,expected", [
    (_W * _X + _B, _W, _X),
    (_W * _X + _B, _B, 1),
    (_W * _X * _W, _W, 2 * _W * _X),
    ((_W * _X + _B) ** 3, _X, 3 * _W * (_W * _X + _B) ** 2),
    (1 / (1 - _W), _W, (1 - _W) ** -2),
    (_X ** _W, _W, _X ** _W * sympy.log(_X)),          # a variable exponent: sympy.diff
    (_SIG(_W * _X), _X, _W * _SIG(_W * _X) * (1 - _SIG(_W * _X))),
    (_B, _W, 0),
])
def test_derivative_table(expr, var, expected):
    assert sympy.simplify(derivative(expr, var) - expected) == 0


_LEAVES = st.sampled_from([_W, _X, _B, sympy.Integer(2), sympy.Rational(1, 3), -_W])
_EXPRS = st.recursive(_LEAVES, lambda inner: st.one_of(
    st.tuples(inner, inner).map(lambda p: p[0] + p[1]),
    st.tuples(inner, inner).map(lambda p: p[0] * p[1]),
    st.tuples(inner, st.sampled_from([-1, 2, 3, sympy.Rational(1, 2)])).map(
        lambda p: p[0] ** p[1]),
    inner.map(sympy.exp), inner.map(_SIG), inner.map(sympy.tanh), inner.map(sympy.log),
    inner.map(lambda e: sympy.log(1 + e ** 2)),
), max_leaves=8)


@settings(deadline=None, max_examples=150)
@given(_EXPRS, st.sampled_from([_W, _X, _B]))
def test_derivative_is_sympy_diff(expr, var):
    # the same tree, not only the same value: reports print these forms
    assert derivative(expr, var) == sympy.diff(expr, var)
