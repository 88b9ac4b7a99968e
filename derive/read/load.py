"""A document file read by its kind (LaTeX, Markdown, notebook): the one entry point
above the scanners, so that the document model (document.py) imports none of them."""
from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from .document import DOCUMENT_SUFFIXES, Document
from .latexdoc import scan_latex
from .markdown import scan_markdown, scan_notebook


def load_document(path: str | Path, root: str | Path | None = None, *,
                  allow_outside: bool = False) -> Document:
    """Read a LaTeX, Markdown or notebook file (and the files it includes, which must be
    inside ``root``, the book's folder, unless ``allow_outside``)."""
    path = Path(path)
    kind = DOCUMENT_SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise InputError(f"not a document derive reads (.tex, .md, .ipynb): {path.suffix or 'no suffix'}",
                         file=str(path))
    root = Path(root) if root is not None else path.parent
    if kind == "latex":
        return scan_latex(path, root, allow_outside=allow_outside)
    if kind == "notebook":
        return scan_notebook(path)
    return scan_markdown(path)
