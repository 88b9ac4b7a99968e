"""One computation in a forked process while the caller goes on with its own work.

A single chapter leaves a second core idle; its vectorized forms depend only on the
chosen model, so they can be computed beside the claims. The child is a fork of the
caller (nothing to import, nothing to send but the result), and ``result()`` returns
what the function returned or raises what it raised. Off Linux (no ``os.fork`` on
Windows; forking without exec is unsafe on macOS, where Python's own multiprocessing
stopped doing it), or if the child dies, the function simply runs in the caller when
its result is asked for: the outcome never depends on where it was computed.

>>> job = start(sum, [1, 2, 3])
>>> job.result()
6
"""
from __future__ import annotations

import os
import pickle
import sys
from collections.abc import Callable
from typing import Any


class Job:
    def __init__(self, fn: Callable[..., Any], args: tuple, child: tuple[int, int] | None):
        self.fn, self.args, self.child = fn, args, child

    def result(self) -> Any:
        """The function's value (raising what it raised), computed here if need be."""
        outcome = self._collect()
        if outcome is None:
            return self.fn(*self.args)
        ok, value = outcome
        if ok:
            return value
        raise value

    def cancel(self) -> None:
        """Stop the child if its result is no longer wanted."""
        if self.child is not None:
            pid, fd = self.child
            self.child = None
            try:
                os.kill(pid, 9)
            except OSError:
                pass
            os.close(fd)
            os.waitpid(pid, 0)

    def _collect(self):
        if self.child is None:
            return None
        pid, fd = self.child
        self.child = None
        chunks = []
        with os.fdopen(fd, "rb") as pipe:
            while chunk := pipe.read(1 << 16):
                chunks.append(chunk)
        os.waitpid(pid, 0)
        try:
            outcome = pickle.loads(b"".join(chunks))     # written by our own child
        except Exception:  # noqa: BLE001 - the child died before writing: run it here
            return None
        return outcome if isinstance(outcome, tuple) and len(outcome) == 2 else None


def start(fn: Callable[..., Any], *args: Any) -> Job:
    """Begin ``fn(*args)`` in a forked child (on Linux)."""
    if not hasattr(os, "fork") or not sys.platform.startswith("linux"):
        return Job(fn, args, None)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:                                   # the child: compute, send, vanish
        code = 0
        try:
            os.close(read_end)
            try:
                outcome = (True, fn(*args))
            except BaseException as exc:  # noqa: BLE001 - handed to the parent
                outcome = (False, exc)
            try:
                data = pickle.dumps(outcome)
            except Exception:  # noqa: BLE001 - unpicklable: the parent recomputes
                data = b""
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(data)
        except BaseException:  # noqa: BLE001
            code = 1
        finally:
            os._exit(code)                         # no atexit handlers, no buffer flushes
    os.close(write_end)
    return Job(fn, args, (pid, read_end))
