"""Reading the files a run is given: regular files only, of a bounded size, in UTF-8, and
(for a chapter's ``source``) inside the chapter's folder unless the user allows more.

A FIFO, a device or a folder given as a chapter or manifest would block the run or feed
it without end (``/dev/zero``); a path may not hold a NUL. Every refusal is an
:class:`~derive.errors.InputError` naming the file.

>>> read_text("/dev/null", "chapter file")
Traceback (most recent call last):
  ...
derive.errors.InputError: /dev/null: cannot read the chapter file: it is a character device, not a regular file
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

from ..errors import InputError

MAX_CHAPTER_BYTES = 2 * 1024 * 1024       # a long textbook chapter is a few hundred kB
MAX_MANIFEST_BYTES = 256 * 1024

_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISSOCK, "a socket"))


def read_text(path: str | Path, what: str, max_bytes: int = MAX_CHAPTER_BYTES) -> str:
    """The UTF-8 text of a regular file of at most ``max_bytes`` bytes."""
    name = str(path)
    if "\x00" in name:
        raise InputError(f"the path of the {what} holds a NUL character",
                         file=name.replace("\x00", "\\0"))
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused below)
        fd = os.open(name, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise InputError(f"{what} not found", file=name) from None
    except IsADirectoryError:
        raise InputError(f"cannot read the {what}: it is a folder, not a regular file",
                         file=name) from None
    except OSError as exc:
        raise InputError(f"cannot read the {what}: {exc.strerror}", file=name) from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = next((k for test, k in _KINDS if test(mode)), "not a regular file")
            raise InputError(f"cannot read the {what}: it is {kind}, not a regular file",
                             file=name)
        data = b""
        while len(data) <= max_bytes:
            chunk = os.read(fd, max_bytes + 1 - len(data))
            if not chunk:
                break
            data += chunk
    except OSError as exc:
        raise InputError(f"cannot read the {what}: {exc.strerror}", file=name) from None
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise InputError(f"the {what} is larger than {max_bytes // 1024} kB, the most derive "
                         "reads; split it", file=name)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise InputError(f"the {what} is not UTF-8 (byte {exc.start + 1})", file=name,
                         line=line) from None


def inside(path: Path, folder: Path, what: str, *, allow_outside: bool = False) -> Path:
    """``path``, refused when it leaves ``folder`` (after following symbolic links)."""
    if allow_outside:
        return path
    try:
        real, base = path.resolve(), folder.resolve()
    except (OSError, RuntimeError, ValueError) as exc:   # a symlink loop, a NUL
        raise InputError(f"cannot resolve the {what}: {exc}", file=str(path)) from None
    if real != base and base not in real.parents:
        raise InputError(f"the {what} is outside the chapter's folder {folder}; derive reads "
                         "only files inside it (--allow-outside allows others)",
                         file=str(path))
    return path
