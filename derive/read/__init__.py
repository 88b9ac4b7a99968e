"""The strict reader: LaTeX formulas as printed, read into a small tree, every token
accounted for or the formula rejected with its column, the construct and a fix.

The grammar is written down in docs/format.md ("The grammar"); the tree is
:mod:`derive.read.tree`; what the chapter declares about its notation (which names are
functions, which superscripts are layers) is a :class:`~derive.read.lexicon.Lexicon`.

>>> from derive.read import read
>>> r = read(r"\\frac{\\partial L}{\\partial w} &= (a - y) x \\\\ &\\quad + w")
>>> [sexpr(s) for s in r.sides]
['(partial L w)', '(add (mul (add a (neg y)) x) w)']
"""
from __future__ import annotations

from .errors import ReadError
from .lexicon import DEFAULT, Lexicon
from .reading import (Reading, read, read_display, read_function_name, read_name,
                      read_side)
from .tree import sexpr

__all__ = ["DEFAULT", "Lexicon", "ReadError", "Reading", "read", "read_display",
           "read_function_name", "read_name", "read_side", "sexpr"]
