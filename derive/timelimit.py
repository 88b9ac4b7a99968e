"""A per-call time limit for SymPy work, counted in the CPU time of this process.

Limits count the CPU time the check itself uses (user + system, ``ITIMER_PROF`` /
``SIGPROF``), not the wall clock: a busy CI runner, another job on the same cores or a
paused process does not turn a verified claim inconclusive, so a report does not depend
on the machine's load.

Where interval timers do not exist (Windows), a watchdog thread reads the same clock
and raises the timeout in the limited thread (``PyThreadState_SetAsyncExc``); it counts
the CPU time of the whole process, so with several checking threads a limit comes
sooner. Off the main thread where interval timers exist, the limit is not enforced
(signals reach only the main thread).
"""
from __future__ import annotations

import contextlib
import ctypes
import signal
import threading
import time
from collections.abc import Iterator

from .errors import CheckTimeout

REPEAT = 0.25       # CPU seconds between interrupts once the deadline has passed
TIMER = getattr(signal, "ITIMER_PROF", None)
SIGNAL = getattr(signal, "SIGPROF", None)


def cpu_seconds() -> float:
    """The CPU time (user + system) this process has used: the clock of every limit."""
    return time.process_time()


@contextlib.contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise :class:`CheckTimeout` inside the block once it has used ``seconds`` of CPU.

    SymPy has no cancellation of its own; an interval timer interrupts the pure-Python
    loops it spends its time in. Nested limits keep the tighter outer deadline.

    >>> with time_limit(5):
    ...     1 + 1
    2
    """
    if not seconds:
        yield
        return
    if TIMER is None:
        with _watched(seconds):
            yield
        return
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def _raise(signum, frame):  # noqa: ARG001
        raise CheckTimeout(f"time limit of {seconds:g} s of CPU reached")

    old_handler = signal.signal(SIGNAL, _raise)
    old_remaining, _ = signal.getitimer(TIMER)
    limit = seconds if not old_remaining else min(seconds, old_remaining)
    started = cpu_seconds()
    try:
        # armed inside the try, so that an interrupt arriving at once still disarms it;
        # the timer repeats after the deadline: should library code catch and swallow the
        # first interrupt (``except Exception`` fallbacks), the next one still stops the block
        signal.setitimer(TIMER, limit, REPEAT)
        yield
    finally:
        signal.setitimer(TIMER, 0)
        signal.signal(SIGNAL, old_handler)
        if old_remaining:
            # give the outer block what is left of its own deadline (at least a tick)
            signal.setitimer(TIMER, max(old_remaining - (cpu_seconds() - started), 1e-3),
                             REPEAT)


@contextlib.contextmanager
def _watched(seconds: float) -> Iterator[None]:
    """The limit without interval timers: a thread that polls the CPU clock and, past the
    deadline, raises the timeout in this thread (again every REPEAT seconds, as the
    timer does, should library code swallow the first)."""
    message = f"time limit of {seconds:g} s of CPU reached"

    class Reached(CheckTimeout):
        def __init__(self, *args) -> None:
            super().__init__(*(args or (message,)))

    target = ctypes.c_ulong(threading.get_ident())
    deadline = cpu_seconds() + seconds
    stop = threading.Event()

    def watch() -> None:
        pause = min(0.02, seconds / 4)
        while not stop.wait(pause):
            if cpu_seconds() >= deadline and not stop.is_set():
                ctypes.pythonapi.PyThreadState_SetAsyncExc(target, ctypes.py_object(Reached))
                pause = REPEAT

    watcher = threading.Thread(target=watch, name="derive-time-limit", daemon=True)
    try:
        watcher.start()            # (inside: a tiny limit may be reached at once)
        yield
    finally:
        # one the watcher set before it saw ``stop`` may be raised here, at any step (even
        # in stop.set()): it is the block's time-out no more, so it is caught until the
        # watcher has ended and what is still pending is cleared; else the watcher would
        # live on, and its exception surface later, anywhere
        while True:
            try:
                stop.set()
                watcher.join()
                ctypes.pythonapi.PyThreadState_SetAsyncExc(target, None)
                break
            except Reached:
                continue
