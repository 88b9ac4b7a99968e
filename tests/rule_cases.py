"""Small chapters for the rule tests (tests/rules/): a logistic unit in scalar notation,
the two-layer tanh network in matrix notation, and where each finding's code was seen."""
from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

from derive.driver import check_chapter
from test_diagnosis import FORWARD, LOGISTIC  # noqa: F401 - (tests/ is on sys.path)
from test_diagnosis import run as _run

# the logistic unit of test_diagnosis, with a sample index and a learning rate
MANIFEST = LOGISTIC.replace('m = { role = "samples" }', """m = { role = "samples" }
i = { role = "index" }
'\\eta' = { role = "constant", range = [0.01, 1] }""")


def run(tmp_path, claims: str, manifest: str = MANIFEST, **kw):
    return _run(tmp_path, claims, manifest=manifest, **kw)

EQUATIONS = Path(__file__).resolve().parent.parent / "equations"
DW = r"\frac{\partial L}{\partial w}"
DB = r"\frac{\partial L}{\partial b}"
DZ = r"\frac{\partial L}{\partial z}"


def claim(tmp_path, rhs: str, lhs: str = DW, eid: str = "9", **kw):
    """Check one claim ``lhs = rhs`` in the logistic chapter."""
    return run(tmp_path, f"""
        % derive: claim
        {lhs} = {rhs} \\tag{{{eid}}}
        """, **kw)


def matrix(tmp_path, claims: str, numeric: bool = True):
    """The two-layer tanh chapter (matrix notation), its backward claims replaced."""
    folder = tmp_path / "tanh"
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(EQUATIONS / "two-layer-tanh-vectorized", folder)
    tex = (folder / "chapter.tex").read_text(encoding="utf-8").split("% Back propagation")[0]
    (folder / "chapter.tex").write_text(tex + textwrap.dedent(claims), encoding="utf-8")
    return check_chapter(folder / "manifest.toml", numeric=numeric, seed=1)


def findings(result, eid: str | None = None) -> list:
    """Every finding on equation ``eid`` (its links' too), or on the chapter (None)."""
    if eid is None:
        return list(result.findings)
    e = next(e for e in result.equations if e.id == eid)
    return list(e.findings) + [f for link in e.links for f in link.findings]


def codes(result, eid: str | None = None) -> set[str]:
    return {f.code for f in findings(result, eid)}


def all_codes(result) -> set[str]:
    return codes(result) | {c for e in result.equations for c in codes(result, e.id)}


def verdict(result, eid: str) -> str:
    return next(e for e in result.equations if e.id == eid).verdict
