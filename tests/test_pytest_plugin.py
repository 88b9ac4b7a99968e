"""The pytest plugin, run with pytester on a small logistic-regression chapter made here."""
from __future__ import annotations

import os
from importlib.metadata import entry_points

import pytest

# pytester's in-process runs drop the modules they imported; NumPy cannot be loaded twice
# in one process, so load the checker (NumPy, SymPy) here, once, outside those runs
import derive.driver  # noqa: F401
import derive.report  # noqa: F401

pytest_plugins = ["pytester"]

MANIFEST = """
[chapter]
title = "logistic unit"
[conventions]
samples = "m"
loss = "per-sample"
[functions]
'\\sigma' = { activation = "sigmoid" }
[symbols]
x = { role = "input" }
y = { role = "label" }
m = { role = "samples" }
w = { role = "weight" }
b = { role = "bias" }
z = { role = "weighted_input" }
a = { role = "activation" }
p = { role = "constant" }
L = { role = "loss" }
"""

CHAPTER = r"""
% derive: definition
z = w x + b
% derive: definition
a = \sigma(z)
% derive: graph
x → z → a
% derive: definition
L(y, p) = -(y \log p + (1 - y) \log (1 - p)) \tag{1}
% derive: claim
\frac{\partial L}{\partial z} = a - y \tag{2}
% derive: claim
\frac{\partial L}{\partial w} = \frac{\partial L}{\partial z} x = 2(a - y) x \tag{3}
"""

UNREADABLE = r"""
% derive: claim
\frac{\partial L}{\partial b} = \frac{1}{m} X dZ^T \tag{4}
"""


def plugin_args() -> list[str]:
    """``-p derive.pytest_plugin`` unless the installed entry point already loads it."""
    if not os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD"):
        if any(ep.value == "derive.pytest_plugin" for ep in entry_points(group="pytest11")):
            return []
    return ["-p", "derive.pytest_plugin"]


@pytest.fixture(scope="module", autouse=True)
def warm(tmp_path_factory):
    """Check the chapter once out here: what the checker imports lazily (latex2sympy2,
    SymPy's printers, lambdify) then outlives pytester's module snapshots."""
    ch = tmp_path_factory.mktemp("warm")
    (ch / "manifest.toml").write_text(MANIFEST, encoding="utf-8")
    (ch / "chapter.tex").write_text(CHAPTER, encoding="utf-8")
    derive.driver.check_chapter(ch / "manifest.toml", numeric=True)


@pytest.fixture
def book(pytester):
    ch = pytester.path / "book" / "ch1"
    ch.mkdir(parents=True)
    (ch / "manifest.toml").write_text(MANIFEST, encoding="utf-8")
    (ch / "chapter.tex").write_text(CHAPTER, encoding="utf-8")
    return ch


def run(pytester, *args):
    # hypothesis's plugin would re-import hypothesis in every inner run (~1 s): off
    return pytester.runpytest(*plugin_args(), "-p", "no:cacheprovider",
                              "-p", "no:hypothesispytest", "-W", "ignore::DeprecationWarning",
                              *args)


def test_inert_without_the_flag(pytester, book):
    pytester.makepyfile(test_plain="def test_one():\n    assert True\n")
    result = run(pytester)
    result.assert_outcomes(passed=1)
    assert "manifest.toml" not in result.stdout.str()
    result = run(pytester, "book")
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED


def test_collects_one_item_per_link_and_per_definition(pytester, book):
    result = run(pytester, "--derive", "--derive-no-numeric", "--collect-only", "-q", "book")
    ids = [line for line in result.stdout.lines if "::" in line]
    base = "book/ch1/manifest.toml::"
    assert ids == [base + n for n in ("chapter", "z", "a", "graph", "1", "2::link 1",
                                      "3::link 1", "3::link 2")]


def test_failing_link_shows_the_diagnosis_and_the_fix(pytester, book):
    result = run(pytester, "--derive", "book")
    result.assert_outcomes(passed=7, failed=1)     # the chapter item, 6 equations' cases
    out = result.stdout.str()
    result.stdout.fnmatch_lines([
        "*3 link 2 (mismatch)*",
        "3 link 2: mismatch",
        "  file:    book/ch1/chapter.tex, line 13",
        r"*step:    \frac{\partial L}{\partial z} x = 2(a - y) x",
        "*[[]DV103 factor[]] off by a constant factor: the stated form is 2 times the derivative",
        r"*fix:     x \left(a - y\right)",
        "*numeric: max rel. error * stated/expected = 2*",
        "FAILED book/ch1/manifest.toml::3::link 2*",
    ])
    assert "Traceback" not in out and "derive/pytest_plugin.py" not in out
    assert "derive: numeric checks on, seed 0" in out


def test_selection_by_node_id_and_keyword(pytester, book):
    run(pytester, "--derive", "--derive-no-numeric",
        "book/ch1/manifest.toml::3::link 1").assert_outcomes(passed=1)
    run(pytester, "--derive", "--derive-no-numeric", "-k", "link", "book").assert_outcomes(
        passed=2, failed=1)


def test_unreadable_claim_is_an_error_not_a_traceback(pytester, book):
    (book / "chapter.tex").write_text(CHAPTER + UNREADABLE, encoding="utf-8")
    result = run(pytester, "--derive", "--derive-no-numeric", "book")
    result.assert_outcomes(passed=7, failed=1, errors=1)
    result.stdout.fnmatch_lines(["*unknown symbol 'X'*"])
    assert "Traceback" not in result.stdout.str()


def test_broken_manifest_is_one_line_collection_error(pytester, book):
    (book / "manifest.toml").write_text("[chapter\n", encoding="utf-8")
    result = run(pytester, "--derive", "book")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["derive: error: *manifest.toml*"])
    assert "Traceback" not in result.stdout.str()


def test_each_chapter_is_checked_once(pytester, book, monkeypatch):
    calls = []
    real = derive.driver.check_chapter

    def counting(path, **kwargs):
        calls.append(path)
        return real(path, **kwargs)

    monkeypatch.setattr(derive.driver, "check_chapter", counting)
    result = run(pytester, "--derive", "--derive-no-numeric", "book",
                 "book/ch1/manifest.toml", "book/ch1")
    result.assert_outcomes(passed=7, failed=1)
    assert len(calls) == 1


def test_inconclusive_link_is_skipped_with_its_reason(pytester, book, monkeypatch):
    from derive.report import ChapterResult, EquationResult, Finding, LinkResult

    timeout = Finding("timeout", "no decision within the 20 s limit", severity="warning")
    chapter = ChapterResult(file="book/ch1/chapter.tex", equations=(
        EquationResult(id="7", kind="claim", latex="a = b = c", verdict="inconclusive", line=3,
                       links=(LinkResult("a", "b", "verified"),
                              LinkResult("b", "c", "inconclusive", findings=(timeout,)))),))
    (book / "chapter.tex").write_text(
        CHAPTER + "% derive: claim\n\\frac{\\partial L}{\\partial b} = a - y = a - y "
                  "\\tag{7}\n", encoding="utf-8")
    monkeypatch.setattr(derive.driver, "check_chapter", lambda path, **kw: chapter)
    result = run(pytester, "--derive", "-rs", "-k", "7", "book")
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(["SKIPPED*inconclusive: no decision within the 20 s limit"])


def test_collection_reads_the_chapters_without_checking_them(pytester, book, monkeypatch):
    def refuse(path, **kwargs):
        raise AssertionError("checked at collection")
    monkeypatch.setattr(derive.driver, "check_chapter", refuse)
    result = run(pytester, "--derive", "--collect-only", "-q", "book")
    assert result.ret == pytest.ExitCode.OK
    assert len([line for line in result.stdout.lines if "::" in line]) == 8


def test_k_checks_only_the_selected_equations(pytester, book, monkeypatch):
    focus = []
    real = derive.driver.check_chapter

    def spy(path, **kwargs):
        focus.append(kwargs.get("focus"))
        return real(path, **kwargs)
    monkeypatch.setattr(derive.driver, "check_chapter", spy)
    run(pytester, "--derive", "--derive-no-numeric", "-k", "graph or z",
        "book").assert_outcomes(passed=2)
    assert focus == [frozenset({"graph", "z"})]
    run(pytester, "--derive", "--derive-no-numeric", "book").assert_outcomes(passed=7, failed=1)
    assert focus[-1] is None                   # everything selected: the whole chapter


def test_under_xdist_each_chapter_is_checked_once(pytester, book):
    pytest.importorskip("xdist")
    import shutil
    for name in ("ch2", "ch3"):
        shutil.copytree(book, book.parent / name)
    calls = pytester.path / "calls.txt"
    pytester.makeconftest(
        "import os\nimport derive.driver\nreal = derive.driver.check_chapter\n"
        "def counting(path, **kw):\n"
        "    with open(os.environ['DERIVE_CALLS'], 'a') as f:\n"
        "        f.write(str(path) + '\\n')\n"
        "    return real(path, **kw)\n"
        "derive.driver.check_chapter = counting\n")
    pytester.monkeypatch = None
    os.environ["DERIVE_CALLS"] = str(calls)
    try:
        result = pytester.runpytest_subprocess(*plugin_args(), "-p", "no:cacheprovider",
                                               "--derive", "--derive-no-numeric", "-n", "2",
                                               "book")
    finally:
        del os.environ["DERIVE_CALLS"]
    result.assert_outcomes(passed=21, failed=3)
    checked = calls.read_text(encoding="utf-8").split()
    assert sorted(checked) == sorted(f"book/{n}/manifest.toml" for n in ("ch1", "ch2", "ch3"))
