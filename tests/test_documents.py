"""Documents as authors keep them: what derive reads from LaTeX, Markdown and notebooks
(ids, kinds, places), what it refuses (files outside the book, runaway macros), and the
seed chapter in its three forms giving the same findings."""
from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest

from derive.driver import check_chapter
from derive.read.chapters import find_chapters
from derive.cli import main
from derive.errors import InputError
from derive.read.blocks import blocks
from derive.read.load import load_document
from derive.read.macros import MacroError, Macros

ROOT = Path(__file__).resolve().parent.parent


def write(tmp_path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def kinds(path: Path) -> list[tuple[str, str]]:
    items, _ = blocks(load_document(path))
    return [(i.kind, i.id) for i in items]


# --- LaTeX ---------------------------------------------------------------------------------

LATEX = r"""
\documentclass{article}
\usepackage{amsmath}
\newcommand{\pd}[2]{\frac{\partial #1}{\partial #2}}
\numberwithin{equation}{section}
\begin{document}
\section{Forward}
The unit computes $z = w x + b$ and
\begin{equation}
a = \sigma(z) \label{eq:act}
\end{equation}
\begin{equation*}
L = \frac{1}{2} (a - y)^2
\end{equation*}
% a comment with $z = 2$ in it is no formula
\begin{figure}\centering $w$ \caption{a unit} \end{figure}
\begin{verbatim}
L = 3 (not read)
\end{verbatim}
\section{Backward}
\begin{align}
\pd{L}{a} &= a - y \label{eq:dLda} \\
\pd{L}{z} &= \pd{L}{a} \, a(1 - a) \nonumber \\
\intertext{and for the weight}
\pd{L}{w} &= (a - y) a (1 - a) x \tag{W}
\end{align}
\[ \frac{\partial L}{\partial b} \approx 0 \]
Equation (2.1) is the derivative by the activation.
\end{document}
"""


def test_latex_displays_ids_numbers_and_kinds(tmp_path):
    path = write(tmp_path, "ch.tex", LATEX)
    got = kinds(path)
    assert ("definition", "z") in got                  # inline, computes something
    assert ("definition", "eq:act") in got             # label before the number 1.1
    assert ("claim", "eq:dLda") in got                 # align row 2.1
    assert ("claim", "W") in got                       # \tag wins
    assert ("caption", "eq:dLda") in got               # "Equation (2.1) ..." names it
    items, _ = blocks(load_document(path))
    assert not any("3" == i.body.split("=")[-1].strip() or "z = 2" in i.body
                   for i in items)                     # verbatim and comments skipped
    doc = load_document(path)
    numbered = [d.numbers for d in doc.displays if d.numbers]
    assert numbered[0] == ["1.1"] and numbered[1] == ["2.1", "W"]


def test_latex_a_chain_over_rows_is_one_claim_with_intertext(tmp_path):
    path = write(tmp_path, "ch.tex", LATEX)
    items, skipped = blocks(load_document(path))
    claim = next(i for i in items if i.id == "eq:dLda")
    assert "a - y" in claim.body and r"\pd" not in claim.latex        # macros expanded
    assert any("no '='" in s.why for s in skipped)     # \approx: listed, not checked


def test_latex_report_points_at_the_source_line(tmp_path):
    path = write(tmp_path, "ch.tex", LATEX.replace(r"(a - y) a (1 - a) x \tag{W}",
                                                    r"(a - y) \foo x \tag{W}"))
    r = check_chapter(path, numeric=False)
    bad = next(e for e in r.equations if e.id == "W")
    line = path.read_text().splitlines().index(next(
        t for t in path.read_text().splitlines() if r"\foo" in t)) + 1
    assert bad.verdict == "error" and f"line {line}" in bad.findings[0].message


def test_input_files_stay_inside_the_book(tmp_path):
    book = tmp_path / "book"
    write(book, "main.tex", r"""
        \begin{document}
        \input{part}
        \input{../secret}
        \end{document}
        """)
    write(book, "part.tex", r"\[ z = w x + b \]")
    write(tmp_path, "secret.tex", r"\[ a = \sigma(z) \]")
    with pytest.raises(InputError, match="outside"):
        load_document(book / "main.tex")
    assert len(load_document(book / "main.tex", allow_outside=True).displays) == 2


def test_input_cycles_are_refused(tmp_path):
    write(tmp_path, "a.tex", r"\input{b}")
    write(tmp_path, "b.tex", r"\input{a}")
    with pytest.raises(InputError, match="includes itself"):
        load_document(tmp_path / "a.tex")


def test_macro_expansion_is_bounded():
    m = Macros()
    m.define_all(r"\newcommand{\a}{\a\a}\newcommand{\b}[1]{#1#1#1#1}")
    with pytest.raises(MacroError):
        m.expand(r"\a")
    with pytest.raises(MacroError):
        m.expand(r"\b{\b{\b{\b{\b{\b{\b{x}}}}}}}")
    assert m.expand(r"\b{x}") == "xxxx"


def test_a_recursive_macro_in_a_chapter_is_one_error(tmp_path):
    path = write(tmp_path, "ch.tex", r"""
        \newcommand{\loop}{\loop x}
        \[ \frac{\partial L}{\partial w} = \loop \]
        """)
    with pytest.raises(InputError, match="macro"):
        check_chapter(path, numeric=False)


# --- Markdown and notebooks -----------------------------------------------------------------

MARKDOWN = """
# A chapter

The unit: $z = w x + b$, $a = \\sigma(z)$ and the loss

```{math}
:label: loss
L = \\frac{1}{2}(a - y)^2
```

(dLda)=
$$\\frac{\\partial L}{\\partial a} = a - y$$

$$
\\frac{\\partial L}{\\partial z} = (a - y) a (1 - a)
$$
:eqlabel:`eq_dz`

$$\\frac{\\partial L}{\\partial w} = (a - y) a (1 - a) x \\quad (\\#eq:dw)$$

<!-- derive: claim mine -->
$$\\frac{\\partial L}{\\partial b} = (a - y) a (1 - a)$$

```python
x = 1  # code is not read
```
"""


def test_markdown_labels_of_every_flavour(tmp_path):
    path = write(tmp_path, "ch.md", MARKDOWN)
    got = dict((i, k) for k, i in kinds(path))
    assert got["loss"] == "definition"                 # MyST {math} :label:
    assert got["dLda"] == "claim"                      # MyST (label)=
    assert got["eq_dz"] == "claim"                     # d2l :eqlabel:
    assert got["eq:dw"] == "claim"                     # bookdown (\#eq:dw)
    assert got["mine"] == "claim"                      # a marker's id
    r = check_chapter(path, numeric=True)
    assert {e.id: e.verdict for e in r.equations if e.kind == "claim"} == dict.fromkeys(
        ["dLda", "eq_dz", "eq:dw", "mine"], "verified")


def test_notebook_cells_and_lines(tmp_path):
    cells = [{"cell_type": "markdown", "metadata": {}, "source": ["# Notes\n", "$$z = w x + b$$\n"]},
             {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
              "source": ["L = 3\n"]},
             {"cell_type": "markdown", "metadata": {},
              "source": "$$a = \\sigma(z)$$\n\n$$L = (a - y)^2$$\n\n"
                        "$$\\frac{\\partial L}{\\partial z} = 2 (a - y) \\foo$$"}]
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4,
                                "nbformat_minor": 5}), encoding="utf-8")
    r = check_chapter(path, numeric=False)
    bad = next(e for e in r.equations if e.verdict == "error")
    assert bad.where == "cell 3" and bad.line == 5
    assert bad.place(r.file) == f"{path} (cell 3):5"


def test_a_broken_notebook_is_one_error(tmp_path):
    path = tmp_path / "nb.ipynb"
    path.write_text('{"cells": [', encoding="utf-8")
    with pytest.raises(InputError, match="notebook"):
        check_chapter(path)


# --- the seed in three forms ----------------------------------------------------------------

def _findings(path):
    r = check_chapter(path, numeric=True)
    eqs = {e.id: (e.verdict, tuple(sorted((f.kind, f.message) for f in e.findings)))
           for e in r.equations}
    chapter = sorted((f.kind, f.message) for f in r.findings
                     if f.kind not in ("inference", "unchecked"))
    return eqs, chapter


def test_the_seed_in_its_three_forms_gives_the_same_findings():
    folder = _findings(ROOT / "equations" / "ch08-two-layer-bce" / "manifest.toml")
    markdown = _findings(ROOT / "equations" / "ch08-markdown" / "ch08.md")
    latex = _findings(ROOT / "equations" / "ch08-latex" / "ch08.tex")
    assert markdown == folder and latex == folder
    assert folder[0]["8-14"][0] == "inconsistent" and folder[0]["z_2"][0] == "inconsistent"


# --- books ----------------------------------------------------------------------------------

def test_a_book_folder_is_walked_and_derive_toml_chooses(tmp_path):
    book = tmp_path / "book"
    shutil.copytree(ROOT / "tests" / "books" / "nielsen-vanishing", book / "ch5")
    write(book, "README.md", "# notes\n\nno formulas here\n")
    write(book, "drafts/old.md", "$$\\frac{\\partial L}{\\partial w} = 1$$\n")
    found = [p.relative_to(book).as_posix() for p in find_chapters([book])]
    assert found == ["ch5/main.tex", "drafts/old.md"]           # \input files not on their own
    write(book, "derive.toml", '[book]\nexclude = ["drafts/*"]\n')
    assert [p.relative_to(book).as_posix() for p in find_chapters([book])] == ["ch5/main.tex"]


def test_check_and_init_from_the_command_line(tmp_path, capsys):
    doc = tmp_path / "ch08.md"
    shutil.copy(ROOT / "equations" / "ch08-markdown" / "ch08.md", doc)
    assert main(["check", str(doc), "-q", "--no-numeric"]) == 1
    assert main(["init", str(doc)]) == 0
    manifest = (tmp_path / "ch08.derive.toml").read_text(encoding="utf-8")
    assert 'z_1 = { role = "weighted_input", layer = 1, aliases = ["Z_1"] }' in manifest
    assert main(["check", str(tmp_path), "-q", "--no-numeric"]) == 1
    capsys.readouterr()


# (display as printed, the kind derive gives it) — written by hand
KINDS_TABLE = [
    (r"l = - \sum_{j=1}^q y_j \log \hat{y}_j", "definition"),     # the = of a sum's limit
    (r"J = \frac{1}{m} \sum_{i=1}^{m} L^{(i)}", "definition"),
    (r"\partial_{o_j} l = \hat{y}_j - y_j", "claim"),               # ∂ with a subscript
    (r"\nabla_w L = (a - y) x", "claim"),                           # ∇ with a subscript
    (r"\frac{\partial L}{\partial w} = (a - y) x", "claim"),
    (r"w := w - \eta \frac{\partial L}{\partial w}", "update"),
    (r"w \leftarrow w - \eta\, dw", "update"),
    (r"b \gets b - \alpha (a - y)", "update"),
    (r"\mu \leftarrow \frac{1}{m} \sum_{i=1}^{m} x_i", "definition"),  # an assignment
    (r"x \to z \to a", None),                                        # names not in a pass
]


@pytest.mark.parametrize("display,kind", KINDS_TABLE)
def test_what_each_display_is(display, kind, tmp_path):
    doc = tmp_path / "ch.md"
    doc.write_text(f"Text.\n\n$$ {display} $$\n", encoding="utf-8")
    items, skipped = blocks(load_document(doc, tmp_path))
    kinds = [i.kind for i in items]
    assert kinds == ([kind] if kind else []), (kinds, [s.why for s in skipped])


def test_a_named_derivative_makes_later_displays_claims(tmp_path):
    doc = tmp_path / "ch.md"
    doc.write_text("$$ \\delta^l_j \\equiv \\frac{\\partial C}{\\partial z^l_j} \\tag{29} $$\n\n"
                   "$$ \\delta^L_j = \\frac{\\partial C}{\\partial a^L_j} \\sigma'(z^L_j) $$\n",
                   encoding="utf-8")
    items, _ = blocks(load_document(doc, tmp_path))
    assert [i.kind for i in items] == ["definition", "claim"]


def test_a_gradient_by_the_wrong_variable_is_named(tmp_path):
    # ∇_b L printed with the value of ∇_w L (issue 14: "∇_u for ∇_v")
    doc = tmp_path / "ch.md"
    doc.write_text("The model is $z = w x + b$, $a = \\sigma(z)$ and\n\n"
                   "$$L = -(y \\log a + (1 - y) \\log(1 - a))$$\n\n"
                   "$$\\nabla_w L = (a - y) x \\tag{1}$$\n\n"
                   "$$\\nabla_b L = (a - y) x \\tag{2}$$\n", encoding="utf-8")
    r = {e.id: e for e in check_chapter(doc, seed=1).equations}
    assert r["1"].verdict == "verified" and r["2"].verdict == "mismatch"
    kinds = {f.kind for f in r["2"].findings} | {f.kind for link in r["2"].links
                                                 for f in link.findings}
    assert "wrong-derivative" in kinds
