"""Command line: ``derive check [PATH ...]``. ``main`` returns the exit code.

Exit codes: 0 every claim verified, 1 some claim not verified, 2 bad input or usage.
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from . import __version__
from .api import check
from .reporters import FORMATS, render


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2 (no usage dump)
        self.exit(2, f"derive: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="derive", description="Verify the gradient derivations of a chapter.")
    p.add_argument("--version", action="version", version=f"derive {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    c = sub.add_parser("check", help="check chapters (folders with a manifest.toml)")
    c.add_argument("paths", nargs="*", default=["equations"], metavar="PATH",
                   help="chapter folders, manifests, or trees of them (default: equations/)")
    c.add_argument("--format", choices=sorted(FORMATS), default="text")
    c.add_argument("--output", "-o", metavar="FILE", help="write the report here")
    c.add_argument("--no-numeric", action="store_true", help="skip the NumPy checks")
    c.add_argument("--seed", type=int, default=0, help="seed for the random points (default 0)")
    c.add_argument("--claim-seconds", type=float, default=None, metavar="S",
                   help="time limit for one claim's symbolic check (default: manifest, 20)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    report = check(args.paths, numeric=not args.no_numeric, seed=args.seed,
                   claim_seconds=args.claim_seconds)
    for err in report.errors:
        print(f"derive: error: {err}", file=sys.stderr)
    for chapter in report.chapters:
        for e in chapter.equations:
            if e.verdict == "error":
                msg = e.findings[0].message if e.findings else "cannot be read"
                print(f"derive: error: {chapter.file}:{e.line}: equation {e.id}: {msg}",
                      file=sys.stderr)
    try:
        if args.output:
            with open(args.output, "w", encoding="utf-8") as fh:
                render(report, args.format, fh)
        else:
            render(report, args.format, sys.stdout)
    except OSError as exc:
        print(f"derive: error: cannot write {args.output}: {exc.strerror}", file=sys.stderr)
        return 2
    return report.exit_code


if __name__ == "__main__":
    sys.exit(main())
