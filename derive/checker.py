"""Checks one chapter: collects findings and verdicts into the report model, never prints.

Order of work: read the manifest and the chapter file; build the model and check each
forward definition against the stated graph; derive every gradient (chain rule,
cross-checked by a second derivation); check every ``=`` of every claim in both
conventions (per-sample L, batch-mean J); confirm numerically; check captions and notation.
"""
from __future__ import annotations

import itertools
import re
from collections.abc import Collection
from dataclasses import replace

import numpy as np
import sympy

from . import messages
from .calculus.batch import BatchCheck, BatchEvidence, Kept
from .calculus.claim import Claim, agree  # noqa: F401 - importable from here too
from .calculus.local import check_local, is_local
from .calculus.samples import KeepSamples, cost_model
from .calculus.update import without_new_old
from .derivation import Derivation, has_sample_sum
from .diagnosis import Diagnoser, display
from .equivalence import Equivalence
from .errors import CannotEvaluate, CheckTimeout, InputError, NotDense
from .calculus.frontier import prove_equal, shown_gradient, step_check
from .model.objects import PartialBy
from .latex import (Parsed, Partial, SampleOf, parse_formula, split_chain, to_latex,
                    unreadable)
from .manifest import Manifest
from .model.arrays import WrongShape
from .model import (Model, build_model, build_vocabulary, definition_issues, read_definitions,
                    read_graph)
from .model.chapter import roles_by_name
from .numeric import NumericError, NumericRoute, rel_error
from .read.namings import declared_gradient, split_namings
from .report import (BATCH_MEAN, PER_SAMPLE, ChapterResult, EquationResult, Finding,
                     LinkResult, NumericEvidence, Verdict)
from .source import Item
from .timelimit import cpu_seconds, time_limit

WRONG = "wrong"
UNKNOWN = "unknown"
# the cross-check differentiates the composed loss up to this many definitions; beyond,
# where that costs the cube of the depth, it accumulates forward through the definitions
COMPOSED_CROSS_CHECK_NODES = 12
FRONTIER_PROOF = ("equal, proved one chain-rule step at a time with the gradients it names "
                  "kept as unknowns")


class ChapterChecker:
    def __init__(self, manifest: Manifest, items: list[Item], *, numeric: bool = True,
                 seed: int = 0, claim_seconds: float | None = None,
                 focus: Collection[str] | None = None, background: bool = False,
                 cost: bool = False, started: float | None = None,
                 vectorizer=None) -> None:
        # vectorizer(model, derivation, numeric=, seed=) -> (forms, sizes) or NotDense:
        # the vectorized forms of a scalar chapter (derive.vectorize, given by the driver)
        self.vectorizer = vectorizer
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
        vocab = build_vocabulary(self.manifest)
        self.vocab = vocab
        gradients = [k for k, d in self.manifest.symbols.items() if d.role == "gradient"]
        self.items = split_namings(self.items,
                                   lambda name: declared_gradient(name, vocab, gradients))
        self.items = [replace(i, body=without_new_old(i.body)) if i.kind == "update" else i
                      for i in self.items]           # v^{(new)} = v^{(old)} - η G
        if vocab.entries:
            # index notation: one instance of a block per value of its free indices
            from .model.entries import expand_entries
            self.items, index_errors = expand_entries(self.items, vocab)
        else:
            index_errors = {}
        defs, functions, errors = read_definitions(self.items, vocab, roles_by_name(self.manifest, vocab))
        self.errors.update(errors)
        from .model.entries import WrongIndices
        for key, exc in index_errors.items():   # what made the block unusable comes first
            if isinstance(exc, WrongIndices):
                item = next(i for i in self.items if i.id == key)
                finding = Finding("index", exc.message, None, "error")
                if item.kind == "claim":
                    self.results[key] = EquationResult(key, "claim", item.latex,
                                                       Verdict.MISMATCH, item.line,
                                                       findings=(finding,))
                    self.errors.pop(key, None)
                else:
                    self.errors[key] = item.locate(InputError(exc.message))
            else:
                self.errors[key] = exc
        try:
            edges, _ = read_graph(self.items, vocab)
        except InputError as exc:
            self.errors[exc.equation or "graph"] = exc
            edges = set()
        graph_items = [i for i in self.items if i.kind == "graph"]
        try:
            printed = build_model(self.manifest, vocab, defs, functions, edges, graph_items)
            if printed.loss is None and printed.cost is not None and not self.cost_run:
                # a chapter with a cost and no per-sample loss: the cost is the loss
                self.cost_run = True
                self.manifest = replace(self.manifest, conventions=replace(
                    self.manifest.conventions, loss=BATCH_MEAN))
            if self.cost_run:
                printed = cost_model(printed)
        except InputError as exc:
            raise exc.located(file=str(self.manifest.source_path()))
        self._require_loss(printed)
        claims = self._parse_claims(vocab, printed)
        for g in vocab.unspecified_symbols:
            # an application of an unspecified function only a claim makes (g(h_t, w_h)
            # where the chapter computes g(h_t, w_o)): its value and partials are free too
            printed.roles.setdefault(g, "input")
        model, issues = self._choose_model(printed, claims)
        self.model = model
        self.derivation = Derivation(model)
        self.equivalence = Equivalence(self.derivation, seed=self.seed, limit=self.limit)
        self.diagnoser = Diagnoser(self.derivation, self.equivalence)
        self.convention = self._chapter_convention(claims)
        self.gradients = []
        # the vectorized forms need only the chosen model: on a spare core they are
        # computed in a forked process while the claims are checked here
        job = None
        if self.focus is None and self.background and self.vectorizer is not None \
                and not self._broken():
            from . import background
            job = background.start(self._vectorized_forms)
        try:
            if self.focus is None:
                self._cross_check()
                self._definitions(printed, issues, claims)
            self.definitions_done = True
            numeric = None
            if self.numeric_enabled and model.loss_expr is not None:
                s = self.manifest.numeric
                numeric = NumericRoute(self.derivation, samples=s.samples, draws=s.draws,
                                       seed=self.seed)
            self.numeric = numeric
            broken = self._broken()
            self._check_claims(claims, broken)
            if vocab.entries and not broken:
                from .calculus.indices import diagnose_indices
                diagnose_indices(self, claims)
            self._cost_claims(broken)
            self._updates(broken)
            if self.focus is None:
                self._conventions_summary(claims)
                self._captions(claims)
                self._notation(claims)
                self._vectorize(broken, job)
        finally:
            if job is not None:
                job.cancel()          # not collected: the check ended early

    def _broken(self) -> list[str]:
        """Definitions and graph blocks that could not be read (the model is incomplete)."""
        return [i.id for i in self.items if i.kind in ("definition", "graph")
                and i.id in self.errors]

    def focused(self, equation: str) -> bool:
        """Is this equation (or the claim it is a layer instance of) to be checked?"""
        return self.focus is None or equation in self.focus or \
            equation.split("[l=")[0] in self.focus or equation.split("[")[0] in self.focus

    def _check_claims(self, claims: list[Claim], broken: list[str]) -> None:
        """Check every claim, unless the model is incomplete (then its gradients would be
        wrong): each claim is then reported as not checked, naming what is missing."""
        if not broken:
            self._prefetch_numeric(claims)
        for claim in claims:
            if not self.focused(claim.item.id):
                continue
            if broken:
                f = messages.Inconclusive(detail="not checked: the model is incomplete because "
                                          f"{', '.join(broken)} could not be used").finding()
                self.results[claim.item.id] = EquationResult(
                    claim.item.id, "claim", claim.item.latex, Verdict.INCONCLUSIVE,
                    claim.item.line, read_as=self._read_as(claim), findings=(f,))
            else:
                self.results[claim.item.id] = self._check_claim(claim)

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
            self.chapter_findings.append(Finding(
                "vectorized", f"no vectorized form: {exc}", None, "info"))

    def _require_loss(self, model: Model) -> None:
        if model.loss is None:
            raise InputError("no symbol has role = \"loss\" in the manifest",
                             file=self.manifest.path)
        if model.loss_expr is None and not any(
                i.kind == "definition" and i.id in self.errors for i in self.items):
            raise InputError(f"the loss {model.latex(model.loss)} is not defined in the chapter "
                             "(a definition block 'L(y, a) = ...' or 'L = ...')",
                             file=str(self.manifest.source_path()))

    # --- claims -----------------------------------------------------------------------

    def _parse_claims(self, vocab, model: Model) -> list[Claim]:
        claims = []
        for item in self.items:
            if item.kind != "claim" or item.id in self.errors or item.id in self.results:
                continue
            texts = split_chain(item.body)
            try:
                if len(texts) < 2 or not all(texts):
                    unreadable(item.body, vocab)
                    raise InputError("a claim needs at least one '=' with formulas on both sides")
                env = item.bound()
                head = parse_formula(texts[0], vocab, bound=env)
                head = self._loss_call(head, model)
                head = self._named_cost(head, texts, vocab, model, env)
                target = head.expr
                if (isinstance(target, Partial) and model.cost is not None
                        and target.args[0] == model.cost and model.cost != model.loss):
                    self.cost_claims.append(item)        # checked against J's definition
                    continue
                local = is_local(target, model)
                if not (isinstance(target, Partial) and target.args[0] == model.loss) \
                        and not local:
                    raise InputError(messages.NoTarget(lhs=texts[0]).text, token=texts[0])
                var = target.args[1]
                chain_var = var if isinstance(var, sympy.Symbol) else None
                parsed = [head] + [parse_formula(t, vocab, chain_var=chain_var, bound=env)
                                   for t in texts[1:]]
                claims.append(Claim(item, texts, parsed, var,
                                    of=target.args[0] if local else None))
            except WrongShape as exc:          # shapes that do not fit: a wrong formula
                self.results[item.id] = EquationResult(
                    item.id, "claim", item.latex, Verdict.MISMATCH, item.line,
                    findings=(Finding("shape", exc.message, None, "error"),))
            except InputError as exc:
                self.errors[item.id] = item.locate(exc)
        return claims

    @staticmethod
    def _named_cost(head: Parsed, texts, vocab, model: Model, env=None) -> Parsed:
        """``db = \\frac{1}{m}\\sum_i dz^{(i)}``: a named gradient whose sides sum over the
        samples is the cost's (Ng writes db for ∂J/∂b over m samples, ∂L/∂b for one)."""
        e = head.expr
        if not isinstance(e, Partial) or model.cost is None or not vocab.gradients or \
                re.search(r"\\frac|\\partial|\\nabla|\\mathrm\s*\{?d", str(texts[0])):
            return head
        try:
            sides = [parse_formula(t, vocab, bound=env).expr for t in texts[1:]]
        except InputError:
            return head
        if any(has_sample_sum(s) for s in sides):
            return replace(head, expr=Partial(model.cost, e.args[1]))
        return head

    @staticmethod
    def _loss_call(head: Parsed, model: Model) -> Parsed:
        """\frac{dL(a, y)}{da} as a first side: the loss's derivative by a, when the call is
        the chapter's loss itself (the same function, called as the loss is bound)."""
        e = head.expr
        if isinstance(e, sympy.Derivative) and len(e.variables) == 1 and \
                model.loss is not None and model.loss_expr is not None:
            from .derivation import expand_calls
            call = e.expr
            if isinstance(call, sympy.core.function.AppliedUndef) and \
                    str(call.func) == str(model.loss) and \
                    sympy.simplify(expand_calls(call, model) - model.loss_expr) == 0:
                return replace(head, expr=Partial(model.loss, e.variables[0]))
        return head

    def _at_frontier(self, claim: Claim, expr) -> bool:
        """The side equals ∂L/∂target per sample, proved with the gradients it names kept
        as unknowns (calculus.frontier): a one-step formula, ∂L/∂z_3 = ∂L/∂z_4 w_4 σ'(z_3),
        is proved in a few local steps however deep the model. Only plain sides (no sums,
        operators or calls, which have their own readings); otherwise, or without a
        proof, the side is classified the long way. A partial of one quantity by another,
        ∂h^{(t+1)}/∂h^{(t)}, is a local Jacobian entry: it takes its value from the graph,
        as on the long way, and only the loss's gradients stay unknown."""
        if claim.of is not None or not isinstance(claim.target, sympy.Symbol) or \
                expr.has(sympy.Sum, SampleOf, sympy.Derivative, PartialBy,
                         sympy.core.function.AppliedUndef):
            return False
        loss = self.model.loss
        local = {p: self.derivation.gradient(*p.args) for p in expr.atoms(Partial)
                 if p.args[0] != loss}
        if local:
            expr = expr.xreplace(local)
        if not any(p.args[0] == loss for p in expr.atoms(Partial)):
            return False
        return prove_equal(self.derivation, self.equivalence, expr,
                           Partial(self.model.loss, claim.target))

    def _classify(self, value, target_value, target_var, summed=False) -> tuple[str, str]:
        """PER_SAMPLE / BATCH_MEAN / WRONG / UNKNOWN, with the reason for UNKNOWN.

        A side with an explicit sum over the samples can only be batch-mean (or wrong)."""
        cmp = self.equivalence.compare(value, target_value)
        if cmp.equal and not summed:
            return PER_SAMPLE, cmp.detail
        if cmp.equal and summed:
            return WRONG, "a sum over the samples without the 1/m of the mean"
        m = self.model.samples
        if m is not None and target_value != 0:
            cmp_b = self.equivalence.compare(value, target_value / m)
            if cmp_b.equal:
                return BATCH_MEAN, cmp_b.detail
            if cmp_b.equal is None and cmp.equal is False:
                return UNKNOWN, cmp_b.detail
        if cmp.equal is None:
            return UNKNOWN, cmp.detail
        return WRONG, cmp.detail

    def _evaluate(self, claim: Claim, derivation: Derivation | None = None) -> None:
        """The value of every side; a side that is no sum of per-sample terms keeps its
        samples (a :class:`Kept`, checked in explicit batches)."""
        d = derivation or self.derivation
        target = d.gradient(d.model.loss, claim.target)
        claim.values = [target]
        for p in claim.parsed[1:]:
            try:
                claim.values.append(d.value(p.expr))
            except KeepSamples as exc:
                claim.values.append(Kept(p.expr, str(exc)))

    @property
    def batches(self) -> BatchCheck:
        if getattr(self, "_batches", None) is None:
            self._batches = BatchCheck(self.derivation, seed=self.seed, limit=self.limit)
        return self._batches

    def _chapter_convention(self, claims: list[Claim]) -> str:
        declared = self.manifest.conventions.loss
        if declared:
            return declared
        if self.model.samples is None:
            return PER_SAMPLE          # no samples: nothing else a claim could be
        counts = {PER_SAMPLE: 0, BATCH_MEAN: 0}
        for c in claims:
            if c.target in self.model.parameters and c.of is None:
                try:
                    self._evaluate(c)
                    if isinstance(c.values[-1], Kept):
                        continue
                    cls, _ = self._classify(c.values[-1], c.values[0], c.target)
                except Exception:  # noqa: BLE001 - counted as neither
                    continue
                if cls in counts:
                    counts[cls] += 1
        return BATCH_MEAN if counts[BATCH_MEAN] > counts[PER_SAMPLE] else PER_SAMPLE

    def _check_claim(self, claim: Claim) -> EquationResult:
        item = claim.item
        if cpu_seconds() - self.started > self.manifest.limits.chapter_seconds:
            f = messages.Inconclusive(detail="chapter time limit reached before this claim "
                                      f"({self.manifest.limits.chapter_seconds:g} s)").finding()
            return EquationResult(item.id, "claim", item.latex, Verdict.INCONCLUSIVE, item.line,
                                  findings=(f,))
        try:
            # every comparison has the claim limit; the whole claim (all its links, the
            # diagnosis and the numeric route) gets three times that
            with time_limit(3 * self.limit):
                return self._check_claim_inner(claim)
        except CheckTimeout:
            f = messages.Inconclusive(
                detail=f"the claim ran past its time limit ({3 * self.limit:g} s for all its "
                       f"links, {self.limit:g} s per comparison)").finding()
        except NumericError as exc:
            f = messages.Inconclusive(detail=f"numeric route could not evaluate: {exc}").finding()
        except CannotEvaluate as exc:             # a step read but not determined
            f = messages.Inconclusive(detail=str(exc)).finding()
        except (RecursionError, MemoryError, OverflowError) as exc:
            f = messages.Inconclusive(detail=f"gave up: {type(exc).__name__}").finding()
        except InputError:
            raise
        except Exception as exc:  # noqa: BLE001 - a bug in one claim: open, never a verdict
            f = messages.Inconclusive(detail=f"internal error ({type(exc).__name__}: {exc}); "
                                      "a bug in derive, please report it").finding()
        return EquationResult(item.id, "claim", item.latex, Verdict.INCONCLUSIVE, item.line,
                              read_as=self._read_as(claim), findings=(f,))

    def _read_as(self, claim: Claim) -> str:
        return " = ".join(to_latex(p.expr) for p in claim.parsed)

    def _check_claim_inner(self, claim: Claim) -> EquationResult:
        if claim.of is not None:
            return check_local(self, claim)          # ∂A/∂v of a node: calculus.local
        item = claim.item
        self._evaluate(claim)
        target = claim.values[0]
        expected = target if self.convention == PER_SAMPLE else target / self.model.samples
        claim.classes = ["target"]
        details = [""]
        for p, v in zip(claim.parsed[1:], claim.values[1:]):
            if isinstance(v, Kept):
                cls, why = self.batches.classify(v.expr, claim.target, self.model.parameters)
                if cls == UNKNOWN:
                    why = f"with the samples kept: {why}"
            elif self._at_frontier(claim, p.expr):
                cls, why = PER_SAMPLE, FRONTIER_PROOF
            else:
                cls, why = self._classify(v, target, claim.target,
                                          summed=has_sample_sum(p.expr))
            claim.classes.append(cls)
            details.append(why)
        evidence = self._numeric_sides(claim)
        links = []
        for k in range(1, len(claim.texts)):
            links.append(self._check_link(claim, k, expected, details, evidence))
        verdict = Verdict.worst(link.verdict for link in links)
        final_cls = claim.classes[-1]
        convention = final_cls if final_cls in (PER_SAMPLE, BATCH_MEAN) else None
        findings = []
        notes = sorted({n for p in claim.parsed for n in p.notes})
        for n in notes:
            findings.append(Finding("notation", f"read: {n}", None, "info"))
        corrected = None
        if verdict in (Verdict.MISMATCH, Verdict.INCONSISTENT):
            corrected = self._corrected_chain(claim, expected)
        return EquationResult(
            item.id, "claim", item.latex, verdict, item.line, read_as=self._read_as(claim),
            convention=convention, corrected=corrected,
            derived=self._batch_form(claim) if self.cost_run and self.model.samples is not None
            else f"\\frac{{\\partial {self.model.latex(self.model.loss)}}}"
                 f"{{\\partial {self.model.latex(claim.target)}}} = "
                 + sympy.latex(shown_gradient(self.derivation, claim.target, target)
                               if isinstance(claim.target, sympy.Symbol) and claim.of is None
                               else display(target)),
            links=tuple(links), findings=tuple(findings),
            numeric=self._equation_numeric(claim, evidence, convention))

    def _check_link(self, claim: Claim, k: int, expected, details, evidence) -> LinkResult:
        a_cls, b_cls = claim.classes[k - 1], claim.classes[k]
        a_val, b_val = claim.values[k - 1], claim.values[k]
        stated = claim.parsed[k].expr
        findings: list[Finding] = []
        convention = None
        if k == 1 or a_cls in (PER_SAMPLE, BATCH_MEAN) and b_cls in (PER_SAMPLE, BATCH_MEAN):
            # compare side k with what the chain's target means in each convention
            ref_cls = PER_SAMPLE if k == 1 else a_cls
            if b_cls == UNKNOWN:
                verdict = Verdict.INCONCLUSIVE
                findings.append(messages.Inconclusive(detail=details[k]).finding())
            elif b_cls == WRONG:
                verdict, findings = self._wrong_side(claim, k, expected)
            elif k == 1 and b_cls == self.convention or k > 1 and b_cls == ref_cls:
                verdict, convention = Verdict.VERIFIED, b_cls
            elif k > 1 and a_cls != self.convention and b_cls == self.convention:
                # the step returns to the chapter's convention; the previous link said why
                verdict, convention = Verdict.INCONSISTENT, a_cls
                findings.append(self._convention_finding(claim, k - 1, a_cls))
            else:
                verdict, convention = Verdict.INCONSISTENT, b_cls
                findings.append(self._convention_finding(claim, k, b_cls))
        else:
            if isinstance(a_val, Kept) or isinstance(b_val, Kept):
                # two sides, one keeping the samples: compared in the explicit batches
                cmp = self.batches.compare(claim.parsed[k - 1].expr, stated,
                                           *self._per_sample(claim, k - 1, k))
            else:
                cmp = self.equivalence.compare(a_val, b_val)
            if cmp.equal:
                verdict = Verdict.VERIFIED
                convention = b_cls if b_cls in (PER_SAMPLE, BATCH_MEAN) else None
            elif cmp.equal is None:
                verdict = Verdict.INCONCLUSIVE
                findings.append(messages.Inconclusive(detail=cmp.detail).finding())
            elif b_cls in (PER_SAMPLE, BATCH_MEAN):
                swapped = self._argument_order(claim, k - 1)
                if swapped is not None:
                    verdict = Verdict.INCONSISTENT
                    findings.append(swapped)
                else:
                    verdict = Verdict.MISMATCH
                    findings.append(messages.ChainStep(
                        detail="the previous side is already wrong (see the link before)"
                    ).finding())
            else:
                verdict, findings = self._wrong_side(claim, k, expected)
        verdict, findings, link_numeric = self._agree(verdict, findings, claim, k, convention,
                                                      evidence)
        return LinkResult(claim.texts[k - 1], claim.texts[k], verdict, convention,
                          to_latex(claim.parsed[k - 1].expr),
                          to_latex(stated), tuple(findings), link_numeric)

    def _corrected_chain(self, claim: Claim, expected) -> str | None:
        """The printed chain with each side that does not hold in the chapter's convention
        replaced by its verified fix (None when some side has no fix)."""
        sides = [claim.texts[0]]
        for k in range(1, len(claim.texts)):
            cls = claim.classes[k]
            if cls == self.convention:
                sides.append(claim.texts[k])
                continue
            if cls in (PER_SAMPLE, BATCH_MEAN):
                fix = self._convention_finding(claim, k, cls).suggestion
            elif cls == WRONG:
                found = self._wrong_side(claim, k, expected)[1]
                fix = found[0].suggestion if found else None
            else:
                fix = None
            if not fix:
                return None
            sides.append(fix)
        # the corrected chain must itself hold: parse and compare every fixed side
        try:
            for text in sides[1:]:
                value = self.derivation.value(parse_formula(
                    text, self.vocab, chain_var=claim.target).expr)
                if self.equivalence.compare(value, expected).equal is not True:
                    return None
        except (InputError, KeepSamples):
            return None
        return " = ".join(sides) + f" \\tag{{{claim.item.id}}}"

    def _per_sample(self, claim: Claim, *sides: int) -> list[bool]:
        """Which sides are per-sample formulas (read as batch means in a batch)."""
        return [not isinstance(claim.values[k], Kept) and not claim.summed[k] for k in sides]

    def _wrong_side(self, claim: Claim, k: int, expected):
        stated = claim.parsed[k].expr
        m = self.model.samples
        if isinstance(claim.values[k], Kept):
            # no per-sample term to diagnose: the fix is the batch-mean form itself
            detail = claim.values[k].reason
            form = self._batch_form(claim).split(" = ", 1)[1] if m is not None else None
            return Verdict.MISMATCH, [messages.KeptSamples(detail=detail).finding(
                suggestion=form)]
        if claim.summed[k] and m is not None and self.equivalence.compare(
                claim.values[k], claim.values[0]).equal:
            # Σ_i G^(i) with G the per-sample gradient: the mean's 1/m is missing
            fixed = stated / m
            return Verdict.MISMATCH, [messages.MissingMean().finding(
                suggestion=to_latex(fixed))]
        swapped = self._argument_order(claim, k)
        if swapped is not None:
            return Verdict.INCONSISTENT, [swapped]
        diag = self.diagnoser.diagnose(stated, claim.values[k], expected)
        if claim.summed[k] and m is not None:
            # a fix outside the sum would be misread; offer the whole batch-mean form
            form = self._batch_form(claim).split(" = ", 1)[1]
            return Verdict.MISMATCH, [replace(diag.finding, suggestion=form)]
        return Verdict.MISMATCH, [diag.finding]

    def _argument_order(self, claim: Claim, k: int) -> Finding | None:
        """L(a_2, y) where L(y, a) is defined: does the defined order make it hold?"""
        stated = claim.parsed[k].expr
        calls = [c for c in stated.atoms(sympy.core.function.AppliedUndef)
                 if str(c.func) in self.model.functions and len(c.args) > 1]
        for call in calls:
            f = self.model.functions[str(call.func)]
            for perm in itertools.permutations(call.args):
                if tuple(perm) == call.args:
                    continue
                fixed_call = call.func(*perm)
                fixed = stated.xreplace({call: fixed_call})
                if self.diagnoser.holds(fixed, claim.values[0]):
                    defined = to_latex(sympy.Function(f.name)(*f.params))
                    return messages.ArgumentOrder(
                        name=f.name, defined=defined, called=to_latex(call)).finding(
                            suggestion=to_latex(fixed))
        return None

    def _convention_finding(self, claim: Claim, k: int, cls: str) -> Finding:
        stated = claim.parsed[k].expr
        m = self.model.samples
        why = self._convention_reason()
        if cls == BATCH_MEAN:
            from .derivation import strip_sample_sums
            try:
                fixed = to_latex(strip_sample_sums(stated, self.model) * m)
            except KeepSamples:
                fixed = None
            return messages.Convention(why=why).finding(suggestion=fixed)
        fixed = stated / m
        return messages.ConventionOther(why=why).finding(suggestion=to_latex(fixed))

    def _convention_reason(self) -> str:
        if self.cost_run:
            return f"by its definition, {self.model.latex(self.model.loss)} is a mean over the samples"
        if self.manifest.conventions.loss:
            return f"manifest: loss = {self.manifest.conventions.loss}"
        return "most of the chapter's gradients"

    # --- numeric ----------------------------------------------------------------------

    def _prefetch_numeric(self, claims: list[Claim]) -> None:
        """Every finite difference the claims' numeric evidence will ask for, in batched
        forward passes (NumericRoute.prefetch): per claim, one pass each would cost the
        depth of the model again."""
        route = self.numeric
        if route is None:
            return
        loss = self.model.loss
        claims = [c for c in claims if self.focused(c.item.id)]
        exprs = [Partial(loss, c.target) for c in claims if isinstance(c.target, sympy.Symbol)]
        exprs += [p.expr for c in claims for p in c.parsed[1:]]
        params = [c.target for c in claims if c.target in route.model.parameters]
        for draw in route.draws:
            route.prefetch(exprs, draw)
            route.prefetch_batch(params, draw)

    def _numeric_sides(self, claim: Claim):
        if self.numeric is None:
            return None
        if any(isinstance(v, Kept) for v in claim.values):
            if claim.target not in self.model.parameters:
                return None
            s = self.manifest.numeric
            return BatchEvidence(self.batches, claim,
                                 [False] + self._per_sample(claim, *range(1, len(claim.values))),
                                 draws=s.draws, seed=self.seed, tol=s.tolerance)
        return _SideEvidence.measure(self.numeric, claim, self.manifest.numeric.tolerance)

    def _agree(self, verdict, findings, claim: Claim, k: int, convention, evidence):
        """Both routes must agree; a disagreement is never turned into a verdict.

        Returns (verdict, findings, the numeric evidence shown for the link)."""
        if evidence is None:
            return verdict, findings, None
        chapter = evidence.link(k, self.convention, scale=False)
        if chapter.max_rel_error is None:
            return verdict, findings, chapter
        if verdict == Verdict.VERIFIED:
            shown = evidence.link(k, convention or self.convention)
            ok = shown.agrees
        elif verdict == Verdict.MISMATCH:
            shown, ok = chapter, not chapter.agrees
        elif verdict == Verdict.INCONSISTENT and convention in (PER_SAMPLE, BATCH_MEAN) \
                and convention != self.convention:
            own = evidence.link(k, convention)
            shown = replace(chapter, note=f"holds read as {convention}: max rel. error "
                                          f"{own.max_rel_error:.2e}")
            ok = own.agrees and (claim.summed[k] or not chapter.agrees)
        elif verdict == Verdict.INCONSISTENT:
            shown, ok = chapter, not chapter.agrees
        else:
            return verdict, findings, chapter
        if not ok:
            detail = (f"symbolic: {verdict}, numeric: max relative error "
                      f"{shown.max_rel_error:.3g} read as {shown.convention}")
            return (Verdict.INCONCLUSIVE,
                    [*findings, messages.RoutesDisagree(detail=detail).finding()], shown)
        return verdict, findings, shown

    def _equation_numeric(self, claim: Claim, ev, convention) -> NumericEvidence | None:
        if ev is None:
            return None
        return ev.final(convention)

    # --- chapter-level checks --------------------------------------------------------------

    def _choose_model(self, printed: Model, claims: list[Claim]):
        issues = definition_issues(printed)
        fixable = {i.definition.node: i.corrected for i in issues if i.corrected is not None}
        if not fixable:
            return printed, issues
        corrected = printed.with_definitions(fixable)
        self._support = {}
        for name, m in (("printed", printed), ("corrected", corrected)):
            d = Derivation(m)
            eq = Equivalence(d, seed=self.seed, limit=self.limit)
            ok = []
            for c in claims:
                try:
                    target = d.gradient(c.of if c.of is not None else m.loss, c.target)
                    val = d.value(c.parsed[-1].expr)
                    if eq.compare(val, target).equal or (
                            m.samples is not None and target != 0
                            and eq.compare(val, target / m.samples).equal):
                        ok.append(c.item.id)
                except Exception:  # noqa: BLE001 - unsupported under this model: not support
                    continue
            self._support[name] = ok
        self._printed = printed
        if len(self._support["printed"]) > len(self._support["corrected"]):
            return printed, issues
        return corrected, issues

    def _definitions(self, printed: Model, issues, claims) -> None:
        for issue in issues:
            d = issue.definition
            lhs = self.model.latex(d.node)
            support = ""
            sup = getattr(self, "_support", {})
            only_corrected = [i for i in sup.get("corrected", []) if i not in sup.get("printed", [])]
            if only_corrected:
                support = (" and equations " + ", ".join(only_corrected)
                           + " hold only with it")
            used_fix = d.node in self.model.corrected_nodes
            fixed = self._fixed_text(d, issue) if issue.corrected is not None else "?"
            if not issue.uses:
                self.eq_findings.setdefault(d.item.id, []).append(messages.DefinitionUnused(
                    lhs=lhs, rhs=sympy.latex(d.printed_rhs),
                    parents=", ".join(self.model.latex(p) for p in issue.parents)).finding())
                continue
            printed_rhs = split_chain(d.item.body)[1]
            msg = messages.DefinitionGraph(
                lhs=lhs, rhs=printed_rhs,
                uses=", ".join(self.model.latex(u) for u in issue.uses),
                parents=", ".join(self.model.latex(p) for p in issue.parents),
                support=support, fixed=fixed if used_fix else sympy.latex(d.printed_rhs))
            found = [msg.finding(suggestion=f"{lhs} = {fixed}" if issue.corrected is not None
                                 else None)]
            if used_fix:
                found.append(self._printed_implies(printed, d))
            self.eq_findings.setdefault(d.item.id, []).extend(found)

    def _fixed_text(self, d, issue) -> str:
        """The corrected right side written as the author wrote the printed one."""
        text = split_chain(d.item.body)[1]
        for wrong, right in zip(sorted(set(issue.uses) - set(issue.parents), key=str),
                                sorted(set(issue.parents) - set(issue.uses), key=str)):
            for written, canonical in self.vocab.written.items():
                if self.vocab.names[written] == wrong:
                    text = re.sub(rf"(?<![A-Za-z\\]){re.escape(written)}(?![A-Za-z0-9_])",
                                  lambda _m: self.model.latex(right), text)
        try:
            again = parse_formula(text, self.vocab).expr
            if sympy.cancel(again - issue.corrected) == 0:
                return text
        except InputError:
            pass
        return sympy.latex(issue.corrected)

    def _printed_implies(self, printed: Model, d) -> Finding:
        pd = Derivation(printed)
        parts = []
        for v in self._gradient_order(printed):
            g_printed = pd.loss_grads.get(v, sympy.Integer(0))
            g_used = self.derivation.loss_grads.get(v, sympy.Integer(0))
            if sympy.cancel(g_printed - g_used) != 0:
                parts.append(f"\\frac{{\\partial {printed.latex(printed.loss)}}}"
                             f"{{\\partial {printed.latex(v)}}} = {sympy.latex(display(g_printed))}")
        return messages.PrintedImplies(lhs=self.model.latex(d.node),
                                       rhs=split_chain(d.item.body)[1],
                                       grads="; ".join(parts) or "unchanged").finding()

    def _gradient_order(self, model: Model) -> list[sympy.Symbol]:
        nodes = list(reversed(model.order))
        params = sorted(model.parameters, key=lambda s: (-model.layers.get(s, 0), str(s)))
        return nodes + params

    def _cross_check(self) -> None:
        """Chain-rule gradients against a second derivation: sympy.diff of the composed
        loss, or in deep models (where that costs the cube of the depth, and forward
        accumulation its square) one chain-rule step per quantity with sympy.diff of each
        definition (calculus.frontier.step_check: linear in the depth)."""
        m = self.model
        self.gradients = []
        forward = len(m.definitions) > COMPOSED_CROSS_CHECK_NODES
        route = ("one chain-rule step per definition by sympy.diff" if forward
                 else "sympy.diff of the composed loss")
        for v in self._gradient_order(m):
            g = self.derivation.loss_grads.get(v)
            if g is None:
                continue
            self.gradients.append((f"\\frac{{\\partial {m.latex(m.loss)}}}{{\\partial {m.latex(v)}}}",
                                   sympy.latex(shown_gradient(self.derivation, v, g))))
            try:
                if forward:
                    cmp = step_check(self.derivation, self.equivalence, v)
                else:
                    # sympy.diff of the composed loss, written back in the nodes' names
                    direct = self.derivation.abstract(self.derivation.direct_gradient(v),
                                                      keep=v)
                    cmp = self.equivalence.compare(g, direct)
            except Exception as exc:  # noqa: BLE001 - reported, never silent
                cmp = None
                detail = f"{type(exc).__name__}: {exc}"
            else:
                detail = cmp.detail
            if cmp is not None and cmp.equal is None:
                self.chapter_findings.append(messages.CrossCheckUndecided(
                    loss=m.latex(m.loss), var=m.latex(v), route=route,
                    detail=detail).finding())
            elif cmp is None or cmp.equal is not True:
                self.chapter_findings.append(messages.CrossCheck(
                    loss=m.latex(m.loss), var=m.latex(v), route=route,
                    detail=detail).finding())

    def _conventions_summary(self, claims: list[Claim]) -> None:
        batch, per = [], []
        for c in claims:
            if c.target not in self.model.parameters or len(c.classes) != len(c.texts) \
                    or c.of is not None:
                continue
            final = c.classes[-1]
            (batch if final == BATCH_MEAN else per if final == PER_SAMPLE else []).append(c)
        if not batch or not per:
            return
        loss = self.model.latex(self.model.loss)
        minority, majority = (batch, per) if self.convention == PER_SAMPLE else (per, batch)
        fixes = []
        for c in minority:
            form = c.values[0] if self.convention == PER_SAMPLE else c.values[0] / self.model.samples
            fixes.append(f"{c.item.id}: {c.texts[0]} = {sympy.latex(display(form))}")
        other = []
        for c in sorted(per + batch, key=lambda c: self.items.index(c.item)):
            other.append(f"{c.item.id}: {self._batch_form(c)}")
        unsummed = [c.item.id for c in batch if not any(c.summed)]
        if self.convention == PER_SAMPLE:
            advice = ("to keep the per-sample L, change " + "; ".join(fixes)
                      + ". For the batch-mean cost instead, every parameter gradient needs "
                      "the mean over the samples, \\frac{1}{m}\\sum_{i=1}^{m}"
                      + (f" ({', '.join(unsummed)} has the 1/m but no sum)" if unsummed else "")
                      + ": " + "; ".join(other))
        else:
            advice = "to follow the batch-mean cost throughout, change " + "; ".join(fixes)
        f = messages.MixedConventions(batch=", ".join(c.item.id for c in batch),
                                      per=", ".join(c.item.id for c in per), advice=advice)
        self.chapter_findings.append(f.finding(suggestion=" \\\\ ".join(
            x.split(": ", 1)[1] for x in fixes)))
        del loss

    def _batch_form(self, c: Claim) -> str:
        m = self.model
        i = sympy.Symbol("i")
        per_sample = [s for s in m.roles if s not in m.parameters
                      and m.roles[s] not in ("loss", "cost", "samples", "index")]
        g = display(c.values[0])
        body = g.xreplace({s: SampleOf(s, i) for s in per_sample})
        text = sympy.latex(body)
        if isinstance(body, sympy.Add):
            text = f"\\left({text}\\right)"
        cost = next((m.latex(s) for s, r in m.roles.items() if r == "cost"), "J")
        return (f"\\frac{{\\partial {cost}}}{{\\partial {m.latex(c.target)}}} = "
                f"\\frac{{1}}{{{sympy.latex(m.samples)}}}\\sum_{{i=1}}^{{{sympy.latex(m.samples)}}}"
                f" {text}")

    def _captions(self, claims: list[Claim]) -> None:
        captions = [i for i in self.items if i.kind == "caption"]
        if not captions:
            return
        by_id = {c.item.id: c for c in claims}
        captioned = {c.id for c in captions}
        spellings = self._plain_spellings()
        for cap in captions:
            claim = by_id.get(cap.id)
            text = cap.body
            named = self._named_in(text, spellings)
            out = self.eq_findings.setdefault(cap.id, [])
            if claim is None and cap.id not in {i.id for i in self.items if i.kind != "caption"}:
                self.chapter_findings.append(Finding(
                    "caption", f"a caption for {cap.id}, but there is no equation {cap.id}",
                    None, "warning", cap.id))
                continue
            named = named[:1]          # the quantity the caption is about: the first one named
            if claim is not None and named and claim.target not in [s for s, _ in named]:
                out.append(messages.CaptionTarget(
                    named=", ".join(p for _, p in named), eq=cap.id,
                    actual=self.model.latex(claim.target)).finding())
            for sym, plain in named:
                role = self.model.roles.get(sym)
                for said_role, words in self.manifest.caption_roles.items():
                    for w in words:
                        if w in text and said_role != role:
                            right = self.manifest.caption_roles.get(role, ())
                            fix = text.replace(w, right[0]) if right else None
                            out.append(messages.Caption(
                                quantity=plain, said=f"{w} ({said_role.replace('_', ' ')})",
                                actual=f"a {role.replace('_', ' ')}"
                                       + (f" ({right[0]})" if right else "")).finding(
                                           suggestion=fix))
                layer = self.model.layers.get(sym)
                for said_layer, words in self.manifest.caption_layers.items():
                    for w in words:
                        if w in text and layer is not None and said_layer != layer:
                            right = self.manifest.caption_layers.get(layer, ())
                            out.append(messages.Caption(
                                quantity=plain, said=f"{w} (layer {said_layer})",
                                actual=f"in layer {layer}"
                                       + (f" ({right[0]})" if right else "")).finding(
                                           suggestion=text.replace(w, right[0]) if right
                                           else None))
        for c in claims:
            if c.item.id not in captioned and len(captioned) >= 2:
                self.eq_findings.setdefault(c.item.id, []).append(
                    messages.CaptionMissing(eq=c.item.id).finding())

    def _named_in(self, text: str, spellings) -> list:
        """Symbols a caption names, in order of appearance; a one-letter name counts only
        where it cannot be an English article or pronoun, and losses are left out."""
        found = []
        for plain, sym in spellings:
            if self.model.roles.get(sym) in ("loss", "cost", "samples", "index"):
                continue
            for m in re.finditer(rf"(?<![A-Za-z0-9_\\]){re.escape(plain)}(?![A-Za-z0-9_])",
                                 text):
                if len(plain) == 1 and plain in "aAI" and re.match(r"\s+[A-Za-z]",
                                                                     text[m.end():]):
                    continue
                found.append((m.start(), sym, plain))
                break
        found.sort(key=lambda t: t[0])
        out, seen = [], set()
        for _, sym, plain in found:
            if sym not in seen:
                seen.add(sym)
                out.append((sym, plain))
        return out

    def _plain_spellings(self):
        """Plain-text spellings of symbols, as captions write them (z_2, Z_2 -> z2, Z2)."""
        out = []
        for name, canonical in self.vocab.written.items():
            sym = self.vocab.names[name]
            plain = re.sub(r"\\[A-Za-z]+|[{}_\\ ]", "", name)
            if plain:
                out.append((plain, sym))
                if name != plain:
                    out.append((name, sym))
        out.sort(key=lambda t: -len(t[0]))
        return out

    def _notation(self, claims: list[Claim]) -> None:
        uses: dict[str, dict[str, list[str]]] = {}
        parsed_items = [(c.item.id, p) for c in claims for p in c.parsed]
        for item in self.items:
            if item.kind == "definition" and item.id not in self.errors:
                try:
                    for side in split_chain(item.body):
                        if "(" in side and side.split("(")[0].strip() in self.vocab.user_functions:
                            continue
                        parsed_items.append((item.id, parse_formula(side, self.vocab,
                                                                    bound=item.bound())))
                except InputError:
                    continue
        for eid, p in parsed_items:
            eid = eid.rsplit("[", 1)[0] if eid.endswith("]") else eid   # an instance's equation
            for written, canonical in p.spellings:
                if self.vocab.entries:
                    # bold for the vector, plain for its entries: one spelling, as books write
                    written = re.sub(r"\\(?:boldsymbol|mathbf|bm)\{([^{}]*)\}", r"\1", written)
                ids = uses.setdefault(canonical, {}).setdefault(written, [])
                if eid not in ids:
                    ids.append(eid)
        for canonical, spelled in sorted(uses.items()):
            if len(spelled) < 2:
                continue
            where = "; ".join(f"{w} in {', '.join(ids)}" for w, ids in sorted(spelled.items()))
            self.chapter_findings.append(messages.Notation(
                spellings=" and ".join(sorted(spelled)), where=where).finding(
                    suggestion=f"write {self.vocab.canonical_latex[self.vocab.names[canonical]]} "
                               "throughout"))

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
                    findings=(messages.Parse(detail=err.message + (
                        f" (at '{err.token}')" if err.token and err.token not in err.message
                        else "")).finding(),) + extra))
                continue
            if item.id not in self.results and (item.kind in ("claim", "update")
                                                 or self.timed_out
                                                 and not self.definitions_done):
                # the chapter's time limit came first
                f = messages.Inconclusive(detail="not checked: the chapter's time limit "
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
                read_as = self._definition_read_as(item)
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

    def _definition_read_as(self, item: Item) -> str | None:
        if not hasattr(self, "model"):
            return None
        try:
            sides = split_chain(item.body)
            out = []
            for s in sides:
                name = s.split("(")[0].strip()
                if "(" in s and name in self.vocab.user_functions:
                    f = self.model.functions[name]
                    out.append(to_latex(sympy.Function(name)(*f.params)))
                    continue
                bound = item.bound()
                for f in self.model.functions.values():
                    bound.update({str(p): p for p in f.params})
                out.append(to_latex(parse_formula(s, self.vocab, bound=bound).expr))
            return " = ".join(out)
        except InputError:
            return None


class _SideEvidence:
    """Numeric values of every side of one claim, per draw, and the FD oracle.

    Sides are compared in a *reading*: per-sample (each side as a per-sample gradient) or
    batch-mean (each side as its contribution to dJ/dθ, J = mean L). A side the symbolic
    route classified in one convention is scaled by m or 1/m to be read in the other, so
    that the numeric route checks the same statement; for parameters the batch reading is
    also checked as Σ_i side against the finite difference of J itself.
    """

    def __init__(self, route: NumericRoute, claim: Claim, tol: float) -> None:
        self.route = route
        self.claim = claim
        self.tol = tol
        self.sides: list[np.ndarray] = []
        self.batch_oracle: np.ndarray | None = None
        self.note = None
        self.left_out = 0

    @classmethod
    def measure(cls, route: NumericRoute, claim: Claim, tol: float) -> "_SideEvidence | None":
        ev = cls(route, claim, tol)
        try:
            for k, p in enumerate(claim.parsed):
                vals = []
                for draw in route.draws:
                    if k == 0:
                        vals.append(route.oracle(claim.target, draw))
                    else:
                        vals.append(route.side(p.expr, draw))
                ev.sides.append(np.stack(vals))          # (draws, samples)
            if claim.target in route.model.parameters:
                ev.batch_oracle = np.array([route.batch_fd(claim.target, d)
                                            for d in route.draws])
            mask = np.stack([route.away_from_kinks(d) for d in route.draws])
            if not mask.all():
                # near a ReLU kink the finite differences are not derivatives: leave out
                ev.sides = [np.where(mask, s, 0.0) for s in ev.sides]
                ev.left_out = int((~mask).sum())
                ev.note = f"{ev.left_out} points near a ReLU kink left out"
                ev.batch_oracle = None
        except NumericError as exc:
            ev.note = str(exc)
            ev.sides = []
        return ev

    def _in(self, idx: int, reading: str, scale: bool) -> np.ndarray:
        cls = self.claim.classes[idx] if idx < len(self.claim.classes) else None
        base = PER_SAMPLE if cls in ("target", None, WRONG, UNKNOWN) else cls
        if idx == 0:
            base = PER_SAMPLE          # the oracle: per-sample dL/dv
        elif self.claim.summed[idx]:
            base = BATCH_MEAN          # Σ_i G^(i) is a batch quantity, whatever the reading
        elif not scale:
            base = reading             # read literally: the value is what the reading says
        vals = self.sides[idx]
        m = self.route.m
        if base == PER_SAMPLE and reading == BATCH_MEAN:
            return vals / m
        if base == BATCH_MEAN and reading == PER_SAMPLE:
            return vals * m
        return vals

    def compare(self, i: int, j: int, reading: str, scale: bool = True) -> NumericEvidence:
        """Side j against side i, both read in ``reading``; ``scale=False`` reads every side
        literally (what the chapter's own convention says it is)."""
        if not self.sides:
            return NumericEvidence(None, 0, note=self.note)
        a, b = self._in(i, reading, scale), self._in(j, reading, scale)
        err = rel_error(a, b)
        ok = agree(a, b, self.tol)
        note = None
        if reading == BATCH_MEAN and i == 0 and self.batch_oracle is not None:
            sums = b.sum(axis=1)
            err_sum = rel_error(sums, self.batch_oracle)
            ok = ok and agree(sums, self.batch_oracle, self.tol)
            err = max(err, err_sum)
            note = ("sum over the samples against the finite difference of J = mean(L): "
                    f"max rel. error {err_sum:.2e}")
        ratio, text = (None, None) if ok else self._ratio(b.ravel(), a.ravel())
        if self.note:
            note = f"{note}; {self.note}" if note else self.note
        points = self.route.points - self.left_out
        return NumericEvidence(err, points, reading, ratio, text, note, ok)

    def link(self, k: int, reading: str, scale: bool = True) -> NumericEvidence:
        return self.compare(k - 1, k, reading, scale)

    def _ratio(self, stated: np.ndarray, reference: np.ndarray):
        with np.errstate(all="ignore"):
            r = stated / reference
        r = r[np.isfinite(r)]
        if r.size == 0 or not np.allclose(r, r[0], rtol=1e-6, atol=0):
            return None, None
        value = float(r[0])
        m = self.route.m
        for text, cand in ((f"1/m at m={m}", 1 / m), (f"m at m={m}", m), ("-1", -1.0),
                           ("2", 2.0), ("1/2", 0.5)):
            if abs(value - cand) <= 1e-6 * abs(cand):
                return value, text
        return value, f"{value:.6g}"

    def final(self, convention: str | None) -> NumericEvidence:
        return self.compare(0, len(self.claim.parsed) - 1, convention or PER_SAMPLE)
