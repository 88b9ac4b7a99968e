"""Issue 15: claims checked without writing every gradient down to the inputs.

- derive.calculus.frontier: two sides proved equal with the gradients they name kept as
  unknowns. The pairs below are written by hand from the chain rule of a sigmoid chain
  (z_l = w_l a_{l-1} + b_l, a_l = σ(z_l)): what must be proved, and what must never be.
- deep vectorized chapters: correct claims verified, wrong ones (written the ways people
  get them wrong) still mismatches at depth.
- softmax sums as a scale and shares (calculus.exponentials.normalised) at K = 10.
- the numeric route's batched finite differences give the numbers of the unbatched ones.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import sympy
from test_equivalence import deep

from derive.calculus.exponentials import normalised
from derive.calculus.frontier import prove_equal
from derive.driver import check_chapter
from derive.calculus.equivalence import Equivalence
from derive.read.latex import Partial
from derive.calculus.numeric import _FD_MEMO, NumericRoute

EQUATIONS = Path(__file__).resolve().parent.parent / "equations"


@pytest.fixture(scope="module")
def chain():
    d, s = deep(6)
    return d, Equivalence(d, seed=0), s


def _sides(s, text):
    """'dz3' -> ∂L/∂z_3, other names -> the chapter's symbols."""
    L = s["L"]
    env = {f"d{n}": Partial(L, s[n.replace("z", "z_").replace("w", "w_").replace("b", "b_")
                                   .replace("a", "a_")])
           for n in ("z1", "z2", "z3", "z4", "z5", "z6", "w3", "b3", "a3")}
    env.update({n.replace("_", ""): v for n, v in s.items()})
    return sympy.sympify(text, locals=env)


# (left, right): equal by the chain rule, written by hand
PROVED = [
    ("dz3", "dz4 * w4 * a3 * (1 - a3)"),           # δ^l = δ^{l+1} w^{l+1} σ'(z^l)
    ("dz3", "da3 * a3 * (1 - a3)"),                 # through the activation
    ("dw3", "dz3 * a2"),                            # ∂L/∂w = δ a_{l-1}
    ("db3", "dz3"),
    ("da3", "dz4 * w4"),
    ("dz2", "dz4 * w4 * a3 * (1 - a3) * w3 * a2 * (1 - a2)"),   # two steps at once
]

# (left, right): wrong, each the way a printed formula gets it wrong
NEVER = [
    ("dz3", "dz4 * w4"),                            # σ' missing
    ("dz3", "dz4 * w3 * a3 * (1 - a3)"),            # the layer's own weight
    ("dz3", "dz4 * w4 * a4 * (1 - a4)"),            # σ' of the next layer
    ("dw3", "dz3 * a3"),                            # a_l for a_{l-1}
    ("dw3", "dz4 * a2"),                            # the next layer's δ
    ("db3", "2 * dz3"),
    ("dz3", "-dz4 * w4 * a3 * (1 - a3)"),           # sign
    ("dz2", "dz4 * w4 * a3 * (1 - a3) * w3"),       # two steps, one σ' missing
]


@pytest.mark.parametrize("left,right", PROVED)
def test_one_step_of_the_chain_rule_is_proved_at_the_frontier(chain, left, right):
    d, eq, s = chain
    assert prove_equal(d, eq, _sides(s, left), _sides(s, right)) is True


@pytest.mark.parametrize("left,right", NEVER)
def test_a_wrong_step_is_never_proved(chain, left, right):
    d, eq, s = chain
    assert prove_equal(d, eq, _sides(s, left), _sides(s, right)) is False


def _generic_layers(tmp_path: Path, L: int, claims: str = "") -> Path:
    """deep-sigmoid-network with L layers of widths 2, 3, ..., 3, 1."""
    folder = tmp_path / f"deep-{L}"
    shutil.copytree(EQUATIONS / "deep-sigmoid-network", folder)
    manifest = folder / "manifest.toml"
    widths = ", ".join(["2"] + ["3"] * (L - 1) + ["1"])
    text = manifest.read_text(encoding="utf-8")
    text = text.replace("widths = [2, 3, 3, 1]", f"widths = [{widths}]")
    text = text.replace("layers = [0, 3]", f"layers = [0, {L}]")
    manifest.write_text(text, encoding="utf-8")
    with (folder / "chapter.tex").open("a", encoding="utf-8") as f:
        f.write(claims)
    return manifest


WRONG_AT_DEPTH = r"""
% derive: claim
dA^{[l-1]} = W^{[l]} dZ^{[l]} \tag{no-transpose}

% derive: claim
dZ^{[l]} = dA^{[l]} \tag{no-sigma-prime}

% derive: claim
dW^{[l]} = \frac{1}{m} dZ^{[l]} A^{[l]T} \tag{own-activation}
"""


def test_a_deep_vectorized_chapter_verifies_and_wrong_claims_stay_mismatches(tmp_path):
    r = check_chapter(_generic_layers(tmp_path, 5, WRONG_AT_DEPTH))
    verdicts = {e.id: e.verdict for e in r.equations}
    printed = {k: v for k, v in verdicts.items() if k.split("[")[0].startswith("4-")}
    assert len(printed) == 1 + 5 + 5 + 5 + 4 and set(printed.values()) == {"verified"}, printed
    # square layers (3×3 weights): the shapes agree, only the values tell
    for tag, layers in (("no-transpose", range(2, 5)), ("no-sigma-prime", range(1, 5)),
                        ("own-activation", range(2, 5))):
        for l in layers:
            assert verdicts[f"{tag}[l={l}]"] == "mismatch", (tag, l, verdicts)


def test_softmax_at_ten_classes_is_proved_and_a_wrong_claim_is_not(tmp_path):
    folder = tmp_path / "softmax"
    shutil.copytree(EQUATIONS / "softmax-regression", folder)
    manifest = folder / "manifest.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("K = 3", "K = 10"),
                        encoding="utf-8")
    with (folder / "chapter.tex").open("a", encoding="utf-8") as f:
        f.write("\n% derive: claim\n\\frac{\\partial J}{\\partial W} = (A - Y) X^T \\tag{no-mean}\n")
    r = check_chapter(manifest)
    verdicts = {e.id: e.verdict for e in r.equations}
    assert verdicts.pop("no-mean") == "mismatch"
    assert set(verdicts.values()) == {"verified"}, verdicts


def test_softmax_shares_prove_identities_and_only_identities():
    z = sympy.symbols("z1:11")
    e = [sympy.exp(v) for v in z]
    S = sympy.Add(*e)
    y = sympy.symbols("y1:11")
    # Σ_k a_k = 1; ∂/∂z_1 of -Σ y_k log a_k is a_1 Σ y - y_1, written out
    ident = sympy.Add(*[t / S for t in e]) - 1
    grad = -sympy.Add(*[y[k] * ((1 if k == 0 else 0) - e[0] / S) for k in range(10)])
    claim = e[0] / S * sympy.Add(*y) - y[0]
    assert sympy.cancel(sympy.together(normalised(ident))) == 0
    assert sympy.cancel(sympy.together(normalised(grad - claim))) == 0
    assert sympy.cancel(sympy.together(normalised(e[0] / S - sympy.Rational(1, 10)))) != 0
    assert sympy.cancel(sympy.together(normalised(grad - (e[0] / S - y[0])))) != 0
    # a variable of the sum used outside it: no substitution (it would not be one to one)
    assert normalised(ident + z[0]) is None


def test_batched_finite_differences_are_the_unbatched_numbers():
    d, s = deep(4)
    route = NumericRoute(d, samples=8, draws=2, seed=3)
    wrts = [s[n] for n in ("w_1", "b_2", "z_3", "a_2", "x")]
    for draw in route.draws:
        _FD_MEMO.clear()
        one = [route._fd(route.model.loss, w, draw) for w in wrts]
        params = [w for w in wrts if w in route.model.parameters]
        single_J = [route.batch_fd(w, draw) for w in params]
        _FD_MEMO.clear()
        route.prefetch([Partial(route.model.loss, w) for w in wrts], draw)
        route.prefetch_batch(params, draw)
        batched = [route.fd(route.model.loss, w, draw) for w in wrts]
        for a, b in zip(one, batched):
            assert np.array_equal(a, b)
        assert single_J == [route.batch_fd(w, draw) for w in params]


def test_scalar_one_step_claims_are_proved_at_the_frontier_and_wrong_ones_are_not(
        tmp_path, monkeypatch):
    from test_equivalence import SIGMOID_MANIFEST, deep_text

    from derive.calculus import sides as links
    claims = {
        "right": r"\frac{\partial L}{\partial z_{3}} = \frac{\partial L}{\partial z_{4}} w_{4} a_{3}(1 - a_{3})",
        "own-weight": r"\frac{\partial L}{\partial z_{3}} = \frac{\partial L}{\partial z_{4}} w_{3} a_{3}(1 - a_{3})",
        "a-for-a-prev": r"\frac{\partial L}{\partial w_{3}} = \frac{\partial L}{\partial z_{3}} a_{3}",
    }
    text = deep_text(6) + "".join(f"% derive: claim\n{c} \\tag{{{k}}}\n" for k, c in claims.items())
    (tmp_path / "manifest.toml").write_text(SIGMOID_MANIFEST, encoding="utf-8")
    (tmp_path / "chapter.tex").write_text(text, encoding="utf-8")
    proved = []
    real = links.prove_equal

    def spy(*args):
        proved.append(real(*args))
        return proved[-1]
    monkeypatch.setattr(links, "prove_equal", spy)
    r = check_chapter(tmp_path / "manifest.toml")
    verdicts = {e.id: e.verdict for e in r.equations if e.kind == "claim"}
    assert verdicts == {"right": "verified", "own-weight": "mismatch",
                        "a-for-a-prev": "mismatch"}
    assert proved.count(True) == 1 and proved.count(False) == 2


def test_a_sum_over_time_steps_is_proved_at_the_frontier_it_is_written_at(tmp_path, monkeypatch):
    # ∂L/∂b = Σ_t (1 - h_t^2) ∂L/∂h_t: the unknowns ∂L/∂a_t of the left side are expanded
    # first, not the ∂L/∂h_t the right side is written with
    from derive.calculus import sides as links
    folder = tmp_path / "rnn"
    shutil.copytree(EQUATIONS / "rnn-bptt-unit", folder)
    manifest = folder / "manifest.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("T = 3", "T = 5"),
                        encoding="utf-8")
    proved = {}
    real = links.prove_equal

    def spy(derivation, equivalence, side, head):
        proved.setdefault(str(head.args[1]), []).append(real(derivation, equivalence, side, head))
        return proved[str(head.args[1])][-1]
    monkeypatch.setattr(links, "prove_equal", spy)
    r = check_chapter(manifest)
    assert {e.verdict for e in r.equations if e.kind == "claim"} == {"verified"}
    assert True in proved["b"] and True in proved["w"]
    assert not [f for f in r.findings if f.kind == "cross-check"]
