"""pytest plugin: run a chapter's derivations as tests with ``pytest --derive equations/``.

Registered through the ``pytest11`` entry point, so it loads wherever derive is installed,
and stays inert without ``--derive``: it adds its options and nothing else (it does not
even import SymPy). With the flag, every ``manifest.toml`` among the collected paths
becomes a chapter; the chapter is checked once, at collection, and yields:

- ``<manifest>::<equation id>::link <k>`` for each ``=`` of a claim,
- ``<manifest>::<equation id>`` for each definition (and a claim that has no links).

A link that is not verified fails and shows the diagnosis and the fix; inconclusive is
skipped with its reason; an equation that cannot be read is an error. Options:
``--derive-no-numeric``, ``--derive-seed N``, ``--derive-claim-seconds S``.

Without an installed package, load it by name: ``pytest -p derive.pytest_plugin --derive``.
"""
from __future__ import annotations

from pathlib import Path

import pytest

_RESULTS = pytest.StashKey[dict]()  # (manifest) -> ChapterResult or the InputError


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("derive", "derive: verify textbook gradient derivations")
    group.addoption("--derive", action="store_true", default=False,
                    help="collect chapters (folders with a manifest.toml) among the given "
                         "paths and check each claim link as a test")
    group.addoption("--derive-no-numeric", action="store_true", default=False,
                    help="derive: skip the NumPy checks (symbolic route only)")
    group.addoption("--derive-seed", type=int, default=0, metavar="N",
                    help="derive: seed for the random points (default 0)")
    group.addoption("--derive-claim-seconds", type=float, default=None, metavar="S",
                    help="derive: time limit for one claim's symbolic check")


def _enabled(config: pytest.Config) -> bool:
    return bool(config.getoption("derive", default=False))


def pytest_report_header(config: pytest.Config) -> str | None:
    if not _enabled(config):
        return None
    numeric = "off" if config.getoption("derive_no_numeric") else "on"
    return f"derive: numeric checks {numeric}, seed {config.getoption('derive_seed')}"


def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    if file_path.name == "manifest.toml" and _enabled(parent.config):
        return ChapterFile.from_parent(parent, path=file_path)
    return None


def _relative(config: pytest.Config, manifest: Path) -> Path:
    """The manifest relative to where pytest was started, so that messages name files as
    the user does."""
    key = manifest.resolve()
    here = config.invocation_params.dir.resolve()
    if Path.cwd().resolve() == here and key.is_relative_to(here):
        return key.relative_to(here)
    return key


def _predicted(manifest: Path) -> list[tuple[str, int]]:
    """(equation id, number of links) of each equation the chapter's check will report,
    read from its files without checking anything: a claim's links are its printed
    ``=``s; a block that is no claim, or a claim that does not split, is one case."""
    from .driver import read_chapter
    from .read.latex import split_chain
    _, items, _ = read_chapter(manifest)
    out: dict[str, int] = {}
    for item in items:
        if item.kind == "caption" or item.id in out:
            continue
        sides = split_chain(item.body) if item.kind == "claim" else []
        out[item.id] = len(sides) - 1 if len(sides) >= 2 and all(sides) else 0
    return list(out.items())


def _selected(config: pytest.Config, manifest: Path) -> frozenset[str] | None:
    """The equations of this chapter that this session runs; None when all of them."""
    chosen = config.stash.get(_SELECTED, {}).get(manifest.resolve())
    every = config.stash.get(_PREDICTED, {}).get(manifest.resolve(), [])
    if chosen is None or chosen >= {eid for eid, _ in every} | {CHAPTER}:
        return None
    return frozenset(chosen - {CHAPTER})


def _checked(config: pytest.Config, manifest: Path):
    """The chapter's ChapterResult, checked once per manifest and process, for the
    equations this session selected (``-k``, node ids), all of them when it runs all."""
    cache = config.stash.setdefault(_RESULTS, {})
    key = manifest.resolve()
    if key not in cache:
        from .driver import check_chapter
        from .errors import InputError
        try:
            cache[key] = check_chapter(
                _relative(config, manifest), numeric=not config.getoption("derive_no_numeric"),
                seed=config.getoption("derive_seed"),
                claim_seconds=config.getoption("derive_claim_seconds"),
                focus=_selected(config, manifest))
        except InputError as exc:
            cache[key] = exc
    if isinstance(cache[key], Exception):
        raise DeriveFailure(f"derive: error: {cache[key]}")
    return cache[key]


CHAPTER = "chapter"       # the item that checks what the equations' items cannot
_PREDICTED = pytest.StashKey[dict]()
_SELECTED = pytest.StashKey[dict]()


class DeriveFailure(Exception):
    """A case that does not hold; ``repr_failure`` shows its diagnosis and fix."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


class ChapterFile(pytest.File):
    """A chapter's ``manifest.toml``: its equations as collectors and items, read from its
    files; nothing is checked until an item runs."""

    def collect(self):
        predicted = _predicted(self.path)
        self.config.stash.setdefault(_PREDICTED, {})[self.path.resolve()] = predicted
        yield CaseItem.from_parent(self, name=CHAPTER, manifest=self.path, equation=None)
        for eid, links in predicted:
            if links:
                yield EquationNode.from_parent(self, name=eid, manifest=self.path, links=links)
            else:
                yield CaseItem.from_parent(self, name=eid, manifest=self.path, equation=eid)

    def repr_failure(self, excinfo):
        from .errors import InputError

        if isinstance(excinfo.value, InputError):
            return f"derive: error: {excinfo.value}"
        return super().repr_failure(excinfo)


class EquationNode(pytest.Collector):
    """A claim: one item per printed ``=`` (``link 1``, ``link 2``, …)."""

    def __init__(self, *, manifest, links, **kwargs) -> None:
        super().__init__(**kwargs)
        self.manifest, self.links = manifest, links

    def collect(self):
        for k in range(1, self.links + 1):
            yield CaseItem.from_parent(self, name=f"link {k}", manifest=self.manifest,
                                       equation=self.name, link=k, last=k == self.links)


class CaseItem(pytest.Item):
    """One case: a claim link, a definition, a claim without links, or the chapter."""

    def __init__(self, *, manifest, equation, link=None, last=True, **kwargs) -> None:
        super().__init__(**kwargs)
        self.manifest, self.equation, self.link, self.last = manifest, equation, link, last
        self.add_marker(pytest.mark.derive)

    def _case(self):
        """(chapter, the Case to report) from the check; None: nothing to report."""
        from .report.common import Case, cases
        chapter = _checked(self.config, self.manifest)
        every = cases(chapter)
        if self.equation is None:
            return chapter, None
        mine = [c for c in every if c.equation.id == self.equation]
        if not mine:
            raise DeriveFailure(f"{self.equation}: not in derive's report of "
                                f"{chapter.file} (it was read as another block)")
        e = mine[0].equation
        if self.link is None or not e.links:
            return chapter, next((c for c in mine if c.link is None), mine[0])
        links = [c for c in mine if c.link is not None]
        if self.link <= len(links) and not (self.last and len(links) > self.link):
            case = links[self.link - 1]
        else:                         # more links than printed '=': the rest, the worst
            case = Case(e.id, e) if self.link > len(links) else min(
                links[self.link - 1:], key=lambda c: _ORDER.index(c.verdict))
        whole = next((c for c in mine if c.link is None), None)
        if self.last and whole is not None and case.verdict == "verified":
            case = whole              # every link holds, the claim does not (cross-check)
        return chapter, case

    def setup(self) -> None:
        from .report.common import failure_text
        chapter, case = self._case()
        self.user_properties.append(("verdict", case.verdict if case else "verified"))
        if case is not None and case.verdict == "error":   # an error, not a failure
            pytest.fail(failure_text(chapter, case), pytrace=False)

    def runtest(self) -> None:
        from .report.common import failure_message, failure_text

        chapter, case = self._case()
        if case is None:
            self._chapter(chapter)
            return
        verdict = case.verdict
        if verdict == "verified":
            return
        if verdict == "inconclusive":
            pytest.skip(f"inconclusive: {failure_message(chapter, case)}")
        raise DeriveFailure(failure_text(chapter, case))

    def _chapter(self, chapter) -> None:
        """The chapter item: equations of the report that no item stood for."""
        from .report.common import cases, failure_text
        known = {eid for eid, _ in self.config.stash[_PREDICTED][self.manifest.resolve()]}
        other = [c for c in cases(chapter) if c.equation.id not in known
                 and c.verdict not in ("verified", "inconclusive")]
        if other:
            raise DeriveFailure("\n\n".join(failure_text(chapter, c) for c in other))

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, DeriveFailure):
            return excinfo.value.text
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        name = self.equation or CHAPTER
        if self.link is not None:
            name = f"{name} link {self.link}"
        done = self.config.stash.get(_RESULTS, {}).get(self.manifest.resolve())
        if done is None or isinstance(done, Exception) or self.equation is None:
            return self.path, 0, name
        _, case = self._case()                 # checked already: where, and the verdict
        path = self.config.invocation_params.dir / done.file
        return path, (case.equation.line or 1) - 1, f"{name} ({case.verdict})"


_ORDER = ("error", "mismatch", "inconsistent", "inconclusive", "verified")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session, config, items) -> None:
    """After -k and node-id selection: which equations of each chapter run here."""
    if not _enabled(config):
        return
    chosen: dict = {}
    for item in items:
        if isinstance(item, CaseItem):
            chosen.setdefault(item.manifest.resolve(), set()).add(item.equation or CHAPTER)
    config.stash[_SELECTED] = chosen


class _OneWorkerPerChapter:
    """Under pytest-xdist, every item of a chapter goes to one worker, which checks the
    chapter once (xdist's load-file scheduling)."""

    @pytest.hookimpl(tryfirst=True)
    def pytest_xdist_make_scheduler(self, config, log):
        from xdist.scheduler import LoadFileScheduling
        return LoadFileScheduling(config, log)


def pytest_configure(config: pytest.Config) -> None:
    if _enabled(config):
        config.addinivalue_line("markers", "derive: a derivation checked by the derive plugin")
        if config.pluginmanager.hasplugin("xdist"):
            config.pluginmanager.register(_OneWorkerPerChapter(), "derive-xdist")
