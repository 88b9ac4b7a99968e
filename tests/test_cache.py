"""derive check --changed (derive.cache): an unchanged chapter is not checked again and
its report is the same; a changed file, option or a damaged cache file means a new check;
the cache holds JSON only, in its own folder."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

import derive.api
from derive import cache
from derive.api import check
from derive.report import render_to_string

CHAPTER = Path(__file__).resolve().parent.parent / "equations" / "logreg-batch"


@pytest.fixture
def setup(tmp_path, monkeypatch):
    monkeypatch.setenv("DERIVE_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "book" / "logreg"
    shutil.copytree(CHAPTER, folder)
    calls = []
    real = derive.api.check_chapter

    def counting(manifest, **kw):
        calls.append(Path(manifest).name)
        return real(manifest, **kw)
    monkeypatch.setattr(derive.api, "check_chapter", counting)
    return folder, calls


def test_an_unchanged_chapter_is_read_back(setup):
    folder, calls = setup
    first = check(folder, changed=True)
    second = check(folder, changed=True)
    assert len(calls) == 1                           # the second run checked nothing
    assert render_to_string(second, "json") == render_to_string(first, "json")
    assert render_to_string(second, "text") == render_to_string(first, "text")


def test_a_change_is_checked_again(setup):
    folder, calls = setup
    check(folder, changed=True)
    text = (folder / "chapter.tex").read_text(encoding="utf-8")
    (folder / "chapter.tex").write_text(text + "\n% a comment\n", encoding="utf-8")
    check(folder, changed=True)
    check(folder, changed=True, seed=1)              # another option: another report
    assert len(calls) == 3
    check(folder)                                    # without --changed: always checked
    assert len(calls) == 4


def test_a_damaged_or_foreign_cache_file_is_ignored(setup):
    folder, calls = setup
    first = check(folder, changed=True)
    (kept,) = (cache.cache_folder()).glob("*.json")
    for damage in ("{not json", json.dumps({"format": 1, "key": "another", "chapter": {}}),
                   json.dumps({"format": 1, "key": kept.stem, "seed": 0, "chapter": {}})):
        kept.write_text(damage, encoding="utf-8")
        again = check(folder, changed=True)
        assert render_to_string(again, "json") == render_to_string(first, "json")
    assert len(calls) == 4
    assert {p.suffix for p in cache.cache_folder().iterdir()} == {".json"}


def test_the_command_line_flag(setup, capsys):
    from derive.cli import main
    folder, calls = setup
    assert main(["check", str(folder), "--changed", "-q"]) == 0
    assert main(["check", str(folder), "--changed", "-q"]) == 0
    assert len(calls) == 1
    assert main(["check", str(folder), "--changed", "--no-cache", "-q"]) == 0
    assert len(calls) == 2


def test_a_cache_file_with_wrong_types_is_ignored(setup):
    folder, calls = setup
    first = check(folder, changed=True)
    (kept,) = cache.cache_folder().glob("*.json")
    data = json.loads(kept.read_text(encoding="utf-8"))
    claim = next(e for e in data["chapter"]["equations"] if e["numeric"] is not None)
    claim["numeric"]["max_rel_error"] = "0.5; import os"
    kept.write_text(json.dumps(data), encoding="utf-8")
    again = check(folder, changed=True)
    assert len(calls) == 2
    assert render_to_string(again, "json") == render_to_string(first, "json")


@pytest.mark.parametrize("chapter", ["ch08-two-layer-bce", "logreg-vectorized", "lstm-mallya"])
def test_a_report_reads_back_field_by_field(chapter):
    """Findings, links, numeric evidence, vectorized forms, derived gradients: all kept."""
    from derive.driver import check_chapter
    from derive.report import chapter_from_dict
    root = Path(__file__).resolve().parent.parent / "equations"
    result = check_chapter(root / chapter / "manifest.toml", seed=0)
    assert chapter_from_dict(json.loads(json.dumps(result.to_dict())), result.seed) == result


def test_the_cache_settings_of_tool_derive(setup, tmp_path, monkeypatch, capsys):
    from derive.cli import main
    folder, calls = setup
    monkeypatch.delenv("DERIVE_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))     # never the real one
    (tmp_path / "book" / "pyproject.toml").write_text(
        '[tool.derive]\ncache = true\ncache-dir = "build/derive-cache"\n', encoding="utf-8")
    assert main(["check", str(folder), "-q"]) == 0
    assert "DERIVE_CACHE_DIR" not in os.environ            # set for the run only
    assert main(["check", str(folder), "-q"]) == 0
    assert len(calls) == 1                                  # cache = true: as --changed
    kept = tmp_path / "book" / "build" / "derive-cache"     # relative to the pyproject.toml
    assert [p.suffix for p in kept.iterdir()] == [".json"]
    assert not (tmp_path / "xdg").exists()
    assert main(["check", str(folder), "--no-cache", "-q"]) == 0
    assert len(calls) == 2                                  # the flag wins
    assert main(["check", str(folder), "--isolated", "-q"]) == 0
    assert len(calls) == 3                                  # no table: no cache
    # DERIVE_CACHE_DIR wins over cache-dir, as a command line would
    monkeypatch.setenv("DERIVE_CACHE_DIR", str(tmp_path / "env"))
    assert main(["check", str(folder), "-q"]) == 0
    assert len(calls) == 4 and (tmp_path / "env").is_dir()
    capsys.readouterr()
    (tmp_path / "book" / "pyproject.toml").write_text('[tool.derive]\ncache = "yes"\n',
                                                      encoding="utf-8")
    assert main(["check", str(folder), "-q"]) == 2
    assert "cache: expected bool" in capsys.readouterr().err
