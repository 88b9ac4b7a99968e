"""Chapters with vectors and matrices: every claim checked entry by entry at explicit sizes.

The forward pass is instantiated at the sizes of ``[sizes]`` (distinct, so that a misplaced
transpose cannot cancel): each entry of each matrix becomes a scalar node, and the scalar
chain-rule engine derives dJ/d(entry) in the chapter's own variables (the entries of
Z, A, ...). A stated matrix formula is evaluated at the same sizes and compared entry by
entry; the numeric route does the same with finite differences of the cost.

Gradient symbols (role "gradient", ``of = "V"``) follow the common convention of vectorized
textbooks: for a per-sample quantity V (a batch matrix with m columns) dV holds the
per-sample loss gradients, dV = m ∂J/∂V; for a parameter dV = ∂J/∂V.
"""
from __future__ import annotations

from dataclasses import replace

import sympy

from .calculus.frontier import LONG_FORM, longer_than, one_step_display, prove_equal
from .calculus.claim import Claim, agree
from .checker import ChapterChecker
from .calculus.derivation import Derivation
from .calculus.equivalence import Equivalence
from .errors import CheckTimeout, InputError
from .model.explicit import ShapeMismatch
from .read.latex import (Partial, parse_formula, to_latex)
from .read.manifest import PARAMETER_ROLES
from .model import build_vocabulary, read_definitions
from .model.chapter import roles_by_name
from .calculus.numeric import NumericRoute
from .report import (BATCH_MEAN, PER_SAMPLE, EquationResult, Finding, LinkResult,
                     Verdict)
from .calculus.claim_parse import claim_sides
from .calculus.matrix_sides import MatrixEvidence, Side, cols, entries, shape_of
from .model.explicit_model import DEFAULT_SAMPLES, setup
from .model.explicit_model import shape_label as _shape
from .rules.diagnose import Diagnoser
from .rules.matrix_diagnose import matrix_fix
from .rules.mismatch import Mismatch
from .rules.notation import read_notes
from .rules.numeric import RoutesDisagree
from .rules.shape import Shape
from .rules.size import OnlyAtSizes
from .rules.timeout import Inconclusive
from .timelimit import cpu_seconds, time_limit



class NotEvaluated(ShapeMismatch):
    """A side that derive cannot evaluate entry by entry (not a wrong formula)."""


def check_at_two_sizes(manifest, items, *, numeric, seed, claim_seconds, focus,
                       started=None, background=False):
    """Check a vectorized chapter at its sizes, then every claim that holds there again
    at a second set of sizes (each size above 1 plus one), so that no size can hide in a
    constant: at m = 4, \\frac{4}{m^2} is \\frac{1}{m} and \\sum_{i=1}^{4} is the sum over
    the samples. A claim that holds only at the first sizes is a mismatch that says so."""
    started = cpu_seconds() if started is None else started
    first = VectorChapterChecker(manifest, items, numeric=numeric, seed=seed,
                                 claim_seconds=claim_seconds, focus=focus,
                                 started=started, background=background).run()
    held = [e.id for e in first.equations if e.kind == "claim" and e.verdict == Verdict.VERIFIED]
    if not held:
        return first
    other = shifted_sizes(manifest)
    left = manifest.limits.chapter_seconds - (cpu_seconds() - started)
    try:
        with time_limit(max(left, 1e-3)):
            # numbers first (cheap, finite differences): only a claim whose sides differ
            # there is checked again at the second sizes, by the routes the run uses
            held = VectorChapterChecker(other, items, numeric=True, seed=seed,
                                        claim_seconds=claim_seconds,
                                        focus=held).numeric_disagreements()
            if not held:
                return first
            second = VectorChapterChecker(other, items, numeric=numeric, seed=seed,
                                          claim_seconds=claim_seconds, focus=held,
                                          started=started, background=background).run()
    except InputError:
        return first            # the chapter does not fit other sizes: the first stands
    except CheckTimeout:
        # a claim verified at one set of sizes only is not verified (a size may hide in a
        # constant): without the second check it stays open
        return _not_checked_again(first, held, manifest)
    again = {e.id: e for e in second.equations}
    out = []
    for e in first.equations:
        e2 = again.get(e.id)
        if e2 is None or e.verdict != Verdict.VERIFIED or e2.verdict == Verdict.VERIFIED:
            out.append(e)
            continue
        note = OnlyAtSizes(sizes=_sizes_text(manifest), other=_sizes_text(other)).finding()
        links = tuple(replace(l, findings=l.findings + (note,)) if l.verdict != Verdict.VERIFIED
                      else l for l in e2.links)
        out.append(replace(e2, links=links, findings=e2.findings + (note,)))
    return replace(first, equations=tuple(out))


def _not_checked_again(first, held, manifest):
    note = Inconclusive(detail="holds at the chapter's sizes, but the chapter's time "
                                 f"limit ({manifest.limits.chapter_seconds:g} s) was reached "
                                 "before the check at a second set of sizes").finding()
    return replace(first, equations=tuple(
        replace(e, verdict=Verdict.INCONCLUSIVE, findings=e.findings + (note,))
        if e.id in held else e for e in first.equations))


def shifted_sizes(manifest):
    """The manifest with every named size above 1 one larger (distinct sizes stay
    distinct; a size of 1, a row or a column, stays one)."""
    sizes = dict(manifest.sizes)
    samples = manifest.conventions.samples
    if samples and samples not in sizes:
        sizes[samples] = DEFAULT_SAMPLES
    return replace(manifest, sizes={k: v + 1 if v > 1 else v for k, v in sizes.items()})


def _sizes_text(manifest) -> str:
    sizes = dict(manifest.sizes)
    samples = manifest.conventions.samples
    if samples and samples not in sizes:
        sizes[samples] = DEFAULT_SAMPLES
    return ", ".join(f"{k}={v}" for k, v in sizes.items())


class VectorChapterChecker(ChapterChecker):
    """ChapterChecker for manifests that declare shapes."""

    MODEL = "matrix"

    def _run(self) -> None:
        man = self.manifest
        vocab = build_vocabulary(man)
        self.vocab = vocab
        defs, functions, errors = read_definitions(self.items, vocab, roles_by_name(self.manifest, vocab))
        self.errors.update(errors)
        self.definitions_by_node = defs
        self._setup(vocab, defs, functions)
        self.definitions_done = True
        claims = self._parse_claims(vocab, self.model)
        self.spare = self._worth_a_helper(claims)
        self.convention = BATCH_MEAN if self.samples_symbol is not None else PER_SAMPLE
        self.gradients = []
        numeric = None
        if self.numeric_enabled:
            numeric = NumericRoute(self.derivation, samples=1,
                                   draws=max(3, man.numeric.draws), seed=self.seed)
        self.numeric = numeric
        broken = [i.id for i in self.items if i.kind == "definition"
                  and (i.id in self.errors or any(f.kind == "shape" and f.severity == "error"
                                                  for f in self.eq_findings.get(i.id, [])))]
        self._check_claims(claims, broken)
        if self.focus is None:
            self._chapter_rules(claims, before_claims=False)

    def numeric_disagreements(self) -> list[str]:
        """Claims (of the focus) whose sides differ numerically from the first side at
        this chapter's sizes: derivatives by finite differences of the cost, no symbolic
        work."""
        vocab = build_vocabulary(self.manifest)
        self.vocab = vocab
        defs, functions, errors = read_definitions(self.items, vocab, roles_by_name(self.manifest, vocab))
        self.definitions_by_node = defs
        self._setup(vocab, defs, functions)
        claims = self._parse_claims(vocab, self.model)
        route = NumericRoute(self.derivation, samples=1,
                             draws=max(3, self.manifest.numeric.draws), seed=self.seed)
        tol = self.manifest.numeric.tolerance
        out = []
        for claim in claims:
            if not self.focused(claim.item.id):
                continue
            try:
                sides = [entries(self.explicit.value(p.expr)) for p in claim.parsed]
                for d in route.draws:
                    route.prefetch([e for entries in sides for e in entries], d)
                values = [[route.side(e, d)[0] for d in route.draws for e in entries]
                          for entries in sides]
                if any(len(v) != len(values[0]) or not agree(values[0], v, tol)
                       for v in values[1:]):
                    out.append(claim.item.id)
            except Exception:  # noqa: BLE001 - anything unclear goes to the full check
                out.append(claim.item.id)
        return out

    # --- the model at explicit sizes -------------------------------------------------

    def _setup(self, vocab, defs, functions) -> None:
        setup(self, vocab, defs, functions)          # the model at explicit sizes
        self.derivation = Derivation(self.model)
        self.equivalence = Equivalence(self.derivation, seed=self.seed, limit=self.limit)
        self.diagnoser = Diagnoser(self.derivation, self.equivalence)
        grads = {}
        for latex, decl in self.manifest.symbols.items():
            if decl.role == "gradient":
                grads[self.symbol_of[latex]] = self.symbol_of[decl.of]
        self.gradient_symbols = grads
        for g, target in grads.items():
            self.explicit.entries[g] = self._gradient_matrix(target)

    def model_roles_guess(self):
        return {s: self.manifest.symbols[latex].role for latex, s in self.symbol_of.items()}

    def _gradient_matrix(self, target):
        cost = self.model.loss
        scale = 1
        decl_role = self.model_roles_guess().get(target)
        shape = self.shapes.get(target)
        if (decl_role not in PARAMETER_ROLES and shape is not None and self.m_value
                and shape[0 if self.rows else 1] == self.m_value):
            scale = self.m_value         # dZ holds per-sample loss gradients: m ∂J/∂Z
        if shape is None:
            return scale * Partial(cost, target)
        return self.explicit.entries[target].applyfunc(lambda e: scale * Partial(cost, e))

    def _partial_hook(self, e, env):
        num, den = e.args
        if num != self.model.loss:
            raise NotEvaluated(f"{to_latex(e)}: only derivatives of the cost are evaluated "
                                "entry by entry")
        if den in self.explicit.entries:
            return self.explicit.entries[den].applyfunc(lambda x: Partial(num, x))
        return e

    # --- claims -----------------------------------------------------------------------

    def _parse_claims(self, vocab, model):
        claims = []
        for item in self.items:
            if item.kind != "claim":
                continue
            try:
                texts = claim_sides(item, vocab)
                head = parse_formula(texts[0], vocab)
                target = self._target_of(head.expr, texts[0])
                parsed = [head] + [parse_formula(t, vocab, chain_var=target) for t in texts[1:]]
                claims.append(Claim(item, texts, parsed, target))
            except InputError as exc:
                self.errors[item.id] = item.locate(exc)
        return claims

    def _target_of(self, head, text):
        if isinstance(head, Partial) and head.args[0] == self.model.loss:
            return head.args[1]
        if head in self.gradient_symbols:
            return self.gradient_symbols[head]
        raise InputError(f"a claim's first side must be \\frac{{\\partial J}}{{\\partial V}} or "
                         f"a declared gradient symbol (role = \"gradient\"); found {text}",
                         token=text)

    def _matrix_values(self, expr):
        return Side(self.explicit.value(expr), self.derivation)

    def _check_claim_inner(self, claim: Claim) -> EquationResult:
        item = claim.item
        target = self._matrix_values(claim.parsed[0].expr)
        head_value = target[0]
        convention = PER_SAMPLE if (claim.parsed[0].expr in self.gradient_symbols
                                   and not _is_param(self, claim.target)
                                   and self.m_value and cols(head_value) == self.m_value) \
            else self.convention
        sides = [target]
        errors = {}
        for k, p in enumerate(claim.parsed[1:], start=1):
            try:
                sides.append(self._matrix_values(p.expr))
            except NotEvaluated as exc:
                sides.append(None)
                errors[k] = exc
            except ShapeMismatch as exc:
                sides.append(None)
                errors[k] = str(exc)
        evidence = self._vector_numeric(claim, sides)
        proved = {k for k in range(1, len(sides)) if self._frontier(sides[k - 1], sides[k])}
        links = []
        for k in range(1, len(claim.texts)):
            links.append(self._vector_link(claim, k, sides, errors, convention, evidence,
                                           k in proved))
        verdict = Verdict.worst(link.verdict for link in links)
        final_ok = links[-1].verdict == Verdict.VERIFIED
        findings = read_notes(claim)
        return EquationResult(
            item.id, "claim", item.latex, verdict, item.line, read_as=self._read_as(claim),
            convention=convention if final_ok else None,
            derived=self._derived(head_value, target, proved == set(range(1, len(sides)))),
            links=tuple(links), findings=tuple(findings),
            numeric=evidence.final_vector(len(claim.texts) - 1) if evidence else None)

    def _prefetch_numeric(self, claims) -> None:
        """Matrix claims prefetch their entries claim by claim (_VectorEvidence)."""

    def _frontier(self, a, b) -> bool:
        """Both sides proved equal entry by entry with the gradients they name kept as
        unknowns (derive.calculus.frontier): no side is written down to the inputs."""
        if a is None or b is None or shape_of(a[0]) != shape_of(b[0]):
            return False
        pairs = list(zip(entries(a[0]), entries(b[0])))
        return all(prove_equal(self.derivation, self.equivalence, x, y) for x, y in pairs)

    def _derived(self, head_value, target, by_frontier: bool) -> str:
        """The derived gradient shown: entry (1,1) in the chapter's variables, or, when
        every link was proved at the frontier and that form is long (deep models), one
        step of the chain rule from it (calculus.frontier.shown_gradient's rule)."""
        first = entries(head_value)[0]
        grads = [self.derivation.loss_grads.get(p.args[1]) for p in first.atoms(Partial)
                 if p.args[0] == self.model.loss]
        if by_frontier and any(g is None or longer_than(g, LONG_FORM) for g in grads):
            text = to_latex(first) + " = " + sympy.latex(one_step_display(self.derivation, first))
        else:
            text = sympy.latex(target.first())
        if isinstance(head_value, sympy.MatrixBase) and len(head_value) > 1:
            return f"{_shape(head_value.shape)} matrix, entry (1,1): " + text
        return text

    def _vector_link(self, claim, k, sides, errors, convention, evidence,
                     proved=False) -> LinkResult:
        a, b = sides[k - 1], sides[k]
        findings: list[Finding] = []
        conv = None
        if (b is None or a is None) and isinstance(errors.get(k) or errors.get(k - 1),
                                                   NotEvaluated):
            # a side derive cannot evaluate entry by entry: open, never a mismatch
            verdict = Verdict.INCONCLUSIVE
            findings.append(Inconclusive(
                detail=f"not evaluated: {errors.get(k) or errors.get(k - 1)}").finding())
        elif b is None or a is None:
            verdict = Verdict.MISMATCH
            detail = errors.get(k) or errors.get(k - 1)
            fix = matrix_fix(self, claim, k, sides[0]) if b is None else None
            findings.append(_shape_finding(f"shape mismatch: {detail}", fix))
        elif shape_of(a[0]) != shape_of(b[0]):
            verdict = Verdict.MISMATCH
            fix = matrix_fix(self, claim, k, sides[0])
            findings.append(_shape_finding(
                f"shape mismatch: the left side is {_shape(shape_of(a[0]))}, the right side "
                f"{_shape(shape_of(b[0]))}", fix))
        elif proved:
            verdict, conv = Verdict.VERIFIED, convention
        else:
            results = [self.equivalence.compare(x, y) for x, y in zip(a[1], b[1])]
            if all(r.equal for r in results):
                verdict, conv = Verdict.VERIFIED, convention
            elif any(r.equal is False for r in results):
                verdict = Verdict.MISMATCH
                fix = matrix_fix(self, claim, k, sides[k - 1])
                findings.append(fix[0].finding(suggestion=fix[1]) if fix
                                else Mismatch().finding())
            else:
                verdict = Verdict.INCONCLUSIVE
                detail = next(r.detail for r in results if r.equal is None)
                findings.append(Inconclusive(detail=detail).finding())
        ev = evidence.link(k) if evidence else None
        if ev is not None and ev.max_rel_error is not None and verdict in (
                Verdict.VERIFIED, Verdict.MISMATCH) and b is not None and a is not None \
                and shape_of(a[0]) == shape_of(b[0]):
            holds = bool(ev.agrees)
            if holds != (verdict == Verdict.VERIFIED):
                verdict = Verdict.INCONCLUSIVE
                findings.append(RoutesDisagree(
                    detail=f"numeric max relative error {ev.max_rel_error:.3g}").finding())
        return LinkResult(claim.texts[k - 1], claim.texts[k], verdict, conv,
                          to_latex(claim.parsed[k - 1].expr), to_latex(claim.parsed[k].expr),
                          tuple(findings), ev)

    # --- numeric -------------------------------------------------------------------------

    def _vector_numeric(self, claim, sides):
        if self.numeric is None:
            return None
        return MatrixEvidence(self.numeric, sides, self.manifest.numeric.tolerance)


def _shape_finding(mismatch: str, fix):
    """DV301 with the shapes; or, when one edit makes the side hold, that edit's rule with
    the shapes before its message."""
    if fix is None:
        return Shape(detail=mismatch).finding()
    found = fix[0].finding(suggestion=fix[1])
    return replace(found, message=f"{mismatch}; {found.message}")


def _is_param(checker, sym) -> bool:
    return checker.model_roles_guess().get(sym) in PARAMETER_ROLES
