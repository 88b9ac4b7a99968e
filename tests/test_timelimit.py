"""The per-claim time limit (derive.timelimit): it must stop SymPy-like pure-Python loops,
even ones that swallow exceptions, must never leave a timer armed behind it, and counts
the CPU time of the check, not the wall clock."""
from __future__ import annotations

import signal
import threading
import time

import pytest

from derive import timelimit
from derive.errors import CheckTimeout
from derive.timelimit import time_limit


@pytest.fixture(params=["interval timer", "watchdog"])
def limits(request, monkeypatch):
    """Each test with the interval timer, and as where it does not exist (Windows): the
    watchdog thread."""
    if request.param == "watchdog":
        monkeypatch.setattr(timelimit, "TIMER", None)
    yield request.param
    assert not [t for t in threading.enumerate() if t.name == "derive-time-limit"]


def busy(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


def test_a_loop_is_stopped_at_the_deadline(limits):
    start = time.monotonic()
    with pytest.raises(CheckTimeout):
        with time_limit(0.05):
            busy(5)
    assert time.monotonic() - start < 2


def test_library_fallbacks_do_not_swallow_the_interrupt(limits):
    # SymPy has `except Exception:` fallbacks that carry on with a slower method
    with pytest.raises(CheckTimeout):
        with time_limit(0.05):
            try:
                busy(5)
            except Exception:  # noqa: BLE001 - what library code does
                busy(5)


def test_an_interrupt_swallowed_once_comes_again(limits):
    swallowed = 0
    start = time.monotonic()
    with pytest.raises(CheckTimeout):
        with time_limit(0.05):
            try:
                busy(5)
            except CheckTimeout:
                swallowed += 1          # a library that catches everything, once
            busy(5)                     # the next interrupt stops this
    assert swallowed >= 1 and time.monotonic() - start < 4


@pytest.mark.parametrize("seconds", [1e-6, 3e-6, 1e-4])
def test_no_timer_is_left_armed_after_a_tiny_limit(seconds, limits):
    for _ in range(30):
        try:
            with time_limit(seconds):
                sum(range(20000))
        except CheckTimeout:
            pass
    assert signal.getitimer(signal.ITIMER_PROF) == (0.0, 0.0)
    busy(0.1)                           # and no interrupt left pending to come later


def test_an_inner_limit_keeps_the_outer_deadline(limits):
    start = time.monotonic()
    with pytest.raises(CheckTimeout):
        with time_limit(0.1):
            try:
                with time_limit(10):
                    busy(5)
            except CheckTimeout:
                pass            # the inner owner gives up; the outer deadline still holds
            busy(5)
    assert time.monotonic() - start < 2
    assert signal.getitimer(signal.ITIMER_PROF) == (0.0, 0.0)


def test_time_not_spent_computing_is_not_charged(limits):
    """A limit of CPU time: waiting (another process on the core, a paused process) does
    not use it up, so a check does not time out because the machine is busy."""
    start = time.monotonic()
    with time_limit(0.2):
        time.sleep(0.6)                 # no CPU used: no interrupt
        busy(0.05)
    assert time.monotonic() - start >= 0.6
    assert signal.getitimer(signal.ITIMER_PROF) == (0.0, 0.0)


def test_a_chapter_is_checked_the_same_without_interval_timers(monkeypatch):
    from pathlib import Path

    from derive.driver import check_chapter
    chapter = Path(__file__).resolve().parent.parent / "equations" / "logreg-batch"
    timed = check_chapter(chapter / "manifest.toml", numeric=False)
    monkeypatch.setattr(timelimit, "TIMER", None)
    watched = check_chapter(chapter / "manifest.toml", numeric=False)
    assert watched == timed and {e.verdict for e in watched.equations} == {"verified"}
