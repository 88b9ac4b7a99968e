"""derive.read.manifest.parse_manifest: a valid manifest is read field by field; every broken one
is an InputError whose message names the file and the offending key."""
from __future__ import annotations

import pytest

from derive.errors import InputError
from derive.read.manifest import load_manifest, parse_manifest

PATH = "books/ch99/manifest.toml"

VALID = r"""
[chapter]
title = "Two layers"
source = "ch.tex"
language = "en"
cites = "Book, ch. 8"

[conventions]
log = "10"
samples = "m"
loss = "batch-mean"

[functions]
'\sigma' = { activation = "sigmoid", aliases = ['\phi'] }
'\tanh' = { activation = "tanh" }

[symbols]
x   = { role = "input", range = [-2, 2.5] }
y   = { role = "label" }
m   = { role = "samples" }
w_1 = { role = "weight", layer = 1 }
z_1 = { role = "weighted_input", layer = 1, aliases = ["Z_1", "Z1"] }
L   = { role = "loss" }

[captions.roles]
weight = ["weight", "W"]

[captions.layers]
1 = ["hidden"]

[numeric]
samples = 8
draws = 2
tolerance = 1e-5

[limits]
claim_seconds = 5
chapter_seconds = 60.5
"""


def test_valid_manifest_is_read_field_by_field():
    m = parse_manifest(VALID, PATH)
    assert m.path == PATH
    assert (m.title, m.source, m.language, m.cites) == ("Two layers", "ch.tex", "en",
                                                        "Book, ch. 8")
    assert str(m.source_path()).replace("\\", "/") == "books/ch99/ch.tex"
    assert (m.conventions.log, m.conventions.samples, m.conventions.loss) == ("10", "m",
                                                                            "batch-mean")
    assert list(m.symbols) == ["x", "y", "m", "w_1", "z_1", "L"]
    assert m.symbols["x"].role == "input"
    assert m.symbols["x"].range == (-2.0, 2.5)
    assert m.symbols["y"].range is None
    assert m.symbols["w_1"].layer == 1
    assert m.symbols["y"].layer is None
    assert m.symbols["z_1"].aliases == ("Z_1", "Z1")
    assert m.symbols["x"].aliases == ()
    assert m.functions[r"\sigma"].activation == "sigmoid"
    assert m.functions[r"\sigma"].aliases == (r"\phi",)
    assert m.functions[r"\tanh"].activation == "tanh"
    assert m.caption_roles == {"weight": ("weight", "W")}
    assert m.caption_layers == {1: ("hidden",)}
    assert (m.numeric.samples, m.numeric.draws, m.numeric.tolerance) == (8, 2, 1e-5)
    assert (m.limits.claim_seconds, m.limits.chapter_seconds) == (5.0, 60.5)


def test_defaults():
    m = parse_manifest('[symbols]\nx = { role = "input" }\n', PATH)
    assert m.source == "chapter.tex"
    assert m.conventions.log == "natural"
    assert m.conventions.samples is None and m.conventions.loss is None
    assert m.functions == {}
    assert (m.numeric.samples, m.numeric.draws) == (32, 3)


def test_manifest_text_is_never_executed(tmp_path):
    target = tmp_path / "pwned"
    text = (f'[chapter]\ntitle = "__import__(\'os\').system(\'touch {target}\')"\n'
            '[symbols]\nx = { role = "input" }\n')
    m = parse_manifest(text, PATH)
    assert m.title.startswith("__import__")
    assert not target.exists()


BASE = '[symbols]\nx = { role = "input" }\n'

BROKEN = [
    # (id, text, substrings the message must contain besides the file name)
    ("unknown top-level key", BASE + "[extra]\nq = 1\n", ["extra"]),
    ("unknown chapter key", '[chapter]\ntitel = "t"\n' + BASE, ["chapter.titel"]),
    ("unknown symbol key", '[symbols]\nx = { role = "input", colour = "red" }\n',
     ["symbols.x.colour"]),
    ("symbol not a table", '[symbols]\nx = "input"\n', ["symbols.x"]),
    ("bad role", '[symbols]\nx = { role = "inptu" }\n', ["symbols.x.role", "inptu"]),
    ("missing role", '[symbols]\nx = { layer = 1 }\n', ["symbols.x.role"]),
    ("bad activation", BASE + "[functions]\n'\\sigma' = { activation = \"sigmoidal\" }\n",
     [r"functions.\sigma.activation", "sigmoidal"]),
    ("bad log", '[conventions]\nlog = "e"\n' + BASE, ["conventions.log", "'e'"]),
    ("log not a string", '[conventions]\nlog = 10\n' + BASE, ["conventions.log"]),
    ("bad loss convention", '[conventions]\nloss = "mean"\n' + BASE,
     ["conventions.loss", "mean"]),
    ("layer not int", '[symbols]\nw = { role = "weight", layer = "one" }\n',
     ["symbols.w.layer", "one"]),
    ("layer float", '[symbols]\nw = { role = "weight", layer = 1.5 }\n', ["symbols.w.layer"]),
    ("layer bool", '[symbols]\nw = { role = "weight", layer = true }\n', ["symbols.w.layer"]),
    ("aliases not list", '[symbols]\nz = { role = "node", aliases = "Z" }\n',
     ["symbols.z.aliases"]),
    ("aliases not strings", '[symbols]\nz = { role = "node", aliases = [1] }\n',
     ["symbols.z.aliases"]),
    ("range reversed", '[symbols]\nx = { role = "input", range = [1, 0] }\n',
     ["symbols.x.range"]),
    ("range one number", '[symbols]\nx = { role = "input", range = [0] }\n',
     ["symbols.x.range"]),
    ("range strings", '[symbols]\nx = { role = "input", range = ["a", "b"] }\n',
     ["symbols.x.range"]),
    ("range bool", '[symbols]\nx = { role = "input", range = [true, 2] }\n',
     ["symbols.x.range"]),
    ("samples undeclared", '[conventions]\nsamples = "n"\n' + BASE,
     ["conventions.samples", "'n'"]),
    ("caption role unknown", BASE + '[captions.roles]\nweigth = ["w"]\n',
     ["captions.roles.weigth"]),
    ("caption layer not int", BASE + '[captions.layers]\none = ["w"]\n',
     ["captions.layers.one"]),
    ("numeric samples too small", BASE + "[numeric]\nsamples = 1\n", ["numeric.samples"]),
    ("numeric key unknown", BASE + "[numeric]\nsample = 8\n", ["numeric.sample"]),
    ("limits negative", BASE + "[limits]\nclaim_seconds = -1\n", ["limits"]),
    ("symbols not a table", "symbols = 3\n", ["symbols"]),
    ("values on a non-index", '[symbols]\nw = { role = "input", values = { O = 1 } }\n',
     ["symbols.w.values", "role = \"index\""]),
    ("values not a table", '[symbols]\nw = { role = "index", values = [1] }\n',
     ["symbols.w.values"]),
    ("value out of range", '[symbols]\nw = { role = "index", values = { O = 13 } }\n',
     ["symbols.w.values.O", "13"]),
    ("value not a name", '[symbols]\nw = { role = "index", values = { "O-1" = 1 } }\n',
     ["symbols.w.values", "O-1"]),
    ("index on an index", '[symbols]\ni = { role = "index", index = "unit" }\n',
     ["symbols.i.index"]),
    ("index without entries", '[symbols]\ni = { role = "activation", index = "unit" }\n',
     ["symbols.i.index"]),
    ("index of an unknown kind",
     '[symbols]\ni = { role = "activation", entries = [2], index = "gate" }\n',
     ["symbols.i.index"]),
    ("superscript unknown", '[conventions]\nsuperscript = "time"\n' + BASE,
     ["conventions.superscript", "index"]),
    ("set empty", BASE + "[sets]\n'S' = []\n", ["sets.S"]),
    ("set not a list", BASE + "[sets]\n'S' = 2\n", ["sets.S"]),
    ("set value twice", BASE + "[sets]\n'S' = [2, 2]\n", ["sets.S", "twice"]),
    ("set unknown size", BASE + "[sets]\n'S' = [\"K\"]\n", ["sets.S", "'K'"]),
]


def test_sets_and_named_values_are_read():
    m = parse_manifest('[sizes]\nK = 3\n[sets]\n\'\\mathcal{W}\' = [2, "K"]\n[symbols]\n'
                       'w = { role = "index", values = { O = 1, L = "K" } }\n'
                       'v = { role = "index", values = {} }\n', PATH)
    assert m.sets == {r"\mathcal{W}": (2, 3)}
    assert m.symbols["w"].values == (("O", 1), ("L", 3))
    assert m.symbols["v"].values == ()


@pytest.mark.parametrize("text,keys", [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN])
def test_broken_manifest_names_file_and_key(text, keys):
    with pytest.raises(InputError) as info:
        parse_manifest(text, PATH)
    msg = str(info.value)
    assert msg.startswith(PATH + ":")
    for key in keys:
        assert key in msg
    assert "\n" not in msg


@pytest.mark.parametrize("text,line", [
    ('[symbols\nx = 1\n', 1),
    ('[chapter]\ntitle = "t"\n[symbols]\nx = { role = \n', 4),
    ('[chapter]\ntitle = "t"\ntitle = "u"\n', 3),
])
def test_invalid_toml_reports_line(text, line):
    with pytest.raises(InputError) as info:
        parse_manifest(text, PATH)
    assert info.value.line == line
    assert str(info.value).startswith(f"{PATH}:{line}: invalid TOML")


def test_load_manifest_missing_file(tmp_path):
    path = tmp_path / "manifest.toml"
    with pytest.raises(InputError) as info:
        load_manifest(path)
    assert str(path) in str(info.value)
    assert "not found" in str(info.value)
