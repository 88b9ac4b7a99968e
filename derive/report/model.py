"""The immutable report model: every renderer reads it, none recomputes it.

>>> f = Finding(kind="factor", message="off by 1/m", suggestion=r"(a - y) x")
>>> f.severity
'error'
>>> Verdict.worst(["verified", "inconsistent", "verified"])
'inconsistent'
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from ..prose import Prose


class Verdict:
    """Verdict names, worst first."""

    ERROR = "error"
    MISMATCH = "mismatch"
    INCONSISTENT = "inconsistent"
    INCONCLUSIVE = "inconclusive"
    VERIFIED = "verified"
    ORDER = (ERROR, MISMATCH, INCONSISTENT, INCONCLUSIVE, VERIFIED)

    @classmethod
    def worst(cls, verdicts) -> str:
        verdicts = list(verdicts)
        if not verdicts:
            return cls.VERIFIED
        return min(verdicts, key=cls.ORDER.index)


PER_SAMPLE = "per-sample"
BATCH_MEAN = "batch-mean"


@dataclass(frozen=True)
class Finding:
    """One thing the checker found. ``suggestion`` is LaTeX (a corrected formula) or None."""

    kind: str
    message: str
    suggestion: str | None = None
    severity: str = "error"          # error | warning | info
    equation: str | None = None      # set on chapter-level findings that point at one equation
    code: str | None = None          # the rule's stable code (derive.rules), e.g. "DV102"
    suppressed: bool = False         # accepted by the author (% derive: ignore[CODE])
    math: tuple[tuple[int, int], ...] = ()   # (start, end) of the message's LaTeX parts

    @property
    def prose(self) -> Prose:
        """The message, knowing which parts of it are LaTeX (for MathML or ``$…$``)."""
        return Prose(self.message, self.math)

    @property
    def label(self) -> str:
        """``DV102 sign``: the code and the kind, as reports print them (``, suppressed``
        after a finding the author accepted)."""
        label = f"{self.code} {self.kind}" if self.code else self.kind
        return label + (", suppressed" if self.suppressed else "")

    def to_dict(self) -> dict:
        d = {"code": self.code, "kind": self.kind, "message": self.message,
             "suggestion": self.suggestion, "severity": self.severity}
        if self.equation is not None:
            d["equation"] = self.equation
        if self.suppressed:
            d["suppressed"] = True
        if self.math:
            d["math"] = [list(span) for span in self.math]
        return d


@dataclass(frozen=True)
class NumericEvidence:
    """What the NumPy route measured for one formula against the finite-difference oracle."""

    max_rel_error: float | None       # max |a-b|/max(|a|,|b|,1e-12) over all points
    points: int                       # how many (sample, parameter draw) points
    convention: str | None = None     # reading the error was measured in
    ratio: float | None = None        # stated/oracle when that ratio is constant
    ratio_text: str | None = None     # the ratio explained, e.g. "1/m at m=32"
    note: str | None = None
    agrees: bool | None = None        # within tolerance (relative, or FD noise absolutely)

    def to_dict(self) -> dict:
        return {"max_rel_error": self.max_rel_error, "points": self.points,
                "convention": self.convention, "ratio": self.ratio,
                "ratio_text": self.ratio_text, "note": self.note, "agrees": self.agrees}


@dataclass(frozen=True)
class LinkResult:
    """One ``=`` of a chain: ``lhs = rhs``."""

    lhs: str
    rhs: str
    verdict: str
    convention: str | None = None
    lhs_read: str | None = None      # what the front end read, back as LaTeX
    rhs_read: str | None = None
    findings: tuple[Finding, ...] = ()
    numeric: NumericEvidence | None = None

    def to_dict(self) -> dict:
        return {"lhs": self.lhs, "rhs": self.rhs, "verdict": self.verdict,
                "convention": self.convention, "lhs_read": self.lhs_read,
                "rhs_read": self.rhs_read,
                "findings": [f.to_dict() for f in self.findings],
                "numeric": self.numeric.to_dict() if self.numeric else None}


@dataclass(frozen=True)
class EquationResult:
    id: str
    kind: str                        # definition | claim
    latex: str
    verdict: str
    line: int | None = None
    read_as: str | None = None
    convention: str | None = None
    derived: str | None = None       # the engine's own gradient, LaTeX
    corrected: str | None = None     # the whole printed chain with every wrong side fixed
    links: tuple[LinkResult, ...] = ()
    findings: tuple[Finding, ...] = ()
    numeric: NumericEvidence | None = None
    file: str | None = None          # the file it is in, when not the chapter's (\input)
    where: str | None = None         # a notebook's "cell 3"
    column: int | None = None        # the column of the formula's first character on ``line``
    end_line: int | None = None      # where its last character is (its \tag not included)
    end_column: int | None = None

    def place(self, chapter_file: str) -> str:
        """``file:line``, or ``file (cell 3):line`` in a notebook."""
        where = f" ({self.where})" if self.where else ""
        return f"{self.file or chapter_file}{where}" + (f":{self.line}" if self.line else "")

    @property
    def summary(self) -> str:
        """One line: the first error finding's message, else the first warning's, else ''."""
        first = self.summary_finding
        return first.message if first else ""

    @property
    def summary_finding(self) -> "Finding | None":
        """The finding the summary is: the first error, else the first warning."""
        for sev in ("error", "warning"):
            for f in self.all_findings:
                if f.severity == sev and not f.suppressed:
                    return f
        return None

    def _repr_html_(self) -> str:
        """Jupyter shows one equation as the HTML report of it alone."""
        one = Report((ChapterResult(self.file or "", equations=(self,)),))
        return RENDERER["to_string"](one, "html", standalone=False)

    @property
    def all_findings(self) -> tuple[Finding, ...]:
        """Its own findings, then each link's."""
        return (*self.findings, *(f for link in self.links for f in link.findings))

    def with_findings(self, change) -> "EquationResult":
        """The equation with ``change(finding)`` for each of its and its links' findings."""
        return replace(self, findings=tuple(change(f) for f in self.findings),
                       links=tuple(replace(link, findings=tuple(change(f) for f in link.findings))
                                   for link in self.links))

    @property
    def accepted(self) -> bool:
        """Not verified, but every error and warning on it was suppressed by the author
        (``% derive: ignore[CODE]``): it does not fail the check."""
        if self.verdict in (Verdict.VERIFIED, Verdict.ERROR):
            return False
        found = [f for f in self.all_findings if f.severity in ("error", "warning")]
        return bool(found) and all(f.suppressed for f in found)

    def to_dict(self) -> dict:
        return {"id": self.id, "kind": self.kind, "latex": self.latex, "line": self.line,
                "verdict": self.verdict, "read_as": self.read_as,
                "convention": self.convention, "derived": self.derived,
                "corrected": self.corrected,
                "links": [link.to_dict() for link in self.links],
                "findings": [f.to_dict() for f in self.findings],
                "numeric": self.numeric.to_dict() if self.numeric else None,
                **({"file": self.file} if self.file else {}),
                **({"where": self.where} if self.where else {}),
                **({"column": self.column} if self.column else {}),
                **({"end_line": self.end_line, "end_column": self.end_column}
                   if self.end_line and self.end_column else {})}


@dataclass(frozen=True)
class VectorForm:
    """A vectorized form of a chapter's gradient (derive.calculus.vectorize) and its verdict."""
    of: str            # e.g. dW_2
    latex: str         # the vectorized formula, LaTeX
    verdict: str
    shape: str = ""
    note: str = ""

    def to_dict(self) -> dict:
        return {"of": self.of, "latex": self.latex, "verdict": self.verdict,
                "shape": self.shape, "note": self.note}


@dataclass(frozen=True)
class ChapterResult:
    file: str
    title: str = ""
    convention: str | None = None
    findings: tuple[Finding, ...] = ()
    equations: tuple[EquationResult, ...] = ()
    gradients: tuple[tuple[str, str], ...] = ()   # (d L / d v as LaTeX, derived LaTeX)
    seed: int | None = None
    vectorized: tuple = ()                        # VectorForm, checked
    vectorized_sizes: str = ""

    @property
    def verdict(self) -> str:
        return Verdict.worst(e.verdict for e in self.equations)

    def to_dict(self) -> dict:
        return {"file": self.file, "title": self.title, "convention": self.convention,
                "verdict": self.verdict,
                "findings": [f.to_dict() for f in self.findings],
                "gradients": [{"of": of, "derived": d} for of, d in self.gradients],
                "vectorized": {"sizes": self.vectorized_sizes,
                               "forms": [v.to_dict() for v in self.vectorized]},
                "equations": [e.to_dict() for e in self.equations]}


@dataclass(frozen=True)
class Report:
    chapters: tuple[ChapterResult, ...] = ()
    errors: tuple[str, ...] = ()      # one-line input errors that stopped a chapter
    seed: int = 0
    numeric: bool = True
    version: int = 1

    @property
    def exit_code(self) -> int:
        """0 all verified, 1 some claim not verified, 2 bad input."""
        if self.errors or any(e.verdict == Verdict.ERROR
                              for c in self.chapters for e in c.equations):
            return 2
        if all(e.verdict == Verdict.VERIFIED or e.accepted
               for c in self.chapters for e in c.equations):
            return 0
        return 1

    def __repr__(self) -> str:
        """Short: ``<Report: 14 equations: 3 inconsistent, 11 verified; 1 chapter>``."""
        n = len(self.chapters)
        return (f"<Report: {RENDERER['summary'](self)}; {n} chapter{'' if n == 1 else 's'}"
                f"{f', {len(self.errors)} unread' if self.errors else ''}>")

    def _repr_html_(self) -> str:
        """Jupyter shows the report as the HTML format (a fragment with its own style)."""
        return RENDERER["to_string"](self, "html", standalone=False)

    def _repr_markdown_(self) -> str:
        """The Markdown errata, for front ends that prefer Markdown."""
        return RENDERER["to_string"](self, "markdown")

    def to_dict(self) -> dict:
        return {"version": self.version, "seed": self.seed, "numeric": self.numeric,
                "errors": list(self.errors),
                "chapters": [c.to_dict() for c in self.chapters]}


# the report's renderers (derive.report.formats) register their ``render_to_string`` here
# when the package is imported: the model never imports its renderers
RENDERER: dict = {}


# --- read back (derive.cache keeps checked chapters as JSON) ----------------------------

def chapter_from_dict(d: dict, seed: int | None = None) -> ChapterResult:
    """The :class:`ChapterResult` that ``to_dict`` wrote (``seed`` is not in it); a
    malformed dict raises KeyError, TypeError or ValueError.

    >>> c = ChapterResult("ch.tex", "t", findings=(Finding("notation", "z and Z"),))
    >>> chapter_from_dict(c.to_dict()) == c
    True
    """
    forms = d["vectorized"]
    return ChapterResult(
        file=_str(d["file"]), title=_str(d["title"]), convention=_opt(d["convention"]),
        findings=tuple(_finding(f) for f in d["findings"]),
        equations=tuple(_equation(e) for e in d["equations"]),
        gradients=tuple((_str(g["of"]), _str(g["derived"])) for g in d["gradients"]),
        seed=seed,
        vectorized=tuple(VectorForm(_str(v["of"]), _str(v["latex"]), _str(v["verdict"]),
                                    _str(v["shape"]), _str(v["note"])) for v in forms["forms"]),
        vectorized_sizes=_str(forms["sizes"]))


def _str(x) -> str:
    if not isinstance(x, str):
        raise TypeError(f"expected a string, not {type(x).__name__}")
    return x


def _opt(x):
    return None if x is None else _str(x)


def _finding(d: dict) -> Finding:
    suppressed = d.get("suppressed", False)
    if not isinstance(suppressed, bool):
        raise TypeError("suppressed")
    message = _str(d["message"])
    math = tuple((a, b) for a, b in d.get("math", ()))
    if any(isinstance(x, bool) or not isinstance(x, int) or not 0 <= x <= len(message)
           for span in math for x in span):
        raise ValueError("math: spans of the message")
    return Finding(_str(d["kind"]), message, _opt(d["suggestion"]), _str(d["severity"]),
                   _opt(d.get("equation")), _opt(d.get("code")), suppressed, math)


def _number(x):
    if x is not None and (isinstance(x, bool) or not isinstance(x, (int, float))):
        raise TypeError("expected a number")
    return x


def _numeric(d: dict | None) -> NumericEvidence | None:
    if d is None:
        return None
    agrees = d["agrees"]
    if agrees is not None and not isinstance(agrees, bool) or \
            isinstance(d["points"], bool) or not isinstance(d["points"], int):
        raise TypeError("agrees, points")
    return NumericEvidence(_number(d["max_rel_error"]), d["points"], _opt(d["convention"]),
                           _number(d["ratio"]), _opt(d["ratio_text"]), _opt(d["note"]),
                           agrees)


def _equation(d: dict) -> EquationResult:
    links = tuple(LinkResult(_str(k["lhs"]), _str(k["rhs"]), _str(k["verdict"]),
                             _opt(k["convention"]), _opt(k["lhs_read"]), _opt(k["rhs_read"]),
                             tuple(_finding(f) for f in k["findings"]), _numeric(k["numeric"]))
                  for k in d["links"])
    line, column, end_line, end_column = (d["line"], d.get("column"), d.get("end_line"),
                                          d.get("end_column"))
    for value in (line, column, end_line, end_column):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise TypeError("line, column")
    return EquationResult(_str(d["id"]), _str(d["kind"]), _str(d["latex"]), _str(d["verdict"]),
                          line, _opt(d["read_as"]), _opt(d["convention"]), _opt(d["derived"]),
                          _opt(d["corrected"]), links, tuple(_finding(f) for f in d["findings"]),
                          _numeric(d["numeric"]), _opt(d.get("file")), _opt(d.get("where")),
                          column, end_line, end_column)
