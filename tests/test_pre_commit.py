"""The pre-commit hook (issue 17): installed from this repository's .pre-commit-hooks.yaml
into a new git repository, it refuses a commit of a chapter with a planted error and
accepts the corrected one. Slow (pre-commit builds the hook's own environment)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRE_COMMIT = shutil.which("pre-commit", path=str(Path(sys.executable).parent)) or \
    shutil.which("pre-commit")


def _git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True,
                          check=check, timeout=900)


def test_the_hook_parses_and_names_the_files_derive_reads():
    import yaml  # pre-commit's own dependency
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "derive" and hook["language"] == "python"
    import re
    files = re.compile(hook["files"])
    for name in ["ch05.tex", "notes/ch.md", "nb.ipynb", "book/ch1/manifest.toml",
                 "ch05.derive.toml"]:
        assert files.search(name), name
    for name in ["setup.py", "pyproject.toml", "my_manifest.toml.bak", "img.png"]:
        assert not files.search(name), name


@pytest.mark.skipif(PRE_COMMIT is None, reason="pre-commit is not installed")
def test_a_commit_with_a_planted_error_is_refused(tmp_path):
    if not (ROOT / ".git").exists():
        pytest.skip("derive's folder is not a git repository (the hook is installed by rev)")
    # the hook as committed: a clone of this repository at HEAD
    hook_repo = tmp_path / "derive-hook"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(hook_repo)], check=True, timeout=300)
    rev = _git(hook_repo, "rev-parse", "HEAD").stdout.strip()
    repo = tmp_path / "book"
    repo.mkdir()
    _git(repo, "init", "-q")
    _git(repo, "config", "user.email", "author@example.org")
    _git(repo, "config", "user.name", "Author")
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n- repo: {hook_repo}\n  rev: {rev}\n  hooks:\n  - id: derive\n",
        encoding="utf-8")
    shutil.copytree(ROOT / "equations" / "logreg-batch", repo / "ch02")
    tex = repo / "ch02" / "chapter.tex"
    right = r"\frac{\partial z}{\partial b} = a - y"
    tex.write_text(tex.read_text(encoding="utf-8").replace(
        right, r"\frac{\partial z}{\partial b} = y - a"), encoding="utf-8")
    (repo / "README.md").write_text("# A book\n\nNo formulas here.\n", encoding="utf-8")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    subprocess.run([PRE_COMMIT, "install"], cwd=repo, check=True, env=env, timeout=300,
                   capture_output=True)
    _git(repo, "add", "-A")
    refused = subprocess.run(["git", "commit", "-q", "-m", "chapter 2"], cwd=repo,
                             capture_output=True, text=True, env=env, timeout=1200)
    assert refused.returncode != 0, refused.stdout + refused.stderr
    out = refused.stdout + refused.stderr
    assert "ch02/chapter.tex:24:1: DV102" in out, out
    assert _git(repo, "log", check=False).returncode != 0          # nothing committed
    tex.write_text(tex.read_text(encoding="utf-8").replace(
        r"\frac{\partial z}{\partial b} = y - a", right), encoding="utf-8")
    _git(repo, "add", "-A")
    accepted = subprocess.run(["git", "commit", "-q", "-m", "chapter 2"], cwd=repo,
                              capture_output=True, text=True, env=env, timeout=1200)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr


def test_a_document_in_a_chapter_folder_is_its_chapter_and_a_readme_is_passed_over(
        tmp_path, monkeypatch, capsys):
    from derive.cli import main
    shutil.copytree(ROOT / "equations" / "logreg-batch", tmp_path / "ch02")
    (tmp_path / "README.md").write_text("# A book\n\nNo formulas here.\n", encoding="utf-8")
    (tmp_path / ".git").mkdir()                # the repository's root: the search stops
    monkeypatch.chdir(tmp_path)
    assert main(["check", "ch02/chapter.tex", "-q", "--no-numeric", "--isolated"]) == 0
    assert capsys.readouterr().out == "10 equations: 10 verified (numeric checks off)\n"
    assert main(["check", "README.md", "ch02/chapter.tex", "-q", "--no-numeric",
                 "--isolated", "--only-chapters"]) == 0
    assert capsys.readouterr().out.startswith("10 equations: 10 verified")
    assert main(["check", "README.md", "-q", "--no-numeric", "--isolated"]) == 2
