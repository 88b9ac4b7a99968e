"""DV904 unchecked: text of the document that was not checked, and why.

Why: a reader of the report must know what derive did not read: a display without the
chapter's quantities, an equation in a notation it skips, a chapter that redefines a
name (checked part by part). Nothing is dropped silently.

Example::

    $$0 < a < 1$$
    -> DV904 unchecked: not checked (line 11): 0 < a < 1 — no '=': nothing to check
"""
from __future__ import annotations

from .base import Message

CODE = "DV904"
KIND = "unchecked"


class NotChecked(Message):
    severity = "info"
    template = "not checked (line {line}): {text} — {why}"
    math = ("text",)


class Note(Message):
    severity = "info"
    template = "{note}"


class Redefined(Message):
    severity = "info"
    template = "the chapter redefines {where}: what follows each is checked with the new definition"
