"""DV203 caption: a caption that says something else than its equation.

Why: captions are what readers skim. A caption calling a weighted input an activation,
or naming w over an equation about z, misleads as surely as a wrong formula. The words
for each role and layer come from the manifest (``[captions]``, in the book's language);
a quantity is found in a caption by its plain spelling (z2 for z_2), the first one named
being what it is about.

Example::

    [captions.roles] activation = ["activation"], weighted_input = ["weighted input"]
    % derive: caption 2
    Derivative of the loss with respect to the activation z
    -> DV203 caption: caption calls z activation (activation), but z is a weighted input
       (weighted input) in the manifest
"""
from __future__ import annotations

import re

from .base import Message

CODE = "DV203"
KIND = "caption"
ORDER = 20
MODELS = ("scalar", "matrix")


class Caption(Message):
    severity = "warning"
    template = "caption calls {quantity} {said}, but {quantity} is {actual} in the manifest"


class CaptionTarget(Message):
    severity = "warning"
    template = "caption names {named}, but equation {eq} is about {actual}"
    math = ("actual",)


class CaptionMissing(Message):
    severity = "info"
    template = "equation {eq} has no caption while the others do"


class CaptionNoEquation(Message):
    severity = "warning"
    template = "a caption for {eq}, but there is no equation {eq}"


def check(checker, claims) -> None:
    captions = [i for i in checker.items if i.kind == "caption"]
    if not captions:
        return
    model, manifest = checker.model, checker.manifest
    by_id = {c.item.id: c for c in claims}
    captioned = {c.id for c in captions}
    equations = {i.id for i in checker.items if i.kind != "caption"}
    spellings = _plain_spellings(checker.vocab)
    for cap in captions:
        claim = by_id.get(cap.id)
        text = cap.body
        if claim is None and cap.id not in equations:
            checker.add(CaptionNoEquation(eq=cap.id).finding(equation=cap.id))
            continue
        named = _named_in(text, spellings, model)[:1]   # what it is about: the first named
        if claim is not None and named and claim.target not in [s for s, _ in named]:
            checker.add(CaptionTarget(named=", ".join(p for _, p in named), eq=cap.id,
                                      actual=model.latex(claim.target)).finding(), on=cap.id)
        for sym, plain in named:
            role = model.roles.get(sym)
            for said_role, w, start, end in mentions(text, manifest.caption_roles):
                if said_role != role:
                    right = manifest.caption_roles.get(role, ())
                    checker.add(Caption(
                        quantity=plain, said=f"{w} ({said_role.replace('_', ' ')})",
                        actual=f"a {role.replace('_', ' ')}"
                               + (f" ({right[0]})" if right else "")).finding(
                        suggestion=text[:start] + right[0] + text[end:] if right else None),
                        on=cap.id)
            layer = model.layers.get(sym)
            for said_layer, w, start, end in mentions(text, manifest.caption_layers):
                if layer is not None and said_layer != layer:
                    right = manifest.caption_layers.get(layer, ())
                    checker.add(Caption(
                        quantity=plain, said=f"{w} (layer {said_layer})",
                        actual=f"in layer {layer}" + (f" ({right[0]})" if right else "")
                    ).finding(suggestion=text[:start] + right[0] + text[end:] if right
                              else None), on=cap.id)
    for c in claims:
        if c.item.id not in captioned and len(captioned) >= 2:
            checker.add(CaptionMissing(eq=c.item.id).finding(), on=c.item.id)


def mentions(text: str, words_by_key: dict) -> list[tuple]:
    """(key, word, start, end) for each word of ``words_by_key`` the text uses, longest
    first where two overlap ("weighted input" is not "weight", 加权输入 not 输入); a word
    in Latin letters counts only as a whole word. One mention per key, the first.

    >>> mentions("the weighted input z", {"weight": ["weight"], "wi": ["weighted input"]})
    [('wi', 'weighted input', 4, 18)]
    """
    found = []
    for key, words in words_by_key.items():
        for w in words:
            for m in re.finditer(re.escape(w), text):
                if w[:1].isascii() and w[:1].isalpha() and _letter(text, m.start() - 1) or \
                        w[-1:].isascii() and w[-1:].isalpha() and _letter(text, m.end()):
                    continue
                found.append((m.start(), -(m.end() - m.start()), key, w))
    found.sort()
    out, taken, keys = [], [], set()
    for start, neg, key, w in found:
        end = start - neg
        if any(start < e and s < end for s, e in taken):
            continue                 # inside a longer word already found
        taken.append((start, end))
        if key not in keys:
            keys.add(key)
            out.append((key, w, start, end))
    return out


def _letter(text: str, i: int) -> bool:
    return 0 <= i < len(text) and text[i].isascii() and text[i].isalpha()


def _named_in(text: str, spellings, model) -> list:
    """Symbols a caption names, in order of appearance; a one-letter name counts only
    where it cannot be an English article or pronoun, and losses are left out."""
    found = []
    for plain, sym in spellings:
        if model.roles.get(sym) in ("loss", "cost", "samples", "index"):
            continue
        for m in re.finditer(rf"(?<![A-Za-z0-9_\\]){re.escape(plain)}(?![A-Za-z0-9_])", text):
            if len(plain) == 1 and plain in "aAI" and re.match(r"\s+[A-Za-z]", text[m.end():]):
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


def _plain_spellings(vocab):
    """Plain-text spellings of symbols, as captions write them (z_2, Z_2 -> z2, Z2)."""
    out = []
    for name in vocab.written:
        sym = vocab.names[name]
        plain = re.sub(r"\\[A-Za-z]+|[{}_\\ ]", "", name)
        if plain:
            out.append((plain, sym))
            if name != plain:
                out.append((name, sym))
    out.sort(key=lambda t: -len(t[0]))
    return out
