"""Table-driven tests of the LaTeX front end (derive.read.latex.parse_formula).

Every expected meaning is built here with plain SymPy, independently of the code under test,
and compared structurally (``==``) or by ``sympy.simplify(a - b) == 0``.
"""
from __future__ import annotations

import pytest
import sympy

from derive.model.activations import activation_class, prime_class
from derive.errors import InputError
from derive.read.latex import Partial, SampleOf, Vocabulary, parse_formula, split_chain


def S(name: str) -> sympy.Symbol:
    return sympy.Symbol(name, real=True)


x, y, w, b, z, a, L, m, i = (S(n) for n in "x y w b z a L m i".split())
z_1, a_1 = S("z_1"), S("a_1")

SIGMA = activation_class("sigmoid", r"\sigma")
SIGMA_PRIME = prime_class(SIGMA)
F = activation_class("tanh", "f")
F_PRIME = prime_class(F)


def vocab(log: str = "natural") -> Vocabulary:
    return Vocabulary.from_declarations(
        symbols={"x": "input", "y": "label", "w": "weight", "b": "bias",
                 "z": "weighted_input", "a": "activation", "L": "loss", "m": "samples",
                 "i": "index", "z_1": "weighted_input", "a_1": "activation"},
        aliases={"Z": "z", "Z_1": "z_1"},
        activations={r"\sigma": "sigmoid", "f": "tanh"},
        log=log)


@pytest.fixture
def v() -> Vocabulary:
    return vocab()


def parse(latex: str, voc: Vocabulary | None = None, **kw):
    return parse_formula(latex, voc or vocab(), **kw)


# --- ordinary readings ------------------------------------------------------------------

PLAIN = [
    (r"-y \log a", -y * sympy.log(a)),
    (r"\ln a", sympy.log(a)),
    (r"\log(1 - a)", sympy.log(1 - a)),
    (r"w x + b", w * x + b),
    (r"\left( a + b \right) \cdot x", (a + b) * x),
    (r"\left(a - y\right)\left(1-a\right)", (a - y) * (1 - a)),
    (r"a \, b", a * b),
    (r"a \; b \! x", a * b * x),
    (r"\dfrac{a}{b}", a / b),
    (r"\tfrac{1}{m} a", a / m),
    (r"\frac{1-y}{1-a}", (1 - y) / (1 - a)),
    (r"a^{2}", a ** 2),
    (r"a^2", a ** 2),
    (r"\sqrt{a}", sympy.sqrt(a)),
    (r"e^{-z}", sympy.exp(-z)),
    (r"\sigma(z)", SIGMA(z)),
    (r"\sigma(z) (1 - \sigma(z))", SIGMA(z) * (1 - SIGMA(z))),
    (r"\frac{\partial L}{\partial a}", Partial(L, a)),
    (r"\frac{dL}{da}", Partial(L, a)),
    (r"\frac{\partial L}{\partial a}\frac{\partial a}{\partial z}", Partial(L, a) * Partial(a, z)),
    (r"\frac{\partial L}{\partial Z} x", x * Partial(L, z)),
    (r"a^{(i)}", SampleOf(a, i)),
    (r"\frac{1}{m}\sum_{i=1}^{m} a^{(i)}", sympy.Sum(SampleOf(a, i), (i, 1, m)) / m),
]


@pytest.mark.parametrize("latex,expected", PLAIN, ids=[p[0] for p in PLAIN])
def test_reads_as(latex, expected, v):
    assert parse_formula(latex, v).expr == expected


# --- each latex2sympy2 misreading the adapter must fix ----------------------------------

def test_log_is_natural_under_log_natural():
    p = parse(r"\log a", vocab("natural"))
    assert p.expr == sympy.log(a)
    assert p.expr != sympy.log(a, 10)        # latex2sympy2 alone reads base 10
    assert any("natural" in n for n in p.notes)


def test_log_is_base_10_under_log_10():
    p = parse(r"\log a", vocab("10"))
    assert sympy.simplify(p.expr - sympy.log(a) / sympy.log(10)) == 0
    assert p.expr != sympy.log(a)


def test_log_is_base_2_under_log_2():
    p = parse(r"\log a", vocab("2"))
    assert sympy.simplify(p.expr - sympy.log(a) / sympy.log(2)) == 0


@pytest.mark.parametrize("latex,expected", [
    (r"\sigma(z)(x)", SIGMA(z) * x),                 # latex2sympy2 alone: a call, then
    (r"\sigma(z) (w)", SIGMA(z) * w),                # derive dropped the (x): σ(z) only
    (r"w(x)", w * x),                                 # latex2sympy2 alone: a function w
    (r"z_{1}(x)", z_1 * x),
    (r"\frac{\partial L}{\partial a}(z)", Partial(L, a) * z),
])
def test_a_value_before_one_parenthesised_symbol_is_a_product(latex, expected, v):
    p = parse_formula(latex, v)
    assert p.expr == expected
    assert any("read as a product" in n for n in p.notes)


def test_a_value_called_with_two_arguments_is_an_error(v):
    with pytest.raises(InputError, match="w is not a function: it cannot take 2 arguments"):
        parse_formula("w(x, b)", v)


@pytest.mark.parametrize("log", ["natural", "10", "2"])
@pytest.mark.parametrize("latex,base", [(r"\log_{2} a", 2), (r"\log_2 a", 2),
                                        (r"\log_{10} a", 10), (r"\log _{2} a", 2)])
def test_explicit_log_base_wins_over_convention(latex, base, log):
    p = parse(latex, vocab(log))
    assert sympy.simplify(p.expr - sympy.log(a) / sympy.log(base)) == 0
    assert p.expr != sympy.log(a)


def test_ln_is_natural_whatever_the_convention():
    assert parse(r"\ln a", vocab("10")).expr == sympy.log(a)


def test_sigma_prime_is_derivative_of_declared_activation_not_a_product(v):
    p = parse_formula(r"\sigma'(Z_1)", v)
    assert p.expr == SIGMA_PRIME(z_1)
    assert not p.expr.is_Mul                              # latex2sympy2: sigma*Z_1
    assert ("Z_1", "z_1") in p.aliases
    # and it means d/dz of the logistic function: check against an independent derivative
    logistic = lambda t: 1 / (1 + sympy.exp(-t))  # noqa: E731
    expanded = p.expr.expand_prime().replace(lambda f: isinstance(f, SIGMA),
                                             lambda f: logistic(f.args[0]))
    assert sympy.simplify(expanded - sympy.diff(logistic(z_1), z_1)) == 0


@pytest.mark.parametrize("latex,expected", [
    (r"f'(x)", F_PRIME(x)),
    (r"f '(x)", F_PRIME(x)),
    (r"\sigma^{\prime}(z)", SIGMA_PRIME(z)),
    (r"\sigma^\prime(z)", SIGMA_PRIME(z)),
    (r"\sigma'(z) x", x * SIGMA_PRIME(z)),
    (r"(a - y) w \sigma'(Z_1) x", (a - y) * w * SIGMA_PRIME(z_1) * x),
])
def test_function_primes(latex, expected, v):
    assert parse_formula(latex, v).expr == expected


# Regression (fixed in 1eb7c6c): \sigma'(w x + b) was rejected
# with "\sigma' takes one argument" (latex2sympy2 read the call as a product).
@pytest.mark.parametrize("latex,expected", [
    (r"\sigma'(w x + b)", SIGMA_PRIME(w * x + b)),
    (r"\sigma'(-z)", SIGMA_PRIME(-z)),
])
def test_prime_of_compound_argument(latex, expected, v):
    assert parse_formula(latex, v).expr == expected


# Regression (fixed in 1eb7c6c): \sigma(w x + b) raised "unknown symbol 'sigma'".
@pytest.mark.parametrize("latex,expected", [
    (r"\sigma(w x + b)", SIGMA(w * x + b)),
    (r"\sigma(2 z)", SIGMA(2 * z)),
    (r"\sigma(\sigma(z))", SIGMA(SIGMA(z))),
    (r"\sigma(z^{(i)})", SIGMA(SampleOf(z, i))),
    (r"\sigma\left(w x\right)", SIGMA(w * x)),
])
def test_activation_of_compound_argument(latex, expected, v):
    assert parse_formula(latex, v).expr == expected


# Regression (fixed in 1eb7c6c): ^T raised KeyError 'dvxTR' (placeholder never registered).
@pytest.mark.parametrize("latex,expected", [
    (r"x^T", x), (r"x^{T}", x), (r"x^\top", x), (r"x^{\top}", x), (r"x^{\mathrm{T}}", x),
    (r"x^\intercal", x), (r"w x^{T}", w * x), (r"(a + b)^T", a + b),
    (r"\sigma(z)^T", SIGMA(z)),
])
def test_transpose_of_scalar_reads_as_the_scalar(latex, expected, v):
    p = parse_formula(latex, v)
    assert p.expr == expected
    assert not any(isinstance(f, sympy.Pow) for f in sympy.preorder_traversal(p.expr))
    assert any("^T" in n and "scalar" in n for n in p.notes)


def test_sample_superscript_is_not_a_power(v):
    p = parse_formula(r"a^{(i)}", v)
    assert isinstance(p.expr, SampleOf)
    assert p.expr.args == (a, i)
    assert not isinstance(p.expr, sympy.Pow)


def test_sample_superscript_on_subscripted_symbol(v):
    assert parse_formula(r"a_1^{(i)}", v).expr == SampleOf(a_1, i)


@pytest.mark.parametrize("latex", [r"(a+b)_{k}", r"(a+b)_k", r"(a + b)_{i}"])
def test_subscripted_group_is_rejected_not_read_as_permutation(latex, v):
    with pytest.raises(InputError) as info:
        parse_formula(latex, v)
    # rejected as an unknown subscript, or (with i a declared index) as an entry of the
    # group at a free index: never read as a + b_i
    assert "subscript" in str(info.value) or "(a + b\\right)_{" in str(info.value)


def test_partial_fraction_becomes_partial(v):
    p = parse_formula(r"\frac{\partial L}{\partial a}", v)
    assert p.expr == Partial(L, a)
    assert isinstance(p.expr, Partial)


def test_d_operator_on_user_function_is_unevaluated_derivative_of_the_call():
    voc = vocab()
    voc.user_functions["L"] = (y, a)
    p = parse(r"\frac{d}{da}L(a, y)", voc)
    call = sympy.Function("L")(a, y)
    assert p.expr == sympy.Derivative(call, a, evaluate=False)
    assert isinstance(p.expr, sympy.Derivative)
    assert p.expr.args[0] == call            # the call as printed, argument order kept


def test_partial_operator_on_user_function():
    voc = vocab()
    voc.user_functions["L"] = (y, a)
    p = parse(r"\frac{\partial}{\partial a} L(y, a)", voc)
    assert p.expr == sympy.Derivative(sympy.Function("L")(y, a), a, evaluate=False)


def test_user_function_call_with_compound_arguments():
    voc = vocab()
    voc.user_functions["L"] = (y, a)
    p = parse(r"\frac{d}{dz} L(y, \sigma(z))", voc)
    assert p.expr == sympy.Derivative(sympy.Function("L")(y, SIGMA(z)), z, evaluate=False)


def test_d_operator_on_activation(v):
    p = parse_formula(r"\frac{d}{dz}\sigma(z)", v)
    assert p.expr == sympy.Derivative(SIGMA(z), z, evaluate=False)


def test_user_function_arity_is_checked():
    voc = vocab()
    voc.user_functions["L"] = (y, a)
    with pytest.raises(InputError) as info:
        parse(r"L(y)", voc)
    assert info.value.token == "L"


def test_d_operator_on_group(v):
    p = parse_formula(r"\frac{d}{da}(a^2)", v)
    assert p.expr == sympy.Derivative(a ** 2, a, evaluate=False)
    assert p.expr.doit() == 2 * a


def test_trailing_prime_with_chain_var(v):
    p = parse_formula(r"(-y\log a - (1-y)\log(1-a))'", v, chain_var=a)
    assert isinstance(p.expr, sympy.Derivative)
    assert p.expr.variables == (a,)
    inner = -y * sympy.log(a) - (1 - y) * sympy.log(1 - a)
    assert sympy.simplify(p.expr.args[0] - inner) == 0
    assert sympy.simplify(p.expr.doit() - sympy.diff(inner, a)) == 0
    assert any("(...)'" in n for n in p.notes)


def test_trailing_prime_inside_product(v):
    p = parse_formula(r"2 (a + b)'", v, chain_var=a)
    assert p.expr == 2 * sympy.Derivative(a + b, a, evaluate=False)


def test_trailing_prime_without_chain_var_is_input_error(v):
    with pytest.raises(InputError) as info:
        parse_formula(r"(a + b)'", v)
    assert info.value.token == "'"


def test_alias_maps_to_canonical_symbol_and_is_reported(v):
    p = parse_formula(r"Z + Z_1", v)
    assert p.expr == z + z_1
    assert p.aliases == (("Z", "z"), ("Z_1", "z_1"))


def test_canonical_spelling_is_not_an_alias(v):
    p = parse_formula(r"z + x", v)
    assert p.expr == z + x
    assert p.aliases == ()
    assert ("z", "z") in p.spellings


def test_alias_inside_partial(v):
    p = parse_formula(r"\frac{\partial L}{\partial Z_1}", v)
    assert p.expr == Partial(L, z_1)
    assert p.aliases == (("Z_1", "z_1"),)


def test_leaked_latex2sympy_state_does_not_break_later_parses(v):
    # latex2sympy2 assigns its module-global `var` to a Symbol when it meets a
    # differential such as "d x"; without a reset every later parse dies with TypeError.
    for dx in (r"d x", r"\int x dx"):
        with pytest.raises(InputError):
            parse_formula(dx, v)
        assert parse_formula(r"w x + b", v).expr == w * x + b
        assert parse_formula(r"a_1", v).expr == a_1


def test_parse_is_repeatable(v):
    first = parse_formula(r"\frac{\partial L}{\partial Z} \sigma'(z)", v).expr
    parse_formula(r"\dfrac{a}{b}", v)
    assert parse_formula(r"\frac{\partial L}{\partial Z} \sigma'(z)", v).expr == first


# --- closed world -----------------------------------------------------------------------

CLOSED = [
    ("q", "q"),
    (r"w x + q", "q"),
    (r"\sigma(q)", "q"),
    (r"\frac{\partial L}{\partial q}", "q"),
    ("g(x)", "g"),
    ("g'(x)", "g"),
    (r"\mathrm{eval(x)}", r"\mathrm{eval(x)}"),
    (r"\mathrm{eval}(x)", r"\operatorname{eval}"),      # any upright spelling of a name
    (r"\sum_{k=1}^{m} a", "k"),
    (r"a^{(k)}", "^{(k)}"),
]


def _names(token: str, message: str) -> bool:
    return token in message or repr(token) in message


@pytest.mark.parametrize("latex,token", CLOSED, ids=[c[0] for c in CLOSED])
def test_closed_world_rejects_undeclared_names(latex, token, v):
    with pytest.raises(InputError) as info:
        parse_formula(latex, v)
    assert info.value.token == token
    assert _names(token, str(info.value))


# Regression (fixed in 1eb7c6c): w2 was silently read as 2*w.
def test_w2_is_not_silently_read_as_2w(v):
    with pytest.raises(InputError) as info:
        parse_formula("w2", v)
    assert info.value.token == "w2"
    assert "w2" in str(info.value)


def test_python_call_is_rejected_at_its_first_token(v):
    latex = "__import__('os')"
    with pytest.raises(InputError) as info:
        parse_formula(latex, v)
    assert info.value.token == "_"
    assert "at column 1" in str(info.value)


def test_payloads_never_run(tmp_path, v):
    target = tmp_path / "pwned"
    t = str(target)
    payloads = [
        f"__import__('os').system('touch {t}')",
        f'__import__("os").system("touch {t}")',
        f'\\mathrm{{__import__("os").system("touch {t}")}}',
        f'\\variable{{__import__("os").system("touch {t}")}}',
        f'\\operatorname{{exec}}(open("{t}", "w"))',
        f'open("{t}", "w")',
        f'\\mathrm{{open}}(\\mathrm{{{t}}})',
    ]
    for payload in payloads:
        with pytest.raises(InputError):
            parse_formula(payload, v)
        assert not target.exists(), payload


def test_reserved_placeholder_prefix_is_rejected(v):
    with pytest.raises(InputError):
        parse_formula(r"\mathrm{dvxPD0}", v)


@pytest.mark.parametrize("latex", ["", "   ", r"\,"])
def test_empty_formula_is_input_error(latex, v):
    with pytest.raises(InputError):
        parse_formula(latex, v)


@pytest.mark.parametrize("latex", [r"\frac{a", r"a +", r"(a + b", r"\partial a", r"|a"])
def test_unreadable_latex_is_input_error(latex, v):
    with pytest.raises(InputError):
        parse_formula(latex, v)


# Regression (fixed in 1eb7c6c): the bar |_{w=0} after a partial was silently dropped.
def test_evaluation_bar_on_partial_is_not_dropped(v):
    try:
        expr = parse_formula(r"\frac{\partial L}{\partial w}\Big|_{w=0}", v).expr
    except InputError:
        return
    assert expr != Partial(L, w)


# --- split_chain ------------------------------------------------------------------------

CHAINS = [
    ("a = b", ["a", "b"]),
    ("a", ["a"]),
    (r"a = \frac{1}{m}{x=1} = (b=c)", ["a", r"\frac{1}{m}{x=1}", "(b=c)"]),
    (r"L = \frac{b}{\sqrt{c=d}} = e", ["L", r"\frac{b}{\sqrt{c=d}}", "e"]),
    (r"\left( a = b \right) = c", [r"\left( a = b \right)", "c"]),
    (r"a = \left[ b = \{ c = d \} \right]", ["a", r"\left[ b = \{ c = d \} \right]"]),
    (r"a = {{{b = c}}} = d", ["a", "{{{b = c}}}", "d"]),
    (r"\frac{\partial L}{\partial a_2} = \frac{d}{da_2}L(a_2, y) = (-y\log a_2)' = -\frac{y}{a_2}",
     [r"\frac{\partial L}{\partial a_2}", r"\frac{d}{da_2}L(a_2, y)", r"(-y\log a_2)'",
      r"-\frac{y}{a_2}"]),
    (r"a \leq b", [r"a \leq b"]),
]


@pytest.mark.parametrize("body,parts", CHAINS, ids=[c[0] for c in CHAINS])
def test_split_chain(body, parts):
    assert split_chain(body) == parts
