"""Bounded in-process memos, all forgotten by one call.

derive remembers what it parsed, derived, proved and evaluated, keyed by content (a
model's definitions, an expression), so that work repeated within a process — the same
pair compared twice in a chapter, the same chapter re-checked in a mutation run — is done
once. Each memo is cleared whole when full (simple, and the next entries are the useful
ones); :func:`clear_all` empties every memo at once (``derive.api.clear_caches``).

>>> m = Memo(2)
>>> m.put("a", 1), m.put("b", 2), m.put("c", 3), sorted(m)
(1, 2, 3, ['c'])
"""
from __future__ import annotations

_ALL: list["Memo"] = []


class Memo(dict):
    """A dict with a size bound, registered for :func:`clear_all`."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size
        _ALL.append(self)

    def put(self, key, value):
        """Store and return ``value`` (the memo is emptied first when it is full)."""
        if len(self) >= self.size:
            self.clear()
        self[key] = value
        return value


def clear_all() -> None:
    for memo in _ALL:
        memo.clear()
