"""The package's structure: no import cycles, features import only lower features, pure parts.

Every module under lecturehub/ is parsed with ``ast``; every import counts, at module level or
inside a function (a lazy import hides a cycle, it does not remove it).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "lecturehub"

# STYLE's layers, lowest first: core ← auth ← schedule ← courseware, attendance ← ratings
# ← search, reports ← notifications; ``pages`` composes pages above every feature. Ratings
# sits above attendance: only people who signed in may rate. Notifications sits on top: what
# is due is read from the schedule, courseware, attendance, ratings and the reports' months.
RANK = {
    "core": 0,
    "auth": 1,
    "schedule": 2,
    "courseware": 3,
    "attendance": 3,
    "ratings": 4,
    "search": 5,
    "reports": 5,
    "notifications": 6,
    "pages": 7,
    "backup": 7,  # reads every feature's tables and files (``lecturehub backup``/``restore``)
}
# The web layer of a feature may call any feature's services (STYLE); the rest of a feature
# (models, services and the modules beside them) may only use lower features.
WEB_LAYER = {"views", "admin_views", "manage_views", "audit_views", "api", "cli", "forms"}
WEB_LAYER |= {"panels", "upload"}
PURE = (
    "lecturehub.courseware.analysis",
    "lecturehub.courseware.formats",
    "lecturehub.courseware.office",
    "lecturehub.search.index",
)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {
    module_name(path): path
    for path in sorted(PACKAGE.rglob("*.py"))
    if "migrations" not in path.relative_to(PACKAGE).parts
}


def _target(name: str) -> str:
    """The module an imported name lives in (``a.b.c`` may be a function of ``a.b``)."""
    while name not in MODULES and "." in name:
        name = name.rpartition(".")[0]
    return name


def _absolute(module: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module.split(".")
    if MODULES[module].name != "__init__.py":
        package = package[:-1]
    package = package[: len(package) - node.level + 1]
    return ".".join(package + ([node.module] if node.module else []))


def imported_names(module: str) -> set[str]:
    """Every dotted name the module imports, anywhere in it (``from a import b`` is ``a.b``:
    the module ``a.b``, or the name ``b`` of module ``a``)."""
    names = set()
    for node in ast.walk(ast.parse(MODULES[module].read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(module, node)
            names |= {f"{base}.{alias.name}" for alias in node.names}
    return names


def graph() -> dict[str, set[str]]:
    """module → the lecturehub modules it imports."""
    edges = {}
    for module in MODULES:
        targets = {_target(n) for n in imported_names(module) if n.startswith("lecturehub")}
        edges[module] = {t for t in targets if t in MODULES and t != module}
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each as a
    closed path through the component."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(edges[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while not component or component[-1] != node:
                component.append(stack.pop())
                on_stack.discard(component[-1])
            if len(component) > 1:
                found.append(_path(set(component), edges))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def _path(component: set[str], edges: dict[str, set[str]]) -> list[str]:
    """One cycle through the component's first module: a → b → … → a."""
    start = min(component)
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for other in sorted(edges[node] & component):
            if other == start:
                return paths[node] + [start]
            if other not in paths:
                paths[other] = paths[node] + [other]
                queue.append(other)
    return sorted(component)


def feature(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in RANK else None


def test_the_graph_sees_imports_inside_functions():
    assert "lecturehub" in graph()["lecturehub.cli"]  # cli.main's create_app, imported lazily


def test_there_is_no_import_cycle():
    found = cycles(graph())
    assert found == [], "import cycles:\n" + "\n".join(" → ".join(c) for c in found)


def test_features_models_and_services_import_only_lower_features():
    wrong = []
    for module, targets in graph().items():
        own = feature(module)
        if own is None or module.rpartition(".")[2] in WEB_LAYER:
            continue
        for target in sorted(targets):
            other = feature(target)
            if other is not None and other != own and RANK[other] >= RANK[own]:
                wrong.append(f"{module} → {target}")
    assert wrong == []


def test_no_feature_imports_the_pages_above_it():
    importers = {
        m
        for m, targets in graph().items()
        if any(t.startswith("lecturehub.pages") for t in targets)
    }
    assert importers - {"lecturehub.setup"} == set()


def test_the_pure_parts_import_neither_flask_nor_the_extensions():
    pure = [m for m in MODULES if m.startswith(PURE)]
    assert "lecturehub.search.index.topk" in pure
    wrong = [
        f"{module} → {name}"
        for module in pure
        for name in sorted(imported_names(module))
        if name.split(".")[0] in {"flask", "flask_login", "flask_sqlalchemy", "flask_wtf"}
        or name.startswith("lecturehub.extensions")
    ]
    assert wrong == []


def test_importing_the_pure_parts_loads_no_flask_and_no_database():
    code = (
        "import sys, lecturehub.courseware.analysis, lecturehub.search.index\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'flask', 'sqlalchemy', 'werkzeug'} or m == 'lecturehub.extensions'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PACKAGE.parent,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout == "[]\n"
