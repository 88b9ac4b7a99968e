"""What the reader needs to know about a chapter's notation, declared once for the chapter.

The reader never guesses per formula: whether ``f(x)`` is a call or a product, whether
``dZ`` is one name, whether ``x_i`` is an entry of ``x`` and whether ``z^l`` is a power,
a layer or a sample depends only on this context (the manifest's declarations and its
index convention), the same for every formula of the chapter.

>>> lex = Lexicon(names=frozenset({"dZ", "x"}), indices=(("i", "sample"),))
>>> lex.runs, lex.index_kind("i"), lex.index_kind("x")
((('d', 'Z'),), 'sample', None)
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .names import GREEK

SUPERSCRIPT_READINGS = ("power", "layer", "sample", "index")
PARENTHESISED_READINGS = ("sample", "layer", "index")
INDEX_KINDS = ("sample", "layer", "unit", "time", "class")


@dataclass(frozen=True)
class Lexicon:
    """The notation context of one chapter.

    ``names``: canonical spellings of every declared symbol (multi-letter names such as
    ``dZ`` are read as one name only when declared). ``functions``: canonical names that
    take arguments, ``f(x)`` (declared activations and functions the chapter defines).
    ``indices``: (name, kind) of declared index symbols; a subscript made of indices is
    an entry (``x_i``), a parenthesised superscript of a sample index is a sample.
    ``plain``: what a plain superscript on a name is (``z^l``): a power (default), a
    layer or a sample. ``parenthesised``: what ``x^{(k)}`` is: a sample (default), a
    layer, or decided by the declared kind of the index (``index``). ``star``: ``*`` as
    the ``product`` or the ``elementwise`` product.
    """

    names: frozenset[str] = frozenset()
    functions: frozenset[str] = frozenset()
    indices: tuple[tuple[str, str], ...] = ()
    plain: str = "power"
    parenthesised: str = "sample"
    star: str = "product"
    sizes: frozenset[str] = frozenset()       # names of [sizes]: h^{(\tau)}, the last step
    # named index values, (index, name, value): w_O is value 1 of w; w_j is the index j
    index_values: tuple[tuple[str, str, int], ...] = ()
    spellers: frozenset[str] = frozenset()    # indices declared with values: w of w_j
    runs: tuple[str, ...] = field(default=(), init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "runs", name_runs(self.names))

    def index_kind(self, name: str) -> str | None:
        for n, kind in self.indices:
            if n == name:
                return kind
        return None

    def index_spelling(self, base: str, sub: str):
        """``w_j`` of a declared index w: the index j (a str); ``w_O``: O's value (an
        int); otherwise None."""
        if base not in self.spellers:
            return None
        if self.index_kind(sub) is not None:
            return sub
        return next((v for i, n, v in self.index_values if i == base and n == sub), None)

    def with_functions(self, extra) -> "Lexicon":
        from dataclasses import replace
        return replace(self, functions=self.functions | frozenset(extra))


def name_runs(names) -> tuple[tuple[str, ...], ...]:
    """Declared names that are several letters (or letters and Greek letters) long, such
    as ``dZ``, ``dW^{[1]}``, ``d\\theta``, as token texts, longest first."""
    from .tokens import tokenize
    runs = set()
    for name in names:
        try:
            toks = tokenize(name)
        except Exception:  # noqa: BLE001 - a name that does not tokenize has no run
            continue
        run = []
        for t in toks:
            if t.kind == "letter" or t.text in GREEK:
                run.append(t.text)
            else:
                break
        if len(run) > 1:
            runs.add(tuple(run))
    return tuple(sorted(runs, key=lambda r: (-len(r), r)))


DEFAULT = Lexicon()
