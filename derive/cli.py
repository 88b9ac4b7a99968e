"""Command line: ``derive check [PATH ...]``. ``main`` returns the exit code.

Exit codes: 0 every claim verified, 1 some claim not verified, 2 bad input or usage.
Errors are one line on stderr, never a traceback. Colour (text format) as ``--color``,
``NO_COLOR`` and ``FORCE_COLOR`` say (:func:`wants_color`); a progress line on stderr
only when stderr is a terminal.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .report import FORMATS, render
from .report.common import summary_line


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2 (no usage dump)
        self.exit(2, f"derive: error: {message}\n")


EXAMPLES = """\
examples:
  derive check                          every chapter under [tool.derive] paths, else equations/
  derive check ch05.tex                 a book's chapter as written (LaTeX, Markdown, notebook)
  derive check book/ -f concise         path:line:col: CODE message, one line per finding
  derive check --diff                   each verified correction as a unified diff
  derive check --fix                    ... written into the source file
  derive check -f junit -o derive.xml   a report for CI (also json, markdown, html, github,
                                        gitlab)
  derive init ch05.md                   the manifest derive infers, to review

exit codes:
  0  every equation verified (or its findings suppressed)
  1  some equation mismatch, inconsistent or inconclusive
  2  bad input or usage: one line on stderr with the file, line and equation

docs: docs/cli.md (options, [tool.derive], suppressions), docs/verdicts.md (rule codes)
"""


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="derive", description="Verify the gradient derivations of a chapter.",
                epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version", version=f"derive {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    c = sub.add_parser("check", help="check chapters (folders with a manifest.toml)",
                       epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    c.add_argument("paths", nargs="*", default=None, metavar="PATH",
                   help="chapter folders, manifests, or trees of them (default: [tool.derive] "
                        "paths, else equations/)")
    c.add_argument("--format", "--output-format", "-f", choices=list(FORMATS),
                   default=None, dest="format",
                   help="report format (default: text); concise is path:line:col: CODE "
                        "message, github workflow annotations, gitlab code quality JSON")
    c.add_argument("--output", "-o", metavar="FILE", help="write the report here")
    talk = c.add_mutually_exclusive_group()
    talk.add_argument("--quiet", "-q", action="store_true",
                      help="print only the summary line (with --output, the full report "
                           "still goes to FILE)")
    talk.add_argument("--verbose", "-v", action="store_true",
                      help="text format: every equation and link, what each side was read "
                           "as, and the numeric evidence")
    c.add_argument("--no-numeric", action="store_true", help="skip the NumPy checks")
    c.add_argument("--seed", type=int, default=None,
                   help="seed for the random points (default 0)")
    c.add_argument("--jobs", "-j", type=int, default=None, metavar="N",
                   help="check chapters in N processes (default 0: one per CPU)")
    c.add_argument("--claim-seconds", type=float, default=None, metavar="S",
                   help="time limit for one claim's symbolic check (default: manifest, 20)")
    c.add_argument("--allow-outside", action="store_true",
                   help="let a manifest's source name a file outside the manifest's folder")
    c.add_argument("--changed", action="store_true",
                   help="check only chapters changed since their last check with --changed "
                        "(the others' reports are read back from derive's cache folder)")
    c.add_argument("--no-cache", action="store_true",
                   help="check every chapter, over `cache = true` in [tool.derive]")
    c.add_argument("--only-chapters", action="store_true",
                   help="pass over a given file that is no chapter (no display formula), "
                        "as pre-commit passes every changed .md and .tex file")
    c.add_argument("--isolated", action="store_true",
                   help="ignore [tool.derive] in pyproject.toml")
    c.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                   help="colour in the text report (default auto: a terminal, unless "
                        "NO_COLOR is set; FORCE_COLOR forces it)")
    fixing = c.add_mutually_exclusive_group()
    fixing.add_argument("--fix", action="store_true",
                        help="write each verified correction into the source file, then "
                             "check again: the report and exit code are of what remains")
    fixing.add_argument("--diff", action="store_true",
                        help="print the fixes as a unified diff; write nothing")
    sub.add_parser("completion", help="print a bash or zsh completion script").add_argument(
        "shell", choices=("bash", "zsh"))
    i = sub.add_parser("init", help="write the manifest a document implies, for review")
    i.add_argument("document", metavar="FILE", help="a .tex, .md or .ipynb chapter")
    i.add_argument("--force", action="store_true", help="replace an existing manifest")
    i.add_argument("--allow-outside", action="store_true",
                   help="follow \\input files outside the document's folder")
    return p


def _init(args) -> int:
    """``derive init FILE``: the inferred manifest, written beside FILE for the author."""
    from .read.chapters import load_chapter_input, manifest_beside
    from .errors import InputError
    from .model.infer import infer_manifest
    from .model.writer import manifest_toml
    from .outputs import OutputError, write_output
    from .read.blocks import blocks
    from .read.load import load_document
    path = Path(args.document)
    target = manifest_beside(path)
    if target.exists() and not args.force:
        print(f"derive: error: {target} exists; --force replaces it", file=sys.stderr)
        return 2
    try:
        doc = load_document(path, path.parent, allow_outside=args.allow_outside)
        items, _ = blocks(doc)
        inferred = infer_manifest(items, str(path), title=doc.title, language=doc.language,
                                  aliases=doc.aliases, adjoints=doc.adjoints)
        text = manifest_toml(inferred.manifest, inferred.notes)
        write_output(str(target), text)
        load_chapter_input(path, allow_outside=args.allow_outside)   # it reads back
    except (InputError, OutputError) as exc:
        print(f"derive: error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {target}: {len(inferred.manifest.symbols)} symbols, "
          f"{len(inferred.manifest.functions)} functions; review it, then `derive check {path}`")
    return 0


def _isatty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def wants_color(stream, choice: str = "auto", env=None) -> bool:
    """Colour for the text report: ``--color always`` or ``never`` decide; otherwise
    ``NO_COLOR`` (set and not empty) turns it off, ``FORCE_COLOR`` (set and not empty)
    on, and else only a terminal that is not ``TERM=dumb`` gets it.

    >>> wants_color(None, env={"FORCE_COLOR": "1"}), wants_color(None, env={"NO_COLOR": "1", "FORCE_COLOR": "1"})
    (True, False)
    """
    env = os.environ if env is None else env
    if choice != "auto":
        return choice == "always"
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR"):
        return True
    return _isatty(stream) and env.get("TERM") != "dumb"


class _ProgressLine:
    """'checking chapter i/n: file' on one rewritten stderr line, erased when done."""

    def __init__(self, stream) -> None:
        self.stream = stream
        self.shown = False

    def __call__(self, i: int, n: int, manifest: Path) -> None:
        self.stream.write(f"\r\x1b[Kchecking chapter {i}/{n}: {manifest.parent}")
        self.stream.flush()
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        with warnings.catch_warnings():
            # NumPy's and SymPy's warnings are not the user's business: every problem
            # derive finds is in the report, every failure one line on stderr
            warnings.simplefilter("ignore")
            if args.command == "completion":
                from .completion import script
                sys.stdout.write(script(build_parser(), args.shell))
                return 0
            return _init(args) if args.command == "init" else _check(args)
    except KeyboardInterrupt:
        print("derive: error: interrupted", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - a bug must still be one line, not a traceback
        print(f"derive: error: internal error ({type(exc).__name__}: {exc}); this is a bug "
              "in derive, please report it with the chapter", file=sys.stderr)
        return 2


def _settings(args):
    """The command line over ``[tool.derive]`` (derive.config) over the defaults; the
    policy of rule codes; or an InputError for a malformed table."""
    from .config import Config, Policy, find
    config = Config({}, Policy()) if args.isolated else find(
        args.paths[0] if args.paths else ".")
    s = config.settings
    args.paths = args.paths or s.get("paths") or ["equations"]
    args.format = args.format or s.get("format", "text")
    if args.format not in FORMATS:
        raise _BadSetting(f"{config.path}: [tool.derive] format: {args.format!r} is not one of "
                          f"{', '.join(FORMATS)}")
    args.seed = args.seed if args.seed is not None else s.get("seed", 0)
    args.jobs = args.jobs if args.jobs is not None else s.get("jobs", 0)
    args.no_numeric = args.no_numeric or not s.get("numeric", True)
    if args.claim_seconds is None:
        args.claim_seconds = s.get("claim-seconds")
    # --changed and --no-cache over `cache`; DERIVE_CACHE_DIR over `cache-dir`
    args.changed = not args.no_cache and (args.changed or s.get("cache", False))
    args.cache_dir = s.get("cache-dir")
    return config.policy


@contextlib.contextmanager
def _cache_dir(folder: str | None):
    """DERIVE_CACHE_DIR set to ``folder`` for the run (the worker processes inherit it),
    unless it is set already; restored afterwards."""
    if folder is None or os.environ.get("DERIVE_CACHE_DIR"):
        yield
        return
    os.environ["DERIVE_CACHE_DIR"] = folder
    try:
        yield
    finally:
        os.environ.pop("DERIVE_CACHE_DIR", None)


class _BadSetting(Exception):
    pass


def _check(args) -> int:
    from .api import check  # here, so `derive --version` and usage errors stay fast
    from .errors import InputError
    from .outputs import OutputError, prepare_output, write_output

    try:
        policy = _settings(args)
    except (InputError, _BadSetting) as exc:
        print(f"derive: error: {exc}", file=sys.stderr)
        return 2
    if args.quiet and args.format != "text" and not args.output:
        print(f"derive: error: --quiet prints only the summary line; give --output FILE "
              f"for the {args.format} report", file=sys.stderr)
        return 2

    if args.output:
        try:
            prepare_output(args.output, args.paths)
        except OutputError as exc:
            print(f"derive: error: {exc}", file=sys.stderr)
            return 2

    def run():
        progress = _ProgressLine(sys.stderr) if _isatty(sys.stderr) else None
        try:
            with _cache_dir(args.cache_dir):
                report = check(args.paths, numeric=not args.no_numeric, seed=args.seed,
                               claim_seconds=args.claim_seconds, progress=progress,
                               jobs=max(args.jobs, 0), allow_outside=args.allow_outside,
                               changed=args.changed, only_chapters=args.only_chapters)
        finally:
            if progress is not None:
                progress.clear()
        return policy.apply(report)

    report = run()
    if args.diff:
        return _diff(report)
    if args.fix:
        fixed = _fix(report)
        if fixed is None:
            return 2
        if fixed:              # as ruff does: the report and the exit code of what remains
            report = run()
    for err in report.errors:
        print(f"derive: error: {err}", file=sys.stderr)
    # one line per distinct problem: a block copied for every layer fails once
    problems: dict[tuple[str, str], list[str]] = {}
    for chapter in report.chapters:
        for e in chapter.equations:
            if e.verdict == "error":
                msg = e.findings[0].message if e.findings else "cannot be read"
                problems.setdefault((e.place(chapter.file), msg), []).append(e.id)
    for (place, msg), ids in problems.items():
        which = f"equation {ids[0]}" if len(ids) == 1 else f"equations {', '.join(ids)}"
        print(f"derive: error: {place}: {which}: {msg}", file=sys.stderr)
    options = {"verbose": args.verbose}
    if args.output:
        buf = io.StringIO()
        render(report, args.format, buf, **options)
        try:
            write_output(args.output, buf.getvalue())
        except OutputError as exc:
            print(f"derive: error: {exc}", file=sys.stderr)
            return 2
        if args.quiet:
            print(summary_line(report))
    else:
        try:
            render(report, args.format, sys.stdout, quiet=args.quiet,
                   color=wants_color(sys.stdout, args.color), **options)
            sys.stdout.flush()
        except BrokenPipeError:
            # the reader went away (`derive check | head`): not a failure of the check;
            # stdout goes to /dev/null so that the interpreter's final flush stays quiet
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            os.close(devnull)
    return report.exit_code


def _diff(report) -> int:
    """--diff: the fixes as a unified diff on stdout, nothing written; one line on stderr
    per correction left out. The exit code is the check's."""
    from . import fix
    text, notes = fix.diff(report)
    sys.stdout.write(text)
    for note in notes:
        print(f"derive: {note}", file=sys.stderr)
    return report.exit_code


def _fix(report) -> int | None:
    """--fix: the fixes written, one line on stderr per file and per correction left
    out; how many equations were fixed (None when a file could not be written)."""
    from . import fix
    try:
        count, files, notes = fix.apply(report)
    except OSError as exc:
        print(f"derive: error: cannot write the fix: {exc}", file=sys.stderr)
        return None
    for path in files:
        print(f"derive: fixed {path}", file=sys.stderr)
    print(f"derive: {count} equation{'' if count == 1 else 's'} fixed in {len(files)} "
          f"file{'' if len(files) == 1 else 's'}" + ("; checked again: the report is of what "
                                                     "remains" if count else ""),
          file=sys.stderr)
    for note in notes:
        print(f"derive: {note}", file=sys.stderr)
    return count


def run() -> None:
    """The ``derive`` command: :func:`main`, then exit without the interpreter's teardown.

    Tearing down a process that has imported SymPy takes about 0.08 s, a tenth of a cold
    check of one chapter, and frees nothing the system would not free anyway; the
    report has been written and closed, and the standard streams are flushed here.
    """
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):     # a closed pipe or stream: nothing to flush to
            pass
    os._exit(code)


if __name__ == "__main__":
    run()
