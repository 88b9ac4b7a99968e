"""Skip-gram with negative sampling as in Rong (2014) section 3.2 (equations/skipgram-rong):
output vectors v'_{w_j}, the output word w_O and the negative samples W_neg as named
index values and a declared set, derivatives by the net input v'^T_{w_j} h, a cases
formula over words, the update with (new)/(old) and a chain that names its value (:= EH).
The key is computed here with SymPy alone: E is written with the scores u_j as free
symbols (so ∂E/∂u_j is sympy.diff by a symbol), then the scores are put back."""
from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest
import sympy
from chapter_keys import caught_as_named, check_planted, checked_as_key_says, holds

from derive.driver import check_chapter

CHAPTER = Path(__file__).resolve().parent.parent / "equations" / "skipgram-rong"
V, N = 3, 2                        # words: w_O = 1, W_neg = {2, 3}
POSITIVE, NEGATIVE = {0}, {1, 2}


def key():
    v = sympy.Matrix(V, N, lambda j, k: sympy.Symbol(f"v{j + 1}{k + 1}"))
    h = sympy.Matrix(N, 1, lambda k, _: sympy.Symbol(f"h{k + 1}"))
    u = [sympy.Symbol(f"u{j + 1}") for j in range(V)]
    scores = {u[j]: (v[j, :] * h)[0] for j in range(V)}

    def sigma(x):
        return 1 / (1 + sympy.exp(-x))
    E_u = -sympy.log(sigma(u[0])) - sum(sympy.log(sigma(-u[j])) for j in NEGATIVE)
    E = E_u.subs(scores)
    t = [1 if j in POSITIVE else 0 for j in range(V)]
    s = [sigma(scores[u[j]]) for j in range(V)]
    claims = {
        "56-57": [(sympy.diff(E_u, u[j]).subs(scores), s[j] - t[j]) for j in range(V)]
        + [(sympy.diff(E_u, u[j]).subs(scores), s[j] - 1 if j in POSITIVE else s[j])
           for j in range(V)],
        "58": [(sympy.diff(E, v[j, k]), (s[j] - t[j]) * h[k]) for j in range(V)
               for k in range(N)],
        "59": [(sympy.diff(E, v[j, k]), (s[j] - t[j]) * h[k]) for j in range(V)
               for k in range(N)],
        "60-61": [(sympy.diff(E, h[k]), sum((s[j] - t[j]) * v[j, k] for j in range(V)))
                  for k in range(N)],
    }
    return [*v, *h], claims


def test_the_chapter_verifies_as_the_key_says():
    leaves, claims = key()
    r = checked_as_key_says(CHAPTER, claims, lambda p: holds(p, leaves, random.Random(3)),
                            seed=4)
    by_id = {e.id: e for e in r.equations}
    assert by_id["60-61:="].kind == "definition"        # ... := \mathbf{EH} names the value
    assert by_id["56-57"].numeric is not None and by_id["56-57"].numeric.agrees


def test_the_key_can_fail():
    leaves, claims = key()
    (lhs, rhs), *_ = claims["56-57"]
    assert not holds([(lhs, rhs + 1)], leaves, random.Random(0))


PLANTED = [
    # (printed, planted, finding kind, words in its message)
    ("\\frac{\\partial E}{\\partial \\mathbf{v}'_{w_j}}\n", "\\frac{\\partial E}{\\partial \\mathbf{h}}\n",
     "wrong-derivative", "another variable"),
    (r"- 1 & \text{if } w_j = w_O", r"+ 1 & \text{if } w_j = w_O", "missing-term", ""),
    (r"\mathbf{h}) - t_j \tag{56-57}", r"\mathbf{h}) \tag{56-57}", "missing-term", ""),
    (r"- t_j) \mathbf{h} \tag{58}", r"- t_j) \mathbf{v}'_{w_j} \tag{58}", "missing-term", ""),
    (r"(\sigma(\mathbf{v}'^T_{w_j} \mathbf{h}) - t_j) \mathbf{v}'_{w_j} :=",
     r"(\sigma(-\mathbf{v}'^T_{w_j} \mathbf{h}) - t_j) \mathbf{v}'_{w_j} :=", "mismatch", ""),
    (r"= \sum_{w_j \in \{w_O\} \cup \mathcal{W}_{neg}} (\sigma",
     r"= \sum_{w_j \in \mathcal{W}_{neg}} (\sigma", "mismatch", ""),
]


@pytest.mark.parametrize("printed,planted,kind,words", PLANTED)
def test_planted_errors_are_caught(printed, planted, kind, words, tmp_path):
    caught_as_named(CHAPTER, printed, planted, kind, words, tmp_path)


def test_an_update_that_climbs_the_loss(tmp_path):
    bad, _ = check_planted(CHAPTER, r"\mathbf{v}'^{(old)}_{w_j} - \eta",
                           r"\mathbf{v}'^{(old)}_{w_j} + \eta", tmp_path)
    assert [(e.id, e.verdict) for e in bad] == [("59", "mismatch")]
    messages = [f.message for link in bad[0].links for f in link.findings]
    assert any("gradient ascent" in m for m in messages), messages


def test_cases_where_no_row_applies_are_an_error(tmp_path):
    bad, found = check_planted(CHAPTER, r"\text{if } w_j = w_O", r"\text{if } w_j \in \{3\}",
                               tmp_path)
    assert [e.verdict for e in bad] == ["error"]
    assert "no row of the cases applies here (j=1)" in found["parse"]


def test_a_derivative_by_an_expression_not_in_the_loss_is_inconclusive(tmp_path):
    """∂E/∂(h^T h): E is not written through h^T h, so the derivative is not determined
    by the notation (reported, never guessed)."""
    bad, found = check_planted(CHAPTER, r"\frac{\partial E}{\partial \mathbf{v}'^T_{w_j} \mathbf{h}}"
                               "\n", r"\frac{\partial E}{\partial \mathbf{h}^T \mathbf{h}}" "\n",
                               tmp_path)
    assert [e.verdict for e in bad] == ["inconclusive"]
    assert "not written through" in found["timeout"]       # the kind of every inconclusive


def test_a_set_outside_the_index_range_is_an_error(tmp_path):
    folder = tmp_path / "ch"
    shutil.copytree(CHAPTER, folder)
    manifest = folder / "manifest.toml"
    manifest.write_text(manifest.read_text().replace("= [2, 3]", "= [2, 4]"))
    r = check_chapter(manifest, seed=5)
    by_id = {e.id: e for e in r.equations}
    assert by_id["55"].verdict == "error"
    assert "the set has 4, outside the range 1 to 3 of j" in by_id["55"].findings[0].message


def test_an_undeclared_set_is_an_error(tmp_path):
    bad, found = check_planted(CHAPTER, r"\sum_{w_j \in \mathcal{W}_{neg}} \log",
                               r"\sum_{w_j \in \mathcal{N}} \log", tmp_path)
    assert bad and bad[0].id == "55" and bad[0].verdict == "error"
    assert "not a declared set" in found["parse"]


def test_new_and_old_only_where_they_belong(tmp_path):
    """(new) on the right of an update is not the value before the step: not read."""
    bad, found = check_planted(CHAPTER, r"\mathbf{v}'^{(old)}_{w_j} - \eta",
                               r"\mathbf{v}'^{(new)}_{w_j} - \eta", tmp_path)
    assert [(e.id, e.verdict) for e in bad] == [("59", "error")]
    assert "new" in found["parse"]


NIELSEN = Path(__file__).resolve().parent.parent / "equations" / "nielsen-backprop-index"


@pytest.mark.parametrize("named,verdict", [
    (r"\delta^l_j", "verified"),           # a declared gradient: a side, checked as such
    (r"(w^{l+1}_{kj} + 1) \delta^{l+1}_k", None),   # not a name: no naming
])
def test_a_naming_of_a_declared_gradient_stays_a_claim(named, verdict, tmp_path):
    """`... := \\delta^l_j` with δ declared as ∂C/∂z: δ already means something, so the
    last side is checked against that meaning, never redefined by the formula before it."""
    bad, _ = check_planted(NIELSEN, r"\sum_k w^{l+1}_{kj} \delta^{l+1}_k \sigma'(z^l_j) \tag{45}",
                           r"\sum_k w^{l+1}_{kj} \delta^{l+1}_k \sigma'(z^l_j) := " + named
                           + r" \tag{45}", tmp_path)
    report = check_chapter(tmp_path / NIELSEN.name / "manifest.toml", seed=5)
    assert not [e.id for e in report.equations if ":=" in e.id]     # δ is not redefined
    assert any(len(e.links) == 2 for e in report.equations if e.id.startswith("45"))
    if verdict == "verified":
        assert bad == []
    else:
        assert [e.id.split("[")[0] for e in bad] == ["45"]


def test_a_wrong_side_before_a_declared_gradient_is_caught(tmp_path):
    bad, _ = check_planted(NIELSEN, r"\sum_k w^{l+1}_{kj} \delta^{l+1}_k \sigma'(z^l_j) \tag{45}",
                           r"\sum_k w^{l+1}_{kj} \delta^{l+1}_k := \delta^l_j \tag{45}", tmp_path)
    assert [(e.id.split("[")[0], e.verdict) for e in bad] == [("45", "mismatch")]
