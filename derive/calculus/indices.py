"""Diagnoses of index notation: the wrong time step, unit or layer of one entry.

A claim in index notation that fails is re-read with one entry's index moved by one
(``h_t`` for ``h_{t-1}``, ``a^{l}_k`` for ``a^{l-1}_k``) or its indices swapped
(``w_{kj}`` for ``w_{jk}``); a variant that holds at every value of the free indices is
reported as the diagnosis, with the corrected side as printed by the reader's printer. The
variant is checked like the claim itself (every instance, by the equivalence prover), so
the fix is a verified one.
"""
from __future__ import annotations

import itertools
import re

from ..errors import InputError
from ..read.latex import meaning_of, split_chain
from ..read import read
from ..read import tree as T
from ..read.printer import latex as tree_latex
from ..read.tree import replace_node
from ..rules.index import IndexFix

MAX_VARIANTS = 24


def _shifted(index: T.Node, by: int) -> T.Node:
    """t → t+1 / t-1; t-1 → t; t+1 → t."""
    if isinstance(index, T.Add) and len(index.terms) == 2 and isinstance(index.terms[0], T.Sym):
        other = index.terms[1]
        current = -int(other.x.text) if isinstance(other, T.Neg) and isinstance(
            other.x, T.Num) else int(other.text) if isinstance(other, T.Num) else None
        if current is None:
            return None
        index = index.terms[0]
        by += current
    if not isinstance(index, T.Sym):
        return None
    if by == 0:
        return index
    return T.Add((index, T.Num(str(by)) if by > 0 else T.Neg(T.Num(str(-by)))))


def variants(side: T.Node, vocab):
    """(what changed, the variant side) for each entry moved by one or with its indices
    swapped, the entries of indexed symbols only."""
    out = []
    letters = sorted({n.name for n in side.walk() if isinstance(n, T.Sym)
                      and vocab.indices.get(n.name) not in (None, "sample", "layer")})
    from ..model.arrays import array_variants
    out.extend(array_variants(side, vocab, letters, _shifted))
    for node in side.walk():
        if not (isinstance(node, T.Index) and isinstance(node.x, T.Sym)):
            continue
        from ..model.vocabulary import sympy_name
        if vocab.written.get(sympy_name(node.x.name)) not in vocab.entries:
            continue
        from ..model.arrays import accent_siblings
        out.extend((node, T.Index(T.Sym(other), node.indices))      # a_i for \hat{a}_i
                   for other in accent_siblings(node.x.name, vocab))
        for p, index in enumerate(node.indices):
            if isinstance(index, T.Sym) and index.name in letters:
                for other in letters:         # \hat{y}_k where \hat{y}_j is needed
                    if other != index.name:
                        out.append((node, T.Index(node.x, node.indices[:p] + (T.Sym(other),)
                                                  + node.indices[p + 1:])))
            for by in (-1, 1):
                moved = _shifted(index, by)
                if moved is None:
                    continue
                fixed = T.Index(node.x, node.indices[:p] + (moved,) + node.indices[p + 1:])
                out.append((node, fixed))
        layer = re.match(r"(.*\^\{\[)(\d+)(\]\}.*)$", node.x.name)
        if layer is not None:                 # a^{[2]}_k -> a^{[1]}_k, a^{[3]}_k
            for by in (-1, 1):
                name = f"{layer.group(1)}{int(layer.group(2)) + by}{layer.group(3)}"
                if vocab.written.get(sympy_name(name)) in vocab.entries:
                    out.append((node, T.Index(T.Sym(name), node.indices)))
        if len(node.indices) > 1:
            for order in itertools.permutations(node.indices):
                if order != node.indices:
                    out.append((node, T.Index(node.x, tuple(order))))
    return [(old, new, replace_node(side, old, new)) for old, new in out][:MAX_VARIANTS]


def diagnose_indices(checker, claims) -> None:
    """For each claim of index notation that fails at some value of its free indices, the
    one-entry variant that holds at all of them (recorded for the merged report)."""
    from ..report import PER_SAMPLE
    groups: dict[str, list] = {}
    for c in claims:
        base = c.item.id.rsplit("[", 1)[0] if c.item.env else c.item.id
        groups.setdefault(base, []).append(c)
    for base, group in groups.items():
        results = [checker.results.get(c.item.id) for c in group]
        if not any(r is not None and r.verdict == "mismatch" for r in results):
            continue
        first = group[0]
        try:
            sides = read(first.item.body, checker.vocab.lexicon()).sides
        except Exception:  # noqa: BLE001 - unreadable here: no diagnosis
            continue
        k = next((j for j, link in enumerate(results[0].links, start=1)
                  if link.verdict != "verified"), len(sides) - 1) if results[0] else 1
        if k >= len(sides):
            continue
        for old, new, side in variants(sides[k], checker.vocab):
            if all(_holds(checker, c, side, PER_SAMPLE) for c in group):
                printed = split_chain(first.item.body)
                shown = tree_latex(side, checker.vocab.lexicon())
                lex = checker.vocab.lexicon()
                checker.vocab.index_fixes[base] = IndexFix(
                    old=tree_latex(old, lex), new=tree_latex(new, lex),
                    what=_what(old, new)).finding(suggestion=f"{printed[k - 1].strip()} = {shown}")
                break


def _holds(checker, claim, side, per_sample) -> bool:
    try:
        value = checker.derivation.value(meaning_of(side, checker.vocab,
                                                    chain_var=claim.target,
                                                    bound=claim.item.bound()).expr)
        target = checker.derivation.gradient(claim.of or checker.model.loss, claim.target)
        if claim.of is None and checker.convention != per_sample and \
                checker.model.samples is not None:
            target = target / checker.model.samples
        return checker.equivalence.compare(value, target).equal is True
    except (InputError, Exception):  # noqa: BLE001 - a variant that cannot be read is no fix
        return False


def _what(old: T.Node, new: T.Node) -> str:
    from ..model.arrays import ACCENTS
    if isinstance(old, (T.Sample, T.Index)) and isinstance(new, type(old)) and \
            isinstance(old.x, T.Sym) and isinstance(new.x, T.Sym) and old.x != new.x and \
            ACCENTS.sub(r"\1", old.x.name) == ACCENTS.sub(r"\1", new.x.name):
        return "the quantity with the accent and the one without confused"
    if isinstance(old, T.Transpose) or isinstance(new, T.Transpose):
        return "a transpose " + ("missing" if isinstance(new, T.Transpose) else "too many")
    if isinstance(old, T.Sample):
        return ("the wrong step" if isinstance(old.index, T.Add) or
                isinstance(new.index, T.Add) else "another index")
    if sorted(map(tree_latex, old.indices)) == sorted(map(tree_latex, new.indices)):
        return "swapped indices"
    if old.x != new.x:
        return "the wrong layer"
    if any(isinstance(a, T.Sym) and isinstance(b, T.Sym) and a != b
           for a, b in zip(old.indices, new.indices)):
        return "another index"
    return "the index moved by one: the wrong step"
