"""A chapter in matrix notation at explicit sizes: every declared matrix an array of
entry symbols (derive.model.explicit), every definition its entries' definitions, the cost
defined or implied by the per-sample loss; the scalar model the entries make."""
from __future__ import annotations

import itertools

import sympy

from ..prose import Prose
from ..errors import InputError
from ..read.manifest import PARAMETER_ROLES
from .explicit import Explicit, NotEvaluated, ShapeMismatch, shape_text
from ..read.latex import Partial, split_chain, to_latex
from ..rules.shape import Declared
from . import Definition, Model, _topological

DEFAULT_SAMPLES = 4


def setup(checker, vocab, defs, functions) -> None:
    man = checker.manifest
    names = {decl.latex: vocab.names[vocab.written[_name(latex, vocab)]]
             for latex, decl in man.symbols.items()}
    checker.symbol_of = names
    samples = man.conventions.samples
    sizes = dict(man.sizes)
    if samples and samples not in sizes:
        sizes[samples] = DEFAULT_SAMPLES
    checker.sizes = sizes
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
    checker.m_value = sizes.get(samples) if samples else None
    checker.samples_symbol = names.get(samples) if samples else None
    checker.shapes = shapes
    checker.rows = man.conventions.examples == "rows"
    checker.explicit = Explicit(shapes, numbers, {Partial: lambda e, env: partial_hook(checker, e, env)}, rows=checker.rows)
    # simplex labels: the last row is 1 minus the others, so each column sums to one
    for latex, decl in man.symbols.items():
        if decl.simplex:
            mat = checker.explicit.entries[names[latex]]
            if checker.rows:                    # each row sums to one: its last column
                for r in range(mat.rows):
                    mat[r, mat.cols - 1] = 1 - sum(mat[r, j] for j in range(mat.cols - 1))
                continue
            for j in range(mat.cols):
                mat[mat.rows - 1, j] = 1 - sum(mat[r, j] for r in range(mat.rows - 1))
    # column_of: x^{(i)} is column i of X
    for latex, decl in man.symbols.items():
        if decl.column_of:
            checker.explicit.entries[names[latex]] = checker.explicit.entries[names[decl.column_of]]
    cost = [s for latex, s in names.items() if man.symbols[latex].role in ("cost", "loss")]
    if not cost:
        raise InputError("no symbol has role = \"cost\" (or \"loss\") in the manifest",
                         file=man.path)
    roles = {}
    for latex, decl in man.symbols.items():
        sym = names[latex]
        if sym in checker.explicit.entries and decl.role != "gradient" and not decl.column_of:
            for e in checker.explicit.entries[sym]:
                if isinstance(e, sympy.Symbol):      # not a simplex's dependent entry
                    roles[e] = decl.role
        elif decl.shape is None and decl.role not in ("gradient",):
            roles[sym] = decl.role
    entry_defs: dict[sympy.Symbol, Definition] = {}
    loss_sym, loss_expr = None, None
    checker.definition_values = {}
    for node, d in defs.items():
        try:
            value = checker.explicit.value(d.rhs)
        except ShapeMismatch as exc:
            checker.errors[d.item.id] = InputError(f"shape mismatch: {exc}", file=d.item.file,
                                                line=d.item.line, equation=d.item.id)
            continue
        if node in cost:
            if isinstance(value, sympy.MatrixBase):
                checker.errors[d.item.id] = InputError(
                    f"the cost must be a scalar, not {shape_text(value)}",
                    file=d.item.file, line=d.item.line, equation=d.item.id)
                continue
            loss_sym, loss_expr = node, value
            continue
        want = shapes.get(node)
        got = value.shape if isinstance(value, sympy.MatrixBase) else None
        if want is not None and want != (got or (1, 1)) or want is None and got not in (
                None, (1, 1)):
            checker.add(Declared(node=to_latex(node), declared=shape_label(want),
                              defined=shape_label(got)).finding(), on=d.item.id)
            continue
        checker.definition_values[node] = value
        if want is None:
            entry_defs[node] = Definition(node, sympy.sympify(value), d.item, d.rhs)
            continue
        for (i, j), e in zip(itertools.product(range(want[0]), range(want[1])),
                             checker.explicit.entries[node]):
            entry_defs[e] = Definition(e, value[i, j], d.item, d.rhs)
    if loss_expr is None:
        failed = [e for k, e in checker.errors.items()
                  if any(d.node in cost and d.item.id == k for d in defs.values())]
        cost_item = [i for i in checker.items if i.kind == "definition" and i.id in checker.errors
                     and split_chain(i.body)[0].strip() in {man.symbols[l].latex for l in man.symbols
                                                            if names[l] in cost}]
        if failed or cost_item:
            raise (failed or [checker.errors[cost_item[0].id]])[0]
        loss_sym, loss_expr = implied_cost(checker, cost[0], functions, defs)
    leaves = [s for s in roles if s not in entry_defs and roles[s] not in (
        "loss", "cost", "samples", "index")]
    order = _topological(entry_defs, leaves)
    checker.model = Model(vocab, man, roles, {}, entry_defs, order, set(), functions,
                       loss_sym, loss_expr, None, None)
    grads = {}
    for latex, decl in man.symbols.items():
        if decl.role == "gradient":
            grads[names[latex]] = names[decl.of]
    checker.gradient_symbols = grads
    for g, target in grads.items():
        checker.explicit.entries[g] = gradient_matrix(checker, target)


def roles_guess(checker) -> dict:
    """Each declared matrix's (or scalar's) role, by its symbol."""
    return {s: checker.manifest.symbols[latex].role for latex, s in checker.symbol_of.items()}


def is_parameter(checker, sym) -> bool:
    return roles_guess(checker).get(sym) in PARAMETER_ROLES


def gradient_matrix(checker, target):
    """The entries of a gradient symbol dV: ∂J/∂(entry) for a parameter, m ∂J/∂(entry)
    for a per-sample quantity (a batch matrix with m columns: dV holds the per-sample
    loss gradients)."""
    cost = checker.model.loss
    scale = 1
    shape = checker.shapes.get(target)
    if (not is_parameter(checker, target) and shape is not None and checker.m_value
            and shape[0 if checker.rows else 1] == checker.m_value):
        scale = checker.m_value
    if shape is None:
        return scale * Partial(cost, target)
    return checker.explicit.entries[target].applyfunc(lambda e: scale * Partial(cost, e))


def partial_hook(checker, e, env):
    """∂J/∂X of a matrix X: the matrix of ∂J/∂(entry); only the cost's derivatives."""
    num, den = e.args
    if num != checker.model.loss:
        raise NotEvaluated(Prose.latex(to_latex(e)) + ": only derivatives of the cost are "
                           "evaluated entry by entry")
    if den in checker.explicit.entries:
        return checker.explicit.entries[den].applyfunc(lambda x: Partial(num, x))
    return e


def implied_cost(checker, cost_sym, functions, defs):
    """J = (1/m) Σ_i Σ_rows L(y, a) when only the per-sample loss L(y, a) is defined."""
    loss_fns = [f for f in functions.values()]
    if not loss_fns:
        raise InputError("the cost is neither defined ('J = ...') nor implied by a "
                         "per-sample loss definition 'L(y, a) = ...'",
                         file=str(checker.manifest.source_path()))
    f = loss_fns[0]
    label = [s for s, r in roles_guess(checker).items() if r == "label"]
    outputs = [n for n in defs if n not in {p for d in defs.values()
                                           for p in d.rhs.free_symbols}]
    if len(label) != 1 or len(outputs) != 1:
        raise InputError("cannot tell which matrices are the label and the output for "
                         f"the implied cost; define {to_latex(cost_sym)} explicitly",
                         file=str(checker.manifest.source_path()))
    y = checker.explicit.entries[label[0]]
    a = checker.explicit.entries[outputs[0]]
    lab = [p for p in f.params if checker.manifest.symbols.get(str(p), None) is not None
           and checker.manifest.symbols[str(p)].role == "label"]
    total = sympy.Integer(0)
    for i in range(a.rows):
        for j in range(a.cols):
            mapping = {}
            for p in f.params:
                mapping[p] = y[i, j] if p in lab else a[i, j]
            total += f.body.xreplace(mapping)
    return cost_sym, total / a.cols


def shape_label(shape) -> str:
    """``3×4``, or ``scalar`` for none or 1×1."""
    if shape is None or shape == (1, 1):
        return "scalar"
    return f"{shape[0]}×{shape[1]}"


def _name(latex: str, vocab=None) -> str:
    from ..read.latex import symbol_name
    return symbol_name(latex, "", vocab.convention() if vocab is not None else None)
