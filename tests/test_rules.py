"""The rule modules (derive.rules): each one kind of finding with a stable code, a
documented rationale and example, its own test file, and a line in docs/verdicts.md."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from derive.rules import registry
from derive.rules.base import Message

ROOT = Path(__file__).resolve().parent.parent
RULES = registry.modules()
NAMES = [m.__name__.rsplit(".", 1)[1] for m in RULES]


def test_the_rule_modules_are_found():
    # written by hand: the kinds of finding derive reported before codes existed (a new
    # rule adds to them)
    kinds = {"factor", "samples", "sign", "substitution", "missing-factor", "extra-factor",
             "missing-term", "extra-term", "wrong-derivative", "mismatch", "convention",
             "definition", "argument-order", "caption", "notation", "parse", "timeout",
             "numeric", "cross-check", "shape", "missing-transpose", "extra-transpose",
             "misplaced-transpose", "product-order", "missing-sum", "vectorized", "size",
             "index", "instances", "update", "inference", "unchecked"}
    assert kinds <= {m.KIND for m in RULES}


def test_codes_and_kinds_are_unique_and_well_formed():
    codes = [m.CODE for m in RULES]
    assert len(set(codes)) == len(codes)
    assert len({m.KIND for m in RULES}) == len(RULES)
    assert all(re.fullmatch(r"DV[1-9]\d\d", c) for c in codes)


@pytest.mark.parametrize("module", RULES, ids=NAMES)
def test_each_rule_documents_its_rationale_and_an_example(module):
    doc = module.__doc__ or ""
    assert doc.startswith(f"{module.CODE} {module.KIND}: "), doc[:60]
    assert "Why:" in doc and "Example" in doc


@pytest.mark.parametrize("module", RULES, ids=NAMES)
def test_each_rule_has_a_test_file_of_its_own(module):
    name = module.__name__.rsplit(".", 1)[1]
    path = ROOT / "tests" / "rules" / f"test_{name}.py"
    assert path.exists(), f"add {path.relative_to(ROOT)}"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert any(isinstance(n, ast.FunctionDef) and n.name.startswith("test_")
               for n in tree.body)


@pytest.mark.parametrize("module", RULES, ids=NAMES)
def test_each_message_carries_its_module_code(module):
    messages = [v for v in vars(module).values()
                if isinstance(v, type) and issubclass(v, Message) and v.__module__ == module.__name__]
    assert messages, "a rule reports at least one message"
    assert all((m.code, m.kind) == (module.CODE, module.KIND) for m in messages)


def _documented_codes() -> dict[str, str]:
    text = (ROOT / "docs" / "verdicts.md").read_text(encoding="utf-8")
    section = text.split("### Rule codes", 1)[1].split("\n#", 1)[0]
    return dict(re.findall(r"^\| `(DV\d+)` \| `([a-z-]+)` \|", section, flags=re.M))


def test_docs_list_every_rule_code_and_no_other():
    assert _documented_codes() == {m.CODE: m.KIND for m in RULES}


def test_no_finding_is_made_outside_a_rule():
    """A Finding made by hand would have no code: only rules/base.py (Message.finding)
    and the report model (reading a JSON report back) construct one."""
    allowed = {ROOT / "derive" / "rules" / "base.py", ROOT / "derive" / "report" / "model.py"}
    offenders = []
    for path in sorted((ROOT / "derive").rglob("*.py")):
        if path in allowed:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Finding":
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders


def test_checks_and_diagnoses_say_when_they_run():
    checks = [m for m in RULES if hasattr(m, "check")]
    diagnoses = [m for m in RULES if hasattr(m, "diagnose")]
    assert checks and diagnoses
    for m in checks:
        assert isinstance(m.ORDER, int) and set(m.MODELS) <= {"scalar", "matrix"}, m.CODE
    for group in (diagnoses, [m for m in checks if getattr(m, "BEFORE_CLAIMS", False)],
                  [m for m in checks if not getattr(m, "BEFORE_CLAIMS", False)]):
        orders = [m.ORDER for m in group]
        assert len(set(orders)) == len(orders), "two rules would run in an arbitrary order"
    assert [m.CODE for m in registry.diagnoses()] == [
        m.CODE for m in sorted(diagnoses, key=lambda m: m.ORDER)]
