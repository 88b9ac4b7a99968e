"""The equality test (derive.calculus.equivalence) and the abstraction of composed gradients:
precision of the random-point test, constants found by ratio(), and proofs that stay
cheap on deep chain-rule products."""
from __future__ import annotations

import sympy

from derive.calculus.derivation import Derivation
from derive.calculus.equivalence import Equivalence, expanded_terms
from test_derivation import model_of

SIGMOID_MANIFEST = """
[conventions]
samples = "m"
[functions]
'\\sigma' = { activation = "sigmoid" }
[symbols]
x = { role = "input" }
y = { role = "label" }
m = { role = "samples" }
L = { role = "loss" }
""" + "".join(f"""'w_{{{l}}}' = {{ role = "weight" }}
'b_{{{l}}}' = {{ role = "bias" }}
'z_{{{l}}}' = {{ role = "weighted_input" }}
'a_{{{l}}}' = {{ role = "activation" }}
""" for l in range(1, 13))


def deep_text(L: int) -> str:
    """The chapter text of an L-layer scalar sigmoid chain (L <= 12, the layers declared
    in SIGMOID_MANIFEST) with the cross-entropy loss."""
    text = []
    for l in range(1, L + 1):
        prev = "x" if l == 1 else f"a_{{{l - 1}}}"
        text += ["% derive: definition", f"z_{{{l}}} = w_{{{l}}} {prev} + b_{{{l}}}",
                 "% derive: definition", f"a_{{{l}}} = \\sigma(z_{{{l}}})"]
    text += ["% derive: definition",
             f"L = -(y \\log a_{{{L}}} + (1 - y) \\log (1 - a_{{{L}}}))"]
    return "\n".join(text) + "\n"


def deep(L: int):
    """An L-layer scalar sigmoid chain with the cross-entropy loss."""
    model, s = model_of(SIGMOID_MANIFEST, deep_text(L))
    return Derivation(model), s


def test_the_random_point_test_works_at_fifty_digits_not_at_double_precision():
    d, s = deep(1)
    eq = Equivalence(d, seed=0)
    x = s["x"]
    # a relative difference of 1e-20 is invisible in floating point, not at 50 digits
    assert eq.compare(x, x + x / sympy.Integer(10) ** 20).equal is False
    assert eq.compare(x * s["w_1"], s["w_1"] * x).equal is True


def test_a_sigmoid_identity_is_proved_not_only_sampled():
    d, s = deep(1)
    eq = Equivalence(d, seed=0)
    z, a = s["z_1"], s["a_1"]
    result = eq.compare(sympy.exp(-z) / (1 + sympy.exp(-z)) ** 2, a * (1 - a))
    assert result.equal is True and result.method == "symbolic"


def test_ratio_finds_constants_and_powers_of_m_and_nothing_else():
    d, s = deep(1)
    eq = Equivalence(d, seed=0)
    a, y, x, m = s["a_1"], s["y"], s["x"], s["m"]
    g = (a - y) * x
    assert eq.ratio(2 * g, g) == 2
    assert eq.ratio(-g, g) == -1
    assert eq.ratio(g / m, g) == 1 / m
    assert eq.ratio(sympy.Rational(3, 7) * g, g) == sympy.Rational(3, 7)
    assert eq.ratio(a * g, g) is None
    assert eq.ratio(g + x, g) is None


def test_expanded_terms_bounds_the_expansion_without_doing_it():
    a, b, c = sympy.symbols("a b c")
    assert expanded_terms(a) == 1
    assert expanded_terms(a + b + c) == 3
    assert expanded_terms((a + b) * (b + c)) == 4
    assert expanded_terms(sympy.Mul(*[(1 - sympy.Symbol(f"s{k}")) for k in range(40)]),
                          cap=10**6) == 10**6


def test_deep_chain_rule_gradients_compare_and_cross_check():
    # a 12-layer chain: expanding dL/dw_1 would give 2^12 terms; compared as products
    # and written back in node names, the checks are decided (within the time limit)
    d, s = deep(12)
    eq = Equivalence(d, seed=0)
    for v in (s["w_1"], s["b_1"], s["z_1"], s["w_6"]):
        g = d.loss_grads[v]
        direct = d.abstract(d.direct_gradient(v), keep=v)
        assert eq.compare(g, direct).equal is True, v
    # and a wrong one is rejected at once (here: one layer's σ' left out)
    a1 = s["a_1"]
    wrong = d.loss_grads[s["z_1"]] / (a1 * (1 - a1))
    assert eq.compare(d.loss_grads[s["z_1"]], wrong).equal is False


def test_forward_accumulation_gives_every_chain_rule_gradient():
    d, s = deep(12)
    eq = Equivalence(d, seed=0)
    for v, g in d.loss_grads.items():
        assert eq.compare(g, d.forward_gradient(v)).equal is True, v
    # hand-derived at one layer: dL/db_12 = a_12 - y
    assert sympy.cancel(d.forward_gradient(s["b_{12}"]) - (s["a_{12}"] - s["y"])) == 0


def test_abstract_writes_composed_definitions_back_as_nodes():
    d, s = deep(2)
    composed = d.compose(s["a_2"] * (1 - s["a_1"]))
    back = d.abstract(composed)
    assert back == s["a_2"] * (1 - s["a_1"])
