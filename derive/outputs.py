"""Writing a report with ``-o FILE``: never over an input of the run, all at once, and never
leaving an older report in place that looks like this run's.

- :func:`prepare_output`, before the check: ``FILE`` must not be a manifest or chapter file
  of the run (the same file by path or by inode), nor a folder, FIFO or socket; an older
  report there is removed now, so that a run that does not complete (an error, a kill, a
  time limit of CI) leaves no report that looks current.
- :func:`write_output`, after it: the report goes to a temporary file beside ``FILE`` and
  is renamed over it, so that a reader never sees half a report. A character device
  (``/dev/null``, ``/dev/stdout``) is written directly.
"""
from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


class OutputError(Exception):
    """The report cannot be written there (the message names the file and why)."""


def run_inputs(paths) -> list[Path]:
    """The manifests of the run and the chapter files they name (best effort: a broken
    manifest is reported by the check itself)."""
    from .driver import find_manifests
    from .errors import InputError
    from .read.manifest import load_manifest
    out: list[Path] = []
    for path in paths:
        try:
            manifests = find_manifests([path])
        except InputError:
            continue
        for m in manifests:
            out.append(Path(m))
            try:
                out.append(load_manifest(m).source_path())
            except InputError:
                out.append(Path(m).parent / "chapter.tex")
    return out


def _same(a: Path, b: Path) -> bool:
    try:
        if os.path.samefile(a, b):
            return True
    except OSError:
        pass
    try:
        return a.resolve() == b.resolve()
    except (OSError, RuntimeError):
        return False


def prepare_output(output: str, paths) -> None:
    """Check that the report may be written to ``output``; remove an older report there."""
    if "\x00" in output:
        raise OutputError("the output path holds a NUL character")
    target = Path(output)
    for source in run_inputs(paths):
        if _same(target, source):
            raise OutputError(f"refusing to write the report over {source}, an input of "
                              "this run; give another --output file")
    try:
        st = os.stat(target)
    except FileNotFoundError:
        if not target.parent.is_dir():
            raise OutputError(f"cannot write {output}: no folder {target.parent}") from None
        return
    except OSError as exc:
        raise OutputError(f"cannot write {output}: {exc.strerror}") from None
    if stat.S_ISCHR(st.st_mode):
        return                                    # /dev/null, /dev/stdout
    if not stat.S_ISREG(st.st_mode):
        kind = "a folder" if stat.S_ISDIR(st.st_mode) else "not a regular file"
        raise OutputError(f"cannot write {output}: it is {kind}")
    try:
        os.remove(target)                          # an older report must not look current
    except OSError as exc:
        raise OutputError(f"cannot replace {output}: {exc.strerror}") from None


def write_output(output: str, text: str) -> None:
    """Write ``text`` to ``output`` at once (a temporary file renamed over it)."""
    target = Path(output)
    try:
        if stat.S_ISCHR(os.stat(target).st_mode):
            with open(target, "w", encoding="utf-8") as fh:
                fh.write(text)
            return
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise OutputError(f"cannot write {output}: {exc.strerror}") from None
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                   dir=target.parent or ".")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)              # as open() would have created it
        os.replace(tmp, target)
        tmp = None
    except OSError as exc:
        raise OutputError(f"cannot write {output}: {exc.strerror}") from None
    finally:
        if tmp is not None:
            try:
                os.remove(tmp)
            except OSError:
                pass
