"""The shape of the package (issue 16): no import circles, no module over 400 lines, test
tooling outside the installed package. The modules still over 400 lines are a ratchet:
they may shrink, never grow, and the test fails when an entry is no longer needed, so
that the list is removed as the work lands."""
from __future__ import annotations

from pathlib import Path

from architecture import PACKAGE, cycles, imports, lines, modules, subclasses

MAX_LINES = 400

# modules still over MAX_LINES, with the most lines they may have
STILL_OVER: dict[str, int] = {}



# --- the tooling itself, on graphs and files written by hand --------------------------

def test_cycles_finds_a_circle_and_leaves_a_chain_alone():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_imports_reads_relative_and_lazy_imports(tmp_path: Path):
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from .sub import b\n")
    (pkg / "sub" / "b.py").write_text("from typing import TYPE_CHECKING\n"
                                      "if TYPE_CHECKING:\n    from ..sub import c\n"
                                      "def f():\n    from ..a import x\n")
    (pkg / "sub" / "c.py").write_text("from . import b\n")
    assert imports(root=pkg) == {"pkg": set(), "pkg.sub": set(), "pkg.a": {"pkg.sub.b"},
                                 "pkg.sub.b": {"pkg.a"}, "pkg.sub.c": {"pkg.sub.b"}}
    assert imports(top_level_only=True, root=pkg)["pkg.sub.b"] == set()
    assert cycles(imports(root=pkg)) == [["pkg.a", "pkg.sub.b"]]


def test_subclasses_finds_a_class_derived_by_name_or_attribute(tmp_path: Path):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("class ChapterChecker:\n    pass\n")
    (pkg / "b.py").write_text("from . import a\nclass V(a.ChapterChecker):\n    pass\n"
                              "class W(object):\n    pass\n")
    (pkg / "c.py").write_text("from .a import ChapterChecker\n"
                              "class M(ChapterChecker, dict):\n    pass\n")
    assert sorted(subclasses("ChapterChecker", root=pkg)) == ["pkg.b.V", "pkg.c.M"]


# --- the package ------------------------------------------------------------------------

def test_no_import_circle_at_the_top_of_the_modules():
    assert cycles(imports(top_level_only=True)) == []


def test_no_import_circle_even_through_imports_inside_functions():
    assert cycles(imports()) == []


def test_no_module_over_400_lines():
    root = PACKAGE.parent
    over = {str(p.relative_to(root)): lines(p) for p in modules().values()
            if lines(p) > MAX_LINES}
    for name, n in over.items():
        assert name in STILL_OVER, f"{name}: {n} lines (at most {MAX_LINES})"
        assert n <= STILL_OVER[name], f"{name} grew to {n} lines ({STILL_OVER[name]} allowed)"
    gone = set(STILL_OVER) - set(over)
    assert not gone, f"now within {MAX_LINES} lines: remove {sorted(gone)} from STILL_OVER"


def test_one_checker_for_every_notation():
    # one order of work and one claim path over one model: no scalar/matrix pair
    assert subclasses("ChapterChecker") == []


def test_test_tooling_is_not_installed():
    assert "derive.mutation" not in modules()
    assert (PACKAGE.parent / "tools" / "mutation.py").is_file()


def test_every_import_inside_derive_resolves():
    """Imports inside functions run only when their branch does: a module moved without
    its lazy imports would fail in the middle of a check. Each must name a module that
    exists and a name it defines."""
    import ast
    import importlib
    root = PACKAGE.parent
    bad = []
    for path in sorted(PACKAGE.rglob("*.py")):
        package = path.relative_to(root).with_suffix("").parts[:-1]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom):
                continue
            if node.level:
                base = list(package)[:len(package) - (node.level - 1)]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            if not name.startswith("derive"):
                continue
            try:
                module = importlib.import_module(name)
            except ImportError:
                bad.append(f"{path.relative_to(root)}:{node.lineno}: no module {name}")
                continue
            for alias in node.names:
                if not hasattr(module, alias.name):
                    try:
                        importlib.import_module(f"{name}.{alias.name}")
                    except ImportError:
                        bad.append(f"{path.relative_to(root)}:{node.lineno}: "
                                   f"{name} has no {alias.name}")
    assert not bad


def test_each_module_imports_on_its_own():
    """An import circle can also hide behind a package's __getattr__: each module must
    import first, alone, whatever it imports in turn."""
    import subprocess
    import sys
    names = sorted(".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts)
                   for p in PACKAGE.rglob("*.py") if p.name != "__init__.py")
    # a process that has imported sympy and numpy but nothing of derive forks one child
    # per module (a fork of this test process would share derive's loaded modules)
    code = ("import multiprocessing as mp, sys, sympy, numpy\n"
            "sys.path.insert(0, sys.argv[1])\n"
            "from architecture import _import_alone_child as f\n"
            "names = sys.argv[2:]\n"
            "with mp.get_context('fork').Pool(2, maxtasksperchild=1) as pool:\n"
            "    bad = [r for r in pool.map(f, names) if r]\n"
            "print('\\n'.join(bad))\n")
    tests = str(PACKAGE.parent / "tests")
    out = subprocess.run([sys.executable, "-c", code, tests, *names], capture_output=True,
                         text=True, timeout=600, cwd=str(PACKAGE.parent))
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "", out.stdout
