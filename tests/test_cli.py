"""The command line: exit codes, formats, options. Output is checked for meaning, not text."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from derive.cli import main

SEED = str(Path(__file__).resolve().parent.parent / "equations" / "ch08-two-layer-bce")


@pytest.fixture(scope="module")
def seed_json(tmp_path_factory):
    out = tmp_path_factory.mktemp("r") / "report.json"
    code = main(["check", SEED, "--format", "json", "--output", str(out)])
    return code, json.loads(out.read_text(encoding="utf-8"))


def test_seed_chapter_exits_1(seed_json):
    code, _ = seed_json
    assert code == 1


def test_json_shape(seed_json):
    _, data = seed_json
    assert data["version"] == 1
    (chapter,) = data["chapters"]
    assert chapter["file"].endswith("chapter.tex")
    assert isinstance(chapter["findings"], list)
    kinds_allowed = {"factor", "sign", "substitution", "missing-factor", "extra-factor",
                     "missing-term", "extra-term", "mismatch", "convention", "definition",
                     "argument-order", "caption", "notation", "parse", "timeout", "numeric",
                     "cross-check"}
    for e in chapter["equations"]:
        assert e["kind"] in ("definition", "claim")
        assert e["verdict"] in ("verified", "mismatch", "inconsistent", "inconclusive", "error")
        assert isinstance(e["latex"], str) and e["id"]
        for f in e["findings"]:
            assert f["kind"] in kinds_allowed
            assert set(f) >= {"kind", "message", "suggestion"}
        for link in e["links"]:
            assert set(link) >= {"lhs", "rhs", "verdict", "convention", "findings"}
            assert link["convention"] in ("per-sample", "batch-mean", None)
        if e["kind"] == "claim":
            assert e["numeric"]["points"] >= 32
            assert e["numeric"]["max_rel_error"] is not None
    e814 = next(e for e in chapter["equations"] if e["id"] == "8-14")
    assert e814["verdict"] == "inconsistent" and len(e814["links"]) == 3


def test_text_report_has_a_row_per_equation(capsys):
    code = main(["check", SEED, "--no-numeric"])
    out = capsys.readouterr().out
    assert code == 1
    for eid in ["8-11", "8-12", "8-13", "8-14", "8-15", "8-16", "8-17", "8-18", "8-19", "z_2"]:
        assert f"  {eid} " in out
    assert "INCONSISTENT" in out and "fix:" in out
    assert "numeric checks off" in out


def test_same_seed_same_bytes_other_seed_same_verdicts(tmp_path):
    outs = []
    for seed, name in ((3, "a"), (3, "b"), (4, "c")):
        path = tmp_path / f"{name}.json"
        main(["check", SEED, "--format", "json", "--seed", str(seed), "-o", str(path)])
        outs.append(path.read_bytes())
    assert outs[0] == outs[1]
    verdicts = [[e["verdict"] for e in json.loads(o)["chapters"][0]["equations"]] for o in outs]
    assert verdicts[0] == verdicts[2]


def test_no_numeric_leaves_numeric_empty(capsys):
    main(["check", SEED, "--no-numeric", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert data["numeric"] is False
    assert all(e["numeric"] is None for e in data["chapters"][0]["equations"])


def test_default_path_is_equations(monkeypatch, capsys):
    monkeypatch.chdir(Path(SEED).parent.parent)
    assert main(["check", "--no-numeric", "--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out)["chapters"]


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["check", "--format", "yaml"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_json_is_byte_identical_across_hash_seeds_and_path_order(tmp_path):
    import os
    import subprocess
    import sys

    root = Path(SEED).parent.parent
    outs = []
    for hashseed, paths in (("1", [SEED, str(root / "equations" / "logreg-vectorized")]),
                            ("7", [str(root / "equations" / "logreg-vectorized"), SEED])):
        out = tmp_path / f"{hashseed}.json"
        env = dict(os.environ, PYTHONHASHSEED=hashseed)
        subprocess.run([sys.executable, "-m", "derive.cli", "check", *paths, "--format", "json",
                        "--no-numeric", "-o", str(out)], env=env, cwd=root, check=False)
        outs.append(out.read_bytes())
    assert outs[0] == outs[1] and len(outs[0]) > 1000


def test_a_closed_pipe_is_not_a_traceback():
    # `derive check | head -1`: the reader goes away before the report is written
    import os
    import subprocess
    import sys as _sys
    root = Path(__file__).resolve().parent.parent
    r, w = os.pipe()
    os.close(r)
    env = dict(os.environ, PYTHONPATH=str(root))
    proc = subprocess.run([_sys.executable, "-m", "derive.cli", "check",
                           "equations/ch08-two-layer-bce", "--no-numeric"], cwd=root,
                          stdout=w, stderr=subprocess.PIPE, env=env, timeout=300)
    os.close(w)
    assert "Traceback" not in proc.stderr.decode()
    assert proc.returncode == 1            # the seed chapter's verdict, as without the pipe
