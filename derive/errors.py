"""The one exception type for bad input: it always knows where it happened."""
from __future__ import annotations


class InputError(Exception):
    """Bad input: a malformed manifest, unreadable LaTeX, an unknown symbol, a missing file.

    Rendered as one line ``file[:line]: [equation id: ]message``; the CLI exits with 2.

    >>> str(InputError("unknown symbol 'q'", file="ch/chapter.tex", line=3, equation="8-12"))
    "ch/chapter.tex:3: equation 8-12: unknown symbol 'q'"
    """

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 equation: str | None = None, token: str | None = None,
                 column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.equation = equation
        self.token = token
        self.column = column

    def located(self, *, file: str | None = None, line: int | None = None,
                equation: str | None = None) -> "InputError":
        """Fill in location fields that are still unknown (returns self)."""
        self.file = self.file or file
        self.line = self.line or line
        self.equation = self.equation or equation
        return self

    def __str__(self) -> str:
        where = self.file or "<input>"
        if self.line:
            where += f":{self.line}"
        eq = f"equation {self.equation}: " if self.equation else ""
        col = f" (column {self.column})" if self.column is not None else ""
        return f"{where}: {eq}{self.message}{col}"


class CheckTimeout(BaseException):
    """A symbolic step ran past its time limit.

    A BaseException, like KeyboardInterrupt: SymPy (and derive's own ``except Exception``
    fallbacks) must not swallow it and carry on; only a time limit's owner catches it.
    """


class CannotEvaluate(Exception):
    """A printed step derive reads but cannot evaluate (the claim is inconclusive, with
    this message as the reason; never a pass or a mismatch)."""


class NotDense(Exception):
    """The model is not a chain of dense layers; no vectorized form is offered
    (derive.calculus.vectorize)."""
