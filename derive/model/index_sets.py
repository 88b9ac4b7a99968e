r"""Index values with names and sets of index values, as word2vec papers write them.

Rong (2014) writes the output vector of "the output word" as ``\mathbf{v}'_{w_O}``, of the
j-th word as ``\mathbf{v}'_{w_j}``, and sums over the negative samples,
``\sum_{w_j \in \mathcal{W}_{neg}}``. A manifest says what these name::

    w = { role = "index", kind = "class", values = { O = 1 } }   # w_j: word j; w_O: word 1
    [sets]
    '\mathcal{W}_{neg}' = [2, 3]                                  # words 2 and 3

An index declared with ``values`` (``{}`` if it names none) and written with a subscript,
``w_j``, is the index ``j``; ``w_O`` is the value the manifest gives ``O``. (Without
``values`` a subscript on an index keeps its usual reading: Nielsen's ``x_j``, entry j of
the training input x, where x is also the index of a sum.) A set is a list of index values (numbers or size names); set
expressions combine them: ``\{w_O\} \cup \mathcal{W}_{neg}``, ``\cap``, ``\setminus``.

>>> evaluate_set(("union", ("items", (1,)), ("name", "S")), {"S": frozenset({2, 3})})
frozenset({1, 2, 3})
"""
from __future__ import annotations

MAX_VALUE = 12                 # as a size: index values are for checking, keep them small


def _value(v, raw, where: str, sizes: dict) -> int:
    if isinstance(raw, str) and raw in sizes:
        return sizes[raw]
    if isinstance(raw, bool) or not isinstance(raw, int) or not 1 <= raw <= MAX_VALUE:
        v.fail(f"{where} must be a whole number from 1 to {MAX_VALUE} or a size name from "
               f"[sizes], not {raw!r}")
    return raw


def parse_values(v, spec: dict, where: str, sizes: dict) -> tuple[tuple[str, int], ...] | None:
    """``values = { O = 1 }`` of an index: the names its subscript may take (``{}``: none,
    but ``w_j`` still spells the index j); None when the index has no ``values``."""
    raw = spec.get("values")
    if raw is None:
        return None
    if not isinstance(raw, dict):
        v.fail(f"{where}.values must be a table of names and index values, e.g. {{ O = 1 }}")
    if spec.get("role") != "index":
        v.fail(f"{where}.values is for a symbol with role = \"index\" (w_O: word 1)")
    out = []
    for name, value in raw.items():
        if not (name.isalpha() or name.isalnum() and name[0].isalpha()) or len(name) > 8:
            v.fail(f"{where}.values: {name!r} must be a short name of letters (w_O: O)")
        out.append((name, _value(v, value, f"{where}.values.{name}", sizes)))
    return tuple(out)


def parse_sets(v, data: dict, sizes: dict) -> dict[str, tuple[int, ...]]:
    """The ``[sets]`` table: each key a set's LaTeX name, each value its index values."""
    out = {}
    for name, values in v.table(data, "sets").items():
        where = f"sets.{name}"
        if not isinstance(values, list) or not values:
            v.fail(f"{where} must be a list of index values, e.g. [2, 3]")
        got = tuple(_value(v, x, where, sizes) for x in values)
        if len(set(got)) != len(got):
            v.fail(f"{where} lists a value twice")
        out[name] = got
    return out


def evaluate_set(expr, sets: dict) -> frozenset:
    """A set expression: ("items", values), ("name", key), ("union" | "intersection" |
    "difference", a, b)."""
    head = expr[0]
    if head == "items":
        return frozenset(expr[1])
    if head == "name":
        return sets[expr[1]]
    a, b = evaluate_set(expr[1], sets), evaluate_set(expr[2], sets)
    return {"union": a | b, "intersection": a & b, "difference": a - b}[head]
