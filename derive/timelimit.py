"""A per-call time limit for SymPy work (SIGALRM; a no-op off the main thread)."""
from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Iterator

from .errors import CheckTimeout

REPEAT = 0.25       # seconds between interrupts once the deadline has passed


@contextlib.contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise :class:`CheckTimeout` inside the block once ``seconds`` have passed.

    SymPy has no cancellation of its own; an interval timer interrupts the pure-Python
    loops it spends its time in. Nested limits keep the tighter outer deadline.

    >>> with time_limit(5):
    ...     1 + 1
    2
    """
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def _raise(signum, frame):  # noqa: ARG001
        raise CheckTimeout(f"time limit of {seconds:g} s reached")

    old_handler = signal.signal(signal.SIGALRM, _raise)
    old_remaining, _ = signal.getitimer(signal.ITIMER_REAL)
    limit = seconds if not old_remaining else min(seconds, old_remaining)
    started = time.monotonic()
    try:
        # armed inside the try, so that an interrupt arriving at once still disarms it;
        # the timer repeats after the deadline: should library code catch and swallow the
        # first interrupt (``except Exception`` fallbacks), the next one still stops the block
        signal.setitimer(signal.ITIMER_REAL, limit, REPEAT)
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old_handler)
        if old_remaining:
            # give the outer block what is left of its own deadline (at least a tick)
            signal.setitimer(signal.ITIMER_REAL,
                             max(old_remaining - (time.monotonic() - started), 1e-3), REPEAT)
