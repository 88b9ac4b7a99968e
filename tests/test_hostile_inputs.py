"""Hostile and unusual inputs, one row per kind found in review (issue 12): each ends in a
one-line error with exit code 2, or in a named verdict, never a traceback, and within a
bound. Every row runs the real command in a new process."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EQUATIONS = ROOT / "equations"
DW = r"\frac{\partial L}{\partial w_1}"
ORIGINAL_LOSS = r"L(a, y) = -(y\log(a) + (1-y)\log(1-a))"


def derive(*args, cwd=None, env=None, timeout=120):
    """Run ``derive check ...``: (exit code, stdout, stderr lines, seconds)."""
    started = time.monotonic()
    p = subprocess.run([sys.executable, "-m", "derive.cli", "check", *map(str, args)],
                       capture_output=True, text=True, timeout=timeout, cwd=cwd or ROOT,
                       env={**os.environ, **(env or {})})
    lines = [line for line in p.stderr.splitlines() if line.strip()]
    return p.returncode, p.stdout, lines, time.monotonic() - started


def chapter(tmp_path, source="logreg-batch", append="", replace=None, manifest=None,
            name="ch") -> Path:
    folder = tmp_path / name
    shutil.copytree(EQUATIONS / source, folder)
    tex = folder / "chapter.tex"
    text = tex.read_text(encoding="utf-8")
    for old, new in (replace or {}).items():
        assert old in text
        text = text.replace(old, new)
    tex.write_text(text + textwrap.dedent(append), encoding="utf-8")
    if manifest:
        m = folder / "manifest.toml"
        m.write_text(manifest(m.read_text(encoding="utf-8")), encoding="utf-8")
    return folder


def one_error(result, *words):
    code, _, err, _ = result
    assert code == 2, err
    assert len(err) == 1 and err[0].startswith("derive: error: "), err
    for w in words:
        assert w in err[0], err[0]


def a_verdict(result, codes=(0, 1)):
    code, out, err, _ = result
    assert code in codes, err
    assert not any("Traceback" in line for line in err), err
    assert not err, err          # warnings and errors: none for a chapter that reads


# --- formulas and definitions ---------------------------------------------------------------

def test_nested_sums(tmp_path):
    a_verdict(derive(chapter(tmp_path, append=rf"""
        % derive: claim
        {DW} = \sum_{{i=1}}^{{m}}\sum_{{i=1}}^{{m}} x_1 (a - y)
        """), "-q"))


def test_a_chapter_function_inside_a_node_definition(tmp_path):
    a_verdict(derive(chapter(tmp_path, replace={r"a = \sigma(z)": r"a = \sigma(L(z, y))"}),
                     "-q"))


def test_a_chapter_function_inside_the_loss(tmp_path):
    code, out, err, _ = derive(chapter(tmp_path, replace={
        ORIGINAL_LOSS: "G(u) = u^2\n\n% derive: definition\nL(a, y) = G(a - y)"}), "-f", "json")
    a_verdict((code, out, err, 0), codes=(1,))
    verdicts = {e["id"]: e["verdict"] for e in json.loads(out)["chapters"][0]["equations"]}
    # the loss is now (a - y)^2: the logistic claims no longer hold, and say so
    assert verdicts["2-5"] == "mismatch" and verdicts["G(u)"] == "verified"


def test_a_subscripted_function_name_in_the_loss(tmp_path):
    a_verdict(derive(chapter(tmp_path, replace={
        ORIGINAL_LOSS: "F_{1}(u) = u^2\n\n% derive: definition\nL(a, y) = F_{1}(a - y)"}), "-q"),
        codes=(1,))


def test_multi_letter_function_names_unused(tmp_path):
    a_verdict(derive(chapter(tmp_path, append="""
        % derive: definition
        Foo(u) = u^2
        """, manifest=lambda m: m.replace("[functions]", '[functions]\nReLU = { activation = "relu" }')),
        "-q"), codes=(0,))


def test_a_function_defined_in_terms_of_itself(tmp_path):
    code, out, err, _ = derive(chapter(tmp_path, append="""
        % derive: definition
        G(u) = G(u) + 1
        """), "-f", "json")
    assert code == 2 and "defined in terms of itself" in out


def test_very_deep_nesting(tmp_path):
    one_error(derive(chapter(tmp_path, append="% derive: claim\n" + DW + " = "
                             + "(" * 3000 + "x_1" + ")" * 3000 + "\n")), "nested more than")


def test_a_5000_digit_number(tmp_path):
    one_error(derive(chapter(tmp_path, append=f"% derive: claim\n{DW} = {'7' * 5000} x_1\n")),
              "5000 digits")


def test_relu_prime_at_its_kink(tmp_path):
    a_verdict(derive(chapter(tmp_path, append=r"""
        % derive: claim
        \frac{\partial L}{\partial b} = (a - y) + g'(0) - g'(0)
        """, manifest=lambda m: m.replace("[functions]",
                                          '[functions]\ng = { activation = "relu" }')), "-q"))
    a_verdict(derive(chapter(tmp_path, name="relu-net", manifest=lambda m: m.replace(
        "activation = \"sigmoid\"", "activation = \"relu\"")), "-q"))


def test_log_of_zero(tmp_path):
    one_error(derive(chapter(tmp_path, append=rf"""
        % derive: claim
        {DW} = x_1 (a - y) + \log(0)
        """)), "no finite value")


def test_a_power_tower_in_a_claim(tmp_path):
    result = derive(chapter(tmp_path, append="% derive: claim\n"
                            + DW + r" = x_1 (a - y)^{2^{2^{2^{2}}}}" + "\n"))
    one_error(result, "exponent")
    assert result[3] < 60
    one_error(derive(chapter(tmp_path, name="numbers", append="% derive: claim\n" + DW
                             + r" = x_1 (a - y) + 0 \cdot 2^{2^{2^{2^{2}}}}" + "\n")),
              "too large")


def test_a_multi_megabyte_formula(tmp_path):
    result = derive(chapter(tmp_path, append="% derive: claim\n" + DW + " = "
                            + " + ".join(["x_1"] * 400_000) + "\n"))
    one_error(result, "larger than")


def test_a_formula_over_the_reader_limit_in_a_small_file(tmp_path):
    one_error(derive(chapter(tmp_path, append="% derive: claim\n" + DW + " = "
                             + " + ".join(["x_1"] * 10_000) + "\n")), "at most 20000")


# --- manifests ------------------------------------------------------------------------------

def test_an_infinite_range(tmp_path):
    one_error(derive(chapter(tmp_path, manifest=lambda m: m.replace(
        'x_1 = { role = "input" }', 'x_1 = { role = "input", range = [-inf, inf] }'))),
        "range")


def test_a_literal_shape_of_100000(tmp_path):
    one_error(derive(chapter(tmp_path, source="logreg-vectorized", manifest=lambda m: m.replace(
        'Y  = { role = "label", shape = [1, "m"] }',
        'Y  = { role = "label", shape = [1, 100000] }'))), "shape")


@pytest.mark.parametrize("key,value", [("samples", 10**9), ("draws", 10**6)])
def test_numeric_settings_are_bounded(tmp_path, key, value):
    one_error(derive(chapter(tmp_path, manifest=lambda m: m + f"\n[numeric]\n{key} = {value}\n")),
              f"numeric.{key}")


def test_a_nul_in_source(tmp_path):
    one_error(derive(chapter(tmp_path, manifest=lambda m: m.replace(
        "[chapter]", '[chapter]\nsource = "chap\\u0000ter.tex"'))), "chapter.source")


@pytest.mark.parametrize("source", ["/dev/zero", "/etc/passwd", "../elsewhere.tex"])
def test_source_stays_inside_the_chapter_folder(tmp_path, source):
    (tmp_path / "elsewhere.tex").write_text("% derive: claim\nx = y\n", encoding="utf-8")
    result = derive(chapter(tmp_path, manifest=lambda m: m.replace(
        "[chapter]", f'[chapter]\nsource = "{source}"')), timeout=30)
    one_error(result, "outside the chapter's folder")


def test_allow_outside_reads_elsewhere_but_never_a_device(tmp_path):
    folder = chapter(tmp_path, manifest=lambda m: m.replace(
        "[chapter]", '[chapter]\nsource = "../moved.tex"'))
    shutil.move(folder / "chapter.tex", tmp_path / "moved.tex")
    assert derive(folder, "-q", "--allow-outside")[0] == 0
    zero = chapter(tmp_path, name="zero", manifest=lambda m: m.replace(
        "[chapter]", '[chapter]\nsource = "/dev/zero"'))
    one_error(derive(zero, "--allow-outside", timeout=30), "not a regular file")


def test_a_fifo_as_the_chapter_file(tmp_path):
    folder = chapter(tmp_path)
    os.remove(folder / "chapter.tex")
    os.mkfifo(folder / "chapter.tex")
    result = derive(folder, timeout=30)
    one_error(result, "FIFO")


def test_a_fifo_as_the_manifest(tmp_path):
    folder = tmp_path / "ch"
    folder.mkdir()
    os.mkfifo(folder / "manifest.toml")
    one_error(derive(folder, timeout=30), "FIFO")


def test_a_slow_chapter_stops_at_the_chapter_limit(tmp_path):
    # softmax regression at K = 10 classes takes about 7 s; with a 1 s chapter limit what
    # is left is open
    folder = chapter(tmp_path, source="softmax-regression",
                     manifest=lambda m: m.replace("K = 3", "K = 10")
                     + "\n[limits]\nchapter_seconds = 1\n")
    code, out, err, seconds = derive(folder, "-f", "json", "--jobs", "1")
    assert code == 1 and not err
    data = json.loads(out)["chapters"][0]["equations"]
    assert any(e["verdict"] == "inconclusive" and "time limit" in e["findings"][0]["message"]
               for e in data)
    assert not any(e["verdict"] == "verified" and e["kind"] == "claim" and "time limit"
                   in json.dumps(e) for e in data)
    assert seconds < 30


# --- outputs ---------------------------------------------------------------------------------

@pytest.mark.parametrize("target", ["chapter.tex", "manifest.toml"])
def test_the_report_never_overwrites_an_input(tmp_path, target):
    folder = chapter(tmp_path)
    before = (folder / target).read_bytes()
    one_error(derive(folder, "-o", folder / target), "an input of this run")
    assert (folder / target).read_bytes() == before
    os.link(folder / target, tmp_path / "alias")           # the same file by another name
    one_error(derive(folder, "-o", tmp_path / "alias"), "an input of this run")
    assert (folder / target).read_bytes() == before


def test_the_report_is_not_written_into_a_fifo_or_a_folder(tmp_path):
    folder = chapter(tmp_path)
    os.mkfifo(tmp_path / "pipe")
    one_error(derive(folder, "-o", tmp_path / "pipe", timeout=30), "not a regular file")
    one_error(derive(folder, "-o", tmp_path), "a folder")


def test_a_run_that_does_not_complete_leaves_no_old_report(tmp_path):
    folder = chapter(tmp_path, source="softmax-regression")
    report = tmp_path / "report.json"
    report.write_text('{"old": true}', encoding="utf-8")
    p = subprocess.Popen([sys.executable, "-m", "derive.cli", "check", str(folder), "-f", "json",
                          "-o", str(report), "--jobs", "1"], cwd=ROOT,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while report.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    p.send_signal(signal.SIGKILL)                           # killed mid-run, as CI may
    p.wait()
    assert not report.exists()
    assert not [f for f in tmp_path.iterdir() if f.name.startswith(".report.json")]
    code, _, _, _ = derive(folder, "-f", "json", "-o", report)   # a complete run writes it
    assert code == 0 and json.loads(report.read_text(encoding="utf-8"))["chapters"]


# --- caches: derive keeps none on disk; nothing found there changes a verdict ----------------

def _cache_env(tmp_path) -> dict:
    cache = tmp_path / "cache"
    (cache / "derive").mkdir(parents=True)
    return {"DERIVE_CACHE_DIR": str(cache / "derive"), "XDG_CACHE_HOME": str(cache)}


def test_crafted_cache_entries_change_no_verdict(tmp_path):
    env = _cache_env(tmp_path)
    seed = EQUATIONS / "ch08-two-layer-bce"
    clean = derive(seed, "-f", "json", "--no-numeric")[1]
    cache = Path(env["DERIVE_CACHE_DIR"])
    # what an older derive kept there, edited to turn every formula into 0, and a deeply
    # nested file: neither may be read, let alone trusted
    (cache / "parses-0123456789abcdef.json").write_text(json.dumps(
        {r"\frac{1}{m} a_{1} (a_2 - y)": {"t": "Integer", "v": 0}}), encoding="utf-8")
    (cache / "parses-deep.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    code, out, err, _ = derive(seed, "-f", "json", "--no-numeric", env=env)
    assert code == 1 and not err and out == clean


def test_eight_concurrent_runs_share_a_cache_folder_and_lose_nothing(tmp_path):
    env = _cache_env(tmp_path)
    cache = Path(env["DERIVE_CACHE_DIR"])
    (cache / "notes.txt").write_text("kept", encoding="utf-8")
    seed = EQUATIONS / "ch08-two-layer-bce"
    procs = [subprocess.Popen([sys.executable, "-m", "derive.cli", "check", str(seed), "-f",
                               "json", "--no-numeric", "--jobs", "1"], cwd=ROOT,
                              env={**os.environ, **env}, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(8)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert {p.returncode for p in procs} == {1}
    assert len({out for out, _ in outs}) == 1 and not any(err for _, err in outs)
    # derive keeps no cache on disk: nothing was added, nothing that was there is lost
    assert sorted(f.name for f in cache.iterdir()) == ["notes.txt"]
    assert (cache / "notes.txt").read_text(encoding="utf-8") == "kept"
