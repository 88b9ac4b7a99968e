"""The persistent parse cache (derive.parse_store): what it stores comes back identical,
what it reads runs no code, and a check with the cache warm gives the same report."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import sympy

from derive import parse_store
from derive.parse_store import ParseStore, decode, encode

ROOT = Path(__file__).resolve().parent.parent
x, y = sympy.symbols("x y")
W = sympy.Symbol("W", commutative=False)
f = sympy.Function("L")

ROUND_TRIP = [
    sympy.Add(x, sympy.Integer(1), evaluate=False),
    sympy.Mul(sympy.Integer(1), x, evaluate=False),          # unevaluated, as latex2sympy2 builds
    sympy.Pow(x, sympy.Integer(-1), evaluate=False),
    sympy.Rational(3, 7) * x,
    sympy.Float("0.25") * y,
    sympy.exp(-x) / (1 + sympy.exp(-x)) ** 2,
    sympy.log(1 - x),
    f(y, x),
    W * x,
    sympy.Derivative(f(x, y), x, evaluate=False),
    sympy.Sum(x * y, (y, 1, sympy.Symbol("m"))),
    sympy.Mod(x, y, evaluate=False),
    sympy.Eq(x, y, evaluate=False),
    sympy.pi * x,
]


@pytest.mark.parametrize("expr", ROUND_TRIP, ids=[sympy.srepr(e)[:40] for e in ROUND_TRIP])
def test_what_is_stored_comes_back_identical(expr):
    back = decode(json.loads(json.dumps(encode(expr))))
    assert back == expr and sympy.srepr(back) == sympy.srepr(expr)


@pytest.mark.parametrize("tree", [
    ["Call", "__import__", ["S", "os", {}]],       # a function that is not in the table
    ["Call", "eval", ["I", 1]],
    ["S", "x", {"commutative": "__import__('os')"}],
    ["I", "1"],
    ["F", ["x"], 53],
    ["Nope"],
    "x",
    [],
    None,
])
def test_a_tree_naming_anything_else_is_ignored(tree):
    assert decode(tree) is None


def test_a_class_outside_the_table_is_not_stored(tmp_path):
    store = ParseStore(tmp_path / "p.json")
    store.put("k", (True, sympy.Matrix([[x]])))
    store.put("e", (False, ("cannot parse 'x^'", 2)))
    store.save()
    again = ParseStore(tmp_path / "p.json")
    assert again.get("k") is None
    assert again.get("e") == (False, ("cannot parse 'x^'", 2))


def test_a_corrupt_cache_file_is_ignored(tmp_path):
    (tmp_path / "p.json").write_text("{not json", encoding="utf-8")
    assert ParseStore(tmp_path / "p.json").get("anything") is None


def test_the_fingerprint_names_the_parser_stack():
    assert len(parse_store.fingerprint()) == 20


def _check(env_extra: dict, out: Path) -> str:
    import os
    env = dict(os.environ)
    env.pop("DERIVE_NO_CACHE", None)
    env.update(env_extra)
    subprocess.run([sys.executable, "-m", "derive.cli", "check", "equations/ch08-two-layer-bce",
                    "--no-numeric", "--format", "json", "-o", str(out)], cwd=ROOT, env=env,
                   check=False, capture_output=True)
    return out.read_text(encoding="utf-8")


def test_a_warm_cache_gives_the_same_report_and_no_cache_writes_nothing(tmp_path):
    # every formula through latex2sympy2, so that the cache has something to hold
    cache = tmp_path / "cache"
    l2s = {"DERIVE_CACHE_DIR": str(cache), "DERIVE_PARSER": "latex2sympy2"}
    first = _check(l2s, tmp_path / "a.json")
    files = list(cache.glob("parses-*.json"))
    # (the vectorized forms are parsed in a second process, whose parses are not kept)
    assert len(files) == 1 and len(json.loads(files[0].read_text())["entries"]) > 30
    second = _check(l2s, tmp_path / "b.json")
    assert first == second
    off = tmp_path / "off"
    third = _check({**l2s, "DERIVE_CACHE_DIR": str(off), "DERIVE_NO_CACHE": "1"},
                   tmp_path / "c.json")
    assert third == first and not off.exists()


def test_formulas_in_the_fast_reader_subset_never_reach_the_cache(tmp_path):
    cache = tmp_path / "cache"
    fast = _check({"DERIVE_CACHE_DIR": str(cache)}, tmp_path / "a.json")
    assert not list(cache.glob("parses-*.json"))      # nothing went to latex2sympy2
    slow = _check({"DERIVE_CACHE_DIR": str(cache), "DERIVE_PARSER": "latex2sympy2"},
                  tmp_path / "b.json")
    assert fast == slow and json.loads(fast)["chapters"][0]["equations"]
