"""Shell completion for ``derive``: ``eval "$(derive completion bash)"`` (or zsh, through
bashcompinit). The words are read from the command line's own parser, so the script
never lists an option that does not exist.

>>> from derive.cli import build_parser
>>> "--output-format" in script(build_parser(), "bash")
True
"""
from __future__ import annotations

import argparse


def _words(parser: argparse.ArgumentParser) -> tuple[list[str], dict[str, list[str]],
                                                      dict[str, list[str]]]:
    """(subcommands, {subcommand: its options}, {option: the values it takes})."""
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    options, values = {}, {}
    for name, p in sub.choices.items():
        options[name] = sorted(o for a in p._actions for o in a.option_strings)
        for a in p._actions:
            if a.choices and a.option_strings:
                for o in a.option_strings:
                    values[o] = list(a.choices)
            elif a.choices and not a.option_strings:
                values[name] = list(a.choices)
    return sorted(sub.choices), options, values


def script(parser: argparse.ArgumentParser, shell: str) -> str:
    commands, options, values = _words(parser)
    cases = "\n".join(f'        {name}) opts="{" ".join(opts)}" ;;'
                      for name, opts in options.items())
    value_cases = "\n".join(f'        {opt}) COMPREPLY=($(compgen -W "{" ".join(v)}" -- "$cur")); return ;;'
                            for opt, v in values.items() if opt.startswith("-"))
    positional = "\n".join(f'    [ "$cmd" = {name} ] && [ "$cur" != -* ] && '
                           f'COMPREPLY=($(compgen -W "{" ".join(v)}" -- "$cur")) && return'
                           for name, v in values.items() if not name.startswith("-"))
    body = f"""_derive() {{
    local cur prev cmd opts
    cur="${{COMP_WORDS[COMP_CWORD]}}"
    prev="${{COMP_WORDS[COMP_CWORD-1]}}"
    cmd="${{COMP_WORDS[1]}}"
    if [ "$COMP_CWORD" -eq 1 ]; then
        COMPREPLY=($(compgen -W "{" ".join(commands)} --version --help" -- "$cur"))
        return
    fi
    case "$prev" in
{value_cases}
    esac
{positional}
    case "$cmd" in
{cases}
        *) opts="" ;;
    esac
    if [[ "$cur" == -* ]]; then
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    else
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
}}
complete -o filenames -F _derive derive
"""
    if shell == "zsh":
        return "autoload -U +X bashcompinit && bashcompinit\n" + body
    return body
