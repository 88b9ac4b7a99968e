"""A manifest written back as TOML (``derive init``): what was inferred, for the author to
review and keep. Reading the text back gives the same manifest.

>>> from derive.read.manifest import Manifest, SymbolDecl, parse_manifest
>>> m = Manifest(path="ch.md", source="ch.md", symbols={"w_1": SymbolDecl("w_1", "weight", 1)})
>>> parse_manifest(manifest_toml(m)).symbols["w_1"].layer
1
"""
from __future__ import annotations

import re

from ..read.manifest import Conventions, Manifest


def _str(text: str) -> str:
    """A TOML string: literal ('...') when it holds a backslash and no quote."""
    if "\\" in text and "'" not in text and "\n" not in text:
        return f"'{text}'"
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _key(text: str) -> str:
    return text if re.fullmatch(r"[A-Za-z0-9_-]+", text) else _str(text)


def manifest_toml(m: Manifest, notes: list[str] = ()) -> str:
    out = ["# derive manifest, inferred from the chapter by `derive init`: review it and keep",
           "# it (format: docs/format.md). What was inferred, and why:"]
    out += [f"#   {n}" for n in notes]
    out += ["", "[chapter]", f"title = {_str(m.title)}", f"source = {_str(m.source)}"]
    if m.language:
        out.append(f"language = {_str(m.language)}")
    c, default = m.conventions, Conventions()
    conv = [(k, getattr(c, k)) for k in ("log", "samples", "loss", "star", "superscript",
                                         "parenthesised")
            if getattr(c, k) is not None and getattr(c, k) != getattr(default, k)]
    if conv:
        out += ["", "[conventions]"] + [f"{k} = {_str(str(v))}" for k, v in conv]
    if m.functions:
        out += ["", "[functions]"]
        for key, f in m.functions.items():
            aliases = f", aliases = [{', '.join(map(_str, f.aliases))}]" if f.aliases else ""
            out.append(f"{_key(key)} = {{ activation = {_str(f.activation)}{aliases} }}")
    out += ["", "[symbols]"]
    for key, d in m.symbols.items():
        parts = [f"role = {_str(d.role)}"]
        if d.layer is not None:
            parts.append(f"layer = {d.layer}")
        if d.aliases:
            parts.append(f"aliases = [{', '.join(map(_str, d.aliases))}]")
        if d.kind:
            parts.append(f"kind = {_str(d.kind)}")
        if d.of:
            parts.append(f"of = {_str(d.of)}")
        if d.column_of:
            parts.append(f"column_of = {_str(d.column_of)}")
        if d.range is not None:
            parts.append(f"range = [{d.range[0]!r}, {d.range[1]!r}]")
        if d.shape is not None:
            parts.append("shape = [" + ", ".join(str(x) if isinstance(x, int) else _str(x)
                                                 for x in d.shape) + "]")
        if d.entries is not None:
            parts.append("entries = [" + ", ".join(str(x) if isinstance(x, int) else _str(x)
                                                   for x in d.entries) + "]")
        if d.layers is not None:
            parts.append(f"layers = [{d.layers[0]}, {d.layers[1]}]")
        if d.simplex:
            parts.append("simplex = true")
        if d.identity:
            parts.append("identity = true")
        out.append(f"{_key(key)} = {{ {', '.join(parts)} }}")
    if m.sizes:
        out += ["", "[sizes]"] + [f"{_key(k)} = {v}" for k, v in m.sizes.items()]
    if m.layer_count:
        out += ["", "[layers]", f"widths = [{', '.join(map(str, m.layer_widths))}]"]
    if m.caption_roles:
        out += ["", "[captions.roles]"] + [f"{role} = [{', '.join(map(_str, words))}]"
                                           for role, words in m.caption_roles.items()]
    if m.caption_layers:
        out += ["", "[captions.layers]"] + [f'"{n}" = [{", ".join(map(_str, words))}]'
                                            for n, words in m.caption_layers.items()]
    return "\n".join(out) + "\n"
