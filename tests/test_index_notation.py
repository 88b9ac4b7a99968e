"""Index notation: quantities written by their entries (w_{jk}, \\delta^l_j), free indices
given every value, sums over units and classes written out.

Readings are tables of (formula, index values, meaning written by hand in SymPy). The two
bundled index chapters are checked against answer keys computed here with SymPy alone
(sympy.diff of the composed loss, entry by entry), and planted errors written into the
chapter text must be caught with the diagnosis that names them.
"""
from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest
import sympy

from derive.driver import check_chapter
from derive.errors import InputError
from derive.read.latex import parse_formula
from derive.read.manifest import parse_manifest
from derive.model.chapter import build_vocabulary
from derive.model.objects import Partial

EQUATIONS = Path(__file__).resolve().parent.parent / "equations"

MANIFEST = r"""
[sizes]
n = 2
K = 3
[functions]
'\sigma' = { activation = "sigmoid" }
[symbols]
x = { role = "input", entries = ["n"], aliases = ['\mathbf{x}'] }
w = { role = "weight", entries = ["K", "n"] }
z = { role = "weighted_input", entries = ["K"], aliases = ['\mathbf{z}'] }
L = { role = "loss" }
j = { role = "index", kind = "unit" }
k = { role = "index", kind = "unit" }
c = { role = "index", kind = "class" }
"""


def S(name: str) -> sympy.Symbol:
    return sympy.Symbol(name, real=True)


x1, x2 = S("x_{1}"), S("x_{2}")
z1, z2, z3 = S("z_{1}"), S("z_{2}"), S("z_{3}")
w = {(a, b): S(f"w_{{{a}{b}}}") for a in (1, 2, 3) for b in (1, 2)}
SOFTMAX_2 = sympy.exp(z2) / (sympy.exp(z1) + sympy.exp(z2) + sympy.exp(z3))

# (formula, free index values, meaning written by hand)
GOOD = [
    (r"x_j", {"j": 2}, x2),
    (r"w_{jk}", {"j": 3, "k": 1}, w[3, 1]),
    (r"w_{kj}", {"j": 2, "k": 3}, w[3, 2]),
    (r"\sum_k w_{jk} x_k", {"j": 1}, w[1, 1] * x1 + w[1, 2] * x2),
    (r"\sum_{k=1}^{n} w_{jk} x_k", {"j": 2}, w[2, 1] * x1 + w[2, 2] * x2),
    (r"\sum_{c=1}^{K} e^{z_c}", {}, sympy.exp(z1) + sympy.exp(z2) + sympy.exp(z3)),
    (r"\sum_c^{K} z_c", {}, z1 + z2 + z3),
    (r"\sum_j \sum_k w_{jk}", {}, sum(w.values())),
    (r"\prod_k x_k", {}, x1 * x2),
    (r"x_{j+1}", {"j": 1}, x2),
    (r"\frac{e^{z_j}}{\sum_c e^{z_c}}", {"j": 2}, SOFTMAX_2),
    (r"\mathrm{softmax}(\mathbf{z})_j", {"j": 2}, SOFTMAX_2),
    (r"\sigma(\mathbf{z})_j", {"j": 1}, None),       # σ(z_1): compared below
    (r"K + n", {}, sympy.Integer(5)),                  # sizes read as their values
    (r"\sum_{c \neq 2} z_c", {}, z1 + z3),           # a condition under the sum
    (r"\delta_{jk}", {"j": 2, "k": 2}, sympy.Integer(1)),   # Kronecker (\delta undeclared)
    (r"z_c (\delta_{cj} - z_j)", {"c": 1, "j": 2}, -z1 * z2),
    (r"\prod_{k \neq j} x_k", {"j": 1}, x2),
    (r"\sum_{c \ne j} e^{z_c}", {"j": 3}, sympy.exp(z1) + sympy.exp(z2)),
    # arrays: a symbol with fewer indices than it has is the array of the rest ("#" is the
    # entry of an array side that one instance of a formula checks)
    (r"w_j^T x", {"j": 2}, w[2, 1] * x1 + w[2, 2] * x2),
    (r"\langle x, x \rangle", {}, x1**2 + x2**2),
    (r"\|x\|^2", {}, x1**2 + x2**2),
    (r"(w x)_j", {"j": 3}, w[3, 1] * x1 + w[3, 2] * x2),
    (r"x", {"#": (2,)}, x2),
    (r"w", {"#": (3, 1)}, w[3, 1]),
    (r"w_j", {"j": 3, "#": (2,)}, w[3, 2]),
    (r"1 - x^2", {"#": (1,)}, 1 - x1**2),
    (r"\mathrm{diag}(x) x", {"#": (2,)}, x2**2),
    (r"w^T z", {"#": (2,)}, w[1, 2] * z1 + w[2, 2] * z2 + w[3, 2] * z3),
    (r"x z^T", {"#": (2, 3)}, x2 * z3),
    (r"\sum_j w_j", {"#": (1,)}, w[1, 1] + w[2, 1] + w[3, 1]),
    (r"\mathrm{softmax}(\mathbf{z})", {"#": (2,)}, SOFTMAX_2),
    (r"\exp(x) \odot x", {"#": (1,)}, sympy.exp(x1) * x1),
    (r"2 x^T x", {}, 2 * x1**2 + 2 * x2**2),
    (r"\frac{\partial L}{\partial x}", {"#": (1,)}, Partial(S("L"), x1)),
    (r"\nabla_{w_j} L", {"j": 1, "#": (2,)}, Partial(S("L"), w[1, 2])),
    (r"(\nabla_{z} L)_j", {"j": 3}, Partial(S("L"), z3)),
    # a derivative of a vector by a vector: the Jacobian, entry (i, j) = ∂z_i/∂x_j
    (r"\frac{\partial \mathbf{z}}{\partial \mathbf{x}}", {"#": (2, 1)}, Partial(z2, x1)),
    (r"\left(\frac{\partial \mathbf{z}}{\partial \mathbf{x}}\right)^T (\nabla_{z} L)",
     {"#": (2,)}, sum(Partial(zk, x2) * Partial(S("L"), zk) for zk in (z1, z2, z3))),
]

# (formula, free index values, what the error must say)
BAD = [
    (r"x_j", {"j": 3}, "entries 1 to 2"),
    (r"w_{jkc}", {"j": 1, "k": 1, "c": 1}, "has 2 indices, not 3"),
    (r"w_{j}", {"j": 1}, "this side is a 2×1 array"),
    (r"x_j", {}, "has no value here"),
    (r"x", {}, "this side is a 2×1 array"),
    (r"x x", {}, "an inner product is written a^T b"),
    (r"x + z", {"#": (1,)}, "a sum of arrays of shapes 2×1 and 3×1"),
    (r"w^2", {"#": (1, 1)}, "a power of a 3×2 matrix"),
    (r"\frac{x_1}{x}", {"#": (1,)}, "a division by an array"),
    (r"x_1", {"#": (1,)}, "a scalar where an array is compared"),
    (r"w", {"#": (4, 1)}, "where the first side has an entry 4,1"),
    (r"\sum_c w_{c1}", {}, None),                      # 1 is not an index: unreadable or error
    (r"\sum_j x_j z_j", {}, "different sizes"),
    (r"\sum_c 1", {}, "cannot tell the range"),
]


@pytest.fixture(scope="module")
def vocab():
    return build_vocabulary(parse_manifest(MANIFEST))


def _read(text, env, vocab):
    bound = {name: v if isinstance(v, tuple) else sympy.Integer(v) for name, v in env.items()}
    return parse_formula(text, vocab, bound=bound).expr


@pytest.mark.parametrize("text,env,meaning", GOOD)
def test_index_notation_reads_as_written(text, env, meaning, vocab):
    got = _read(text, env, vocab)
    if meaning is None:
        from derive.model import activations
        meaning = activations.to_elementary(vocab.functions[r"\sigma"](z1))
        got = activations.to_elementary(got)
    assert sympy.simplify(got - meaning) == 0, (text, got)


@pytest.mark.parametrize("text,env,message", BAD)
def test_bad_index_notation_is_refused_with_the_reason(text, env, message, vocab):
    with pytest.raises(InputError) as exc:
        _read(text, env, vocab)
    if message:
        assert message in str(exc.value)


def test_every_free_index_value_is_checked_and_one_wrong_value_is_enough(tmp_path):
    # a claim that holds at j = 1 only (x_1 for x_j) must not pass
    (tmp_path / "manifest.toml").write_text(MANIFEST.replace("[sizes]", "[sizes]\n")
                                            + 'b = { role = "bias", entries = ["K"] }\n'
                                            + "\n", encoding="utf-8")
    (tmp_path / "chapter.tex").write_text(
        "% derive: definition\nz_j = \\sum_k w_{jk} x_k + b_j\n"
        "% derive: definition\nL = \\frac{1}{2} \\sum_j (z_j)^2\n"
        "% derive: claim\n\\frac{\\partial L}{\\partial w_{jk}} = z_j x_k \\tag{1}\n"
        "% derive: claim\n\\frac{\\partial L}{\\partial w_{jk}} = z_j x_1 \\tag{2}\n",
        encoding="utf-8")
    r = {e.id: e for e in check_chapter(tmp_path / "manifest.toml", seed=1).equations}
    assert r["1"].verdict == "verified"
    assert r["2"].verdict == "mismatch"
    note = next(f for f in r["2"].findings if f.kind == "instances")
    assert "mismatch at j=1,k=2" in note.message and "j=1,k=1," not in note.message


# --- the bundled chapters against keys computed here ---------------------------------

def _sig(v):
    return 1 / (1 + sympy.exp(-v))


def nielsen_key():
    """Nielsen's network at widths 2, 3, 2 (layers 1..3), by hand: every claimed quantity
    as sympy.diff of the composed cost, and the right side each claim states."""
    n = {1: 2, 2: 3, 3: 2}
    a = {(1, k): S(f"a1_{k}") for k in range(1, 3)}
    W = {(l, j, k): S(f"w{l}_{j}{k}") for l in (2, 3) for j in range(1, n[l] + 1)
         for k in range(1, n[l - 1] + 1)}
    B = {(l, j): S(f"b{l}_{j}") for l in (2, 3) for j in range(1, n[l] + 1)}
    y = {j: S(f"y_{j}") for j in (1, 2)}
    z = {}
    for l in (2, 3):
        for j in range(1, n[l] + 1):
            z[l, j] = sum(W[l, j, k] * a[l - 1, k] for k in range(1, n[l - 1] + 1)) + B[l, j]
            a[l, j] = _sig(z[l, j])
    C = sympy.Rational(1, 2) * sum((y[j] - a[3, j]) ** 2 for j in (1, 2))
    # delta^l_j = dC/dz^l_j: differentiate by a stand-in for z^l_j
    def delta(l, j):
        t = sympy.Symbol("t")
        zs = dict(z)
        zs[l, j] = t
        aa = dict(a)
        aa[l, j] = _sig(t)
        if l == 2:
            for jj in (1, 2):
                zz = sum(W[3, jj, k] * aa[2, k] for k in range(1, 4)) + B[3, jj]
                aa[3, jj] = _sig(zz)
        CC = sympy.Rational(1, 2) * sum((y[jj] - aa[3, jj]) ** 2 for jj in (1, 2))
        return sympy.diff(CC, t).subs(t, z[l, j])
    sp = lambda v: _sig(v) * (1 - _sig(v))          # noqa: E731 - σ'
    leaves = list(a[1, k] for k in (1, 2)) + list(W.values()) + list(B.values()) + list(y.values())
    claims = {
        # BP1: delta^3_j = dC/da^3_j σ'(z^3_j), dC/da^3_j = a^3_j - y_j
        "BP1": [(delta(3, j), (a[3, j] - y[j]) * sp(z[3, j])) for j in (1, 2)],
        "BP3[l=2]": [(sympy.diff(C, B[2, j]), delta(2, j)) for j in range(1, 4)],
        "BP3[l=3]": [(sympy.diff(C, B[3, j]), delta(3, j)) for j in (1, 2)],
        "BP4[l=2]": [(sympy.diff(C, W[2, j, k]), a[1, k] * delta(2, j))
                     for j in range(1, 4) for k in (1, 2)],
        "BP4[l=3]": [(sympy.diff(C, W[3, j, k]), a[2, k] * delta(3, j))
                     for j in (1, 2) for k in range(1, 4)],
        # (42): delta^2_j = sum_k dz^3_k/dz^2_j delta^3_k, dz^3_k/dz^2_j = w^3_{kj} σ'(z^2_j)
        "42[l=2]": [(delta(2, j), sum(W[3, k, j] * sp(z[2, j]) * delta(3, k) for k in (1, 2)))
                    for j in range(1, 4)],
        "44[l=2]": [(W[3, k, j] * sp(z[2, j]), W[3, k, j] * sp(z[2, j]))
                    for j in range(1, 4) for k in (1, 2)],
        "45[l=2]": [(delta(2, j), sum(W[3, k, j] * delta(3, k) * sp(z[2, j]) for k in (1, 2)))
                    for j in range(1, 4)],
    }
    return leaves, claims


def softmax_key():
    x = {i: S(f"x{i}") for i in (1, 2)}
    W = {(i, j): S(f"w{i}{j}") for i in (1, 2) for j in (1, 2, 3)}
    b = {j: S(f"b{j}") for j in (1, 2, 3)}
    y1, y2 = S("y1"), S("y2")
    y = {1: y1, 2: y2, 3: 1 - y1 - y2}                  # one-hot or probabilities
    o = {j: sum(x[i] * W[i, j] for i in (1, 2)) + b[j] for j in (1, 2, 3)}
    Z = sum(sympy.exp(o[k]) for k in (1, 2, 3))
    yhat = {j: sympy.exp(o[j]) / Z for j in (1, 2, 3)}
    loss = -sum(y[j] * sympy.log(yhat[j]) for j in (1, 2, 3))
    t = sympy.Symbol("t")

    def by_logit(j):                                  # dl/do_j with o_j as a variable
        oo = dict(o)
        oo[j] = t
        ZZ = sum(sympy.exp(oo[k]) for k in (1, 2, 3))
        ll = -sum(y[k] * sympy.log(sympy.exp(oo[k]) / ZZ) for k in (1, 2, 3))
        return sympy.diff(ll, t).subs(t, o[j])
    leaves = list(x.values()) + list(W.values()) + list(b.values()) + [y1, y2]
    claims = {
        "softmax-grad": [(by_logit(j), yhat[j] - y[j]) for j in (1, 2, 3)],
        "w": [(sympy.diff(loss, W[i, j]), x[i] * (yhat[j] - y[j]))
              for i in (1, 2) for j in (1, 2, 3)],
        "b": [(sympy.diff(loss, b[j]), yhat[j] - y[j]) for j in (1, 2, 3)],
        "jac-diag": [(sympy.diff(yhat[j], b[j]), yhat[j] * (1 - yhat[j])) for j in (1, 2, 3)],
    }
    return leaves, claims


def _holds(pairs, leaves, rng) -> bool:
    for _ in range(3):
        point = {v: sympy.Rational(rng.randint(-9, 9), 7) for v in leaves}
        point.update({v: sympy.Rational(rng.randint(1, 4), 13) for v in leaves
                      if str(v).startswith("y")})
        for lhs, rhs in pairs:
            if abs(sympy.N((lhs - rhs).subs(point), 30)) > 1e-20:
                return False
    return True


@pytest.mark.parametrize("chapter,key", [("nielsen-backprop-index", nielsen_key),
                                         ("softmax-index", softmax_key)])
def test_index_chapters_verify_as_their_keys_say(chapter, key):
    leaves, claims = key()
    rng = random.Random(3)
    expected = {cid: "verified" if _holds(pairs, leaves, rng) else "mismatch"
                for cid, pairs in claims.items()}
    assert set(expected.values()) == {"verified"}          # the printed claims are right
    r = check_chapter(EQUATIONS / chapter / "manifest.toml", seed=4)
    got = {e.id: e.verdict for e in r.equations if e.kind == "claim"}
    assert got == expected
    for e in r.equations:
        if e.kind == "claim":
            assert e.numeric is not None and e.numeric.agrees, e.id
            assert any(f.kind == "instances" for f in e.findings)


def test_the_keys_can_fail():
    leaves, claims = nielsen_key()
    (lhs, rhs), *_ = claims["BP4[l=2]"]
    assert not _holds([(lhs, -rhs)], leaves, random.Random(0))


# --- planted errors, written into the chapter text -----------------------------------

NIELSEN_PLANTED = [
    # (printed claim, planted, finding kind that names it, words of its message)
    (r"a^{l-1}_k \delta^l_j \tag{BP4}", r"a^{l}_k \delta^l_j \tag{BP4}", "index",
     "the wrong layer?"),
    (r"a^{l-1}_k \delta^l_j \tag{BP4}", r"a^{l-1}_j \delta^l_k \tag{BP4}", "index", "swapped"),
    (r"= \delta^l_j \tag{BP3}", r"= -\delta^l_j \tag{BP3}", "sign", ""),
    (r"\sigma'(z^L_j) \tag{BP1}", r"\sigma(z^L_j) \tag{BP1}", "missing-factor", ""),
    (r"w^{l+1}_{kj} \delta^{l+1}_k \sigma'(z^l_j) \tag{45}",
     r"w^{l+1}_{jk} \delta^{l+1}_k \sigma'(z^l_j) \tag{45}", "index", "swapped"),
    (r"w^{l+1}_{kj} \delta^{l+1}_k \sigma'(z^l_j) \tag{45}",
     r"w^{l+1}_{kj} \delta^{l+1}_k \sigma'(z^{l+1}_j) \tag{45}", "index", "different sizes"),
    (r"a^{l-1}_k \delta^l_j \tag{BP4}", r"a^{l-1}_k \delta^l_j + b^l_j \tag{BP4}",
     "extra-term", ""),
]

SOFTMAX_PLANTED = [
    (r"\frac{\partial l}{\partial b_j} = \hat{y}_j - y_j",
     r"\frac{\partial l}{\partial b_j} = y_j - \hat{y}_j", "sign", ""),
    (r"= x_i (\hat{y}_j - y_j)", r"= x_j (\hat{y}_i - y_i)", "index", "swapped"),
    (r"= x_i (\hat{y}_j - y_j)", r"= x_i (\hat{y}_j - y_j) + b_j", "extra-term", ""),
    (r"\hat{y}_j (1 - \hat{y}_j) \tag{jac-diag}", r"\hat{y}_j \tag{jac-diag}",
     "missing-factor", ""),
    (r"\frac{\exp(o_j)}{\sum_{k=1}^q \exp(o_k)} - y_j =",
     r"\frac{\exp(o_j)}{\sum_{k=1}^q \exp(o_k)} + y_j =", None, ""),
    (r"= x_i (\hat{y}_j - y_j)", r"= 2 x_i (\hat{y}_j - y_j)", "factor", ""),
]


@pytest.mark.parametrize("chapter,printed,planted,kind,words",
                         [("nielsen-backprop-index", *p) for p in NIELSEN_PLANTED]
                         + [("softmax-index", *p) for p in SOFTMAX_PLANTED])
def test_planted_errors_are_caught_with_their_diagnosis(chapter, printed, planted, kind, words,
                                                        tmp_path):
    folder = tmp_path / chapter
    shutil.copytree(EQUATIONS / chapter, folder)
    text = (folder / "chapter.tex").read_text(encoding="utf-8")
    assert text.count(printed) == 1, printed
    (folder / "chapter.tex").write_text(text.replace(printed, planted), encoding="utf-8")
    r = check_chapter(folder / "manifest.toml", seed=5)
    bad = [e for e in r.equations if e.verdict != "verified"]
    assert bad, f"planted error not caught: {planted}"
    assert all(e.verdict in ("mismatch", "inconsistent") for e in bad), \
        [(e.id, e.verdict, e.summary) for e in bad]
    if kind is None:
        return
    kinds = {f.kind: f.message for e in bad for f in e.findings} | {
        f.kind: f.message for e in bad for link in e.links for f in link.findings}
    assert kind in kinds, (kinds, planted)
    assert words in kinds[kind]


# --- documents in index notation, no markers, no manifest ----------------------------

NIELSEN_MD = r"""# How the backpropagation algorithm works (excerpt, in components)

We use $w^l_{jk}$ for the weight from the $k^{\rm th}$ neuron in the $(l-1)^{\rm th}$ layer
to the $j^{\rm th}$ neuron in the $l^{\rm th}$ layer. The weighted input is

$$z^l_j = \sum_k w^l_{jk} a^{l-1}_k + b^l_j$$

and the activation

$$a^l_j = \sigma(z^l_j).$$

The quadratic cost is

$$C = \frac{1}{2} \sum_j (y_j-a^L_j)^2. \tag{27}$$

We define the error $\delta^l_j$ of neuron $j$ in layer $l$ by

$$\delta^l_j \equiv \frac{\partial C}{\partial z^l_j}. \tag{29}$$

$$\delta^L_j = \frac{\partial C}{\partial a^L_j} \sigma'(z^L_j). \tag{BP1}$$

$$\frac{\partial C}{\partial b^l_j} = \delta^l_j. \tag{BP3}$$

$$\frac{\partial C}{\partial w^l_{jk}} = a^{l-1}_k \delta^l_j. \tag{BP4}$$

$$\delta^l_j = \sum_k w^{l+1}_{kj} \delta^{l+1}_k \sigma'(z^l_j). \tag{45}$$
"""

D2L_MD = r"""# Softmax regression (excerpt)

$$o_j = \sum_i x_i w_{ij} + b_j$$

$$\hat{y}_j = \frac{\exp(o_j)}{\sum_k \exp(o_k)}.$$

$$l = - \sum_{j=1}^q y_j \log \hat{y}_j.$$

$$\partial_{o_j} l = \frac{\exp(o_j)}{\sum_{k=1}^q \exp(o_k)} - y_j = \hat{y}_j - y_j. \tag{grad}$$
"""


@pytest.mark.parametrize("text,expected", [
    (NIELSEN_MD, {"BP1": "verified", "BP3": "verified", "BP4": "verified",
                  "45": "verified"}),
    (D2L_MD, {"grad": "verified"}),
])
def test_documents_in_index_notation_need_no_manifest(text, expected, tmp_path):
    # the verdicts the keys above give (nielsen_key, softmax_key: each claim holds)
    doc = tmp_path / "chapter.md"
    doc.write_text(text, encoding="utf-8")
    r = check_chapter(doc, seed=3)
    got = {}
    for e in r.equations:
        got.setdefault(e.id.split("[l=")[0], set()).add(e.verdict)
    assert {k: got.get(k) for k in expected} == {k: {v} for k, v in expected.items()}
    assert all(e.verdict == "verified" for e in r.equations)
    inferred = " ".join(f.message for f in r.findings if f.kind == "inference")
    assert "entries" in inferred and "an index" in inferred


def test_a_wrong_entry_in_a_document_is_caught(tmp_path):
    doc = tmp_path / "chapter.md"
    doc.write_text(NIELSEN_MD.replace(r"a^{l-1}_k \delta^l_j", r"a^{l}_k \delta^l_j"),
                   encoding="utf-8")
    r = check_chapter(doc, seed=3)
    bad = {e.id: e.verdict for e in r.equations if e.verdict != "verified"}
    assert bad and set(bad.values()) == {"mismatch"} and all(k.startswith("BP4") for k in bad)


@pytest.mark.parametrize("text", [NIELSEN_MD, D2L_MD])
def test_init_writes_an_index_manifest_that_checks_the_same(text, tmp_path):
    from derive.cli import main
    doc = tmp_path / "chapter.md"
    doc.write_text(text, encoding="utf-8")
    before = [(e.id, e.verdict) for e in check_chapter(doc, seed=1).equations]
    assert main(["init", str(doc)]) == 0
    written = (tmp_path / "chapter.derive.toml").read_text(encoding="utf-8")
    assert "entries = [" in written
    after = [(e.id, e.verdict) for e in check_chapter(doc, seed=1).equations]
    assert after == before


def test_index_letters_and_layer_offsets_are_read_from_the_chapter():
    from derive.model.infer_entries import _family, _offset, index_letters
    from derive.read.source import Item

    def item(kind, body):
        return Item(kind, "x", body, body, 1, "f")
    assert index_letters([item("definition", r"z^l_j = \sum_k w^l_{jk} a^{l-1}_k + b^l_j")]) \
        == {"j", "k"}
    assert index_letters([item("definition", r"z = w x + b")]) == set()     # no indices
    assert _family("z^{[l-1]}") == ("z", "l-1") and _family("y") == ("y", None)
    assert _offset("l-1") == ("rel", -1) and _offset("L") == ("abs", 3)
    assert _offset("2") == ("abs", 2) and _offset(None) is None


def test_identity_entries_an_indicator_and_another_index(tmp_path):
    # Bishop, PRML (4.106): dy_k/da_j = y_k (I_kj - y_j), with I_kj the identity's entries;
    # the same with an indicator 1{k = j}; and y_k printed where y_j is needed
    folder = tmp_path / "sm"
    shutil.copytree(EQUATIONS / "softmax-index", folder)
    with (folder / "manifest.toml").open("a", encoding="utf-8") as f:
        f.write('I = { role = "constant", entries = ["q", "q"], identity = true }\n')
    with (folder / "chapter.tex").open("a", encoding="utf-8") as f:
        f.write("\n% derive: claim\n\\frac{\\partial \\hat{y}_k}{\\partial o_j} = "
                "\\hat{y}_k (I_{kj} - \\hat{y}_j) \\tag{4.106}\n"
                "% derive: claim\n\\frac{\\partial \\hat{y}_k}{\\partial o_j} = "
                "\\hat{y}_k (1\\{k = j\\} - \\hat{y}_j) \\tag{ind}\n"
                "% derive: claim\n\\frac{\\partial \\hat{y}_k}{\\partial o_j} = "
                "\\hat{y}_k (I_{kj} - \\hat{y}_k) \\tag{bad}\n")
    r = {e.id: e for e in check_chapter(folder / "manifest.toml", seed=1).equations}
    assert r["4.106"].verdict == "verified" and r["ind"].verdict == "verified"
    assert r["bad"].verdict == "mismatch"
    fix = next(f for f in r["bad"].findings if f.kind == "index")
    assert r"\hat{y}_{j} is needed" in fix.message


def test_identity_needs_two_entries_of_one_size():
    with pytest.raises(InputError, match="identity"):
        parse_manifest(MANIFEST + 'I = { role = "constant", entries = ["K", "n"], '
                                  'identity = true }\n')


def test_the_text_report_lists_sixteen_gradients_unless_verbose():
    # index notation derives one gradient per entry: nielsen-backprop-index has 29
    from derive.api import check
    from derive.report import render_to_string
    chapter = EQUATIONS / "nielsen-backprop-index"
    report = check(chapter / "manifest.toml", numeric=False)
    total = len(report.chapters[0].gradients)
    assert total > 16
    short = render_to_string(report, "text")
    listed = short.split("derived gradients")[1].split("… and")[0]
    assert listed.count(" = ") == 16
    assert f"… and {total - 16} more" in short
    assert "more (--verbose" not in render_to_string(report, "text", verbose=True)
