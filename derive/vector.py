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

import itertools
from dataclasses import replace

import sympy

from . import messages
from .calculus.frontier import LONG_FORM, longer_than, one_step_display, prove_equal
from .calculus.claim import Claim, agree
from .checker import ChapterChecker
from .derivation import Derivation
from .diagnosis import Diagnoser
from .equivalence import Equivalence
from .errors import CheckTimeout, InputError
from .explicit import Explicit, ShapeMismatch, shape_text
from .latex import (Hadamard, Partial, SampleOf, Transposed, parse_formula, split_chain,
                    to_latex, unreadable)
from .manifest import PARAMETER_ROLES
from .model import Definition, Model, _topological, build_vocabulary, read_definitions
from .model.chapter import roles_by_name
from .numeric import NumericRoute
from .report import (BATCH_MEAN, PER_SAMPLE, EquationResult, Finding, LinkResult,
                     NumericEvidence, Verdict)
from .timelimit import cpu_seconds, time_limit

DEFAULT_SAMPLES = 4


class NotEvaluated(ShapeMismatch):
    """A side that derive cannot evaluate entry by entry (not a wrong formula)."""


def check_at_two_sizes(manifest, items, *, numeric, seed, claim_seconds, focus,
                       started=None):
    """Check a vectorized chapter at its sizes, then every claim that holds there again
    at a second set of sizes (each size above 1 plus one), so that no size can hide in a
    constant: at m = 4, \\frac{4}{m^2} is \\frac{1}{m} and \\sum_{i=1}^{4} is the sum over
    the samples. A claim that holds only at the first sizes is a mismatch that says so."""
    started = cpu_seconds() if started is None else started
    first = VectorChapterChecker(manifest, items, numeric=numeric, seed=seed,
                                 claim_seconds=claim_seconds, focus=focus,
                                 started=started).run()
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
                                          started=started).run()
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
        note = Finding("size", f"holds at {_sizes_text(manifest)} but not at "
                       f"{_sizes_text(other)}: a size is written as a number (or a number "
                       "as a size)", None, "error")
        links = tuple(replace(l, findings=l.findings + (note,)) if l.verdict != Verdict.VERIFIED
                      else l for l in e2.links)
        out.append(replace(e2, links=links, findings=e2.findings + (note,)))
    return replace(first, equations=tuple(out))


def _not_checked_again(first, held, manifest):
    note = messages.Inconclusive(detail="holds at the chapter's sizes, but the chapter's time "
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
            self._captions(claims)
            self._notation(claims)

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
                sides = [_entries(self.explicit.value(p.expr)) for p in claim.parsed]
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
        man = self.manifest
        names = {decl.latex: vocab.names[vocab.written[_name(latex, vocab)]]
                 for latex, decl in man.symbols.items()}
        self.symbol_of = names
        samples = man.conventions.samples
        sizes = dict(man.sizes)
        if samples and samples not in sizes:
            sizes[samples] = DEFAULT_SAMPLES
        self.sizes = sizes
        shapes, numbers = {}, {}
        for latex, decl in man.symbols.items():
            sym = names[latex]
            if decl.shape is not None:
                for d in decl.shape:
                    if isinstance(d, str) and d not in sizes:
                        raise InputError(f"symbols.{latex}.shape uses {d!r}, which has no size: "
                                         "give it in [sizes] (or [layers] widths for n^{[k]})",
                                         file=man.path)
                shapes[sym] = tuple(d if isinstance(d, int) else sizes[d] for d in decl.shape)
            if latex == samples:
                numbers[sym] = sympy.Integer(sizes[samples])
        self.m_value = sizes.get(samples) if samples else None
        self.samples_symbol = names.get(samples) if samples else None
        self.shapes = shapes
        self.rows = man.conventions.examples == "rows"
        self.explicit = Explicit(shapes, numbers, {Partial: self._partial_hook}, rows=self.rows)
        # simplex labels: the last row is 1 minus the others, so each column sums to one
        for latex, decl in man.symbols.items():
            if decl.simplex:
                mat = self.explicit.entries[names[latex]]
                if self.rows:                    # each row sums to one: its last column
                    for r in range(mat.rows):
                        mat[r, mat.cols - 1] = 1 - sum(mat[r, j] for j in range(mat.cols - 1))
                    continue
                for j in range(mat.cols):
                    mat[mat.rows - 1, j] = 1 - sum(mat[r, j] for r in range(mat.rows - 1))
        # column_of: x^{(i)} is column i of X
        for latex, decl in man.symbols.items():
            if decl.column_of:
                self.explicit.entries[names[latex]] = self.explicit.entries[names[decl.column_of]]
        cost = [s for latex, s in names.items() if man.symbols[latex].role in ("cost", "loss")]
        if not cost:
            raise InputError("no symbol has role = \"cost\" (or \"loss\") in the manifest",
                             file=man.path)
        roles = {}
        for latex, decl in man.symbols.items():
            sym = names[latex]
            if sym in self.explicit.entries and decl.role != "gradient" and not decl.column_of:
                for e in self.explicit.entries[sym]:
                    if isinstance(e, sympy.Symbol):      # not a simplex's dependent entry
                        roles[e] = decl.role
            elif decl.shape is None and decl.role not in ("gradient",):
                roles[sym] = decl.role
        entry_defs: dict[sympy.Symbol, Definition] = {}
        loss_sym, loss_expr = None, None
        self.definition_values = {}
        for node, d in defs.items():
            try:
                value = self.explicit.value(d.rhs)
            except ShapeMismatch as exc:
                self.errors[d.item.id] = InputError(f"shape mismatch: {exc}", file=d.item.file,
                                                    line=d.item.line, equation=d.item.id)
                continue
            if node in cost:
                if isinstance(value, sympy.MatrixBase):
                    self.errors[d.item.id] = InputError(
                        f"the cost must be a scalar, not {shape_text(value)}",
                        file=d.item.file, line=d.item.line, equation=d.item.id)
                    continue
                loss_sym, loss_expr = node, value
                continue
            want = shapes.get(node)
            got = value.shape if isinstance(value, sympy.MatrixBase) else None
            if want is not None and want != (got or (1, 1)) or want is None and got not in (
                    None, (1, 1)):
                self.eq_findings.setdefault(d.item.id, []).append(Finding(
                    "shape", f"{to_latex(node)} is declared {_shape(want)} but its definition "
                    f"is {_shape(got)}", None, "error"))
                continue
            self.definition_values[node] = value
            if want is None:
                entry_defs[node] = Definition(node, sympy.sympify(value), d.item, d.rhs)
                continue
            for (i, j), e in zip(itertools.product(range(want[0]), range(want[1])),
                                 self.explicit.entries[node]):
                entry_defs[e] = Definition(e, value[i, j], d.item, d.rhs)
        if loss_expr is None:
            failed = [e for k, e in self.errors.items()
                      if any(d.node in cost and d.item.id == k for d in defs.values())]
            cost_item = [i for i in self.items if i.kind == "definition" and i.id in self.errors
                         and split_chain(i.body)[0].strip() in {man.symbols[l].latex for l in man.symbols
                                                                if names[l] in cost}]
            if failed or cost_item:
                raise (failed or [self.errors[cost_item[0].id]])[0]
            loss_sym, loss_expr = self._implied_cost(cost[0], functions, defs)
        leaves = [s for s in roles if s not in entry_defs and roles[s] not in (
            "loss", "cost", "samples", "index")]
        order = _topological(entry_defs, leaves)
        self.model = Model(vocab, man, roles, {}, entry_defs, order, set(), functions,
                           loss_sym, loss_expr, None, None)
        self.derivation = Derivation(self.model)
        self.equivalence = Equivalence(self.derivation, seed=self.seed, limit=self.limit)
        self.diagnoser = Diagnoser(self.derivation, self.equivalence)
        grads = {}
        for latex, decl in man.symbols.items():
            if decl.role == "gradient":
                grads[names[latex]] = names[decl.of]
        self.gradient_symbols = grads
        for g, target in grads.items():
            self.explicit.entries[g] = self._gradient_matrix(target)

    def _implied_cost(self, cost_sym, functions, defs):
        """J = (1/m) Σ_i Σ_rows L(y, a) when only the per-sample loss L(y, a) is defined."""
        loss_fns = [f for f in functions.values()]
        if not loss_fns:
            raise InputError("the cost is neither defined ('J = ...') nor implied by a "
                             "per-sample loss definition 'L(y, a) = ...'",
                             file=str(self.manifest.source_path()))
        f = loss_fns[0]
        label = [s for s, r in self.model_roles_guess().items() if r == "label"]
        outputs = [n for n in defs if n not in {p for d in defs.values()
                                               for p in d.rhs.free_symbols}]
        if len(label) != 1 or len(outputs) != 1:
            raise InputError("cannot tell which matrices are the label and the output for "
                             f"the implied cost; define {to_latex(cost_sym)} explicitly",
                             file=str(self.manifest.source_path()))
        y = self.explicit.entries[label[0]]
        a = self.explicit.entries[outputs[0]]
        lab = [p for p in f.params if self.manifest.symbols.get(str(p), None) is not None
               and self.manifest.symbols[str(p)].role == "label"]
        total = sympy.Integer(0)
        for i in range(a.rows):
            for j in range(a.cols):
                mapping = {}
                for p in f.params:
                    mapping[p] = y[i, j] if p in lab else a[i, j]
                total += f.body.xreplace(mapping)
        return cost_sym, total / a.cols

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
            texts = split_chain(item.body)
            try:
                if len(texts) < 2 or not all(texts):
                    unreadable(item.body, vocab)
                    raise InputError("a claim needs at least one '=' with formulas on both sides")
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
        return _Side(self.explicit.value(expr), self.derivation)

    def _check_claim_inner(self, claim: Claim) -> EquationResult:
        item = claim.item
        target = self._matrix_values(claim.parsed[0].expr)
        head_value = target[0]
        convention = PER_SAMPLE if (claim.parsed[0].expr in self.gradient_symbols
                                   and not _is_param(self, claim.target)
                                   and self.m_value and _cols(head_value) == self.m_value) \
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
        findings = []
        for n in sorted({n for p in claim.parsed for n in p.notes}):
            findings.append(Finding("notation", f"read: {n}", None, "info"))
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
        if a is None or b is None or _shape_of(a[0]) != _shape_of(b[0]):
            return False
        pairs = list(zip(_entries(a[0]), _entries(b[0])))
        return all(prove_equal(self.derivation, self.equivalence, x, y) for x, y in pairs)

    def _derived(self, head_value, target, by_frontier: bool) -> str:
        """The derived gradient shown: entry (1,1) in the chapter's variables, or, when
        every link was proved at the frontier and that form is long (deep models), one
        step of the chain rule from it (calculus.frontier.shown_gradient's rule)."""
        first = _entries(head_value)[0]
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
            findings.append(messages.Inconclusive(
                detail=f"not evaluated: {errors.get(k) or errors.get(k - 1)}").finding())
        elif b is None or a is None:
            verdict = Verdict.MISMATCH
            detail = errors.get(k) or errors.get(k - 1)
            fix = self._fix(claim, k, sides[0]) if b is None else None
            findings.append(Finding(fix[0] if fix else "shape", f"shape mismatch: {detail}"
                                    + (f"; {fix[2]}" if fix else ""),
                                    fix[1] if fix else None, "error"))
        elif _shape_of(a[0]) != _shape_of(b[0]):
            verdict = Verdict.MISMATCH
            fix = self._fix(claim, k, sides[0])
            kind = fix[0] if fix else "shape"
            findings.append(Finding(kind, f"shape mismatch: the left side is "
                                    f"{_shape(_shape_of(a[0]))}, the right side "
                                    f"{_shape(_shape_of(b[0]))}"
                                    + (f"; {fix[2]}" if fix else ""),
                                    fix[1] if fix else None, "error"))
        elif proved:
            verdict, conv = Verdict.VERIFIED, convention
        else:
            results = [self.equivalence.compare(x, y) for x, y in zip(a[1], b[1])]
            if all(r.equal for r in results):
                verdict, conv = Verdict.VERIFIED, convention
            elif any(r.equal is False for r in results):
                verdict = Verdict.MISMATCH
                fix = self._fix(claim, k, sides[k - 1])
                if fix:
                    findings.append(Finding(fix[0], fix[2], fix[1], "error"))
                else:
                    findings.append(messages.Mismatch().finding())
            else:
                verdict = Verdict.INCONCLUSIVE
                detail = next(r.detail for r in results if r.equal is None)
                findings.append(messages.Inconclusive(detail=detail).finding())
        ev = evidence.link(k) if evidence else None
        if ev is not None and ev.max_rel_error is not None and verdict in (
                Verdict.VERIFIED, Verdict.MISMATCH) and b is not None and a is not None \
                and _shape_of(a[0]) == _shape_of(b[0]):
            holds = bool(ev.agrees)
            if holds != (verdict == Verdict.VERIFIED):
                verdict = Verdict.INCONCLUSIVE
                findings.append(messages.RoutesDisagree(
                    detail=f"numeric max relative error {ev.max_rel_error:.3g}").finding())
        return LinkResult(claim.texts[k - 1], claim.texts[k], verdict, conv,
                          to_latex(claim.parsed[k - 1].expr), to_latex(claim.parsed[k].expr),
                          tuple(findings), ev)

    # --- diagnoses for matrix formulas ---------------------------------------------------

    def _fix(self, claim, k, reference):
        """(kind, corrected LaTeX, message) for the smallest change that makes side k hold."""
        try:
            with time_limit(self.limit):           # a diagnosis is a search: bound it
                return self._fix_search(claim, k, reference)
        except CheckTimeout:
            return None

    def _fix_search(self, claim, k, reference):
        stated = claim.parsed[k].expr
        want_shape = _shape_of(reference[0])
        ref_vals = reference[1]

        def holds(expr):
            try:
                value, vals = self._matrix_values(expr)
            except ShapeMismatch:
                return False
            if _shape_of(value) != want_shape or len(vals) != len(ref_vals):
                return False
            point = self.equivalence.points[0]
            for x, y in zip(vals, ref_vals):     # cheap rejection first
                vx, vy = self.equivalence.evaluate(x, point), self.equivalence.evaluate(y, point)
                if vx is None or vy is None or abs(vx - vy) > 1e-20 * max(1, abs(vy)):
                    return False
            return all(self.equivalence.compare(x, y).equal for x, y in zip(vals, ref_vals))

        # a constant factor over every entry (a missing 1/m shows up as m)
        try:
            value, vals = self._matrix_values(stated)
        except ShapeMismatch:
            value, vals = None, []
        if vals and _shape_of(value) == want_shape:
            ratios = {self.equivalence.ratio(x, y) for x, y in zip(vals, ref_vals)}
            if len(ratios) == 1 and None not in ratios:
                c = ratios.pop()
                # ratio() proved every entry equal to c times the reference: the stated
                # form divided by c holds, no second proof needed
                if c != 1:
                    c_sym = c
                    m = self.samples_symbol
                    if self.m_value and m is not None:
                        # at the explicit size m = 4 a factor 4 is the m of the mean
                        c_sym = c.subs(self.m_value, m) if c.is_Integer else c
                        if c == self.m_value:
                            c_sym = m
                        elif c == sympy.Rational(1, self.m_value):
                            c_sym = 1 / m
                    fixed = sympy.expand(-stated) if c == -1 else stated / c_sym
                    if c == -1:
                        return ("sign", to_latex(fixed),
                                "wrong sign: the stated form is the negative of the derivative")
                    text = (f"off by a constant factor: the stated form is "
                            f"{sympy.latex(c_sym)} times the derivative")
                    if c_sym != c:
                        text += f" (a missing or extra 1/m; m = {self.m_value} here)"
                    return "factor", to_latex(fixed), text
        for variant, kind, text in self._variants(stated):
            if holds(variant):
                return kind, to_latex(variant), text
        want = want_shape or (1, 1)
        if value is not None and isinstance(value, sympy.MatrixBase) and \
                value.rows == want[0] and want[1] == 1 and self.m_value and \
                value.cols == self.m_value:
            i = sympy.Symbol("i")
            idx = [s for s, r in self.model_roles_guess().items() if r == "index"]
            if idx:
                i = idx[0]
                c_part, nc_part = (stated.args_cnc() if isinstance(stated, sympy.Mul)
                                   else ([], [stated]))
                summed = sympy.Mul(*c_part) * sympy.Sum(_columns(sympy.Mul(*nc_part), i),
                                                        (i, 1, self.samples_symbol))
                if holds(summed):
                    return ("missing-sum", to_latex(summed),
                            "missing sum over the samples: the stated form has one column per "
                            "sample")
        return None

    def _variants(self, stated):
        """Single edits: a missing f'(Z) factor, one transpose, one product's order."""
        from .activations import Activation, prime_class
        for node, d in self.definitions_by_node.items():
            if isinstance(d.rhs, Activation) and node in self.shapes and d.rhs.kind != "softmax":
                prime = prime_class(type(d.rhs))(d.rhs.args[0])
                if not stated.has(prime):
                    yield (Hadamard(stated, prime), "missing-factor",
                           f"missing elementwise factor {to_latex(prime)}")
        yield (Transposed(stated), "missing-transpose",
               "the result is transposed: the whole right side needs a transpose")
        nodes = [n for n in sympy.preorder_traversal(stated)
                 if (isinstance(n, sympy.Symbol) and not n.is_commutative)
                 or isinstance(n, Transposed)]
        seen = set()
        for n in nodes:
            if n in seen:
                continue
            seen.add(n)
            if isinstance(n, Transposed):
                yield (stated.xreplace({n: n.args[0]}), "extra-transpose",
                       f"extra transpose on {to_latex(n.args[0])}")
            else:
                yield (stated.xreplace({n: Transposed(n)}), "missing-transpose",
                       f"missing transpose on {to_latex(n)}")
        for mul in [n for n in sympy.preorder_traversal(stated) if isinstance(n, sympy.Mul)]:
            c_part, nc_part = mul.args_cnc()
            if len(nc_part) < 2:
                continue
            flipped = [f.args[0] if isinstance(f, Transposed) else Transposed(f) for f in nc_part]
            yield (stated.xreplace({mul: sympy.Mul(*c_part) * sympy.Mul(*flipped)}),
                   "misplaced-transpose", "misplaced transposes: "
                   + " ".join(to_latex(x) for x in flipped))
            for perm in itertools.permutations(nc_part):
                if list(perm) == nc_part:
                    continue
                new = sympy.Mul(*c_part) * sympy.Mul(*perm)
                yield (stated.xreplace({mul: new}), "product-order",
                       "wrong product order: " + " ".join(to_latex(f) for f in perm))
                for idx, f in enumerate(perm):        # order and transposes together
                    flipped = list(perm)
                    flipped[idx] = f.args[0] if isinstance(f, Transposed) else Transposed(f)
                    new = sympy.Mul(*c_part) * sympy.Mul(*flipped)
                    yield (stated.xreplace({mul: new}), "product-order",
                           "wrong product order and transpose: "
                           + " ".join(to_latex(x) for x in flipped))

    # --- numeric -------------------------------------------------------------------------

    def _vector_numeric(self, claim, sides):
        if self.numeric is None:
            return None
        return _VectorEvidence(self.numeric, sides, self.manifest.numeric.tolerance)


class _VectorEvidence:
    def __init__(self, route: NumericRoute, sides, tol: float) -> None:
        import numpy as np

        self.route = route
        self.tol = tol
        self.values = []
        self.shapes = []
        self.note = None
        try:
            everything = [e for side in sides if side is not None for e in _entries(side[0])]
            for d in route.draws:
                route.prefetch(everything, d)
            for side in sides:
                if side is None:
                    self.values.append(None)
                    self.shapes.append("none")
                    continue
                value = side[0]
                entries = list(value) if isinstance(value, sympy.MatrixBase) else [value]
                self.shapes.append(_shape_of(value))
                per_draw = [np.concatenate([route.side(x, d) for x in entries])
                            for d in route.draws]
                self.values.append(np.concatenate(per_draw))
        except Exception as exc:  # noqa: BLE001 - the numeric route says why it stopped
            self.note = f"numeric route stopped: {exc}"
            self.values = []

    def link(self, k: int) -> NumericEvidence:
        from .numeric import rel_error

        if not self.values or self.values[k] is None or self.values[k - 1] is None \
                or self.shapes[k] != self.shapes[k - 1]:
            return NumericEvidence(None, 0, note=self.note or "shapes differ")
        return NumericEvidence(rel_error(self.values[k - 1], self.values[k]),
                               int(self.values[k].size),
                               agrees=agree(self.values[k - 1], self.values[k], self.tol))

    def final_vector(self, last: int) -> NumericEvidence:
        from .numeric import rel_error

        if not self.values or self.values[last] is None or \
                self.shapes[last] != self.shapes[0]:
            return NumericEvidence(None, 0, note=self.note or "shapes differ")
        return NumericEvidence(rel_error(self.values[0], self.values[last]),
                               int(self.values[0].size), BATCH_MEAN,
                               note="every entry, against finite differences of the cost",
                               agrees=agree(self.values[0], self.values[last], self.tol))


class _Side:
    """A side as the vectorized checker holds it: ``side[0]`` its explicit value (entries
    with ∂J/∂x atoms), ``side[1]`` each entry written down to the inputs' variables,
    computed on first use only (at depth, that is the costly part)."""

    def __init__(self, value, derivation) -> None:
        self.value, self._derivation, self._entries = value, derivation, None

    def __iter__(self):
        return iter((self[0], self[1]))

    def first(self):
        """Entry (1,1) written down (alone, when the others are not needed)."""
        if self._entries is not None:
            return self._entries[0]
        return self._derivation.value(_entries(self.value)[0])

    def __getitem__(self, k):
        if k == 0:
            return self.value
        if self._entries is None:
            self._entries = [self._derivation.value(x) for x in _entries(self.value)]
        return self._entries


def _entries(value) -> list:
    return list(value) if isinstance(value, sympy.MatrixBase) else [value]


def _columns(expr, i):
    """Column i of every batch matrix in expr (for a suggested sum over samples)."""
    return expr.replace(lambda x: isinstance(x, sympy.Symbol) and not x.is_commutative,
                        lambda x: SampleOf(x, i))


def _shape_of(value):
    if isinstance(value, sympy.MatrixBase):
        return None if value.shape == (1, 1) else value.shape
    return None


def _shape(shape) -> str:
    if shape is None or shape == (1, 1):
        return "scalar"
    return f"{shape[0]}×{shape[1]}"


def _cols(value):
    return value.cols if isinstance(value, sympy.MatrixBase) else 1


def _is_param(checker, sym) -> bool:
    return checker.model_roles_guess().get(sym) in PARAMETER_ROLES


def _name(latex: str, vocab=None) -> str:
    from .latex import symbol_name
    return symbol_name(latex, "", vocab.convention() if vocab is not None else None)
