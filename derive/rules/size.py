"""DV307 size: a formula that holds at the chapter's sizes only.

Why: a vectorized chapter is checked at its declared sizes and again at shifted ones. A
formula that holds only at the first has a size written as a number (a 4 where m is
meant, or the other way round): true for this example, wrong in general.

Example::

    -> DV307 size: holds at m=4, n=3 but not at m=5, n=4: a size is written as a number
       (or a number as a size)
"""
from __future__ import annotations

from .base import Message

CODE = "DV307"
KIND = "size"


class OnlyAtSizes(Message):
    template = ("holds at {sizes} but not at {other}: a size is written as a number (or a "
                "number as a size)")
