"""The import graph and module sizes of derive/, read from the source with ast (test
tooling: nothing here is imported from derive)."""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "derive"


def modules(root: Path = PACKAGE) -> dict[str, Path]:
    """Dotted module name -> file, for every .py file under root."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _target(module: str, node: ast.ImportFrom, is_package: bool) -> str | None:
    if not node.level:
        return node.module
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[:len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _type_checking_only(node: ast.AST) -> bool:
    """``if TYPE_CHECKING:``: imports for annotations, never run."""
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (
        isinstance(test, ast.Name) and test.id == "TYPE_CHECKING"
        or isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _statements(body: list, top_level_only: bool) -> list:
    """The import statements a module runs: at its top, or anywhere (functions, classes,
    branches), leaving out the ``if TYPE_CHECKING:`` blocks."""
    out = []
    for node in body:
        if _type_checking_only(node):
            out.extend(_statements(node.orelse, top_level_only))
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            out.append(node)
        elif not top_level_only:
            for child in ast.iter_child_nodes(node):
                out.extend(_statements([child], top_level_only))
    return out


def imports(top_level_only: bool = False, root: Path = PACKAGE) -> dict[str, set[str]]:
    """module -> the modules of the package it imports (at the top of the file only, or
    anywhere: an import inside a function is still a dependency)."""
    known = modules(root)
    graph: dict[str, set[str]] = {}
    for name, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        nodes = _statements(tree.body, top_level_only)
        deps = set()
        for node in nodes:
            if isinstance(node, ast.ImportFrom):
                target = _target(name, node, path.name == "__init__.py")
                for alias in node.names if target else ():
                    sub = f"{target}.{alias.name}"
                    deps.add(sub if sub in known else target)
            elif isinstance(node, ast.Import):
                deps.update(alias.name for alias in node.names)
        graph[name] = {d for d in deps if d in known and d != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def _import_alone_child(name: str) -> str | None:
    """Import one module (in a freshly forked process): None, or why it failed."""
    import importlib
    import traceback
    try:
        importlib.import_module(name)
    except Exception:  # noqa: BLE001 - reported by the test
        return f"{name}: {traceback.format_exc().strip().splitlines()[-1]}"
    return None


def subclasses(base: str, root: Path = PACKAGE) -> list[str]:
    """'module.Class' for every class under ``root`` whose bases name ``base`` (as a name
    or an attribute: ``ChapterChecker`` or ``checker.ChapterChecker``)."""
    found = []
    for name, path in modules(root).items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and any(
                    isinstance(b, ast.Name) and b.id == base
                    or isinstance(b, ast.Attribute) and b.attr == base for b in node.bases):
                found.append(f"{name}.{node.name}")
    return found
