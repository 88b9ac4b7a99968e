"""derive: a symbolic derivation verifier for textbook gradient formulas.

Reads a chapter's equations as printed (LaTeX), derives every gradient with SymPy's chain
rule, checks every ``=`` of every chain of equalities, diagnoses what is wrong and
confirms each verdict numerically with NumPy. See README.md and docs/.

``derive.check`` is imported on first use, so importing ``derive`` (or its pytest plugin)
does not load SymPy and NumPy.
"""
from .errors import InputError
from .report import Report

__all__ = ["check", "InputError", "Report"]
from .version import __version__  # noqa: F401 - derive.__version__


def __getattr__(name: str):
    if name == "check":
        from .api import check

        globals()["check"] = check
        return check
    raise AttributeError(f"module 'derive' has no attribute {name!r}")
