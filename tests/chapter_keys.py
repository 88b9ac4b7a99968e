"""Helpers for the answer keys of the bundled chapters (tests only, never derive):
a key's pairs (sympy.diff of the model written by hand, the claim's right side) are
compared at random rational points, and a planted error is written into a copy of a
chapter's text."""
from __future__ import annotations

import shutil
from pathlib import Path

import sympy

from derive.driver import check_chapter


def holds(pairs, leaves, rng, positive=(), low=-12, high=12, den=10) -> bool:
    """Every (lhs, rhs) equal at three random points; ``positive`` leaves are drawn in
    (0, 1] (an ε, a probability)."""
    import mpmath
    order = list(leaves) + [v for v in positive if v not in leaves]
    # each difference compiled once to mpmath at 30 digits (substituting into long
    # unsimplified derivatives is far slower)
    diffs = [sympy.lambdify(order, lhs - rhs, "mpmath") for lhs, rhs in pairs]
    with mpmath.workdps(30):
        for _ in range(3):
            point = {v: sympy.Rational(rng.randint(low, high), den) for v in leaves}
            point.update({v: sympy.Rational(rng.randint(1, 9), 20) for v in positive})
            args = [mpmath.mpf(point[v].p) / point[v].q for v in order]
            for f in diffs:
                if abs(f(*args)) > 1e-20:
                    return False
    return True


def key_verdicts(claims, holds_here) -> dict[str, str]:
    """Each claim's verdict by the key alone: verified when every pair holds."""
    return {cid: "verified" if holds_here(pairs) else "mismatch"
            for cid, pairs in claims.items()}


def checked_as_key_says(chapter: Path, claims, holds_here, seed: int):
    """The chapter checked (fixed seed) after its key: the key must find every claim true,
    derive must give each claim the key's verdict and verify every equation. Returns the
    report for the chapter's own further assertions."""
    expected = key_verdicts(claims, holds_here)
    assert set(expected.values()) == {"verified"}
    r = check_chapter(chapter / "manifest.toml", seed=seed)
    assert {e.id: e.verdict for e in r.equations if e.kind == "claim"} == expected
    assert all(e.verdict == "verified" for e in r.equations)
    return r


def check_planted(chapter: Path, printed: str, planted: str, tmp_path: Path, seed: int = 5):
    """The chapter with ``printed`` (found exactly once) replaced by ``planted``: the
    equations that are not verified, and the kinds of their findings."""
    folder = tmp_path / chapter.name
    shutil.copytree(chapter, folder)
    text = (folder / "chapter.tex").read_text(encoding="utf-8")
    assert text.count(printed) == 1, printed
    (folder / "chapter.tex").write_text(text.replace(printed, planted), encoding="utf-8")
    r = check_chapter(folder / "manifest.toml", seed=seed)
    bad = [e for e in r.equations if e.verdict != "verified"]
    found = {}
    for e in bad:
        for f in (*e.findings, *(f for link in e.links for f in link.findings)):
            found.setdefault(f.kind, f.message)
    return bad, found


def caught_as_named(chapter: Path, printed: str, planted: str, kind: str, words: str,
                    tmp_path: Path) -> None:
    """The planted error makes exactly one equation a mismatch, with a finding of ``kind``
    whose message contains ``words``."""
    bad, found = check_planted(chapter, printed, planted, tmp_path)
    assert len(bad) == 1 and bad[0].verdict == "mismatch", [(e.id, e.verdict) for e in bad]
    assert kind in found and words in found[kind], found
