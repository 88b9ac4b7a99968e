"""A claim's blocks read against the chapter's model: its first side names the target
(∂L/∂v, a named gradient, the cost's ∂J/∂v, or a local ∂A/∂v), the others are read with
that variable as the chain's."""
from __future__ import annotations

import re
from dataclasses import replace

import sympy

from .derivation import has_sample_sum
from ..errors import InputError
from ..read.latex import Parsed, Partial, parse_formula, split_chain, to_latex, unreadable
from ..model import Model
from ..model.arrays import WrongShape
from ..report import EquationResult, Verdict
from ..rules.parse import NoTarget
from ..rules.shape import Shape
from ..read.source import Item
from .claim import Claim
from .local import is_local


def claim_sides(item: Item, vocab) -> list[str]:
    """The printed sides of a claim's chain of equalities; at least two, none empty."""
    texts = split_chain(item.body)
    if len(texts) < 2 or not all(texts):
        unreadable(item.body, vocab)
        raise InputError("a claim needs at least one '=' with formulas on both sides")
    return texts


def parse_claims(checker, vocab, model: Model) -> list[Claim]:
    claims = []
    for item in checker.items:
        if item.kind != "claim" or item.id in checker.errors or item.id in checker.results:
            continue
        try:
            texts = claim_sides(item, vocab)
            env = item.bound()
            head = parse_formula(texts[0], vocab, bound=env)
            head = loss_call(head, model)
            head = named_cost(head, texts, vocab, model, env)
            target = head.expr
            if (isinstance(target, Partial) and model.cost is not None
                    and target.args[0] == model.cost and model.cost != model.loss):
                checker.cost_claims.append(item)        # checked against J's definition
                continue
            local = is_local(target, model)
            if not (isinstance(target, Partial) and target.args[0] == model.loss) \
                    and not local:
                raise InputError(NoTarget(lhs=texts[0]).text, token=texts[0])
            var = target.args[1]
            chain_var = var if isinstance(var, sympy.Symbol) else None
            parsed = [head] + [parse_formula(t, vocab, chain_var=chain_var, bound=env)
                               for t in texts[1:]]
            claims.append(Claim(item, texts, parsed, var,
                                of=target.args[0] if local else None))
        except WrongShape as exc:          # shapes that do not fit: a wrong formula
            checker.results[item.id] = EquationResult(
                item.id, "claim", item.latex, Verdict.MISMATCH, item.line,
                findings=(Shape(detail=exc.message).finding(),))
        except InputError as exc:
            checker.errors[item.id] = item.locate(exc)
    return claims


def named_cost(head: Parsed, texts, vocab, model: Model, env=None) -> Parsed:
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


def loss_call(head: Parsed, model: Model) -> Parsed:
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


def require_loss(checker, model: Model) -> None:
    if model.loss is None:
        raise InputError("no symbol has role = \"loss\" in the manifest",
                         file=checker.manifest.path)
    if model.loss_expr is None and not any(
            i.kind == "definition" and i.id in checker.errors for i in checker.items):
        raise InputError(f"the loss {model.latex(model.loss)} is not defined in the chapter "
                         "(a definition block 'L(y, a) = ...' or 'L = ...')",
                         file=str(checker.manifest.source_path()))


def definition_read_as(checker, item: Item) -> str | None:
    if not hasattr(checker, "model"):
        return None
    try:
        sides = split_chain(item.body)
        out = []
        for s in sides:
            name = s.split("(")[0].strip()
            if "(" in s and name in checker.vocab.user_functions:
                f = checker.model.functions[name]
                out.append(to_latex(sympy.Function(name)(*f.params)))
                continue
            bound = item.bound()
            for f in checker.model.functions.values():
                bound.update({str(p): p for p in f.params})
            out.append(to_latex(parse_formula(s, checker.vocab, bound=bound).expr))
        return " = ".join(out)
    except InputError:
        return None


def parse_matrix_claims(checker, vocab) -> list[Claim]:
    """The claims of a chapter in matrix notation: side 0 is ∂J/∂V or a declared gradient
    symbol dV; the claim's target is V."""
    claims = []
    for item in checker.items:
        if item.kind != "claim":
            continue
        try:
            texts = claim_sides(item, vocab)
            head = parse_formula(texts[0], vocab)
            target = matrix_target(checker, head.expr, texts[0])
            parsed = [head] + [parse_formula(t, vocab, chain_var=target) for t in texts[1:]]
            claims.append(Claim(item, texts, parsed, target))
        except InputError as exc:
            checker.errors[item.id] = item.locate(exc)
    return claims


def matrix_target(checker, head, text):
    if isinstance(head, Partial) and head.args[0] == checker.model.loss:
        return head.args[1]
    if head in checker.gradient_symbols:
        return checker.gradient_symbols[head]
    raise InputError(f"a claim's first side must be \\frac{{\\partial J}}{{\\partial V}} or "
                     f"a declared gradient symbol (role = \"gradient\"); found {text}",
                     token=text)
