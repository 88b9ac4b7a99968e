"""derive.background: a computation in a forked process gives what it would give here."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from derive import background
from derive.api import clear_caches
from derive.driver import check_chapter
from derive.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "equations" / "ch08-two-layer-bce" / "manifest.toml"


def test_the_value_comes_back_from_the_child():
    parent = os.getpid()
    job = background.start(lambda: (os.getpid() != parent, [1, 2, 3]))
    assert job.result() == (True, [1, 2, 3])


def test_an_exception_in_the_child_is_raised_by_result():
    def fails():
        raise InputError("no such chapter", file="x.toml")
    job = background.start(fails)
    with pytest.raises(InputError, match="no such chapter"):
        job.result()


def test_a_child_that_dies_is_replaced_by_computing_here():
    parent = os.getpid()

    def dies_in_the_child():
        if os.getpid() != parent:
            os._exit(3)
        return "computed in the parent"
    assert background.start(dies_in_the_child).result() == "computed in the parent"


def test_an_unpicklable_result_is_computed_here():
    parent = os.getpid()
    job = background.start(lambda: (lambda: os.getpid() == parent))
    assert job.result()() is True


def test_cancel_stops_the_child():
    job = background.start(lambda: __import__("time").sleep(60))
    pid = job.child[0]
    job.cancel()
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, 0)          # already reaped: no such child


def test_a_chapter_checked_with_a_background_process_gives_the_same_report():
    clear_caches()
    beside = check_chapter(SEED, numeric=True, background=True)
    clear_caches()
    alone = check_chapter(SEED, numeric=True)
    assert beside.to_dict() == alone.to_dict()
    assert alone.to_dict()["vectorized"]          # the part computed beside is there
