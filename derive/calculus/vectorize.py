"""The shape-correct vectorized form of a scalar chapter's gradients, verified entry by entry.

A scalar chapter (one unit per layer, one sample at a time) built from dense layers
``z = w u + b`` and activations ``a = f(z)`` is rewritten for a batch of m samples with
widths that differ (so that a misplaced transpose cannot cancel): every per-sample
quantity v becomes a matrix V with one column per sample, weights become matrices and
biases column vectors. The backward pass is written in the usual vectorized notation
(dV = m ∂J/∂V for batch quantities, dW = ∂J/∂W for parameters):

    dZ_out = (the derived per-sample dL/dz_out, entry by entry)
    dW = (1/m) dZ U^T,   db = (1/m) Σ_i dZ^{(i)},   dU = W^T dZ,   dZ = dA ⊙ f'(Z)

and the generated chapter is checked by the same machinery as any vectorized chapter.
"""
from __future__ import annotations

import sympy

from ..model import activations
from ..errors import NotDense  # noqa: F401 - raised here, importable from here
from ..read.latex import to_latex
from ..read.manifest import parse_manifest
from ..report import VectorForm
from ..read.source import parse_chapter_text
from ..checker import ChapterChecker

WIDTHS = (3, 5, 6, 7, 8, 9)      # hidden widths; the input has 2, the output 1, m = 4


def vectorized_forms(model, derivation, *, numeric: bool = True, seed: int = 0):
    """(forms, sizes text) for a scalar model, or raise NotDense."""
    plan = _plan(model)
    manifest_text, chapter_text, claims, sizes = _write(model, derivation, plan)
    manifest = parse_manifest(manifest_text, "<vectorized>")
    items = parse_chapter_text(chapter_text, "<vectorized>")
    result = ChapterChecker(manifest, items, numeric=numeric, seed=seed).run()
    by_id = {e.id: e for e in result.equations}
    forms = []
    shapes = {}
    for latex_key, decl in manifest.symbols.items():
        if decl.role == "gradient" and decl.of in manifest.symbols:
            dims = manifest.symbols[decl.of].shape
            if dims:
                shapes[latex_key] = "×".join(str(manifest.sizes.get(d, d)) if isinstance(d, str)
                                             else str(d) for d in dims)
    for eid, of, latex in claims:
        e = by_id.get(eid)
        verdict = e.verdict if e else "error"
        note = "" if verdict == "verified" else (e.summary if e else "not generated")
        forms.append(VectorForm(of, latex, verdict, shapes.get(of, "scalar"), note))
    return tuple(forms), sizes


def _plan(model):
    """Dense layers z = w u + b and activations a = f(z), from the model's definitions."""
    params = set(model.parameters)
    layers = []
    acts = {}
    for node in model.order:
        rhs = model.definitions[node].rhs
        if isinstance(rhs, activations.Activation) and rhs.args[0] in model.definitions:
            acts[node] = (type(rhs), rhs.args[0])
            continue
        terms = sympy.Add.make_args(sympy.expand(rhs))
        weight = bias = source = None
        for t in terms:
            if t in params and model.roles[t] == "bias" and bias is None:
                bias = t
                continue
            factors = sympy.Mul.make_args(t)
            w = [f for f in factors if f in params and model.roles[f] == "weight"]
            u = [f for f in factors if f not in params]
            if len(w) == 1 and len(u) == 1 and len(factors) == 2 and weight is None:
                weight, source = w[0], u[0]
                continue
            raise NotDense(f"{node} = {rhs} is not a dense layer w u + b")
        if weight is None or source is None:
            raise NotDense(f"{node} = {rhs} is not a dense layer w u + b")
        layers.append((node, weight, bias, source))
    if not layers or model.output is None or model.loss_expr is None:
        raise NotDense("no dense layers feeding a loss")
    return layers, acts


def _write(model, derivation, plan):
    layers, acts = plan
    name = {}

    def cap(sym):
        text = model.latex(sym)
        if not text[:1].isalpha():
            raise NotDense(f"{text}: generated names need plain letters")
        return text[0].upper() + text[1:]

    inputs = {src for _, _, _, src in layers if src not in model.definitions}
    labels = [s for s, r in model.roles.items() if r == "label"]
    if len(labels) != 1 or len(inputs) != 1:
        raise NotDense("needs one input and one label")
    x, y = next(iter(inputs)), labels[0]
    width = {x: "n_x"}
    sizes = {"n_x": 2, "m": 4}
    hidden = iter(WIDTHS)
    out_z = None
    for node, w, b, src in layers:
        feeds_output = node == model.output or acts.get(model.output, (None, None))[1] == node
        if feeds_output:
            width[node] = "1"
            out_z = node
        else:
            k = len([n for n in sizes if n.startswith("n_h")])
            size_name = "n_h" if k == 0 else f"n_{{h{k + 1}}}"
            width_value = next(hidden, None)
            if width_value is None:
                raise NotDense("too many hidden layers for the explicit widths")
            sizes[size_name] = width_value
            width[node] = size_name
    for a, (cls, z) in acts.items():
        width[a] = width[z]
    if out_z is None:
        raise NotDense("cannot tell the output layer")
    sym_lines = []

    def dim(s):
        d = width[s]
        return d if d == "1" else f'"{d}"'

    def shape(s):
        return f"[{dim(s)}, \"m\"]".replace('"1"', "1")

    for s in [x, *model.order]:
        name[s] = cap(s)
        role = model.roles.get(s, "node")
        sym_lines.append(f"'{name[s]}' = {{ role = \"{role}\", shape = {shape(s)} }}")
    name[y] = cap(y)
    sym_lines.append(f"'{name[y]}' = {{ role = \"label\", shape = [1, \"m\"] }}")
    for node, w, b, src in layers:
        name[w] = cap(w)
        sym_lines.append(f"'{name[w]}' = {{ role = \"weight\", shape = [{dim(node)}, "
                         f"{dim(src)}] }}".replace('"1"', "1"))
        if b is not None:
            name[b] = model.latex(b)
            sym_lines.append(f"'{name[b]}' = {{ role = \"bias\", shape = [{dim(node)}, 1] }}"
                             .replace('"1"', "1"))
    grads = []
    for s in [*model.order, *[w for _, w, _, _ in layers], *[b for *_, b, _ in layers if b]]:
        g = f"d{name[s]}"
        grads.append(g)
        sym_lines.append(f"'{g}' = {{ role = \"gradient\", of = '{name[s]}' }}")
    sym_lines += ["J = { role = \"cost\" }", "m = { role = \"samples\" }",
                  "i = { role = \"index\" }"]
    functions = {}
    for cls, _ in acts.values():
        functions[cls.latex_name] = cls.kind
    fn_lines = [f"'{k}' = {{ activation = \"{v}\" }}" for k, v in functions.items()]
    size_lines = [f"'{k}' = {v}" if "{" in k else f"{k} = {v}" for k, v in sizes.items()]
    manifest = "\n".join([
        "[conventions]", 'samples = "m"', 'loss = "batch-mean"', "[sizes]", *size_lines,
        "[functions]", *fn_lines, "[symbols]", *sym_lines, ""])

    def vec(expr):
        """A per-sample expression written for the batch: products of two batch
        quantities are elementwise."""
        expr = sympy.factor(expr)
        mapping = {s: sympy.Symbol(name[s], commutative=False) for s in name}
        factors = sympy.Mul.make_args(expr)
        parts = []
        for f in factors:
            text = to_latex(f.xreplace({s: sympy.Symbol(name[s]) for s in name}))
            parts.append(f"\\left({text}\\right)" if isinstance(f, sympy.Add) else text)
        del mapping
        if len(parts) == 1 and parts[0].startswith("\\left("):
            return parts[0][len("\\left("):-len("\\right)")]
        return " \\odot ".join(parts)

    lines = []
    for node, w, b, src in layers:
        rhs = f"{name[w]} {name[src]}" + (f" + {name[b]}" if b is not None else "")
        lines += ["% derive: definition", f"{name[node]} = {rhs}"]
    for a, (cls, z) in acts.items():
        lines += ["% derive: definition", f"{name[a]} = {cls.latex_name}({name[z]})"]
    loss_fn = next((f for f in model.functions.values()), None)
    if loss_fn is None:
        raise NotDense("the loss is not a function L(y, a)")
    params = ", ".join(str(p) for p in loss_fn.params)
    lines += ["% derive: definition", f"L({params}) = {to_latex(loss_fn.body)}"]
    args = []
    for p in loss_fn.params:
        args.append(f"{name[y]}^{{(i)}}" if model.roles.get(p) == "label"
                    else f"{name[model.output]}^{{(i)}}")
    lines += ["% derive: definition",
              f"J = \\frac{{1}}{{m}}\\sum_{{i=1}}^{{m}} L({', '.join(args)})"]
    claims = []

    def claim(of, latex):
        eid = f"V{len(claims) + 1}"
        claims.append((eid, of, latex))
        lines.extend(["% derive: claim", f"{of} = {latex} \\tag{{{eid}}}"])

    out_grad = derivation.loss_grads.get(out_z)
    if out_grad is None:
        raise NotDense("no gradient for the output layer")
    claim(f"d{name[out_z]}", vec(out_grad))
    for node, w, b, src in reversed(layers):
        dz = f"d{name[node]}"
        if node != out_z:
            a = next(a for a, (_, z) in acts.items() if z == node) if any(
                z == node for _, z in acts.values()) else None
            if a is not None:
                cls = acts[a][0]
                claim(dz, f"d{name[a]} \\odot {cls.latex_name}'({name[node]})")
        claim(f"d{name[w]}", f"\\frac{{1}}{{m}} {dz} {name[src]}^T")
        if b is not None:
            claim(f"d{name[b]}", f"\\frac{{1}}{{m}}\\sum_{{i=1}}^{{m}} {dz}^{{(i)}}")
        if src in model.definitions:
            claim(f"d{name[src]}", f"{name[w]}^T {dz}")
    text_sizes = ", ".join(f"{k}={v}" for k, v in sizes.items())
    return manifest, "\n".join(lines) + "\n", claims, text_sizes
