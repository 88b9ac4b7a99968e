"""The chapter manifest: a small declarative TOML file (format: docs/format.md).

Read with the standard library's ``tomllib``; nothing in it is ever executed. Every
key is validated; an unknown key or a wrong type is an :class:`InputError` naming the
file and the key.

>>> m = parse_manifest('''
... [symbols]
... x = { role = "input" }
... w = { role = "weight" }
... z = { role = "weighted_input", aliases = ["Z"] }
... ''', "demo.toml")
>>> m.symbols["z"].aliases
('Z',)
>>> m.conventions.log
'natural'
"""
from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..errors import InputError

ROLES = ("input", "label", "weight", "bias", "parameter", "weighted_input", "activation",
         "node", "loss", "cost", "samples", "constant", "index", "gradient")
PARAMETER_ROLES = ("weight", "bias", "parameter")
NODE_ROLES = ("weighted_input", "activation", "node")
ACTIVATIONS = ("sigmoid", "tanh", "relu", "identity", "softplus", "softmax")
LOG_BASES = ("natural", "10", "2")
CONVENTIONS = ("per-sample", "batch-mean")
SUPERSCRIPTS = ("power", "layer", "sample", "index")   # what z^l, x^2 on a name are
PARENTHESISED = ("sample", "layer", "index")    # what x^{(i)} is
INDEX_KINDS = ("sample", "layer", "unit", "class", "time")


@dataclass(frozen=True)
class SymbolDecl:
    latex: str
    role: str
    layer: int | None = None
    aliases: tuple[str, ...] = ()
    range: tuple[float, float] | None = None   # where numeric points are drawn
    shape: tuple[int | str, int | str] | None = None   # (rows, cols): sizes or size names
    of: str | None = None                      # role "gradient": the quantity it is the gradient of
    layers: tuple[int, int] | None = None      # a family W^{[l]}: the layers it exists for
    simplex: bool = False                      # label columns sum to one (one-hot, probabilities)
    column_of: str | None = None               # x^{(i)} is column i of this batch matrix
    kind: str | None = None                    # role "index": what it counts (INDEX_KINDS)
    # index notation: the symbol is written by its entries (w_{jk}), each index from 1 to
    # its size (a size name from [sizes] or a number)
    entries: tuple[int | str, ...] | None = None
    identity: bool = False                     # entries of the identity (I_{kj}: 1 if k = j)
    values: tuple[tuple[str, int], ...] | None = None   # an index's named values: w_O (O = 1)
    index: str | None = None                   # the letter is also an index (Mallya's i)


@dataclass(frozen=True)
class FunctionDecl:
    latex: str
    activation: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Conventions:
    log: str = "natural"
    samples: str | None = None       # the symbol counting training samples (e.g. "m")
    loss: str | None = None          # what the loss symbol denotes: per-sample | batch-mean
    star: str = "product"            # what A * B means between matrices: product | elementwise
    superscript: str = "power"       # a plain superscript on a name: power|layer|sample|index
    parenthesised: str = "sample"    # x^{(k)}: sample | layer | index (by k's kind)
    examples: str = "columns"        # matrix chapters: one example per column | per row


@dataclass(frozen=True)
class NumericSettings:
    samples: int = 32
    draws: int = 3
    tolerance: float = 1e-6


@dataclass(frozen=True)
class Limits:
    claim_seconds: float = 20.0
    chapter_seconds: float = 600.0


@dataclass(frozen=True)
class Manifest:
    path: str
    source: str = "chapter.tex"
    title: str = ""
    language: str = ""
    cites: str = ""
    conventions: Conventions = field(default_factory=Conventions)
    symbols: dict[str, SymbolDecl] = field(default_factory=dict)
    functions: dict[str, FunctionDecl] = field(default_factory=dict)
    caption_roles: dict[str, tuple[str, ...]] = field(default_factory=dict)
    caption_layers: dict[int, tuple[str, ...]] = field(default_factory=dict)
    numeric: NumericSettings = field(default_factory=NumericSettings)
    limits: Limits = field(default_factory=Limits)
    sizes: dict[str, int] = field(default_factory=dict)
    layer_count: int = 0                      # L of [layers]; 0 without a generic index
    layer_widths: tuple[int, ...] = ()        # n^{[0]}, ..., n^{[L]}
    sets: dict[str, tuple[int, ...]] = field(default_factory=dict)   # W_neg = {2, 3}

    @property
    def vectorized(self) -> bool:
        """True when some symbol is a vector or a matrix (checked entry by entry)."""
        return any(d.shape is not None for d in self.symbols.values())

    @property
    def directory(self) -> Path:
        return Path(self.path).parent

    def source_path(self) -> Path:
        return self.directory / self.source


def load_manifest(path: str | Path) -> Manifest:
    """Read and validate ``manifest.toml``; raise :class:`InputError` on any problem."""
    from .inputs import MAX_MANIFEST_BYTES, read_text
    path = Path(path)
    return parse_manifest(read_text(path, "manifest", MAX_MANIFEST_BYTES), str(path))


# bounds on what a manifest may ask for, so that every run stays bounded
MAX_ENTRY_DIMS = 3             # w_{ijk}: indices of an entry
MAX_SIZE = 12                  # an explicit size or a literal shape
MAX_RANGE = 1e6                # |low|, |high| of a symbol's range
MAX_SAMPLES = 4096             # numeric.samples
MAX_DRAWS = 20                 # numeric.draws
MAX_CLAIM_SECONDS = 3600.0
MAX_CHAPTER_SECONDS = 86400.0

_TOP_KEYS = {"chapter", "conventions", "symbols", "functions", "captions", "numeric", "limits",
             "sizes", "layers", "sets"}


def parse_manifest(text: str, path: str = "<manifest>") -> Manifest:
    """Parse manifest text (see :func:`load_manifest`)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = None
        msg = str(exc)
        if "(at line " in msg:
            try:
                line = int(msg.split("(at line ")[1].split(",")[0])
            except ValueError:
                line = None
        raise InputError(f"invalid TOML: {msg}", file=path, line=line) from None
    v = _Validator(path)
    v.keys(data, _TOP_KEYS, "")
    chapter = v.table(data, "chapter")
    v.keys(chapter, {"title", "source", "language", "cites"}, "chapter")
    conv = v.table(data, "conventions")
    v.keys(conv, {"log", "samples", "loss", "star", "superscript", "parenthesised",
                  "examples"}, "conventions")
    examples = v.get(conv, "examples", str, "columns", "conventions")
    if examples not in ("columns", "rows"):
        v.fail(f"conventions.examples must be 'columns' (one example per column, X is n×m) "
               f"or 'rows' (one per row, X is m×n), not {examples!r}")
    sup_conv = v.get(conv, "superscript", str, "power", "conventions")
    if sup_conv not in SUPERSCRIPTS:
        v.fail(f"conventions.superscript must be one of {', '.join(SUPERSCRIPTS)}, "
               f"not {sup_conv!r}")
    par_conv = v.get(conv, "parenthesised", str, "sample", "conventions")
    if par_conv not in PARENTHESISED:
        v.fail(f"conventions.parenthesised must be one of {', '.join(PARENTHESISED)}, "
               f"not {par_conv!r}")
    star = v.get(conv, "star", str, "product", "conventions")
    if star not in ("product", "elementwise"):
        v.fail(f"conventions.star must be 'product' or 'elementwise', not {star!r}")
    log = str(v.get(conv, "log", str, "natural", "conventions"))
    if log not in LOG_BASES:
        v.fail(f"conventions.log must be one of {', '.join(LOG_BASES)}, not {log!r}")
    loss_conv = v.get(conv, "loss", str, None, "conventions")
    if loss_conv is not None and loss_conv not in CONVENTIONS:
        v.fail(f"conventions.loss must be one of {', '.join(CONVENTIONS)}, not {loss_conv!r}")

    symbols: dict[str, SymbolDecl] = {}
    for key, spec in v.table(data, "symbols").items():
        where = f"symbols.{key}"
        if not isinstance(spec, dict):
            v.fail(f"{where} must be a table like {{ role = \"input\" }}")
        v.keys(spec, {"role", "layer", "aliases", "range", "shape", "of", "column_of", "layers",
                      "simplex", "kind", "entries", "identity", "values", "index"}, where)
        role = v.get(spec, "role", str, None, where)
        if role not in ROLES:
            v.fail(f"{where}.role must be one of {', '.join(ROLES)}, not {role!r}")
        layer = v.get(spec, "layer", int, None, where)
        aliases = tuple(v.str_list(spec, "aliases", where))
        rng = spec.get("range")
        if rng is not None:
            if (not isinstance(rng, list) or len(rng) != 2
                    or not all(isinstance(r, (int, float)) and not isinstance(r, bool)
                               and math.isfinite(r) and abs(r) <= MAX_RANGE for r in rng)
                    or not rng[0] < rng[1]):
                v.fail(f"{where}.range must be two finite numbers [low, high] with low < high, "
                       f"each within ±{MAX_RANGE:g}")
            rng = (float(rng[0]), float(rng[1]))
        shape = spec.get("shape")
        if shape is not None:
            if (not isinstance(shape, list) or len(shape) != 2 or not all(
                    (isinstance(d, int) and not isinstance(d, bool) and 1 <= d <= MAX_SIZE)
                    or (isinstance(d, str) and d) for d in shape)):
                v.fail(f"{where}.shape must be [rows, cols]: whole numbers from 1 to "
                       f"{MAX_SIZE} or size names from [sizes] (explicit sizes are for checking "
                       "entry by entry, keep them small)")
            shape = (shape[0], shape[1])
        of = v.get(spec, "of", str, None, where)
        if role == "gradient" and of is None:
            v.fail(f"{where}: a symbol with role = \"gradient\" needs of = \"<symbol>\"")
        column_of = v.get(spec, "column_of", str, None, where)
        fam = spec.get("layers")
        if fam is not None:
            if (not isinstance(fam, list) or len(fam) != 2
                    or not all(isinstance(x, int) and not isinstance(x, bool) for x in fam)
                    or fam[0] > fam[1] or fam[0] < 0):
                v.fail(f"{where}.layers must be [first, last] layer numbers, e.g. [0, 3]")
            fam = (fam[0], fam[1])
        simplex = spec.get("simplex", False)
        if not isinstance(simplex, bool) or simplex and (
                role != "label" or shape is None and spec.get("entries") is None):
            v.fail(f"{where}.simplex = true is for a label with a shape (its columns sum to one)")
        kind = v.get(spec, "kind", str, None, where)
        if kind is not None and (role != "index" or kind not in INDEX_KINDS):
            v.fail(f"{where}.kind is for a symbol with role = \"index\": one of "
                   f"{', '.join(INDEX_KINDS)}")
        entries = spec.get("entries")
        if entries is not None:
            if (not isinstance(entries, list) or not 1 <= len(entries) <= MAX_ENTRY_DIMS
                    or not all((isinstance(d, int) and not isinstance(d, bool)
                                and 1 <= d <= MAX_SIZE) or (isinstance(d, str) and d)
                               for d in entries)):
                v.fail(f"{where}.entries must list the size of each index, e.g. [\"K\", \"n\"] "
                       f"for w_{{kj}}: 1 to {MAX_ENTRY_DIMS} whole numbers from 1 to {MAX_SIZE} "
                       "or size names from [sizes]")
            if shape is not None:
                v.fail(f"{where}: give shape (matrix notation) or entries (index notation), "
                       "not both")
            entries = tuple(entries)
        identity = spec.get("identity", False)
        if not isinstance(identity, bool) or identity and (
                entries is None or len(entries) != 2 or entries[0] != entries[1]):
            v.fail(f"{where}.identity = true is for a symbol with two entries of one size, "
                   "entries = [\"K\", \"K\"] (I_{kj} is 1 where k = j, else 0)")
        symbols[key] = SymbolDecl(key, role, layer, aliases, rng, shape=shape, of=of,
                                  column_of=column_of, layers=fam, simplex=simplex,
                                  kind=kind, entries=entries, identity=identity,
                                  values=spec.get("values"),
                                  index=v.get(spec, "index", str, None, where))
        if symbols[key].index is not None and (role == "index" or spec["index"] not in
                                               INDEX_KINDS or "entries" not in spec):
            v.fail(f"{where}.index is for a quantity written by its entries whose letter is "
                   f"also an index (Mallya's gate i^t and entry i): one of "
                   f"{', '.join(INDEX_KINDS)}")

    functions: dict[str, FunctionDecl] = {}
    for key, spec in v.table(data, "functions").items():
        where = f"functions.{key}"
        if not isinstance(spec, dict):
            v.fail(f"{where} must be a table like {{ activation = \"sigmoid\" }}")
        v.keys(spec, {"activation", "aliases", "unspecified"}, where)
        act = v.get(spec, "activation", str, None, where)
        if spec.get("unspecified") is True and act is None:
            act = "unspecified"            # f(x_t, h_{t-1}, w_h) left abstract (d2l 9.7)
        elif act not in ACTIVATIONS:
            v.fail(f"{where}.activation must be one of {', '.join(ACTIVATIONS)}, not {act!r}")
        functions[key] = FunctionDecl(key, act, tuple(v.str_list(spec, "aliases", where)))

    captions = v.table(data, "captions")
    v.keys(captions, {"roles", "layers"}, "captions")
    roles = {}
    for role, words in v.table(captions, "roles", "captions").items():
        if role not in ROLES:
            v.fail(f"captions.roles.{role}: unknown role (roles: {', '.join(ROLES)})")
        roles[role] = tuple(v.str_list({"w": words}, "w", f"captions.roles.{role}"))
    layers = {}
    for layer, words in v.table(captions, "layers", "captions").items():
        try:
            n = int(layer)
        except ValueError:
            v.fail(f"captions.layers.{layer}: a layer key must be a whole number")
        layers[n] = tuple(v.str_list({"w": words}, "w", f"captions.layers.{layer}"))

    num = v.table(data, "numeric")
    v.keys(num, {"samples", "draws", "tolerance"}, "numeric")
    numeric = NumericSettings(
        samples=v.get(num, "samples", int, 32, "numeric"),
        draws=v.get(num, "draws", int, 3, "numeric"),
        tolerance=float(v.get(num, "tolerance", (int, float), 1e-6, "numeric")))
    if not 0 < numeric.tolerance < 1:
        v.fail("numeric.tolerance must be a number between 0 and 1")
    if not 2 <= numeric.samples <= MAX_SAMPLES or not 1 <= numeric.draws <= MAX_DRAWS:
        v.fail(f"numeric.samples must be from 2 to {MAX_SAMPLES} and numeric.draws from 1 "
               f"to {MAX_DRAWS}")
    lim = v.table(data, "limits")
    v.keys(lim, {"claim_seconds", "chapter_seconds"}, "limits")
    limits = Limits(float(v.get(lim, "claim_seconds", (int, float), 20.0, "limits")),
                    float(v.get(lim, "chapter_seconds", (int, float), 600.0, "limits")))
    if not all(math.isfinite(x) and x > 0 for x in (limits.claim_seconds,
                                                    limits.chapter_seconds)):
        v.fail("limits must be positive, finite numbers of seconds")
    if limits.claim_seconds > MAX_CLAIM_SECONDS or limits.chapter_seconds > MAX_CHAPTER_SECONDS:
        v.fail(f"limits: claim_seconds at most {MAX_CLAIM_SECONDS:g}, chapter_seconds at most "
               f"{MAX_CHAPTER_SECONDS:g}")

    sizes = {}
    for name, value in v.table(data, "sizes").items():
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_SIZE:
            v.fail(f"sizes.{name} must be a whole number from 1 to {MAX_SIZE} (explicit sizes "
                   "are for checking entry by entry, keep them small)")
        sizes[name] = value
    lay = v.table(data, "layers")
    v.keys(lay, {"count", "widths"}, "layers")
    widths = lay.get("widths", [])
    if not isinstance(widths, list) or not all(
            isinstance(w, int) and not isinstance(w, bool) and 1 <= w <= 12 for w in widths):
        v.fail("layers.widths must be a list of whole numbers from 1 to 12 (n^{[0]}, ..., n^{[L]})")
    count = v.get(lay, "count", int, len(widths) - 1 if widths else 0, "layers")
    if lay and not 1 <= count <= 40:
        v.fail("layers.count must be from 1 to 40")
    if widths and len(widths) != count + 1:
        v.fail(f"layers.widths must list {count + 1} widths: n^{{[0]}} to n^{{[{count}]}}")
    family = ("[l" if lay else "\0")
    from ..model.index_sets import parse_sets, parse_values
    for key, decl in list(symbols.items()):
        symbols[key] = replace(decl, values=parse_values(
            v, {"role": decl.role, "values": decl.values}, f"symbols.{key}", sizes))
    for key, decl in symbols.items():
        for dim in decl.shape or ():
            if isinstance(dim, str) and dim not in sizes and dim != conv.get("samples") \
                    and not ("^{[" in dim and lay):
                v.fail(f"symbols.{key}.shape uses {dim!r}, which is not in [sizes]")
        for dim in decl.entries or ():
            if isinstance(dim, str) and dim not in sizes and not ("^{[" in dim and lay):
                v.fail(f"symbols.{key}.entries uses {dim!r}, which is not in [sizes]")
        for ref in (decl.of, decl.column_of):
            if ref is not None and ref not in symbols and family not in ref:
                v.fail(f"symbols.{key} refers to {ref!r}, which is not declared")
    samples = v.get(conv, "samples", str, None, "conventions")
    if samples is not None and samples not in symbols:
        v.fail(f"conventions.samples names {samples!r}, which is not declared in [symbols]")
    source = v.get(chapter, "source", str, "chapter.tex", "chapter")
    if not source.strip() or "\x00" in source:
        v.fail("chapter.source must name the chapter file, relative to the manifest's folder")
    return Manifest(path=path, source=source,
                    title=v.get(chapter, "title", str, "", "chapter"),
                    language=v.get(chapter, "language", str, "", "chapter"),
                    cites=v.get(chapter, "cites", str, "", "chapter"),
                    conventions=Conventions(log, samples, loss_conv, star, sup_conv,
                                            par_conv, examples),
                    symbols=symbols, functions=functions, caption_roles=roles,
                    caption_layers=layers, numeric=numeric, limits=limits, sizes=sizes,
                    layer_count=count if lay else 0, layer_widths=tuple(widths),
                    sets=parse_sets(v, data, sizes))


class _Validator:
    def __init__(self, path: str) -> None:
        self.path = path

    def fail(self, message: str):
        raise InputError(message, file=self.path)

    def keys(self, table: dict, allowed: set[str], where: str) -> None:
        for key in table:
            if key not in allowed:
                name = f"{where}.{key}" if where else key
                self.fail(f"unknown key {name!r} (allowed here: {', '.join(sorted(allowed))})")

    def table(self, data: dict, key: str, where: str = "") -> dict:
        value = data.get(key, {})
        if not isinstance(value, dict):
            self.fail(f"{(where + '.') if where else ''}{key} must be a table")
        return value

    def get(self, table: dict, key: str, typ, default, where: str):
        if key not in table:
            return default
        value = table[key]
        if isinstance(value, bool) or not isinstance(value, typ):
            name = typ.__name__ if isinstance(typ, type) else "number"
            self.fail(f"{where}.{key} must be a {name}, not {value!r}")
        return value

    def str_list(self, table: dict, key: str, where: str) -> list[str]:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(s, str) and s for s in value):
            self.fail(f"{where}{'' if where.endswith(key) else '.' + key} must be a list of strings")
        return value
