"""The per-chapter driver: read the chapter (its manifest and document), expand a generic
layer index, choose the checker for its notation (scalar, index or vectorized), check
its parts, and place each equation in the file it came from."""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from pathlib import Path

from .checker import ChapterChecker
from .errors import InputError
from .read.manifest import MAX_CLAIM_SECONDS
from .report import ChapterResult
from .read import suppressions
from .read.source import Item
from .rules import suppression
from .timelimit import cpu_seconds
from .calculus.sizes import check_at_two_sizes
from .calculus.vectorize import vectorized_forms


def find_manifests(paths: list[str | Path], only_chapters: bool = False) -> list[Path]:
    """Chapters under the given paths: manifests, and documents (see derive.read.chapters)."""
    from .read.chapters import find_chapters
    return find_chapters(paths, only_chapters)


def check_chapter(manifest_path: str | Path, *, numeric: bool = True, seed: int = 0,
                  claim_seconds: float | None = None,
                  focus: Collection[str] | None = None,
                  background: bool = False, allow_outside: bool = False) -> ChapterResult:
    """Check one chapter. Raises :class:`InputError` when the chapter cannot be read at all.

    ``focus``: check only these equations (an id also stands for its layer instances,
    ``4-1`` for ``4-1[l=2]``), in the context of the whole chapter (its model, the
    choice between a printed and a corrected definition, its convention); the report
    then has only those equations and no chapter-level findings. Mutation testing uses
    it to re-check one changed claim.

    ``background``: use a second (forked, on Linux) process for the part of the check
    that needs only the chapter's model (a scalar chapter's vectorized forms), when a
    core is free; the result is the same.

    ``allow_outside``: read a ``source`` outside the manifest's folder (refused otherwise).
    """
    if claim_seconds is not None and not 0 < claim_seconds <= MAX_CLAIM_SECONDS:
        raise InputError(f"the time limit for one claim must be a positive number of seconds "
                         f"up to {MAX_CLAIM_SECONDS:g}, not {claim_seconds}")
    started = cpu_seconds()          # the chapter's time limit counts from here
    manifest, items, preface = read_chapter(manifest_path, allow_outside=allow_outside)
    indexed = any(d.entries is not None for d in manifest.symbols.values())
    if indexed and manifest.vectorized:
        raise InputError("a chapter is written either with matrices (shape) or by entries "
                         "(entries), not both yet", file=manifest.path)
    if not manifest.vectorized and not indexed:
        for f in manifest.functions.values():
            if f.activation == "softmax":
                raise InputError(f"functions.{f.latex}: softmax acts on vectors; declare the "
                                 "shapes of the chapter's symbols (shape = [rows, cols])",
                                 file=manifest.path)
        for d in manifest.symbols.values():
            if d.role == "gradient" and (d.of not in manifest.symbols or not any(
                    s.role in ("loss", "cost") for s in manifest.symbols.values())):
                raise InputError(f"symbols.{d.latex}: a gradient needs of = \"<symbol>\" "
                                 "naming a declared symbol, and the chapter a loss",
                                 file=manifest.path)
    def run(part: list[Item]) -> ChapterResult:
        if manifest.vectorized:
            return check_at_two_sizes(manifest, part, numeric=numeric, seed=seed,
                                      claim_seconds=claim_seconds, focus=focus,
                                      started=started, background=background)
        return ChapterChecker(manifest, part, numeric=numeric, seed=seed,
                              claim_seconds=claim_seconds, focus=focus,
                              background=background, started=started,
                              vectorizer=vectorized_forms).run()
    from .read.chapters import check_parts
    result = check_parts(run, items)
    if indexed:
        from .model.entries import merge_instances
        result = merge_instances(result)
    if preface and focus is None:
        result = replace(result, findings=tuple(preface) + result.findings)
    result = _placed(result, items)
    # % derive: ignore[CODE]: the author's accepted findings marked (rules.suppression)
    return suppression.apply(result, suppressions.find(items), suppressions.find_chapter(items))


def read_chapter(manifest_path: str | Path, *, allow_outside: bool = False):
    """(manifest, blocks, findings to put first) of a chapter, as checked: assignments
    read as definitions, a generic layer index expanded to its layers."""
    from .read.chapters import load_chapter_input
    from .read.source import assignment
    manifest, items, preface = load_chapter_input(manifest_path, allow_outside=allow_outside)
    items = [assignment(i) for i in items]
    if manifest.layer_count:
        from .read.layers import expand
        manifest, items = expand(manifest, items)
    return manifest, items, preface


def _placed(result: ChapterResult, items: list[Item]) -> ChapterResult:
    r"""Each equation says where it is: the columns of its formula's first and last
    characters (when the reader knows them); a block
    from an \input file, or in a notebook's cell, its file or cell."""
    by_id = {i.id: i for i in items if i.kind != "caption"}   # a caption shares its id

    def place(e):
        item = by_id.get(e.id)
        if item is None:
            return e
        column = next((c for line, c in item.places[:1] if line == e.line), None)
        end = item.places[-1] if column is not None else (None, None)
        return replace(e, file=item.file if item.file != result.file else None,
                       where=item.where or None, column=column, end_line=end[0],
                       end_column=end[1])
    return replace(result, equations=tuple(place(e) for e in result.equations))
