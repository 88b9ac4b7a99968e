"""DV204 notation: one quantity written two ways, and how a formula was read.

Why: z^{[2]} in one equation and Z_2 in the next may be one quantity (the manifest's
aliases say so) but a reader cannot know. Reported once per quantity, with where each
spelling is used. The info findings "read: ..." say how a notation that could be read two
ways was read (a superscript T as a transpose, f' as a derivative).

Example::

    z = aliases ["Z"];  equation 2 writes z, equation 3 writes Z
    -> DV204 notation: one quantity written two ways: Z and z (Z in 3; z in 2)
       fix: write z throughout
"""
from __future__ import annotations

import re

from ..errors import InputError
from ..prose import Prose
from ..read.latex import parse_formula, split_chain
from .base import Message

CODE = "DV204"
KIND = "notation"
ORDER = 30
MODELS = ("scalar", "matrix")


class Notation(Message):
    severity = "warning"
    template = "one quantity written two ways: {spellings} ({where})"


class ReadAs(Message):
    severity = "info"
    template = "read: {note}"


def read_notes(claim) -> list:
    """The info findings for how the claim's sides were read."""
    return [ReadAs(note=n).finding() for n in sorted({n for p in claim.parsed for n in p.notes})]


def check(checker, claims) -> None:
    vocab = checker.vocab
    uses: dict[str, dict[str, list[str]]] = {}
    parsed_items = [(c.item.id, p) for c in claims for p in c.parsed]
    for item in checker.items:
        if item.kind == "definition" and item.id not in checker.errors:
            try:
                for side in split_chain(item.body):
                    if "(" in side and side.split("(")[0].strip() in vocab.user_functions:
                        continue
                    parsed_items.append((item.id, parse_formula(side, vocab, bound=item.bound())))
            except InputError:
                continue
    for eid, p in parsed_items:
        eid = eid.rsplit("[", 1)[0] if eid.endswith("]") else eid   # an instance's equation
        for written, canonical in p.spellings:
            if vocab.entries:
                # bold for the vector, plain for its entries: one spelling, as books write
                written = re.sub(r"\\(?:boldsymbol|mathbf|bm)\{([^{}]*)\}", r"\1", written)
            ids = uses.setdefault(canonical, {}).setdefault(written, [])
            if eid not in ids:
                ids.append(eid)
    for canonical, spelled in sorted(uses.items()):
        if len(spelled) < 2:
            continue
        where = Prose("; ").join(Prose.latex(w) + f" in {', '.join(ids)}"
                                 for w, ids in sorted(spelled.items()))
        spellings = Prose(" and ").join(map(Prose.latex, sorted(spelled)))
        checker.add(Notation(spellings=spellings, where=where).finding(
            suggestion=f"write {vocab.canonical_latex[vocab.names[canonical]]} throughout"))
