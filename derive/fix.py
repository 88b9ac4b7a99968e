"""``--fix`` and ``--diff``: each verified correction written into the author's source.

A correction is the report's ``corrected`` form of an equation: the whole printed chain
with every wrong side replaced by its fix, kept only when that fix itself verified
(calculus.links.corrected_chain), or a definition as the stated graph and the claims
need it (DV201). It replaces the formula's own characters, from its first to its last
(its ``\\tag`` stays); every other byte of the file is kept. Nothing is written for:

- an equation whose place in the file is not known exactly, or whose text there is not
  the formula as read (a macro was expanded, a notebook cell, an instance of a generic
  layer or of an index);
- a chapter whose check did not complete (an equation that could not be read, a time
  limit reached).
"""
from __future__ import annotations

import difflib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .report import Report, Verdict

_TAG = re.compile(r"\s*\\tag\*?\s*\{[^{}]*\}\s*$")


@dataclass(frozen=True)
class Edit:
    file: str
    equation: str
    start: int          # character offsets in the file's text
    end: int
    new: str


def _read(path: str) -> str:
    """The file's text with its line endings as they are (\r\n kept)."""
    with open(path, encoding="utf-8", newline="") as f:
        return f.read()


def _offset(lines: list[str], line: int, column: int) -> int | None:
    if not 0 < line <= len(lines) or not 0 < column <= len(lines[line - 1]):
        return None
    return sum(len(x) for x in lines[:line - 1]) + column - 1


def _complete(chapter) -> bool:
    """Did the chapter's check complete (nothing unreadable, no time limit reached)?"""
    for e in chapter.equations:
        if e.verdict == Verdict.ERROR:
            return False
        if any(f.code == "DV902" and "time limit" in f.message for f in e.all_findings):
            return False
    return True


def edits(report: Report) -> tuple[list[Edit], list[str]]:
    """(the edits, one note per correction that is not written and why)."""
    out, notes, texts = [], [], {}
    for chapter in report.chapters:
        fixable = [e for e in chapter.equations if e.corrected
                   and e.verdict not in (Verdict.VERIFIED, Verdict.ERROR)]
        if not fixable:
            continue
        if not _complete(chapter):
            notes.append(f"{chapter.file}: not fixed: the check did not complete")
            continue
        for e in fixable:
            where = f"{e.file or chapter.file}:{e.line}: {e.id}"
            if e.where or "[" in e.id or not (e.line and e.column and e.end_line
                                              and e.end_column):
                notes.append(f"{where}: not fixed: its place in the file is not known exactly")
                continue
            path = e.file or chapter.file
            if path not in texts:
                texts[path] = _read(path)
            lines = texts[path].splitlines(keepends=True)
            start = _offset(lines, e.line, e.column)
            end = _offset(lines, e.end_line, e.end_column)
            if start is None or end is None or end < start:
                notes.append(f"{where}: not fixed: its place in the file is not known exactly")
                continue
            printed = texts[path][start:end + 1]
            if printed.split() != _TAG.sub("", e.latex).split():
                notes.append(f"{where}: not fixed: the file's text is not the formula as "
                             "read (a macro?)")
                continue
            out.append(Edit(path, e.id, start, end + 1, _TAG.sub("", e.corrected)))
    return out, notes


def fixed_texts(report: Report) -> tuple[dict[str, tuple[str, str]], list[str]]:
    """{file: (its text, its text with every edit)} and the notes of edits()."""
    found, notes = edits(report)
    out = {}
    for path in dict.fromkeys(e.file for e in found):
        text = _read(path)
        new = text
        for e in sorted((e for e in found if e.file == path), key=lambda e: -e.start):
            new = new[:e.start] + e.new + new[e.end:]
        out[path] = (text, new)
    return out, notes


def diff(report: Report) -> tuple[str, list[str]]:
    """A unified diff of every fix, and the notes; nothing is written."""
    texts, notes = fixed_texts(report)
    chunks = []
    for path, (old, new) in texts.items():
        chunks += difflib.unified_diff(old.splitlines(keepends=True),
                                       new.splitlines(keepends=True),
                                       fromfile=f"a/{path}", tofile=f"b/{path}")
    return "".join(chunks), notes


def apply(report: Report) -> tuple[int, list[str], list[str]]:
    """Write every fix (each file replaced atomically, its mode kept); returns (how many
    equations were fixed, the files written, the notes)."""
    texts, notes = fixed_texts(report)
    found, _ = edits(report)
    written = []
    for path, (old, new) in texts.items():
        if new == old:
            continue
        target = Path(path).resolve()          # through a symlink: the file it names
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
                f.write(new)
            os.chmod(tmp, target.stat().st_mode & 0o7777)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        written.append(path)
    return sum(1 for e in found if e.file in written), written, notes
