"""Property tests: random, mutated and hostile input never crashes derive or runs code.

* ``parse_formula`` on any text returns or raises :class:`InputError`, never another
  exception;
* ``parse_manifest`` the same on any TOML;
* ``derive check`` on a chapter whose chapter.tex (or manifest) is mutated exits 0, 1 or 2
  and never prints a traceback;
* Python-, template- and shell-looking payloads inside LaTeX or TOML are rejected (or read
  as plain arithmetic) and create no file.

The crashes these tests found are kept as regression tests at the end. Should a new
crash be found and not fixed at once, add its signature to ``KNOWN_BUGS`` (the property
tests then tolerate exactly that signature and keep hunting for others) together with a
strict-xfail reproduction.
"""
from __future__ import annotations

import contextlib
import io
import re
import shutil
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from derive.cli import main
from derive.errors import InputError
from derive.read.latex import parse_formula, split_chain
from derive.read.manifest import load_manifest, parse_manifest
from derive.model import build_vocabulary
from derive.read.source import load_chapter

SEED = Path(__file__).resolve().parent.parent / "equations" / "ch08-two-layer-bce"
SEED_MANIFEST = (SEED / "manifest.toml").read_text(encoding="utf-8")
SEED_TEX = (SEED / "chapter.tex").read_text(encoding="utf-8")

# (exception type, message pattern, reason) of crashes not fixed yet; each needs a
# strict-xfail reproduction below. All found so far are fixed.
KNOWN_BUGS: list = []


def known_bug(exc: BaseException) -> bool:
    return any(isinstance(exc, t) and re.search(p, str(exc)) for t, p, _ in KNOWN_BUGS)


@pytest.fixture(scope="module")
def vocab():
    return build_vocabulary(load_manifest(SEED / "manifest.toml"))


def _pieces() -> list[str]:
    items = load_chapter(SEED / "chapter.tex")
    return [t for i in items if i.kind in ("claim", "definition") for t in split_chain(i.body)]


PIECES = _pieces()
TOKENS = [r"\frac{", "}", "{", "(", ")", "^T", "^{T}", "'", "_", "^", r"\partial", r"\sigma'",
          r"\left(", r"\right)", r"\sum_{i=1}^{m}", "=", r"\mathrm{", r"\log", "^{(i)}",
          r"\cdot", "-", "+", r"\frac{d}{da_2}", "x", "a_1", "Z_2", r"\prime", r"\sqrt{",
          r"\top", "2", r"\\", "&", r"\tag{1}", "%", r"\int", "!", "|", r"\exp", "e",
          "^{-1}", r"\text{", "_{2}", "0", r"\infty", "/", r"\,", "\t", "dvx"]
HOSTILE = ["__import__('os').system('touch PWNED')", r"\mathrm{eval(open('x','w'))}",
           "{{7*7}}", "${IFS}", "$(touch PWNED)", "`touch PWNED`", "; rm -rf /",
           r"\input{/etc/passwd}", r"\write18{touch PWNED}", "\x00", "\u202e"]


@st.composite
def mutated(draw, sources: list[str], tokens: list[str]):
    """A source text with one to three random edits: insert, delete, duplicate, splice."""
    s = draw(st.sampled_from(sources))
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(s)))
        j = draw(st.integers(i, min(len(s), i + 12)))
        op = draw(st.sampled_from(["insert", "delete", "duplicate", "splice"]))
        if op == "insert":
            s = s[:i] + draw(st.sampled_from(tokens)) + s[i:]
        elif op == "delete":
            s = s[:i] + s[j:]
        elif op == "duplicate":
            s = s[:i] + s[i:j] + s[i:]
        else:
            s = s[:i] + draw(st.sampled_from(sources))[:draw(st.integers(0, 30))] + s[j:]
    return s


def parse_or_input_error(text: str, vocab) -> None:
    try:
        parse_formula(text, vocab)
    except InputError:
        pass
    except Exception as exc:  # noqa: BLE001 - anything else is the bug we look for
        if not known_bug(exc):
            raise


# --- the LaTeX front end ---------------------------------------------------------------

@settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=40))
def test_parse_formula_on_arbitrary_text(vocab, text):
    parse_or_input_error(text, vocab)


@settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(TOKENS + HOSTILE), max_size=12).map("".join))
def test_parse_formula_on_latex_token_soup(vocab, text):
    parse_or_input_error(text, vocab)


@settings(deadline=None, max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(PIECES, TOKENS + HOSTILE))
def test_parse_formula_on_mutated_seed_formulas(vocab, text):
    parse_or_input_error(text, vocab)


# --- the manifest --------------------------------------------------------------------

TOML_VALUES = ["3", "-1", '"x"', "true", "[1, 2]", "{}", "nan", "inf", "-inf", "1e999",
               '""', "[]", '["Z"]', '{ role = "input" }', '"\\\\sigma"', '"weight"',
               "0", "2.5", "'''multi\nline'''", '"' + HOSTILE[0].replace("'", "\\'") + '"',
               '"{{7*7}}"', '"${IFS}"']
TOML_LINES = ["[limits]", "[numeric]", "[symbols]", "[functions]", "[conventions]",
              "[captions.layers]", "[captions.roles]", "[chapter]", "[extra]",
              "samples = 1", "draws = 0", "tolerance = -1", 'q = { role = "input" }',
              'source = "../../outside.tex"', 'loss = "batch-mean"', 'samples = "q"',
              'x = { role = "input", aliases = ["x"] }', "x = 1", "[symbols.x]",
              '"\\\\frac{" = { role = "input" }', f'"{HOSTILE[0]}" = {{ role = "input" }}']


@st.composite
def mutated_manifest(draw):
    lines = SEED_MANIFEST.splitlines()
    for _ in range(draw(st.integers(1, 4))):
        k = draw(st.integers(0, len(lines)))
        op = draw(st.sampled_from(["delete", "duplicate", "insert", "value", "chars"]))
        if op == "delete" and k < len(lines):
            del lines[k]
        elif op == "duplicate" and k < len(lines):
            lines.insert(k, lines[k])
        elif op == "insert":
            lines.insert(k, draw(st.sampled_from(TOML_LINES)))
        elif op == "value" and k < len(lines) and "=" in lines[k]:
            key = lines[k].split("=", 1)[0]
            lines[k] = f"{key}= {draw(st.sampled_from(TOML_VALUES))}"
        elif op == "chars" and k < len(lines):
            s = lines[k]
            i = draw(st.integers(0, len(s)))
            lines[k] = s[:i] + draw(st.text(max_size=3)) + s[i + 1:]
    return "\n".join(lines) + "\n"


@settings(deadline=None, max_examples=150)
@given(st.text(max_size=200))
def test_parse_manifest_on_arbitrary_text(text):
    try:
        parse_manifest(text, "fuzz.toml")
    except InputError:
        pass


@settings(deadline=None, max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_manifest())
def test_parse_manifest_on_mutated_seed_manifest(text):
    try:
        m = parse_manifest(text, "fuzz.toml")
    except InputError:
        return
    # what validates must also build a vocabulary or fail with InputError
    try:
        build_vocabulary(m)
    except InputError:
        pass


# --- the command line on mutated chapters ----------------------------------------------

TINY_MANIFEST = textwrap.dedent("""
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
    z = { role = "weighted_input", aliases = ["Z"] }
    a = { role = "activation" }
    L = { role = "loss" }
    [numeric]
    samples = 8
    draws = 1
    """)
TINY_TEX = textwrap.dedent(r"""
    % derive: definition
    z = w x + b
    % derive: definition
    a = \sigma(z)
    % derive: graph
    x → z → a
    % derive: definition
    L(y, a) = -(y \log a + (1 - y) \log (1 - a)) \tag{1}
    % derive: claim
    \frac{\partial L}{\partial w} = \frac{\partial L}{\partial z} x = (a - y) x \tag{2}
    % derive: claim
    \frac{\partial L}{\partial b} = (a - y) \tag{3}
    % derive: caption 2
    gradient of the loss with respect to the weight w
    """)
TEX_LINES = ["% derive: claim", "% derive: definition", "% derive: graph", "% derive: caption 2",
             "% derive: bogus", r"\tag{2}", "x → a → z", r"z = \sigma(a)", r"L = (a - y)^2",
             r"\frac{\partial L}{\partial q} = 1", r"\frac{\partial L}{\partial x} = (a - y) w",
             r"a = a", "= =", "% derive: claim 2"] + HOSTILE


@st.composite
def mutated_chapter(draw, source: str):
    lines = source.splitlines()
    for _ in range(draw(st.integers(1, 3))):
        k = draw(st.integers(0, len(lines)))
        op = draw(st.sampled_from(["delete", "duplicate", "insert", "token", "swap"]))
        if op == "delete" and k < len(lines):
            del lines[k]
        elif op == "duplicate" and k < len(lines):
            lines.insert(k, lines[k])
        elif op == "insert":
            lines.insert(k, draw(st.sampled_from(TEX_LINES)))
        elif op == "token" and k < len(lines):
            s = lines[k]
            i = draw(st.integers(0, len(s)))
            lines[k] = s[:i] + draw(st.sampled_from(TOKENS + HOSTILE)) + s[i:]
        elif op == "swap" and lines:
            j = draw(st.integers(0, len(lines) - 1))
            k = min(k, len(lines) - 1)
            lines[j], lines[k] = lines[k], lines[j]
    return "\n".join(lines) + "\n"


def run_cli(args: list[str]) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(args)
        except SystemExit as exc:        # argparse
            code = exc.code
    return code, out.getvalue() + err.getvalue()


def check_cli(folder: Path, numeric: bool) -> None:
    args = ["check", str(folder)] + ([] if numeric else ["--no-numeric"])
    try:
        code, text = run_cli(args)
    except Exception as exc:  # noqa: BLE001
        if known_bug(exc):
            return
        raise
    assert code in (0, 1, 2), code
    assert "Traceback" not in text


@pytest.fixture(scope="module")
def tiny_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz") / "tiny"
    folder.mkdir()
    (folder / "manifest.toml").write_text(TINY_MANIFEST, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def seed_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz") / "seed"
    shutil.copytree(SEED, folder)
    return folder


@settings(deadline=None, max_examples=25, suppress_health_check=[HealthCheck.too_slow])
@given(text=mutated_chapter(TINY_TEX), numeric=st.booleans())
def test_cli_on_mutated_tiny_chapter(tiny_folder, text, numeric):
    (tiny_folder / "chapter.tex").write_text(text, encoding="utf-8")
    check_cli(tiny_folder, numeric)


@settings(deadline=None, max_examples=6, suppress_health_check=[HealthCheck.too_slow])
@given(text=mutated_chapter(SEED_TEX))
def test_cli_on_mutated_seed_chapter(seed_folder, text):
    (seed_folder / "chapter.tex").write_text(text, encoding="utf-8")
    check_cli(seed_folder, numeric=False)


@settings(deadline=None, max_examples=15, suppress_health_check=[HealthCheck.too_slow])
@given(manifest=mutated_manifest())
def test_cli_on_mutated_seed_manifest(seed_folder, manifest):
    (seed_folder / "chapter.tex").write_text(SEED_TEX, encoding="utf-8")
    (seed_folder / "manifest.toml").write_text(manifest, encoding="utf-8")
    try:
        check_cli(seed_folder, numeric=False)
    finally:
        (seed_folder / "manifest.toml").write_text(SEED_MANIFEST, encoding="utf-8")


# --- hostile payloads ----------------------------------------------------------------

def payloads(marker: Path) -> list[str]:
    m = str(marker)
    return [f"__import__('os').system('touch {m}')",
            f"\\mathrm{{__import__('os').system('touch {m}')}}",
            f"\\mathrm{{eval(open('{m}','w'))}}",
            f"\\operatorname{{exec}}(open('{m}','w'))",
            "{{7*7}}", "${IFS}", f"$(touch {m})", f"`touch {m}`",
            f"\\write18{{touch {m}}}", f"\\input{{{m}}}",
            f"x; import os; os.system('touch {m}')"]


@pytest.fixture
def sandbox(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def no_file_created(sandbox: Path, marker: Path) -> None:
    assert not marker.exists()
    assert not (sandbox / "PWNED").exists() and not (sandbox / "x").exists()


def test_hostile_latex_is_rejected_and_runs_nothing(sandbox, vocab):
    marker = sandbox / "pwned-latex"
    for text in payloads(marker):
        try:
            parsed = parse_formula(text, vocab)
        except InputError:
            continue
        # the only thing that may read: plain arithmetic such as {{7*7}} = 49
        assert parsed.expr.is_number and not parsed.expr.free_symbols, (text, parsed.expr)
    no_file_created(sandbox, marker)


def test_hostile_latex_in_a_chapter_is_reported_not_run(sandbox, tiny_folder):
    marker = sandbox / "pwned-chapter"
    for text in payloads(marker):
        (tiny_folder / "chapter.tex").write_text(
            TINY_TEX + f"% derive: claim\n\\frac{{\\partial L}}{{\\partial w}} = {text} "
            "\\tag{9}\n", encoding="utf-8")
        code, out = run_cli(["check", str(tiny_folder), "--no-numeric"])
        assert code in (1, 2) and "Traceback" not in out, text
    no_file_created(sandbox, marker)


@pytest.mark.parametrize("where", ["symbol", "alias", "function", "title", "source",
                                   "samples"])
def test_hostile_toml_is_rejected_and_runs_nothing(sandbox, tiny_folder, where):
    marker = sandbox / f"pwned-toml-{where}"
    (tiny_folder / "chapter.tex").write_text(TINY_TEX, encoding="utf-8")
    for text in payloads(marker):
        quoted = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
        manifest = TINY_MANIFEST
        if where == "symbol":
            manifest += f"{quoted} = {{ role = \"input\" }}\n"
        elif where == "alias":
            manifest = manifest.replace('aliases = ["Z"]', f"aliases = [{quoted}]")
        elif where == "function":
            manifest = manifest.replace("[symbols]", f"{quoted} = {{ activation = \"relu\" }}\n"
                                                     "[symbols]")
        elif where == "title":
            manifest = manifest.replace('"logistic unit"', quoted)
        elif where == "source":
            manifest = manifest.replace('title = "logistic unit"',
                                        f'title = "t"\nsource = {quoted}')
        elif where == "samples":
            manifest = manifest.replace('samples = "m"', f"samples = {quoted}")
        (tiny_folder / "manifest.toml").write_text(manifest, encoding="utf-8")
        code, out = run_cli(["check", str(tiny_folder), "--no-numeric"])
        assert "Traceback" not in out, text
        if where == "title":
            # (the report names the chapter file, whose temporary path may hold a 49:
            # pytest-149 made this test fail once)
            shown = out.replace(text, "").replace(str(tiny_folder), "")
            assert code == 0 and "49" not in shown, text
        else:
            assert code == 2, (text, out)
    (tiny_folder / "manifest.toml").write_text(TINY_MANIFEST, encoding="utf-8")
    no_file_created(sandbox, marker)


# --- crashes found by fuzzing, now regression tests -----------------------------------

@pytest.mark.parametrize("text", [r"a^{(i)}_2 - y", r"a^{T}_2 x", r"\sigma(z^{T}_1)",
                                  r"\frac{\partial L}{\partial a_2}_2", r"\sigma(z_1)_1",
                                  r"w_2\sigma'(Z_1)_1"])
def test_subscript_after_a_placeholder(vocab, text):
    try:
        parse_formula(text, vocab)
    except InputError:
        pass


def test_nan_time_limit_is_rejected(sandbox, tiny_folder):
    (tiny_folder / "chapter.tex").write_text(TINY_TEX, encoding="utf-8")
    (tiny_folder / "manifest.toml").write_text(TINY_MANIFEST + "[limits]\nclaim_seconds = nan\n",
                                               encoding="utf-8")
    try:
        code, out = run_cli(["check", str(tiny_folder), "--no-numeric"])
    finally:
        (tiny_folder / "manifest.toml").write_text(TINY_MANIFEST, encoding="utf-8")
    assert code == 2 and "Traceback" not in out


def test_infinite_time_limit_is_rejected_or_means_no_limit(sandbox, tiny_folder):
    (tiny_folder / "chapter.tex").write_text(TINY_TEX, encoding="utf-8")
    (tiny_folder / "manifest.toml").write_text(TINY_MANIFEST + "[limits]\nclaim_seconds = inf\n",
                                               encoding="utf-8")
    try:
        code, out = run_cli(["check", str(tiny_folder), "--no-numeric"])
    finally:
        (tiny_folder / "manifest.toml").write_text(TINY_MANIFEST, encoding="utf-8")
    assert code in (0, 2) and "OverflowError" not in out


@pytest.mark.parametrize("tol", ["nan", "-1.0"])
def test_bad_tolerance_is_rejected(tol):
    # was accepted (every correct claim then inconclusive); fixed while this was written
    with pytest.raises(InputError):
        parse_manifest(SEED_MANIFEST + f"\n[numeric]\ntolerance = {tol}\n", "t.toml")
