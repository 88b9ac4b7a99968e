"""docs/manifest.schema.json (issue 17, item 9): the JSON Schema editors use for
manifest.toml is the generator's output, accepts every bundled manifest, and rejects what
the loader rejects for a wrong key, name or type (a table written by hand)."""
from __future__ import annotations

import importlib.util
import json
import tomllib
from pathlib import Path

import pytest

jsonschema = pytest.importorskip("jsonschema")

from derive.errors import InputError  # noqa: E402
from derive.read.manifest import parse_manifest  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_FILE = ROOT / "docs" / "manifest.schema.json"
BASE = (ROOT / "equations" / "logreg-batch" / "manifest.toml").read_text(encoding="utf-8")


def _generator():
    spec = importlib.util.spec_from_file_location("manifest_schema",
                                                  ROOT / "tools" / "manifest_schema.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_the_committed_schema_is_the_generators_output():
    assert SCHEMA_FILE.read_text(encoding="utf-8") == _generator().text()


def test_every_bundled_manifest_validates(validator):
    manifests = sorted(ROOT.glob("equations/*/manifest.toml")) + \
        sorted(ROOT.glob("tests/books/**/manifest.toml"))
    assert len(manifests) >= 15
    for path in manifests:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        errors = [e.message for e in validator.iter_errors(data)]
        assert not errors, (path, errors[:3])


# (what is changed in logreg-batch's manifest, by hand): the loader and the schema both
# refuse it
BAD = [
    ("[chapter]", "[chapter]\nauthor = \"x\""),                       # unknown key
    ("[symbols]", "[colours]\nred = 1\n[symbols]"),                   # unknown table
    ('z   = { role = "weighted_input" }', 'z   = { role = "weightedinput" }'),
    ('z   = { role = "weighted_input" }', 'z   = { role = "weighted_input", colour = 1 }'),
    ('z   = { role = "weighted_input" }', 'z   = { role = "weighted_input", shape = [1, 2, 3] }'),
    ("[symbols]", "[numeric]\nsamples = 1\n[symbols]"),
    ("[symbols]", "[numeric]\ntolerance = 2\n[symbols]"),
    ("[symbols]", "[limits]\nclaim_seconds = 0\n[symbols]"),
    ("[symbols]", "[sizes]\nn = 0\n[symbols]"),
    ("[symbols]", "[sizes]\nn = 13\n[symbols]"),
    ("[symbols]", "[layers]\ncount = 41\n[symbols]"),
]


@pytest.mark.parametrize("old, new", BAD)
def test_what_the_loader_rejects_the_schema_rejects(validator, old, new):
    assert old in BASE
    text = BASE.replace(old, new, 1)
    with pytest.raises(InputError):
        parse_manifest(text, "manifest.toml")
    assert list(validator.iter_errors(tomllib.loads(text))), new


def test_the_base_manifest_is_accepted_by_both(validator):
    parse_manifest(BASE, "manifest.toml")
    assert not list(validator.iter_errors(tomllib.loads(BASE)))
