"""--help shows examples and exit codes that cannot go stale, and shell completion offers
exactly what the parser accepts (issue 17, item 9)."""
from __future__ import annotations

import re
import shlex
import shutil
import subprocess

import pytest

from derive.cli import EXAMPLES, build_parser, main
from derive.completion import script
from derive.report import FORMATS


def test_help_shows_the_examples_and_the_exit_codes(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["check", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "examples:" in out and "derive check --fix" in out
    for code in ("0", "1", "2"):
        assert re.search(rf"^  {code}  \S", out, flags=re.M)


def test_every_example_is_a_command_line_the_parser_accepts():
    commands = [line.strip().split("  ")[0] for line in EXAMPLES.splitlines()
                if line.startswith("  derive ")]
    assert len(commands) >= 6
    for command in commands:
        build_parser().parse_args(shlex.split(command)[1:])     # exits 2 on a bad one


@pytest.mark.skipif(shutil.which("bash") is None, reason="no bash")
@pytest.mark.parametrize("words, want", [
    (["derive", ""], {"check", "init", "completion", "--help", "--version"}),
    (["derive", "check", "--outp"], {"--output", "--output-format"}),
    (["derive", "check", "--format", ""], set(FORMATS)),
    (["derive", "check", "--color", "a"], {"auto", "always"}),
    (["derive", "completion", ""], {"bash", "zsh"}),
])
def test_bash_completion(words, want):
    code = (script(build_parser(), "bash")
            + f"\nCOMP_WORDS=({' '.join(shlex.quote(w) for w in words)}); "
              f"COMP_CWORD={len(words) - 1}; _derive; printf '%s\\n' \"${{COMPREPLY[@]}}\"")
    out = subprocess.run(["bash", "-c", code], capture_output=True, text=True, timeout=30)
    assert set(out.stdout.split()) == want, out.stderr


def test_the_completion_command_prints_the_script(capsys):
    assert main(["completion", "zsh"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("autoload -U +X bashcompinit") and "complete -o filenames" in out
