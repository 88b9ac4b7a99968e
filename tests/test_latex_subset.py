"""derive.latex_subset: the fast reader must read exactly what latex2sympy2 reads, or decline.

Three kinds of evidence:
- tables of inputs and their meaning, built here with plain SymPy (independent of both
  parsers), including latex2sympy2's own conventions (\\ln a b is ln(ab), a - b is a + (-1)b);
- tables of inputs the reader must decline (latex2sympy2's quirky readings: x^23, w_12,
  d x, e_1, a^2(x) ...);
- differential checks against latex2sympy2 itself: every table input, random formulas
  (Hypothesis), and every formula the bundled chapters send to the parser. Where the
  reader accepts, its tree must be identical (``srepr`` and ``==``) to latex2sympy2's.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from derive import latex
from derive.errors import InputError
from derive.latex_subset import Declined, parse

ROOT = Path(__file__).resolve().parent.parent
a, b, c, m, x, y, i, j, n = sympy.symbols("a b c m x y i j n")
S = sympy.Symbol


def evaluated(e):
    """The tree rebuilt with SymPy's evaluation (as derive.latex.resolve does)."""
    if not e.args or isinstance(e, (sympy.Tuple,)):
        return e
    return e.func(*[evaluated(arg) for arg in e.args])


def reference(text: str, nc: frozenset = frozenset()):
    """latex2sympy2's reading (an InputError if it cannot read the text)."""
    return latex._latex2sympy_uncached(text, text, nc)


def assert_same_as_latex2sympy2(text: str, nc: frozenset = frozenset()) -> bool:
    """True if the reader accepted ``text`` (and agreed), False if it declined."""
    try:
        mine = parse(text, nc)
    except Declined:
        return False
    try:
        ref = reference(text, nc)
    except InputError as exc:
        pytest.fail(f"the reader accepted {text!r}, which latex2sympy2 rejects: {exc}")
    assert sympy.srepr(mine) == sympy.srepr(ref), text
    assert mine == ref, text
    return True


MEANINGS = [
    # (LaTeX, meaning after evaluation)
    ("a", a),
    ("a b c", a * b * c),
    ("2 a", 2 * a),
    ("0.5 a", a / 2),
    ("a - b", a - b),
    ("a - 2", a - 2),
    ("-a b", -a * b),
    ("a - b - c", a - b - c),
    ("a + -b", a - b),
    (r"a \cdot b", a * b),
    (r"a \times b", a * b),
    ("a * b", a * b),
    ("a / b / c", a / b / c),
    (r"a \cdot b / c", a * b / c),
    (r"\frac{1}{m}", 1 / m),
    (r"\frac{a + b}{m} c", (a + b) * c / m),
    ("x (1 - x)", x * (1 - x)),
    ("(a + b)(a - b)", (a + b) * (a - b)),
    ("{a + b} c", (a + b) * c),
    ("[a + b] c", (a + b) * c),
    ("a^2", a**2),
    ("a^{n+1}", a**(n + 1)),
    ("a_1^2", S("a_1")**2),
    ("(a + b)^{-1}", 1 / (a + b)),
    ("w_1", S("w_1")),
    ("w_{1}", S("w_1")),
    ("w_{12}", S("w_{12}")),
    ("w_{i j}", S("w_{ij}")),
    (r"\alpha_1", S("alpha_1")),
    (r"\delta", S("delta")),
    (r"\ell", S("\\ell")),
    (r"\mathrm{dZ}", S("\\mathrm{dZ}")),
    (r"\mathrm{W^{[2]}}", S("\\mathrm{W^{[2]}}")),
    (r"\mathbf{x}_1", S("\\mathbf{x}_1")),
    (r"\ln a", sympy.log(a)),
    (r"\ln a b", sympy.log(a * b)),            # the argument runs to the next + or -
    (r"\ln a + b", sympy.log(a) + b),
    (r"\ln (1 - a) b", sympy.log(1 - a) * b),  # parentheses end the argument
    (r"\ln {(1 - a)} b", sympy.log((1 - a) * b)),
    (r"\ln a \ln b", sympy.log(a) * sympy.log(b)),
    (r"\ln (a)^2", sympy.log(a)**2),
    (r"\log a", sympy.log(a, 10)),
    (r"\log_{2} a", sympy.log(a, 2)),
    (r"\exp(a) b", sympy.exp(a) * b),
    (r"\exp a b", sympy.exp(a * b)),
    (r"\tanh^2 a", sympy.tanh(a)**2),
    ("e", sympy.E),
    ("e^{-a}", sympy.exp(-a)),
    ("e^a b", sympy.exp(a) * b),
    (r"\sqrt{a b}", sympy.sqrt(a * b)),
    (r"\pi", sympy.pi),
    (r"\infty", sympy.oo),
    (r"\sum_{i=1}^{m} a b + c", sympy.Sum(a * b, (i, 1, m)) + c),
    (r"a \cdot \sum_{i=1}^{m} b \cdot c", a * sympy.Sum(b * c, (i, 1, m))),
    (r"\sum_{i=1}^{m} \sum_{j=1}^{n} a", sympy.Sum(a, (j, 1, n), (i, 1, m))),
    (r"a \mod b", sympy.Mod(a, b)),
    ("f(x)", sympy.Function("f")(x)),           # latex2sympy2 reads a call here
    ("a_{2}(x)", sympy.Function("a_{2}")(x)),
    (r"\sigma(\mathrm{q})", sympy.Function("\\sigma")(S("\\mathrm{q}"))),
    ("a (x + 1)", a * (x + 1)),                 # ... and a product here
    ("a(x)(y)", sympy.Function("a")(x) * y),
    (r"\dfrac{a}{b}", a / b),
    (r"a \quad b", a * b),
]


@pytest.mark.parametrize("text,meaning", MEANINGS, ids=[t for t, _ in MEANINGS])
def test_meaning(text, meaning):
    assert evaluated(parse(text)) == meaning


@pytest.mark.parametrize("text", [t for t, _ in MEANINGS])
def test_tables_agree_with_latex2sympy2(text):
    assert assert_same_as_latex2sympy2(text)


def test_declared_matrices_are_noncommutative():
    e = parse("W x", frozenset({"W"}))
    assert e.args[0] == sympy.Symbol("W", commutative=False) and not e.is_commutative
    assert assert_same_as_latex2sympy2("W x + b", frozenset({"W", "x"}))


DECLINED = [
    "x^23",             # latex2sympy2: x to the 23rd (LaTeX: x^2 3)
    "w_12",             # latex2sympy2: w_{12}
    "d x",              # a differential
    "dZ",
    "e_1",              # latex2sympy2 reads e
    "E",
    "I",                # the imaginary unit
    "x^2^3",
    "x^{2}_1",
    "(a)_1",            # latex2sympy2 drops the subscript
    "a^2(x)",           # latex2sympy2: a(x)^2
    "a(x y)",           # a call or a product: not guessed
    "b [x]",            # latex2sympy2: a call of b
    "b {(x)}",          # latex2sympy2: a call of b
    r"\sigma (x)",      # latex2sympy2 names the function '\sigma ' (with the space)
    r"\mathrm{d Z}",    # latex2sympy2 keeps the space in the name
    r"\ln \ln a",
    r"\ln a(x)",        # latex2sympy2: ln(a x), no call inside an argument without parentheses
    r"\tanh^{-1} a",    # latex2sympy2: atanh
    "1,000",
    "f(x, y)",
    "a = b",
    "n!",
    "|a|",
    r"\int x",
    r"\frac12",
    r"\sum_{i} a",
    r"\left( a \right)",
    r"\mathrm{T}",
    "",
    "a +",
    "(a",
    "a)",
    "α",
]


@pytest.mark.parametrize("text", DECLINED)
def test_declined(text):
    with pytest.raises(Declined):
        parse(text)


# --- random formulas from the subset and around it --------------------------------------

ATOMS = ["a", "b", "x", "y", "m", "e", "d", "I", "w_1", "w_{1}", "w_{12}", "x_i", "a_{ij}",
         r"\alpha", r"\sigma", r"\delta_2", r"\mathrm{dvxPD0}", r"\mathrm{W^{[2]}}",
         r"\mathbf{x}", "1", "2", "0.5", "10", r"\pi", "x^2", "x_1^2", "w^{n}", "W"]
OPS = [" + ", " - ", "-", r" \cdot ", "*", "/", r" \times ", r" \mod ", " ", ""]


def _compound(inner):
    pair = st.tuples(inner, inner)
    return st.one_of(
        st.tuples(inner, st.sampled_from(OPS), inner).map("".join),
        inner.map(lambda s: f"({s})"),
        inner.map(lambda s: f"{{{s}}}"),
        inner.map(lambda s: f"[{s}]"),
        pair.map(lambda p: rf"\frac{{{p[0]}}}{{{p[1]}}}"),
        st.tuples(st.sampled_from([r"\ln ", r"\ln", r"\log_{2} ", r"\exp", r"\tanh^2"]),
                  st.sampled_from(["({})", " {}", "{{{}}}"]), inner)
          .map(lambda t: t[0] + t[1].format(t[2])),
        inner.map(lambda s: f"e^{{{s}}}"),
        inner.map(lambda s: rf"\sum_{{i=1}}^{{m}} {s}"),
        inner.map(lambda s: f"-{s}"),
        pair.map(lambda p: f"({p[0]})^{{{p[1]}}}"),
        inner.map(lambda s: rf"\sqrt{{{s}}}"),
        pair.map(lambda p: f"{p[0]}({p[1]})"),
        pair.map(lambda p: f"{p[0]} {p[1]}"),
    )


FORMULAS = st.recursive(st.sampled_from(ATOMS), _compound, max_leaves=8)


@settings(deadline=None, max_examples=150)
@given(FORMULAS, st.sampled_from([frozenset(), frozenset({"W", "x"})]))
def test_random_formulas_agree_with_latex2sympy2(text, nc):
    assert_same_as_latex2sympy2(text, nc)


def test_every_formula_of_the_bundled_chapters_agrees_with_latex2sympy2(monkeypatch):
    """Check every chapter in equations/ and compare each formula the reader accepted."""
    from derive.api import clear_caches
    from derive.checker import check_chapter

    seen: dict = {}
    real = parse

    def recording(text, nc=frozenset()):
        result = real(text, nc)
        seen[(text, nc)] = result
        return result

    monkeypatch.setattr(latex.latex_subset, "parse", recording)
    clear_caches()
    for manifest in sorted((ROOT / "equations").glob("*/manifest.toml")):
        check_chapter(manifest, numeric=False)
    clear_caches()
    assert len(seen) > 100
    for (text, nc), result in seen.items():
        ref = reference(text, nc)
        assert sympy.srepr(result) == sympy.srepr(ref), text
