"""The strict reader's edges: bounded reading, displays of several equations, and messages
(where, what, and how to fix it; LaTeX with single backslashes; one line per problem)."""
from __future__ import annotations

import shutil
import signal
from contextlib import contextmanager
from pathlib import Path

import pytest

from derive.cli import main
from derive.errors import InputError
from derive.read.latex import Vocabulary, parse_formula
from derive.read import Lexicon, ReadError, read_display, read_side, sexpr

ROOT = Path(__file__).resolve().parent.parent
LEX = Lexicon(names=frozenset({"x", "y", "a", "z", "w", "dZ"}), functions=frozenset({r"\sigma"}),
              indices=(("i", "sample"),))
VOCAB = Vocabulary.from_declarations(
    symbols={"x": "input", "y": "label", "w": "weight", "z": "weighted_input",
             "a": "activation"}, aliases={}, activations={r"\sigma": "sigmoid"})


@contextmanager
def never_hangs(seconds: int = 30):
    """Fail (rather than hang the suite) if reading runs away; not a timing assertion."""
    def stop(*_):
        raise AssertionError(f"still reading after {seconds} s")
    old = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


# --- reading is bounded: a clear error, never a traceback or a hang -----------------------

HOSTILE = [
    ("(" * 500 + "x" + ")" * 500, "nested more than"),
    (r"\frac{1}{" * 200 + "x" + "}" * 200, "nested more than"),
    (r"\sqrt{" * 300 + "x" + "}" * 300, "nested more than"),
    ("e^{" * 200 + "x" + "}" * 200, "nested more than"),
    (r"\sum_{i=1}^{m}" * 100 + " x", "nested more than"),
    ("x + " + "7" * 5000, "a number with 5000 digits"),
    ("x + 0." + "7" * 5000, "digits"),
    ("x + " * 25000 + "x", "at most 20000"),
    (r"2^{2^{2^{100}}} x", "too large to evaluate"),
    (r"x^{2^{2^{100}}}", "too large to evaluate"),
    (r"10^{100000} x", "too large to evaluate"),
]


@pytest.mark.parametrize("text,message", HOSTILE, ids=[f"hostile-{k}" for k in range(len(HOSTILE))])
def test_hostile_formulas_get_a_clear_error(text, message):
    with never_hangs(), pytest.raises(InputError) as caught:
        parse_formula(text, VOCAB)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_long_formula_under_the_limit_is_read():
    with never_hangs():
        assert str(parse_formula(" + ".join(["x"] * 4000), VOCAB).expr) == "4000*x"


# --- displays of several equations --------------------------------------------------------

def chains(text: str, lexicon: Lexicon = LEX) -> list[str]:
    out = []
    for eq in read_display(text, lexicon):
        words = [sexpr(eq.sides[0])]
        for relation, side in zip(eq.relations, eq.sides[1:]):
            words += [relation, sexpr(side)]
        out.append(" ".join(words))
    return out


DISPLAYS = [
    (r"a = \sigma(z) \\ z = w x", ["a = (call \\sigma z)", "z = (mul w x)"]),
    (r"a &= \sigma(z) \\ &= y", ["a = (call \\sigma z) = y"]),
    (r"\begin{align} a &= x \tag{1} \\ z &= w x \tag{2} \end{align}", ["a = x", "z = (mul w x)"]),
    (r"\begin{aligned} a &= x + y \\ &\quad + w \end{aligned}", ["a = (add x y w)"]),
    (r"a = x, \quad z = y", None),                  # two formulas on one row: rejected
]


@pytest.mark.parametrize("text,expected", DISPLAYS)
def test_displays_are_cut_into_equations(text, expected):
    if expected is None:
        with pytest.raises(ReadError):
            read_display(text, LEX)
    else:
        assert chains(text) == expected


# --- messages -----------------------------------------------------------------------------

BAD = [
    # (formula, the construct the message names, a word of its fix)
    (r"a - y \foo{3}", r"'\foo'", "fix:"),
    (r"\frac{\partial L}{\partial w} \Big|_{w=0}", "evaluation bar", "fix:"),
    (r"x^{}", "'{}'", "fix:"),
    (r"\max[0, z]", r"'\max'", "parentheses"),
    (r"\sigma[1](z)", "'['", "fix:"),
    (r"x \to y", r"'\to'", "fix:"),
    (r"(a + y", "'('", "fix:"),
]


@pytest.mark.parametrize("text,construct,fix", BAD)
def test_messages_name_the_construct_and_a_fix(text, construct, fix):
    with pytest.raises(ReadError) as caught:
        read_side(text, LEX)
    message = str(caught.value)
    assert construct in message and fix in message and " at column " in message
    assert "\\\\" not in message                     # LaTeX with single backslashes


def test_a_quotient_of_differential_names_prints_back_unambiguously():
    # found by the round-trip property: dZ/(dZ) printed as \frac{dZ}{dZ}, a derivative
    from derive.read.printer import latex
    tree = read_side(r"\frac{dZ}{\left(dZ\right)}", LEX)
    assert sexpr(read_side(latex(tree, LEX), LEX)) == sexpr(tree) == "(div dZ dZ)"


def _chapter(tmp_path, name: str) -> Path:
    target = tmp_path / name
    shutil.copytree(ROOT / "equations" / name, target)
    return target


def test_an_error_in_a_multi_line_block_points_at_its_line_and_column(tmp_path, capsys):
    chapter = _chapter(tmp_path, "logreg-batch")
    with open(chapter / "chapter.tex", "a", encoding="utf-8") as f:
        f.write("\n% derive: claim\n\\begin{aligned}\n"
                "\\frac{\\partial L}{\\partial z} &= \\frac{\\partial L}{\\partial a} \\\\\n"
                "  &= a - y \\foo{3} \\\\\n"
                "  &= a - y\n\\end{aligned}\n")
    lines = (chapter / "chapter.tex").read_text(encoding="utf-8").splitlines()
    line = next(k for k, text in enumerate(lines, start=1) if "\\foo" in text)
    column = lines[line - 1].index("\\foo") + 1
    assert main(["check", str(chapter), "--no-numeric"]) == 2
    err = capsys.readouterr().err
    assert f"cannot read '\\foo' at line {line}, column {column}" in err


def test_a_problem_in_a_block_copied_for_every_layer_is_one_line(tmp_path, capsys):
    chapter = _chapter(tmp_path, "deep-sigmoid-network")
    source = chapter / "chapter.tex"
    text = source.read_text(encoding="utf-8")
    generic = next(t for t in text.splitlines() if "[l-1]" in t and r"\tag" in t)
    source.write_text(text.replace(generic, generic.replace("A^{[l-1]", r"\foo A^{[l-1]")),
                      encoding="utf-8")
    assert main(["check", str(chapter), "--no-numeric"]) == 2
    err = [line for line in capsys.readouterr().err.splitlines() if "\\foo" in line]
    assert len(err) == 1 and "equations " in err[0]
    row = source.read_text(encoding="utf-8").splitlines()
    line = next(k for k, t in enumerate(row, start=1) if "\\foo" in t)
    assert f"at line {line}, column {row[line - 1].index(chr(92) + 'foo') + 1}" in err[0]
