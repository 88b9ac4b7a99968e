"""Every kind of finding: a small class with a kind name, a severity and a template.

>>> Factor(factor=r"\\frac{1}{m}").finding(suggestion="x").message
'off by a constant factor: the stated form is \\\\frac{1}{m} times the derivative'
>>> sorted(KINDS)[:3]
['argument-order', 'caption', 'convention']
"""
from __future__ import annotations

from .report import Finding


class Message:
    kind = "message"
    severity = "error"
    template = ""

    def __init__(self, **args) -> None:
        self.args = args

    @property
    def text(self) -> str:
        return self.template.format(**self.args)

    def finding(self, suggestion: str | None = None, equation: str | None = None) -> Finding:
        return Finding(self.kind, self.text, suggestion, self.severity, equation)


class Factor(Message):
    kind = "factor"
    template = "off by a constant factor: the stated form is {factor} times the derivative"


class KeptSamples(Message):
    kind = "samples"
    template = ("this side is not a sum of per-sample terms ({detail}); read with the "
                "samples kept, it is not the batch-mean gradient")


class Sign(Message):
    kind = "sign"
    template = "wrong sign: the stated form is the negative of the derivative"


class Substitution(Message):
    kind = "substitution"
    template = "wrong variable: with {right} in place of {wrong} the formula holds"


class MissingFactor(Message):
    kind = "missing-factor"
    template = "missing factor {factor}"


class ExtraFactor(Message):
    kind = "extra-factor"
    template = "extra factor {factor}"


class MissingTerm(Message):
    kind = "missing-term"
    template = "missing term {term}"


class ExtraTerm(Message):
    kind = "extra-term"
    template = "extra term {term}"


class OtherDerivative(Message):
    kind = "wrong-derivative"
    template = ("the stated form is {other}: the derivative of another quantity or by "
                "another variable than the left side names")


class Mismatch(Message):
    kind = "mismatch"
    template = "does not equal the derivative; no single small change explains it"


class MissingMean(Message):
    kind = "factor"
    template = ("a sum over the samples without the 1/m of the mean: the stated form is m "
                "times the gradient of the batch-mean cost")


class ChainStep(Message):
    kind = "mismatch"
    template = "this step does not follow from the previous side: {detail}"


class Convention(Message):
    kind = "convention"
    template = ("holds only for the batch-mean cost J = \\frac{{1}}{{m}}\\sum_i L^{{(i)}} "
                "(the 1/m of the mean), but the chapter's L is per-sample ({why})")


class ConventionOther(Message):
    kind = "convention"
    template = ("holds only per sample, but the chapter's gradients are of the batch-mean "
                "cost ({why})")


class MixedConventions(Message):
    kind = "convention"
    template = ("the chapter mixes conventions: {batch} scale by 1/m (batch-mean cost) while "
                "{per} are per-sample; {advice}")


class DefinitionGraph(Message):
    kind = "definition"
    template = ("{lhs} = {rhs} uses {uses}, but the stated graph computes {lhs} from "
                "{parents}{support}; the gradients are derived from {lhs} = {fixed}")


class DefinitionUnused(Message):
    kind = "definition"
    template = ("{lhs} = {rhs} does not use {parents}, which the stated graph computes {lhs} "
                "from")


class PrintedImplies(Message):
    kind = "definition"
    severity = "info"
    template = "with the printed definition {lhs} = {rhs} the gradients would be: {grads}"


class ArgumentOrder(Message):
    kind = "argument-order"
    template = ("{name} is defined as {defined} but called as {called}: read by position the "
                "step does not hold; with the arguments in the defined order it does")


class Caption(Message):
    kind = "caption"
    severity = "warning"
    template = "caption calls {quantity} {said}, but {quantity} is {actual} in the manifest"


class CaptionTarget(Message):
    kind = "caption"
    severity = "warning"
    template = "caption names {named}, but equation {eq} is about {actual}"


class CaptionMissing(Message):
    kind = "caption"
    severity = "info"
    template = "equation {eq} has no caption while the others do"


class Notation(Message):
    kind = "notation"
    severity = "warning"
    template = "one quantity written two ways: {spellings} ({where})"


class Parse(Message):
    kind = "parse"
    template = "{detail}"


class Inconclusive(Message):
    kind = "timeout"
    severity = "warning"
    template = "{detail}"


class RoutesDisagree(Message):
    kind = "numeric"
    severity = "warning"
    template = ("the symbolic and numeric routes disagree ({detail}); no verdict is given")


class NumericOnly(Message):
    kind = "numeric"
    severity = "info"
    template = "{detail}"


class CrossCheck(Message):
    kind = "cross-check"
    severity = "error"
    template = "the chain-rule gradient d{loss}/d{var} disagrees with {route}: {detail}"


class CrossCheckUndecided(Message):
    kind = "cross-check"
    severity = "warning"
    template = ("the chain-rule gradient d{loss}/d{var} could not be confirmed against "
                "{route}: {detail}")


class NoTarget(Message):
    kind = "parse"
    template = ("a claim's first side must be a derivative of the loss, "
                "\\frac{{\\partial L}}{{\\partial v}}; found {lhs}")


KINDS = {cls.kind for cls in Message.__subclasses__()} | {
    "factor", "sign", "substitution", "missing-factor", "extra-factor", "missing-term",
    "extra-term", "mismatch", "convention", "definition", "argument-order", "caption",
    "notation", "parse", "timeout", "numeric", "cross-check",
    # vectors and matrices (derive.vector)
    "shape", "missing-transpose", "extra-transpose", "misplaced-transpose", "product-order",
    "missing-sum", "vectorized", "size",
    # index notation (derive.model.entries): indices that do not fit their entries, and
    # at which index values a formula was checked
    "index", "instances",
    # update rules (derive.calculus.update)
    "update"}
