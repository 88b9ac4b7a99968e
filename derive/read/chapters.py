"""What a run checks, and how each chapter is read.

A chapter is either a **chapter folder** (a ``manifest.toml`` whose ``source`` is a
marked ``chapter.tex``, or a document) or a **document** as the author keeps it: a
``.tex``, ``.md`` or ``.ipynb`` file, with its manifest beside it (``<name>.derive.toml``,
written by ``derive init``) or inferred from its formulas.

``find_chapters`` walks folders: chapter folders, and documents that hold a display
formula and are not ``\\input`` by another document; a ``derive.toml`` at the root of a
walked folder may say which to take::

    [book]
    include = ["chapters/*.tex", "*.md"]     # globs, relative to the folder
    exclude = ["drafts/*"]
"""
from __future__ import annotations

import fnmatch
import os
import re
import tomllib
from pathlib import Path

from ..errors import InputError
from .inputs import MAX_MANIFEST_BYTES, inside, read_text
from .document import DOCUMENT_SUFFIXES
from ..report import Finding
from ..rules.inference import Inferred
from ..rules.unchecked import NotChecked, Note, Redefined
from .source import Item, parse_chapter_text

_DISPLAY = re.compile(r"\$\$|\\\[|\\begin\{(?:equation|align|gather|multline|eqnarray)|"
                      r"```\{math\}|\"cell_type\"")
_INPUTS = re.compile(r"\\(?:input|include|subfile)\s*\{([^{}]+)\}")


def manifest_beside(document: Path) -> Path:
    """Where ``derive init`` keeps a document's manifest: ``ch05.derive.toml``."""
    return document.with_name(document.stem + ".derive.toml")


def chapter_folder_of(document: Path) -> Path | None:
    """The manifest.toml of the chapter folder a document is in (its own folder or one
    above it, not above the repository's root), or None."""
    for folder in Path(document).resolve().parents:
        if (folder / "manifest.toml").is_file():
            return folder / "manifest.toml"
        if (folder / ".git").exists():
            return None
    return None


def is_chapter_document(document: Path) -> bool:
    """Does a document hold a display formula, or \\input one (a chapter's main file)?"""
    try:
        text = read_text(document, "document")
    except InputError:
        return True                          # reported when it is checked
    return bool(_DISPLAY.search(text) or (document.suffix.lower() == ".tex"
                                          and _INPUTS.search(text)))


def find_chapters(paths, only_chapters: bool = False) -> list[Path]:
    """Manifests and documents under the given paths, in a stable order.

    A document inside a chapter folder (the manifest's source, or a file it inputs) stands
    for that chapter. ``only_chapters``: a given document that is no chapter (no display
    formula, as a README) is passed over instead of being an error (pre-commit passes
    every changed .md and .tex file)."""
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_file():
            if p.name == "manifest.toml" or p.name.endswith(".derive.toml"):
                found.append(p if p.name == "manifest.toml" else _document_of(p))
            elif p.suffix.lower() in DOCUMENT_SUFFIXES:
                manifest = chapter_folder_of(p)
                if manifest is not None and not manifest_beside(p).is_file():
                    found.append(Path(os.path.relpath(manifest)))
                elif not only_chapters or is_chapter_document(p):
                    found.append(p)
            else:
                raise InputError("expected a chapter folder, a manifest.toml or a document "
                                 "(.tex, .md, .ipynb)", file=str(p))
        elif p.is_dir():
            direct = p / "manifest.toml"
            hits = [direct] if direct.is_file() else _walk(p)
            if not hits:
                raise InputError("no chapter here: no manifest.toml and no .tex, .md or "
                                 ".ipynb file with a display formula", file=str(p))
            found.extend(hits)
        else:
            raise InputError("no such file or folder", file=str(p))
    return sorted(set(found), key=str)


def _document_of(manifest: Path) -> Path:
    for suffix in DOCUMENT_SUFFIXES:
        doc = manifest.with_name(manifest.name[:-len(".derive.toml")] + suffix)
        if doc.is_file():
            return doc
    raise InputError("no document beside this manifest", file=str(manifest))


def _walk(folder: Path) -> list[Path]:
    include, exclude = ["*"], []
    config = folder / "derive.toml"
    if config.is_file():
        try:
            data = tomllib.loads(read_text(config, "book configuration", MAX_MANIFEST_BYTES))
        except tomllib.TOMLDecodeError as exc:
            raise InputError(f"invalid TOML: {exc}", file=str(config)) from None
        book = data.get("book", {})
        if not isinstance(book, dict) or set(book) - {"include", "exclude"} or not all(
                isinstance(v, list) and all(isinstance(x, str) for x in v)
                for v in book.values()):
            raise InputError("[book] takes include = [globs] and exclude = [globs]",
                             file=str(config))
        include = book.get("include", include)
        exclude = book.get("exclude", exclude)
    manifests = sorted(folder.rglob("manifest.toml"))
    chapter_dirs = {m.parent for m in manifests}
    docs, included = [], set()
    for f in sorted(folder.rglob("*")):
        if not f.is_file() or f.suffix.lower() not in DOCUMENT_SUFFIXES:
            continue
        if any(d == f.parent or d in f.parents for d in chapter_dirs):
            continue                         # part of a chapter folder
        rel = f.relative_to(folder).as_posix()
        if not any(fnmatch.fnmatch(rel, g) or fnmatch.fnmatch(f.name, g) for g in include) or \
                any(fnmatch.fnmatch(rel, g) for g in exclude):
            continue
        try:
            text = read_text(f, "document")
        except InputError:
            docs.append(f)                   # reported when it is checked
            continue
        inputs = _INPUTS.findall(text) if f.suffix.lower() == ".tex" else []
        for name in inputs:
            target = (f.parent / name.strip())
            included.add((target if target.suffix else target.with_suffix(".tex")).resolve())
        if _DISPLAY.search(text) or inputs:          # a main file whose formulas are \input
            docs.append(f)
    return manifests + [d for d in docs if d.resolve() not in included]


def load_chapter_input(path, *, allow_outside: bool = False):
    """(manifest, items, findings to put first in the report) of one chapter."""
    from .manifest import load_manifest
    from .blocks import blocks
    from .load import load_document
    path = Path(path)
    if path.name == "manifest.toml" or path.suffix == ".toml":
        manifest = load_manifest(path)
        source = inside(manifest.source_path(), manifest.directory, "chapter file",
                        allow_outside=allow_outside)
        text = read_text(source, "chapter file")
        if source.suffix.lower() not in DOCUMENT_SUFFIXES or _marked(text):
            return manifest, parse_chapter_text(text, str(source)), []
        doc = load_document(source, manifest.directory, allow_outside=allow_outside)
        items, skipped = blocks(doc)
        return manifest, items, _preface(doc, skipped, [])
    doc = load_document(path, path.parent, allow_outside=allow_outside)
    items, skipped = blocks(doc)
    explicit = manifest_beside(path)
    if explicit.is_file():
        manifest = load_manifest(explicit)
        from dataclasses import replace
        manifest = replace(manifest, source=path.name)
        return manifest, items, _preface(doc, skipped, [])
    from ..model.infer import infer_manifest
    inferred = infer_manifest(items, str(path), title=doc.title, language=doc.language,
                              aliases=doc.aliases, adjoints=doc.adjoints)
    return inferred.manifest, items, _preface(doc, skipped, inferred.notes)


def _marked(text: str) -> bool:
    """A chapter.tex in derive's own format: blocks after markers, nothing else."""
    try:
        parse_chapter_text(text)
    except InputError as exc:
        # prose before the first marker: a document, if it writes its formulas in
        # display math; otherwise a chapter.tex with a misplaced line, reported as such
        return not ("text before the first" in exc.message and _DISPLAY.search(text))
    return True


def _preface(doc, skipped, notes) -> list[Finding]:
    out = [Inferred(note=n).finding() for n in notes]
    for s in skipped:
        out.append(NotChecked(line=s.line, text=s.text, why=s.why).finding())
    for n in doc.notes:
        out.append(Note(note=n).finding())
    return out


def items_of(path) -> list[Item]:
    """The blocks of a chapter (for tools): its items, without checking anything."""
    return load_chapter_input(path)[1]


def check_parts(run, items: list[Item]):
    """Check a chapter part by part (a document that redefines a name moves on to another
    model) and put the parts' results together, each block reported once, in order."""
    from dataclasses import replace as _replace

    from .blocks import parts
    groups = parts(items)
    if len(groups) == 1:
        return run(items)
    results = [run(g) for g in groups]
    owner = {i.id: i.part for i in items}
    equations = [e for k, r in enumerate(results) for e in r.equations
                 if owner.get(e.id.split("[l=")[0], 0) == k]
    order = {i.id: n for n, i in enumerate(items)}
    equations.sort(key=lambda e: order.get(e.id, len(order)))
    findings, seen = [], set()
    for k, r in enumerate(results):
        for f in r.findings:
            if (f.kind, f.message) not in seen:
                seen.add((f.kind, f.message))
                findings.append(f)
    starts = [next((i for i in items if i.part == k), None) for k in range(len(groups))]
    gradients = list(results[0].gradients)
    for k, r in enumerate(results[1:], start=1):
        where = f"\\quad\\text{{(from line {starts[k].line})}}" if starts[k] else ""
        gradients += [(lhs + where, rhs) for lhs, rhs in r.gradients]
    note = Redefined(where=", ".join(f"{i.id} (line {i.line})" for i in starts[1:] if i)).finding()
    return _replace(results[0], equations=tuple(equations), findings=(note, *findings),
                    gradients=tuple(gradients))
