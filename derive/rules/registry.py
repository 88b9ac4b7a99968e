"""Every rule module of :mod:`derive.rules`, found by listing the package.

A rule module is one that defines ``CODE``; a module with ``diagnose`` is a diagnosis of
a wrong side (tried in ``ORDER``), one with ``check`` a chapter-level check (run in
``ORDER`` after the claims, or before them when ``BEFORE_CLAIMS``). Adding a rule is
adding a module: nothing here names one.

>>> [m.CODE for m in diagnoses()][:2]
['DV102', 'DV103']
>>> by_code()["DV201"].KIND
'definition'
"""
from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from pathlib import Path
from types import ModuleType

_HERE = Path(__file__).resolve().parent
_NOT_RULES = {"base", "registry", "diagnose", "run"}


@cache
def modules() -> tuple[ModuleType, ...]:
    """The rule modules, by code."""
    found = []
    for info in pkgutil.iter_modules([str(_HERE)]):
        if info.name in _NOT_RULES or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__package__}.{info.name}")
        if hasattr(module, "CODE"):
            found.append(module)
    return tuple(sorted(found, key=lambda m: m.CODE))


def by_code() -> dict[str, ModuleType]:
    return {m.CODE: m for m in modules()}


def by_kind() -> dict[str, ModuleType]:
    return {m.KIND: m for m in modules()}


@cache
def diagnoses() -> tuple[ModuleType, ...]:
    """The diagnoses of a wrong scalar side, in the order they are tried."""
    return tuple(sorted((m for m in modules() if hasattr(m, "diagnose")),
                        key=lambda m: m.ORDER))


@cache
def chapter_checks(before_claims: bool) -> tuple[ModuleType, ...]:
    """The chapter-level checks run before (or after) the claims, in order."""
    return tuple(sorted((m for m in modules() if hasattr(m, "check")
                         and getattr(m, "BEFORE_CLAIMS", False) == before_claims),
                        key=lambda m: m.ORDER))

