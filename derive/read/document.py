"""A book's own source file read as it is: the displays (and inline formulas) it holds,
with where each character of each formula is in which file, their labels, tags and
printed numbers, the author's ``derive:`` markers, and the prose around them.

:func:`derive.read.load.load_document` dispatches on the file's kind: LaTeX (``.tex``, with its
``\\input`` files and macros, :mod:`derive.read.latexdoc`), Markdown (``.md``: ``$$``,
MyST, bookdown and d2l labels, :mod:`derive.read.markdown`) or a Jupyter notebook
(``.ipynb``: its markdown cells). :mod:`derive.read.blocks` then decides what each
formula is (a definition, a claim, a graph, or none of these).
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field

DOCUMENT_SUFFIXES = {".tex": "latex", ".ltx": "latex", ".md": "markdown",
                     ".markdown": "markdown", ".myst": "markdown", ".ipynb": "notebook"}
MAX_INCLUDED_FILES = 200
MAX_BOOK_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class Place:
    file: str
    line: int                    # 1-based
    column: int                  # 1-based
    where: str = ""              # a notebook's "cell 3"


@dataclass
class Display:
    """One formula of the document, as written (macros expanded)."""

    text: str
    places: list[Place]          # of each character of ``text``
    labels: list[str] = field(default_factory=list)
    tag: str | None = None       # \tag{...} as printed
    numbers: list[str] = field(default_factory=list)   # printed numbers, computed
    marker: tuple[str, str | None] | None = None       # (kind, id) of a derive: marker
    inline: bool = False
    rows: list[tuple[int, int, list[str], str | None, str | None]] = field(
        default_factory=list)    # (start, end, labels, tag, number) of each row

    @property
    def place(self) -> Place:
        return self.places[0] if self.places else Place("<document>", 1, 1)


@dataclass
class Prose:
    """A line of the document's text (outside formulas): captions come from here."""

    text: str
    place: Place


@dataclass
class Document:
    path: str
    kind: str
    displays: list[Display] = field(default_factory=list)
    prose: list[Prose] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)     # what was skipped, and why
    files: list[str] = field(default_factory=list)     # every file read
    language: str = ""
    title: str = ""
    aliases: list = field(default_factory=list)       # \hat{y} = a (derive.read.blocks.Alias)
    adjoints: dict = field(default_factory=dict)      # \bar{y} -> y: error signals


class Source:
    """Text assembled from lines of one or more files, mapping offsets back to them."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.starts: list[int] = []
        self.origin: list[tuple[str, int, int, str]] = []   # (file, line, column, where)
        self.length = 0

    def add(self, text: str, file: str, line: int, column: int = 1, where: str = "") -> None:
        self.starts.append(self.length)
        self.origin.append((file, line, column, where))
        self.parts.append(text)
        self.length += len(text)

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def place(self, offset: int) -> Place:
        k = max(bisect.bisect_right(self.starts, offset) - 1, 0)
        file, line, column, where = self.origin[k] if self.origin else ("<document>", 1, 1, "")
        return Place(file, line, column + offset - (self.starts[k] if self.starts else 0), where)

    def places(self, start: int, end: int) -> list[Place]:
        return [self.place(i) for i in range(start, end)]


def language_of(text: str) -> str:
    """'zh' when the prose is mostly Chinese, else 'en' (for caption words)."""
    han = sum(1 for c in text if "\u4e00" <= c <= "\u9fff")
    letters = sum(1 for c in text if c.isalpha())
    return "zh" if letters and han > letters / 5 else "en"
