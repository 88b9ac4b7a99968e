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


# --- a spare CPU for one chapter: rules beside the claims, claims shared (issue 15) -----

HELPED = ["ch08-two-layer-bce", "nielsen-backprop-index", "two-layer-tanh-vectorized"]


@pytest.fixture
def always_worth_a_helper(monkeypatch):
    """The helpers used whatever the chapter's size (SPARE_WORK otherwise keeps them for
    big chapters), and a record of which kinds of helper ran."""
    from derive import checker
    from derive.calculus import claim_run
    from derive.rules import run as rules_run
    monkeypatch.setattr(checker, "SPARE_WORK", 0)
    started = []
    real = background.start

    def start(fn, *args):
        started.append(fn.__name__)
        return real(fn, *args)
    monkeypatch.setattr(claim_run.background, "start", start)
    assert rules_run.background is claim_run.background
    return started


@pytest.mark.parametrize("chapter", HELPED)
def test_a_chapter_with_helpers_gives_the_same_report(chapter, always_worth_a_helper):
    manifest = ROOT / "equations" / chapter / "manifest.toml"
    clear_caches()
    alone = check_chapter(manifest, numeric=True).to_dict()
    clear_caches()
    helped = check_chapter(manifest, numeric=True, background=True).to_dict()
    assert {"_added", "check_group"} & set(always_worth_a_helper)   # a helper did run
    assert helped == alone


@pytest.mark.parametrize("chapter", ["ch08-two-layer-bce", "two-layer-tanh-vectorized"])
def test_helpers_that_die_are_replaced_by_the_same_work_here(chapter, always_worth_a_helper,
                                                            monkeypatch):
    manifest = ROOT / "equations" / chapter / "manifest.toml"
    clear_caches()
    alone = check_chapter(manifest, numeric=True).to_dict()

    def no_child(fn, *args):          # as if every child died: the parent computes
        always_worth_a_helper.append(fn.__name__)
        return background.Job(fn, args, None)
    monkeypatch.setattr(background, "start", no_child)
    clear_caches()
    helped = check_chapter(manifest, numeric=True, background=True).to_dict()
    assert {"_added", "check_group"} & set(always_worth_a_helper)
    assert helped == alone


def test_scalar_claims_shared_with_a_helper_give_the_same_report(always_worth_a_helper,
                                                                 monkeypatch):
    """With no rule beside them, a scalar chapter's claims are shared: the seed chapter's
    mixed-conventions finding (DV202) reads the classes of claims checked in the helper."""
    from derive.rules import cross_check
    monkeypatch.setattr(cross_check, "BESIDE", False)
    clear_caches()
    alone = check_chapter(SEED, numeric=True)
    clear_caches()
    helped = check_chapter(SEED, numeric=True, background=True)
    assert "check_group" in always_worth_a_helper
    assert any(f.code == "DV202" for f in alone.findings)
    assert helped.to_dict() == alone.to_dict()
