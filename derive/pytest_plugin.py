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

_RESULTS = pytest.StashKey[dict]()


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


def _checked(config: pytest.Config, manifest: Path):
    """The chapter's ChapterResult, checked once per manifest and session."""
    cache = config.stash.setdefault(_RESULTS, {})
    key = manifest.resolve()
    if key not in cache:
        from .driver import check_chapter

        # relative to where pytest was started, so messages name files as the user does
        path = key
        here = config.invocation_params.dir.resolve()
        if Path.cwd().resolve() == here and key.is_relative_to(here):
            path = key.relative_to(here)
        cache[key] = check_chapter(path, numeric=not config.getoption("derive_no_numeric"),
                                   seed=config.getoption("derive_seed"),
                                   claim_seconds=config.getoption("derive_claim_seconds"))
    return cache[key]


class DeriveFailure(Exception):
    """A case that does not hold; ``repr_failure`` shows its diagnosis and fix."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


class ChapterFile(pytest.File):
    """A chapter's ``manifest.toml``: its equations, as collectors and items."""

    def collect(self):
        from .report.common import cases

        chapter = _checked(self.config, self.path)
        every = cases(chapter)
        for e in chapter.equations:
            mine = [c for c in every if c.equation is e]
            if any(c.link is not None for c in mine):
                yield EquationNode.from_parent(self, name=e.id, chapter=chapter, cases=mine)
            else:
                for c in mine:
                    yield CaseItem.from_parent(self, name=e.id, chapter=chapter, case=c)

    def repr_failure(self, excinfo):
        from .errors import InputError

        if isinstance(excinfo.value, InputError):
            return f"derive: error: {excinfo.value}"
        return super().repr_failure(excinfo)


class EquationNode(pytest.Collector):
    """A claim: one item per link (``link 1``, ``link 2``, …)."""

    def __init__(self, *, chapter, cases, **kwargs) -> None:
        super().__init__(**kwargs)
        self.chapter = chapter
        self.cases = cases

    def collect(self):
        for c in self.cases:
            name = f"link {c.index}" if c.link is not None else "equation"
            yield CaseItem.from_parent(self, name=name, chapter=self.chapter, case=c)


class CaseItem(pytest.Item):
    """One case: a claim link, a definition, or a claim without links."""

    def __init__(self, *, chapter, case, **kwargs) -> None:
        super().__init__(**kwargs)
        self.chapter = chapter
        self.case = case
        self.add_marker(pytest.mark.derive)
        self.user_properties.append(("verdict", case.verdict))

    def setup(self) -> None:
        from .report.common import failure_text

        if self.case.verdict == "error":   # cannot be checked: an error, not a failure
            pytest.fail(failure_text(self.chapter, self.case), pytrace=False)

    def runtest(self) -> None:
        from .report.common import failure_message, failure_text

        verdict = self.case.verdict
        if verdict == "verified":
            return
        if verdict == "inconclusive":
            pytest.skip(f"inconclusive: {failure_message(self.chapter, self.case)}")
        raise DeriveFailure(failure_text(self.chapter, self.case))

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, DeriveFailure):
            return excinfo.value.text
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        line = (self.case.equation.line or 1) - 1
        path = self.config.invocation_params.dir / self.chapter.file   # as checked
        return path, line, f"{self.case.name} ({self.case.verdict})"


def pytest_configure(config: pytest.Config) -> None:
    if _enabled(config):
        config.addinivalue_line("markers", "derive: a derivation checked by the derive plugin")
