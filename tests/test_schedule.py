"""--jobs: the costliest chapters first (derive.schedule), the same report whatever the
number of processes."""
from __future__ import annotations

from pathlib import Path

from derive.api import check
from derive.report import render_to_string
from derive.schedule import estimated_cost, longest_first

EQUATIONS = Path(__file__).resolve().parent.parent / "equations"


def _chapter(folder: Path, sizes: str, text: str) -> Path:
    folder.mkdir()
    (folder / "manifest.toml").write_text(f"[sizes]\n{sizes}\n", encoding="utf-8")
    (folder / "chapter.tex").write_text(text, encoding="utf-8")
    return folder / "manifest.toml"


def test_the_costliest_chapter_goes_first_ties_in_order(tmp_path):
    claim = "% derive: claim\n\\frac{\\partial J}{\\partial W} = X\n"
    small = _chapter(tmp_path / "a", "m = 2", claim)                 # (3 + 1) × 3 = 12
    wide = _chapter(tmp_path / "b", "m = 4\nK = 10", claim)          # (3 + 1) × 15 = 60
    many = _chapter(tmp_path / "c", "m = 2", claim * 6)              # (18 + 1) × 3 = 57
    same = _chapter(tmp_path / "d", "m = 2", claim)
    assert [estimated_cost(p) for p in (small, wide, many)] == [12.0, 60.0, 57.0]
    assert longest_first([small, wide, many, same]) == [1, 2, 0, 3]


def test_an_unreadable_chapter_is_estimated_not_raised(tmp_path):
    broken = _chapter(tmp_path / "x", "m = [", "\\partial")          # TOML error: sizes 0
    assert estimated_cost(broken) == 2.0
    assert estimated_cost(tmp_path / "missing" / "manifest.toml") == 0.0


def test_the_report_is_the_same_whatever_the_number_of_processes():
    chapters = [EQUATIONS / c for c in ("softmax-index", "logreg-batch", "nielsen-backprop",
                                        "skipgram-rong")]
    one = render_to_string(check(chapters, jobs=1), "json")
    two = render_to_string(check(chapters, jobs=2), "json")
    assert one == two
    # and in the chapters' own order, not the order of the queue
    assert one.index("logreg-batch") < one.index("nielsen-backprop") < one.index("skipgram")


class _NoPool:
    """Stands for ProcessPoolExecutor: records that a pool was asked for."""
    made: list = []

    def __init__(self, max_workers):
        _NoPool.made.append(max_workers)
        raise RuntimeError("a pool was made")


def test_busy_cpus_mean_one_process_idle_ones_a_pool(monkeypatch):
    import derive.api as api
    import derive.schedule as schedule
    chapters = [EQUATIONS / "logreg-batch", EQUATIONS / "nielsen-backprop"]
    monkeypatch.setattr(api, "ProcessPoolExecutor", _NoPool)
    monkeypatch.setattr(api, "_usable_cpus", lambda: 2)
    _NoPool.made.clear()
    monkeypatch.setattr(schedule, "idle_share", lambda seconds=0.15: 0.03)   # two busy CPUs
    report = check(chapters, jobs=2, numeric=False)
    assert _NoPool.made == [] and len(report.chapters) == 2
    monkeypatch.setattr(schedule, "idle_share", lambda seconds=0.15: 0.97)   # two idle CPUs
    try:
        check(chapters, jobs=2, numeric=False)
    except RuntimeError:
        pass
    assert _NoPool.made == [2]
