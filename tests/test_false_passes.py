"""The eight classes of false pass found by trying derive as a new user (issue 11).

Each test states a wrong formula the way books and authors write them, and asserts that
derive does not report it verified: it is read in full and caught, or rejected with a
message naming what it could not read. Every test here failed on the code before the
strict reader (commit 1fd8554); the expected meanings are written by hand.
"""
from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from derive.driver import check_chapter
from derive.errors import InputError

EQUATIONS = Path(__file__).resolve().parent.parent / "equations"

LOGISTIC = """
[conventions]
samples = "m"
loss = "{loss}"
[functions]
'\\sigma' = {{ activation = "sigmoid" }}
[symbols]
x = {{ role = "input" }}
y = {{ role = "label" }}
m = {{ role = "samples" }}
i = {{ role = "index" }}
j = {{ role = "index" }}
w = {{ role = "weight" }}
b = {{ role = "bias" }}
z = {{ role = "weighted_input" }}
a = {{ role = "activation" }}
L = {{ role = "loss" }}
{extra}
"""

FORWARD = r"""
% derive: definition
z = w x + b
% derive: definition
a = \sigma(z)
% derive: definition
L(y, p) = -(y \log p + (1 - y) \log (1 - p))
"""


def run(tmp_path, claims: str, *, loss: str = "per-sample", extra: str = "",
        forward: str = FORWARD, numeric: bool = True, name: str = "ch"):
    folder = tmp_path / name
    folder.mkdir(exist_ok=True)
    (folder / "manifest.toml").write_text(LOGISTIC.format(loss=loss, extra=extra),
                                          encoding="utf-8")
    (folder / "chapter.tex").write_text(forward + textwrap.dedent(claims), encoding="utf-8")
    return check_chapter(folder / "manifest.toml", numeric=numeric, seed=1)


def verdicts(result) -> dict[str, str]:
    return {e.id: e.verdict for e in result.equations if e.kind == "claim"}


def claim(lhs: str, *sides: str, eid: str) -> str:
    return f"% derive: claim\n{lhs} = {' = '.join(sides)} \\tag{{{eid}}}\n"


DW = r"\frac{\partial L}{\partial w}"

# --- 1. truncation ------------------------------------------------------------------------

TAILS = [
    (r"(a - y) x \\ &\quad + w", "mismatch"),         # a row break, then more of the side
    (r"(a - y) x \\[1ex] + w", "mismatch"),
    (r"(a - y) x & + w", "mismatch"),
    (r"(a - y) x ) + w", "error"),                    # an unmatched bracket
    (r"(a - y) x } + w", "error"),
    (r"(a - y) x \right) + w", "error"),
    (r"(a - y) x \} + w", "error"),
    (r"(a - y) x ] + w", "error"),
    (r"(a - y) x \to w", "error"),                    # an arrow
    (r"(a - y) x \rightarrow w", "error"),
    (r"(a - y) x \Rightarrow w", "error"),
]


@pytest.mark.parametrize("side,verdict", TAILS, ids=[t[0] for t in TAILS])
def test_nothing_after_a_break_or_bracket_is_dropped(tmp_path, side, verdict):
    r = run(tmp_path, claim(DW, r"\frac{\partial L}{\partial z} x", side, eid="t"))
    assert verdicts(r)["t"] == verdict


def test_truncation_in_a_vectorized_chapter(tmp_path):
    folder = tmp_path / "lr"
    shutil.copytree(EQUATIONS / "logreg-vectorized", folder)
    tex = (folder / "chapter.tex").read_text(encoding="utf-8")
    tex = tex.replace(r"dZ = A - Y \tag{LR-1}", r"dZ = A - Y \\ &\quad + Y \tag{LR-1}")
    (folder / "chapter.tex").write_text(tex, encoding="utf-8")
    r = check_chapter(folder / "manifest.toml", seed=1)
    assert verdicts(r)["LR-1"] == "mismatch"


# --- 2. sums over the samples in a scalar chapter -----------------------------------------

BATCH = r"\frac{1}{m}\sum_{i=1}^{m}"


def test_a_correct_batch_mean_sum_still_verifies(tmp_path):
    r = run(tmp_path, claim(DW, BATCH + r" (a^{(i)} - y^{(i)}) x^{(i)}", eid="s"),
            loss="batch-mean")
    assert verdicts(r)["s"] == "verified"


@pytest.mark.parametrize("side", [
    # a product of two sums is not the sum of the products
    r"\frac{1}{m}\left(\sum_{i=1}^{m} (a^{(i)} - y^{(i)})\right)\left(\sum_{i=1}^{m} x^{(i)}\right)",
    # x of sample j inside the sum over i: not the same sample
    BATCH + r" (a^{(i)} - y^{(i)}) x^{(j)}",
    # a sum over j of a term in i: m times one sample's term
    r"\frac{1}{m}\sum_{j=1}^{m} (a^{(i)} - y^{(i)}) x^{(i)}",
    # a sum over the samples inside a sum over the samples
    r"\frac{1}{m}\sum_{j=1}^{m}\sum_{i=1}^{m} (a^{(i)} - y^{(i)}) x^{(i)}",
])
def test_sums_are_not_reduced_where_that_is_no_identity(tmp_path, side):
    r = run(tmp_path, claim(DW, side, eid="s"), loss="batch-mean")
    assert verdicts(r)["s"] not in ("verified", "error")


# --- 3. superscripts ------------------------------------------------------------------------

def test_a_parenthesised_superscript_of_a_weight_is_not_a_sample(tmp_path):
    r = run(tmp_path, claim(DW, r"(a - y) x^{(w)}", eid="p"))
    e = next(e for e in r.equations if e.id == "p")
    assert e.verdict == "error"
    assert "^{(w)}" in e.findings[0].message


# --- 4. precedence --------------------------------------------------------------------------

def test_a_derivative_operator_takes_the_power_with_its_operand(tmp_path):
    # d/dz z^2 is 2z: (dz/dz)^2 = 1 would make this wrong side hold
    r = run(tmp_path, claim(r"\frac{\partial L}{\partial z}", r"(a - y) \frac{d}{dz} z^2",
                            eid="d"))
    assert verdicts(r)["d"] == "mismatch"


# --- 5. binding ------------------------------------------------------------------------------

def test_a_loss_parameter_named_like_a_node_is_not_rebound(tmp_path):
    # L(y, a) with a the node a, and a further node c after it: the loss is not c's
    forward = FORWARD.replace("L(y, p)", "L(y, a)").replace(r"\log p", r"\log a").replace(
        r"(1 - p)", "(1 - a)") + "% derive: definition\nc = 2 a\n"
    with pytest.raises(InputError, match="the parameter a is the node a, but the model's "
                                         "output is c"):
        run(tmp_path, claim(r"\frac{\partial L}{\partial c}",
                            r"-\frac{y}{c} + \frac{1 - y}{1 - c}", eid="dc"),
            forward=forward, extra='c = { role = "node" }')


# --- 6. sizes hidden in constants -------------------------------------------------------------

@pytest.mark.parametrize("old,new,eid", [
    (r"dw = \frac{1}{m} X dZ^T", r"dw = \frac{4}{m^2} X dZ^T", "LR-2"),
    (r"\frac{1}{m}\sum_{i=1}^{m} dZ^{(i)} \tag{LR-3}", r"\frac{1}{m}\sum_{i=1}^{4} dZ^{(i)} \tag{LR-3}",
     "LR-3"),
])
def test_no_size_can_hide_in_a_constant(tmp_path, old, new, eid):
    folder = tmp_path / "lr"
    shutil.copytree(EQUATIONS / "logreg-vectorized", folder)
    tex = (folder / "chapter.tex").read_text(encoding="utf-8")
    assert old in tex
    (folder / "chapter.tex").write_text(tex.replace(old, new), encoding="utf-8")
    r = check_chapter(folder / "manifest.toml", seed=1)
    assert verdicts(r)[eid] == "mismatch"


# --- 7. memo keys ---------------------------------------------------------------------------

def test_chapters_with_the_same_definitions_and_different_losses_share_nothing(tmp_path):
    # L = H(y, a) in both: the same text, but H differs (the memo key held H(y, a) only)
    via = FORWARD.replace("L(y, p)", "H(y, p)") + "% derive: definition\nL = H(y, a)\n"
    extra = 'H = { role = "node" }'
    good = run(tmp_path, claim(r"\frac{\partial L}{\partial z}", "a - y", eid="k"),
               forward=via, numeric=False, name="bce", extra=extra)
    squared = via.replace(r"-(y \log p + (1 - y) \log (1 - p))", r"\frac{1}{2}(p - y)^2")
    other = run(tmp_path, claim(r"\frac{\partial L}{\partial z}", "a - y", eid="k"),
                forward=squared, numeric=False, name="mse", extra=extra)
    assert verdicts(good)["k"] == "verified"
    assert verdicts(other)["k"] == "mismatch"     # (a - y) a (1 - a) for the squared error


# --- 8. cost definitions ----------------------------------------------------------------------

COST = r"""
% derive: definition
J(w, b) = \frac{{{c}}}{{m}}\sum_{{i=1}}^{{m}} L(y^{{(i)}}, a^{{(i)}})
"""


def test_the_cost_is_its_own_definition(tmp_path):
    claims = claim(r"\frac{\partial J}{\partial w}", BATCH + r" (a^{(i)} - y^{(i)}) x^{(i)}",
                   eid="j")
    right = run(tmp_path, claims, forward=FORWARD + COST.format(c="1"), loss="batch-mean",
                extra='J = { role = "cost" }', name="right")
    wrong = run(tmp_path, claims, forward=FORWARD + COST.format(c="2"), loss="batch-mean",
                extra='J = { role = "cost" }', name="wrong")
    assert verdicts(right)["j"] == "verified"
    assert verdicts(wrong)["j"] == "mismatch"      # with 2/m in J, its gradient doubles


def test_a_cost_of_the_parameters_is_not_bound_to_the_output(tmp_path):
    # J(w) = ... as the chapter's loss: w is the weight, not a name for the output; the
    # old reading put the output in place of w and derived dJ/dw = 0
    manifest = LOGISTIC.replace('L = {{ role = "loss" }}', 'J = {{ role = "loss" }}')
    forward = FORWARD.replace("L(y, p)", "H(y, p)") + (
        "% derive: definition\n"
        r"J(w) = \frac{1}{m}\sum_{i=1}^{m} H(y^{(i)}, a^{(i)})" "\n")
    folder = tmp_path / "ch"
    folder.mkdir()
    (folder / "manifest.toml").write_text(manifest.format(loss="batch-mean", extra=""),
                                          encoding="utf-8")
    (folder / "chapter.tex").write_text(
        forward + claim(r"\frac{\partial J}{\partial w}", "0", eid="zero"), encoding="utf-8")
    try:
        r = check_chapter(folder / "manifest.toml", seed=1)
    except InputError as exc:
        assert "cost" in str(exc)
        return
    assert verdicts(r)["zero"] != "verified"
