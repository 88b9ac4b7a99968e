"""The model a chapter's claims are checked over, one per notation, and the tools the claim
path uses on it (the derivation, the equivalence test, the diagnoser, the numeric route).

- Scalar or index notation: the printed definitions, or the ones the stated graph implies
  when more claims hold with them (calculus.model_choice); index notation first expands
  each block into one instance per value of its free indices (model.entries).
- Matrix notation: every entry of every matrix a scalar node at the chapter's sizes
  (model.explicit_model), so that the same scalar model and chain rule serve.

Each returns the chapter's claims, parsed; afterwards ``checker.model``,
``checker.derivation``, ``checker.equivalence``, ``checker.diagnoser`` and
``checker.convention`` are set.
"""
from __future__ import annotations

from dataclasses import replace

from ..errors import InputError
from ..model import build_model, read_definitions, read_graph
from ..model.chapter import roles_by_name
from ..read.namings import declared_gradient, split_namings
from ..report import BATCH_MEAN, EquationResult, Verdict
from ..rules.diagnose import Diagnoser
from ..rules.index import Indices
from .claim import Claim, in_matrices
from .claim_parse import parse_claims, parse_matrix_claims, require_loss
from .derivation import Derivation
from .equivalence import Equivalence
from .model_choice import choose_model
from .numeric import NumericRoute
from .samples import cost_model
from .sides import chapter_convention
from .update import without_new_old


def _tools(checker, model) -> None:
    checker.model = model
    checker.derivation = Derivation(model)
    checker.equivalence = Equivalence(checker.derivation, seed=checker.seed, limit=checker.limit)
    checker.diagnoser = Diagnoser(checker.derivation, checker.equivalence)


def scalar_model(checker, vocab) -> list[Claim]:
    """Scalar or index notation."""
    gradients = [k for k, d in checker.manifest.symbols.items() if d.role == "gradient"]
    checker.items = split_namings(checker.items,
                                  lambda name: declared_gradient(name, vocab, gradients))
    checker.items = [replace(i, body=without_new_old(i.body)) if i.kind == "update" else i
                     for i in checker.items]           # v^{(new)} = v^{(old)} - η G
    index_errors = {}
    if vocab.entries:
        # index notation: one instance of a block per value of its free indices
        from ..model.entries import expand_entries
        checker.items, index_errors = expand_entries(checker.items, vocab)
    defs, functions, errors = read_definitions(checker.items, vocab,
                                               roles_by_name(checker.manifest, vocab))
    checker.errors.update(errors)
    _index_errors(checker, index_errors)
    try:
        edges, _ = read_graph(checker.items, vocab)
    except InputError as exc:
        checker.errors[exc.equation or "graph"] = exc
        edges = set()
    graph_items = [i for i in checker.items if i.kind == "graph"]
    try:
        printed = build_model(checker.manifest, vocab, defs, functions, edges, graph_items)
        if printed.loss is None and printed.cost is not None and not checker.cost_run:
            # a chapter with a cost and no per-sample loss: the cost is the loss
            checker.cost_run = True
            checker.manifest = replace(checker.manifest, conventions=replace(
                checker.manifest.conventions, loss=BATCH_MEAN))
        if checker.cost_run:
            printed = cost_model(printed)
    except InputError as exc:
        raise exc.located(file=str(checker.manifest.source_path()))
    require_loss(checker, printed)
    claims = parse_claims(checker, vocab, printed)
    for g in vocab.unspecified_symbols:
        # an application of an unspecified function only a claim makes (g(h_t, w_h)
        # where the chapter computes g(h_t, w_o)): its value and partials are free too
        printed.roles.setdefault(g, "input")
    model, _ = choose_model(checker, printed, claims)
    _tools(checker, model)
    checker.convention = chapter_convention(checker, claims)
    return claims


def _index_errors(checker, index_errors: dict) -> None:
    """What made an index-notation block unusable comes first: a claim with wrong
    indices is a mismatch (DV307), anything else cannot be read."""
    from ..model.entries import WrongIndices
    for key, exc in index_errors.items():
        if not isinstance(exc, WrongIndices):
            checker.errors[key] = exc
            continue
        item = next(i for i in checker.items if i.id == key)
        if item.kind != "claim":
            checker.errors[key] = item.locate(InputError(exc.message))
            continue
        checker.results[key] = EquationResult(key, "claim", item.latex, Verdict.MISMATCH,
                                              item.line,
                                              findings=(Indices(detail=exc.message).finding(),))
        checker.errors.pop(key, None)


def matrix_model(checker, vocab) -> list[Claim]:
    """Matrix notation: the model at the chapter's sizes."""
    from ..model.explicit_model import setup
    defs, functions, errors = read_definitions(checker.items, vocab,
                                               roles_by_name(checker.manifest, vocab))
    checker.errors.update(errors)
    checker.definitions_by_node = defs
    setup(checker, vocab, defs, functions)          # sets checker.model
    _tools(checker, checker.model)
    claims = parse_matrix_claims(checker, vocab)
    checker.convention = chapter_convention(checker, claims)
    return claims


def numeric_route(checker) -> NumericRoute | None:
    """The finite-difference route: at ``numeric.samples`` samples per draw; in matrix
    notation the samples are the matrices' own columns (one batch per draw, at least 3
    draws)."""
    s = checker.manifest.numeric
    if not checker.numeric_enabled or checker.model.loss_expr is None:
        return None
    if in_matrices(checker):
        return NumericRoute(checker.derivation, samples=1, draws=max(3, s.draws),
                            seed=checker.seed)
    return NumericRoute(checker.derivation, samples=s.samples, draws=s.draws, seed=checker.seed)
