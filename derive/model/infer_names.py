"""What names tell (derive.model.infer and derive.model.infer_entries): the usual names
of weights, biases, inputs, labels, sample counts and constants, activation commands,
caption words, and the choice of the loss among the quantities the claims differentiate."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from ..prose import Prose
from ..read.manifest import Manifest
from ..read import tree as T

ACTIVATION_COMMANDS = {r"\sigma": "sigmoid", r"\operatorname{sigmoid}": "sigmoid",
                       r"\operatorname{ReLU}": "relu", r"\operatorname{relu}": "relu",
                       r"\operatorname{softmax}": "softmax", r"\operatorname{softplus}": "softplus"}
BUILTIN = {r"\tanh", r"\log", r"\ln", r"\exp", r"\max", r"\min", r"\sqrt", r"\lg",
           r"\sinh", r"\cosh"}
WEIGHTS = {"w", "W", r"\theta", r"\Theta", r"\omega", r"\Omega", "v", "V", "U", "u"}
BIASES = {"b", "B", "c"}
INPUTS = {"x", "X", "h", "s", "o"}
LABELS = {"y", "Y", "t", "T", "d"}
SAMPLES = {"m", "n", "N", "M"}
CONSTANTS = {r"\eta", r"\lambda", r"\alpha", r"\epsilon", r"\varepsilon", r"\gamma", r"\mu",
             r"\rho", r"\beta"}
_GRAD = r"(?P<base>[A-Za-z])(?:_\{?(?P<sub>[A-Za-z0-9]+)\}?)?"     # z, w_1, w_{12} after a d
CAPTION_WORDS = {
    "zh": ({"activation": ("激活值", "激活输出"), "weighted_input": ("加权输入", "线性加权"),
            "weight": ("权重",), "bias": ("偏置",)}, ("隐藏层", "隐层"), ("输出层",)),
    "en": ({"activation": ("activation",), "weighted_input": ("weighted input",),
            "weight": ("weight",), "bias": ("bias",)}, ("hidden layer",), ("output layer",)),
}


@dataclass
class Inferred:
    manifest: Manifest
    notes: list[str] = field(default_factory=list)     # "x: input (a leaf named x, line 3)"


LOSS_NAMES = ("L", r"\ell", r"\mathcal{L}", "C", "J", "E", "l", r"\mathcal{J}")


def _loss(targets, functions, defined) -> str | None:
    """The loss: what the claims differentiate. A node a claim differentiates (da/dz, a
    local derivative) is not the loss when a function or a loss-like name is also one."""
    ranked = sorted(targets, key=lambda n: (n not in functions and n not in LOSS_NAMES,
                                            -targets[n] if isinstance(targets, Counter) else 0))
    for name in ranked:
        if name in functions or name in LOSS_NAMES or name in defined:
            return name
    if targets:
        return ranked[0]
    # only named gradients (da, dz): the loss is the function the chapter defines, or
    # the defined quantity with a loss's name that nothing else is computed from
    named = [f for f in functions if f in LOSS_NAMES] or list(functions)
    if named:
        return named[-1]
    consumed = {n.name for rhs, _ in defined.values() for n in rhs.walk()
                if isinstance(n, T.Sym)}
    sinks = [n for n in defined if n not in consumed]
    return next((n for n in sinks if n in LOSS_NAMES), sinks[-1] if sinks else None)


def _is_activation(func: str) -> bool:
    return func in ACTIVATION_COMMANDS or func in (r"\tanh",)


def _base(name: str) -> str:
    m = re.match(r"(\\[A-Za-z]+\{[^{}]*\}|\\[A-Za-z]+|[A-Za-z])", name)
    base = m.group(1) if m else name
    inner = re.match(r"\\(?:mathbf|boldsymbol|bm|hat|bar|tilde|vec)\{(.*)\}$", base)
    return inner.group(1) if inner else base


def _leaf_role(name: str, differentiated: bool) -> tuple[str, str]:
    base = _base(name)
    if base in WEIGHTS:
        return "weight", Prose.format("a leaf named ${b}$, as weights are", b=base)
    if base in BIASES:
        return "bias", Prose.format("a leaf named ${b}$, as biases are", b=base)
    if differentiated:
        return "parameter", "a leaf the claims differentiate by"
    if base in LABELS:
        return "label", Prose.format("a leaf named ${b}$, as targets are", b=base)
    if base in INPUTS or re.match(r"a_?\{?0\}?$|a\^\{?\[?0", name):
        return "input", Prose.format("a leaf named ${b}$, as inputs are", b=base)
    if base in CONSTANTS:
        return "constant", Prose.format("a leaf named ${b}$", b=base)
    if base in SAMPLES and name == base:
        return "samples", Prose.format("a leaf named ${b}$, as sample counts are", b=base)
    return "input", "a leaf no claim differentiates by"
