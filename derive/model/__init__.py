"""The chapter's model: symbols and their meaning (:mod:`~derive.model.vocabulary`,
:mod:`~derive.model.meaning`), the engine's objects for printed notation
(:mod:`~derive.model.objects`), and definitions, graph and loss
(:mod:`~derive.model.chapter`, whose names are also importable from here).
"""
from __future__ import annotations

import importlib
import pkgutil

# every module of this package: ``from . import activations`` asks this package for the
# name before importing the module, and must get the module, not the chapter's names
_SUBMODULES = {m.name for m in pkgutil.iter_modules(__path__)}


def __getattr__(name: str):
    # the chapter module reads formulas, which needs this package's other submodules
    # first: it is imported on first use, not with the package
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    chapter = importlib.import_module(f"{__name__}.chapter")
    try:
        return getattr(chapter, name)
    except AttributeError:
        raise AttributeError(f"module 'derive.model' has no attribute {name!r}") from None
