"""derive: a symbolic derivation verifier for textbook gradient formulas.

Reads a chapter's equations as printed (LaTeX), derives every gradient with SymPy's chain
rule, checks every ``=`` of every chain of equalities, diagnoses what is wrong and
confirms each verdict numerically with NumPy. See README.md and docs/.
"""
from .api import check
from .errors import InputError
from .report import Report

__all__ = ["check", "InputError", "Report"]
__version__ = "0.1.0"
