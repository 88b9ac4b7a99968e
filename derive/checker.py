"""Checks one chapter: collects findings and verdicts into the report model, never prints.

Order of work: read the manifest and the chapter file; build the model and check each
forward definition against the stated graph; derive every gradient (chain rule,
cross-checked by a second derivation); check every ``=`` of every claim in both
conventions (per-sample L, batch-mean J); confirm numerically; check captions and notation.
"""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace

from .prose import text_of
from .calculus import links
from .calculus.batch import BatchCheck
from .calculus.build import matrix_model, numeric_route, scalar_model
from .calculus.claim import Claim, agree  # noqa: F401 - agree importable here too
from .calculus.claim_parse import definition_read_as
from .calculus.claim_run import check_claims
from .calculus.numeric import NumericError
from .errors import CannotEvaluate, CheckTimeout, InputError, NotDense
from .model import build_vocabulary
from .read.latex import to_latex
from .read.manifest import Manifest
from .read.source import Item
from .report import BATCH_MEAN, ChapterResult, EquationResult, Finding, Verdict
from .rules.parse import Parse
from .rules.run import cancel_beside, collect_beside, run_rules
from .rules.timeout import Inconclusive
from .rules.vectorized import NoVectorizedForm
from .timelimit import cpu_seconds, time_limit


# below this (definitions × claims) a helper costs more than it saves: bundled chapters
# (32-672) ran up to 13 % slower with one, larger copies (4608-13500) 19-38 % faster
SPARE_WORK = 2000


class ChapterChecker:
    """One chapter, in any notation: scalar, index or matrix (``shape`` in the manifest)."""

    def __init__(self, manifest: Manifest, items: list[Item], *, numeric: bool = True,
                 seed: int = 0, claim_seconds: float | None = None,
                 focus: Collection[str] | None = None, background: bool = False,
                 cost: bool = False, started: float | None = None,
                 vectorizer=None) -> None:
        # vectorizer(model, derivation, numeric=, seed=) -> (forms, sizes) or NotDense:
        # the vectorized forms of a scalar chapter (derive.calculus.vectorize, given by the driver)
        self.vectorizer = vectorizer
        # the notation the chapter-level rules are chosen for (derive.rules.run)
        self.notation = "matrix" if manifest.vectorized else "scalar"
        self.explicit = None          # matrix notation: the entries (model.explicit_model)
        self.cost_run = cost          # check the claims about the cost J (see _cost_claims)
        if cost:
            manifest = replace(manifest, conventions=replace(manifest.conventions,
                                                             loss=BATCH_MEAN))
        self.manifest = manifest
        self.focus = frozenset(focus) if focus is not None else None
        self.cost_claims: list[Item] = []
        self.background = background
        self.items = items
        self.numeric_enabled = numeric
        self.seed = seed
        self.limit = claim_seconds or manifest.limits.claim_seconds
        self.started = cpu_seconds() if started is None else started
        self.timed_out = False            # the chapter's time limit ended the run early
        self.definitions_done = False     # every definition has been checked
        self.chapter_findings: list[Finding] = []
        self.eq_findings: dict[str, list[Finding]] = {}
        self.errors: dict[str, InputError] = {}
        self.results: dict[str, EquationResult] = {}
        self.beside: list = []            # rules running in a helper (derive.rules.run)
        self.spare = False                # a helper is worth it (_worth_a_helper)

    # --- driver ------------------------------------------------------------------------

    def run(self) -> ChapterResult:
        """Check the chapter within its time limit (``limits.chapter_seconds``, counted from
        when its files were read): what is not done by then is reported inconclusive."""
        try:
            with time_limit(max(self.remaining(), 1e-3)):
                self._run()
        except CheckTimeout:
            self.timed_out = True
        return self._assemble()

    def remaining(self) -> float:
        return self.manifest.limits.chapter_seconds - (cpu_seconds() - self.started)

    def _run(self) -> None:
        """Read, build the model for the chapter's notation, run the rules that come
        before the claims, check every claim on the one claim path (calculus.links), then
        the rules that read the claims."""
        self.vocab = vocab = build_vocabulary(self.manifest)
        stage = matrix_model if self.manifest.vectorized else scalar_model
        claims = stage(self, vocab)
        self.gradients = []
        self.spare = self._worth_a_helper(claims)
        # the vectorized forms need only the chosen model: on a spare core they are
        # computed in a forked process while the claims are checked here
        job = None
        if self.focus is None and self.background and self.vectorizer is not None \
                and not self._broken():
            from . import background
            job = background.start(self._vectorized_forms)
        try:
            if self.focus is None:
                self._chapter_rules(claims, before_claims=True)
            self.definitions_done = True
            self.numeric = numeric_route(self)
            broken = self._broken()
            check_claims(self, claims, broken)
            if vocab.entries and not broken:
                from .calculus.indices import diagnose_indices
                diagnose_indices(self, claims)
            self._cost_claims(broken)
            self._updates(broken)
            if self.focus is None:
                self._chapter_rules(claims, before_claims=False)
                self._vectorize(broken, job)
        finally:
            cancel_beside(self)       # not collected: the check ended early
            if job is not None:
                job.cancel()

    def _worth_a_helper(self, claims: list[Claim]) -> bool:
        """A spare CPU (``background``) is used for this chapter's rules and claims only
        when the work is large enough to pay for a second process: definitions × claims
        at least SPARE_WORK (benchmarks/spare_cpu.py)."""
        return self.background and len(self.model.definitions) * len(claims) >= SPARE_WORK

    def add(self, finding: Finding, on: str | None = None) -> None:
        """Collect a finding: on equation ``on``, or on the chapter."""
        if on is None:
            self.chapter_findings.append(finding)
        else:
            self.eq_findings.setdefault(on, []).append(finding)

    def _chapter_rules(self, claims: list[Claim], before_claims: bool) -> None:
        """The chapter-level rules (derive.rules.run): after the claims, once what ran
        beside them is collected."""
        if not before_claims:
            collect_beside(self)
        run_rules(self, claims, before_claims)

    def _broken(self) -> list[str]:
        """Definitions and graph blocks that could not be read or whose shape is wrong
        (the model is incomplete)."""
        return [i.id for i in self.items if i.kind in ("definition", "graph")
                and (i.id in self.errors or any(f.kind == "shape" and f.severity == "error"
                                                for f in self.eq_findings.get(i.id, [])))]

    def focused(self, equation: str) -> bool:
        """Is this equation (or the claim it is a layer instance of) to be checked?"""
        return self.focus is None or equation in self.focus or \
            equation.split("[l=")[0] in self.focus or equation.split("[")[0] in self.focus

    def _updates(self, broken: list[str]) -> None:
        """Update rules (w := w - α dw): the step's gradient checked (calculus.update)."""
        from .calculus.update import check_update
        for item in self.items:
            if item.kind != "update" or not self.focused(item.id) or item.id in self.errors:
                continue
            if broken:
                self.errors[item.id] = item.locate(InputError(
                    f"not checked: the model is incomplete because {', '.join(broken)} "
                    "could not be used"))
                continue
            try:
                self.results[item.id] = check_update(self, item)
            except InputError as exc:
                self.errors[item.id] = item.locate(exc)

    def _cost_claims(self, broken: list[str]) -> None:
        """Claims about the cost J, checked against J's own definition in the batch-mean
        convention (a second checker whose loss is J's per-sample term)."""
        todo = [i for i in self.cost_claims if self.focused(i.id)]
        if not todo:
            return
        ids = [i.id for i in todo]
        try:
            if broken:
                raise InputError("the model is incomplete because "
                                 f"{', '.join(broken)} could not be used")
            sub = ChapterChecker(self.manifest, self.items, numeric=self.numeric_enabled,
                                 seed=self.seed, claim_seconds=self.limit, focus=ids,
                                 cost=True, started=self.started).run()
        except InputError as exc:
            for item in todo:
                self.errors[item.id] = InputError(exc.message, file=item.file, line=item.line,
                                                  equation=item.id)
            return
        for e in sub.equations:
            if e.id in ids and e.kind == "claim":
                if e.verdict == Verdict.ERROR:
                    self.errors[e.id] = InputError(e.findings[0].message if e.findings
                                                   else "cannot be read")
                else:
                    self.results[e.id] = e

    def _vectorized_forms(self):
        return self.vectorizer(self.model, self.derivation, numeric=self.numeric_enabled,
                               seed=self.seed)

    def _vectorize(self, broken, job=None) -> None:
        """The batch (matrix) form of every gradient, checked entry by entry (or collected
        from ``job``, which computed them in another process)."""
        self.vectorized, self.vectorized_sizes = (), ""
        if broken or self.vocab.entries or self.vectorizer is None:
            return                   # (index notation: its entries are the quantities)
        try:
            self.vectorized, self.vectorized_sizes = (
                job.result() if job is not None else self._vectorized_forms())
        except NotDense:
            return
        except (InputError, CheckTimeout) as exc:
            self.add(NoVectorizedForm(why=str(exc)).finding())

    # --- claims -----------------------------------------------------------------------

    @property
    def batches(self) -> BatchCheck:
        if getattr(self, "_batches", None) is None:
            self._batches = BatchCheck(self.derivation, seed=self.seed, limit=self.limit)
        return self._batches

    def _check_claim(self, claim: Claim) -> EquationResult:
        item = claim.item
        if cpu_seconds() - self.started > self.manifest.limits.chapter_seconds:
            f = Inconclusive(detail="chapter time limit reached before this claim "
                                      f"({self.manifest.limits.chapter_seconds:g} s)").finding()
            return EquationResult(item.id, "claim", item.latex, Verdict.INCONCLUSIVE, item.line,
                                  findings=(f,))
        try:
            # every comparison has the claim limit; the whole claim (all its links, the
            # diagnosis and the numeric route) gets three times that
            with time_limit(3 * self.limit):
                return links.check_claim(self, claim)
        except CheckTimeout:
            f = Inconclusive(
                detail=f"the claim ran past its time limit ({3 * self.limit:g} s for all its "
                       f"links, {self.limit:g} s per comparison)").finding()
        except NumericError as exc:
            f = Inconclusive(detail="numeric route could not evaluate: " + text_of(exc)
                             ).finding()
        except CannotEvaluate as exc:             # a step read but not determined
            f = Inconclusive(detail=text_of(exc)).finding()
        except (RecursionError, MemoryError, OverflowError) as exc:
            f = Inconclusive(detail=f"gave up: {type(exc).__name__}").finding()
        except InputError:
            raise
        except Exception as exc:  # noqa: BLE001 - a bug in one claim: open, never a verdict
            f = Inconclusive(detail=f"internal error ({type(exc).__name__}: {exc}); "
                                      "a bug in derive, please report it").finding()
        return EquationResult(item.id, "claim", item.latex, Verdict.INCONCLUSIVE, item.line,
                              read_as=self._read_as(claim), findings=(f,))

    def _read_as(self, claim: Claim) -> str:
        return " = ".join(to_latex(p.expr) for p in claim.parsed)

    # --- assembly ---------------------------------------------------------------------

    def _assemble(self) -> ChapterResult:
        equations = []
        captioned_only = {i.id for i in self.items if i.kind == "caption"}
        for item in self.items:
            if item.kind == "caption" or not self.focused(item.id):
                continue
            extra = tuple(self.eq_findings.get(item.id, []))
            if item.id in self.errors:
                err = self.errors[item.id]
                equations.append(EquationResult(
                    item.id, "definition" if item.kind == "definition" else "claim",
                    item.latex, Verdict.ERROR, item.line,
                    findings=(Parse(detail=err.message + (
                        f" (at '{err.token}')" if err.token and err.token not in err.message
                        else "")).finding(),) + extra))
                continue
            if item.id not in self.results and (item.kind in ("claim", "update")
                                                 or self.timed_out
                                                 and not self.definitions_done):
                # the chapter's time limit came first
                f = Inconclusive(detail="not checked: the chapter's time limit "
                                          f"({self.manifest.limits.chapter_seconds:g} s) was "
                                          "reached first").finding()
                equations.append(EquationResult(
                    item.id, "definition" if item.kind == "definition" else "claim",
                    item.latex, Verdict.INCONCLUSIVE, item.line, findings=(f,) + extra))
                continue
            if item.kind in ("claim", "update"):
                r = self.results[item.id]
                equations.append(replace(r, findings=r.findings + extra))
                continue
            verdict = Verdict.VERIFIED
            if any(f.kind == "definition" and f.severity == "error" for f in extra):
                verdict = Verdict.INCONSISTENT
            if any(f.kind == "shape" and f.severity == "error" for f in extra):
                verdict = Verdict.MISMATCH
            read_as = None
            if item.kind == "definition":
                read_as = definition_read_as(self, item)
            corrected = next((f.suggestion for f in extra if f.kind == "definition"
                              and f.severity == "error" and f.suggestion), None)
            equations.append(EquationResult(item.id, "definition", item.latex, verdict,
                                            item.line, read_as=read_as, findings=extra,
                                            corrected=corrected))
        del captioned_only
        result = ChapterResult(
            file=str(self.manifest.source_path()), title=self.manifest.title,
            convention=getattr(self, "convention", None),
            findings=tuple(self.chapter_findings), equations=tuple(equations),
            gradients=tuple(getattr(self, "gradients", ())), seed=self.seed,
            vectorized=tuple(getattr(self, "vectorized", ())),
            vectorized_sizes=getattr(self, "vectorized_sizes", ""))
        vocab = getattr(self, "vocab", None)
        if vocab is not None and vocab.entries and self.focus is None:
            # index notation: one row per printed equation (derive.model.entries)
            from .model.entries import merge_instances
            result = merge_instances(result, vocab.outside, vocab.index_fixes)
        return result

