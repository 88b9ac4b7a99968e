"""[tool.derive] in pyproject.toml (issue 17): found by walking up from the checked path,
overridden by the command line; select/ignore/per-file-ignores mark findings suppressed."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from derive.cli import main
from derive.config import Policy, find

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "equations" / "ch08-two-layer-bce"

# (select, ignore, code, ignored?) written by hand: prefixes as in ruff
POLICIES = [
    (None, (), "DV102", False),
    (("DV1",), (), "DV102", False),
    (("DV1",), (), "DV202", True),
    (None, ("DV2",), "DV202", True),
    (None, ("DV20",), "DV210", False),
    (("DV1", "DV202"), ("DV103",), "DV103", True),
    (("DV1", "DV202"), ("DV103",), "DV202", False),
]


@pytest.mark.parametrize("select, ignore, code, ignored", POLICIES)
def test_select_and_ignore_by_code_or_prefix(select, ignore, code, ignored):
    assert Policy(select, ignore).ignores(code, "ch.tex") is ignored


def test_per_file_ignores_match_paths_below_the_config(tmp_path):
    policy = Policy(per_file=(("book/ch03/*", ("DV202",)),), root=tmp_path)
    assert policy.ignores("DV202", str(tmp_path / "book" / "ch03" / "chapter.tex"))
    assert not policy.ignores("DV202", str(tmp_path / "book" / "ch04" / "chapter.tex"))
    assert not policy.ignores("DV201", str(tmp_path / "book" / "ch03" / "chapter.tex"))


@pytest.fixture()
def project(tmp_path, monkeypatch) -> Path:
    shutil.copytree(SEED, tmp_path / "book" / "ch")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _write(project: Path, table: str) -> None:
    (project / "pyproject.toml").write_text("[project]\nname = 'x'\n\n[tool.derive]\n" + table,
                                            encoding="utf-8")


def test_found_by_walking_up_from_the_checked_path(project):
    _write(project, 'ignore = ["DV2"]\n')
    assert find(project / "book" / "ch").policy.ignore == ("DV2",)
    assert find(project / "book" / "ch" / "chapter.tex").path == project / "pyproject.toml"
    (project / "book" / "pyproject.toml").write_text("[project]\nname = 'y'\n")
    # a pyproject.toml without [tool.derive] is passed over
    assert find(project / "book" / "ch").path == project / "pyproject.toml"


def test_settings_apply_and_flags_override_them(project, capsys):
    _write(project, 'paths = ["book/ch"]\nformat = "concise"\nignore = ["DV2"]\n'
                    'numeric = false\n')
    assert main(["check"]) == 1                  # DV111 is not ignored
    out = capsys.readouterr().out.splitlines()
    assert [line.split(": ")[1].split()[0] for line in out[:-1]] == ["DV111"]
    assert out[-1].endswith("(numeric checks off); 2 suppressed")
    assert main(["check", "--format", "json", "--isolated", "book/ch"]) == 1
    import json
    data = json.loads(capsys.readouterr().out)
    assert not any(f.get("suppressed") for c in data["chapters"] for e in c["equations"]
                   for f in e["findings"])
    _write(project, 'paths = ["book/ch"]\nselect = ["DV2"]\nnumeric = false\n')
    assert main(["check", "-q"]) == 1            # DV111 (in 8-12) is not selected: accepted,
    assert "suppressed" in capsys.readouterr().out   # the DV20x ones still fail


@pytest.mark.parametrize("table, says", [
    ('selct = ["DV1"]\n', "has no key 'selct'"),
    ('ignore = "DV1"\n', "ignore: expected a list of rule codes"),
    ('format = "xml"\n', "'xml' is not one of"),
    ('jobs = true\n', "jobs: expected int"),
    ('per-file-ignores = { "a" = "DV1" }\n', "per-file-ignores"),
    ('ignore = [\n', "cannot read it"),
])
def test_a_bad_table_is_one_line_and_exit_2(project, capsys, table, says):
    _write(project, table)
    assert main(["check", "book/ch"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and says in err[0] and "pyproject.toml" in err[0]
