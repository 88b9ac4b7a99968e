"""What keeps a recurrence's gradients cheap: Jacobian entries over the paths from their
variable only, the quotient rule's cancelling only at quotients, walks that visit a shared
subexpression once, and tidying a sum over many units term by term. Each against values
written by hand or against SymPy's own (tree-walking) operations."""
from __future__ import annotations

from pathlib import Path

import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from derive.calculus.dag import dag_atoms, dag_replace, dag_xreplace, kinds
from derive.calculus.derivation import Derivation, backprop
from derive.model.quotients import quotient_nodes
from derive.calculus.display import WHOLE_FACTOR_SYMBOLS, display

from test_derivation import model_of, same

RECURRENCE = """
[symbols]
x_1 = { role = "input" }
x_2 = { role = "input" }
x_3 = { role = "input" }
h_0 = { role = "input" }
y = { role = "label" }
w = { role = "weight" }
u = { role = "weight" }
a_1 = { role = "node" }
a_2 = { role = "node" }
a_3 = { role = "node" }
h_1 = { role = "activation" }
h_2 = { role = "activation" }
h_3 = { role = "activation" }
L = { role = "loss" }

[functions]
'\\tanh' = { activation = "tanh" }
"""

STEPS = r"""
% derive: definition
a_1 = w h_0 + u x_1
% derive: definition
h_1 = \tanh(a_1)
% derive: definition
a_2 = w h_1 + u x_2
% derive: definition
h_2 = \tanh(a_2)
% derive: definition
a_3 = w h_2 + u x_3
% derive: definition
h_3 = \tanh(a_3)
% derive: definition
L = \frac{1}{2}(h_3 - y)^2
"""


def test_jacobian_entry_over_the_paths_from_its_variable():
    model, s = model_of(RECURRENCE, STEPS)
    w, h1, h2, h3 = s["w"], s["h_1"], s["h_2"], s["h_3"]
    # ∂h_3/∂h_1 = (1 - h_3^2) w (1 - h_2^2) w, by hand
    by_hand = w**2 * (1 - h3**2) * (1 - h2**2)
    assert same(backprop(model, h3, h1)[h1], by_hand)
    assert same(backprop(model, h3)[h1], by_hand)
    # nodes off the paths from h_1 get nothing: ∂h_3/∂x_1 is not asked for
    assert s["x_1"] not in backprop(model, h3, h1)
    assert same(Derivation(model).gradient(h3, h1), by_hand)
    assert same(Derivation(model).gradient(h3, s["a_2"]), w * (1 - h3**2) * (1 - h2**2))


def test_an_elementwise_activation_is_no_quotient():
    model, _ = model_of(RECURRENCE, STEPS)
    assert quotient_nodes(model) == set()


def test_a_softmax_entry_and_what_it_reads_are_quotient_nodes():
    model, s = model_of("""
[symbols]
x = { role = "input" }
v_1 = { role = "weight" }
v_2 = { role = "weight" }
o_1 = { role = "node" }
o_2 = { role = "node" }
p_1 = { role = "node" }
p_2 = { role = "node" }
y = { role = "label" }
L = { role = "loss" }
""", r"""
% derive: definition
o_1 = v_1 x
% derive: definition
o_2 = v_2 x
% derive: definition
p_1 = \frac{e^{o_1}}{e^{o_1} + e^{o_2}}
% derive: definition
p_2 = \frac{e^{o_2}}{e^{o_1} + e^{o_2}}
% derive: definition
L = -y \log p_1 - (1 - y) \log p_2
""")
    assert {str(n) for n in quotient_nodes(model)} == {"p_1", "p_2", "o_1", "o_2"}
    g = Derivation(model).loss_grads
    o1, o2 = s["o_1"], s["o_2"]
    # softmax + cross-entropy, by hand: p_1 - y, with p_1 written out; cancelled, so short
    assert same(g[o1], sympy.exp(o1) / (sympy.exp(o1) + sympy.exp(o2)) - s["y"])
    assert sympy.count_ops(g[o1]) <= 8


def test_a_sum_over_many_units_is_tidied_term_by_term():
    n = WHOLE_FACTOR_SYMBOLS // 2 + 1            # 2n symbols: above the limit
    a = sympy.symbols(f"a1:{n + 1}")
    w = sympy.symbols(f"w1:{n + 1}")
    expr = sum(wi * ai * (1 - ai) for wi, ai in zip(w, a))
    shown = display(expr)
    # each unit's term in the textbook's a(1 - a) form, not the sum multiplied out
    want = {(wi * ai * (1 - ai)) for wi, ai in zip(w, a)}
    terms = set(sympy.Add.make_args(shown))
    assert len(terms) == n
    assert all(any(same(t, u) for u in want) for t in terms)
    assert sympy.expand(shown - expr) == 0


# --- walks that visit a shared subexpression once --------------------------------------

x, y, z = sympy.symbols("x y z")
LEAVES = st.sampled_from([x, y, z, sympy.Integer(2), sympy.Rational(1, 3)])


def _combine(children):
    return st.one_of(
        st.builds(lambda a, b: a + b, children, children),
        st.builds(lambda a, b: a * b, children, children),
        st.builds(lambda a: a**2, children),
        st.builds(sympy.exp, children),
        st.builds(sympy.tanh, children))


EXPRS = st.recursive(LEAVES, _combine, max_leaves=12)


@settings(deadline=None, max_examples=150)
@given(EXPRS)
def test_dag_walks_agree_with_sympys_tree_walks(e):
    assert kinds(e) == {type(t) for t in sympy.preorder_traversal(e)}
    assert dag_atoms(e, sympy.Symbol) == e.atoms(sympy.Symbol)
    mapping = {x: y + 1, sympy.exp(y): z}
    assert dag_xreplace(e, mapping) == e.xreplace(mapping)
    assert dag_replace(e, lambda t: sympy.cosh(t.args[0]) if isinstance(t, sympy.tanh)
                       else None) == e.replace(sympy.tanh, sympy.cosh)


def test_dag_walks_cost_the_dag_not_the_tree():
    g = x + y
    for _ in range(60):                   # 2^60 leaves in the tree, 60 nodes in the DAG
        g = sympy.Mul(g, g + 1, evaluate=False)
    assert sympy.Add in kinds(g)
    assert dag_atoms(dag_xreplace(g, {y: z}), sympy.Symbol) == {x, z}


def test_a_long_tidied_gradient_is_shown_one_step_from_the_next_quantities():
    from derive.api import check
    report = check(Path(__file__).resolve().parent.parent / "equations" / "bptt-goodfellow",
                   numeric=False)
    [chapter] = report.chapters
    shown = {e.id: e.derived for e in chapter.equations}
    # ∂L/∂b = Σ_t ∂L/∂a^{(t)} (Goodfellow 10.23), as the book prints it, not multiplied out
    assert shown["10.23"] == (r"\frac{\partial L}{\partial b_{1}} = \frac{\partial L}"
                              r"{\partial a_{11}} + \frac{\partial L}{\partial a_{21}}")
