"""The reader's one error: what could not be read, where, and how to write it instead.

>>> str(ReadError("there is no \\\\left( before it", column=4, construct="\\\\right)",
...               fix="write \\\\left( ... \\\\right) in pairs"))
"<input>: cannot read '\\\\right)' at column 5: there is no \\\\left( before it; fix: write \\\\left( ... \\\\right) in pairs"
"""
from __future__ import annotations

from ..errors import InputError


class ReadError(InputError):
    """A formula (or part of one) the strict reader does not accept.

    ``column`` is the 0-based offset in the formula; messages show it 1-based. LaTeX in
    messages is shown as written, with single backslashes.
    """

    def __init__(self, message: str, *, column: int | None = None,
                 construct: str | None = None, fix: str | None = None,
                 line: int | None = None) -> None:
        self.reason = message
        self.construct = construct
        self.fix = fix
        self.offset = column
        head = "cannot read"
        if construct:
            head += f" '{construct}'"
        if line is not None:
            head += f" at line {line}, column {column}"
        elif column is not None:
            head += f" at column {column + 1}"
        text = f"{head}: {message}" + (f"; fix: {fix}" if fix else "")
        super().__init__(text, token=construct, line=line)

    def placed(self, line: int, column: int) -> "ReadError":
        """The same error at a file's line and (1-based) column."""
        return ReadError(self.reason, column=column, construct=self.construct, fix=self.fix,
                         line=line)

    def shifted(self, offset: int) -> "ReadError":
        """The same error for a formula that starts ``offset`` characters later."""
        if self.offset is None or offset == 0:
            return self
        return ReadError(self.reason, column=self.offset + offset, construct=self.construct,
                         fix=self.fix)
