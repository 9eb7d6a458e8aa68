"""The layout shows the architecture (docs/architecture.md, "Layers"): these tests read the source and fail
when a change breaks one of its rules.

- pure rules live in each app's `domain/` package and touch no database, request or service;
- page builders (what an app adds to the item page) live in each app's `pages` layer;
- apps talk to each other only through `models`, `services`, `selectors`, `domain` and the item-type
  registry (`courses.item_types`); `core` knows no app;
- no import cycle, and none hidden behind an import inside a function;
- background tasks are one-line wrappers around the service that does the work.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]  # the cadence package
APPS = sorted(p.name for p in ROOT.iterdir() if (p / "apps.py").exists() and p.name != "core")
PUBLIC = ("models", "services", "selectors", "domain")
REGISTRY = "cadence.courses.item_types"  # the item page's extension point: every item type registers here
HUEY_DECORATORS = {"db_task", "db_periodic_task", "task", "periodic_task"}
# Imports inside a function that are not cycles in disguise: an AppConfig.ready() registers page builders
# once the models exist; the command-line entry point loads the WSGI app only after choosing the settings.
LATE_IMPORT_ALLOWED = {("cli.py", "serve")}


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, dotted
    target: str  # what it imports, dotted (a module, or a module's attribute)
    line: int
    function: str | None  # the enclosing function, None at module level


def _dotted(path: Path) -> str:
    parts = ("cadence", *path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def _sources() -> tuple[tuple[Path, str], ...]:
    return tuple(
        (path, _dotted(path))
        for path in sorted(ROOT.rglob("*.py"))
        if not {"tests", "migrations"} & set(path.relative_to(ROOT).parts)
    )


def _walk(node: ast.AST, function: str | None = None) -> Iterator[tuple[ast.AST, str | None]]:
    for child in ast.iter_child_nodes(node):
        inner = child.name if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) else function
        yield child, function
        yield from _walk(child, inner)


def _resolve(module: str, node: ast.ImportFrom, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


@cache
def _imports() -> tuple[Import, ...]:
    found = []
    for path, module in _sources():
        tree = ast.parse(path.read_text(), filename=str(path))
        type_checking = {
            id(n)
            for block in ast.walk(tree)
            if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
            for n in ast.walk(block)
        }
        for node, function in _walk(tree):
            if id(node) in type_checking:
                continue
            if isinstance(node, ast.Import):
                found += [Import(module, alias.name, node.lineno, function) for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                source = _resolve(module, node, path.name == "__init__.py")
                found += [Import(module, f"{source}.{alias.name}", node.lineno, function) for alias in node.names]
    return tuple(i for i in found if i.target.startswith("cadence."))


def _known_module(dotted: str) -> str:
    """The longest prefix of `dotted` that is one of our modules (an imported name belongs to its module)."""
    modules = {m for _path, m in _sources()}
    while dotted not in modules and "." in dotted:
        dotted = dotted.rsplit(".", 1)[0]
    return dotted


def _app_of(dotted: str) -> str | None:
    parts = dotted.split(".")
    return parts[1] if len(parts) > 1 and (parts[1] in APPS or parts[1] == "core") else None


def test_pure_domain_modules_touch_no_database_request_or_service() -> None:
    domain = [i for i in _imports() if ".domain." in f"{i.module}." and _app_of(i.module)]
    assert domain, "no domain package found"
    forbidden = ("models", "services", "selectors", "views", "pages", "tasks", "api", "forms")
    wrong = [
        f"{i.module}:{i.line} imports {i.target}"
        for i in domain
        if any(f".{part}." in f"{_known_module(i.target)}." for part in forbidden)
        or i.target.startswith(("cadence.policy", "cadence.access"))
    ]
    for path, module in _sources():
        if ".domain" in module:
            text = path.read_text()
            wrong += [f"{module} uses {name}" for name in ("django.db", "django.http", "HttpRequest") if name in text]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(
    "name", ["definitions", "scoring", "scores", "gift", "rubric_text", "item_analysis", "gradebook", "availability"]
)
def test_assessment_keeps_its_pure_rules_in_its_domain_package(name: str) -> None:
    assert (ROOT / "assessment" / "domain" / f"{name}.py").exists()
    assert not (ROOT / "assessment" / f"{name}.py").exists()


def test_scoring_answers_and_grading_submissions_have_different_names() -> None:
    """`grading` means a teacher grading work (its service and its pages); scoring answers is the domain's."""
    assert not (ROOT / "assessment" / "grading.py").exists()
    assert (ROOT / "assessment" / "domain" / "scoring.py").exists()


def test_item_page_builders_live_in_each_apps_pages_layer() -> None:
    registering = {
        _dotted(path)
        for path, _module in _sources()
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in {"register", "register_panel"}
        and ast.unparse(node.func.value) == "item_types"
    }
    assert registering, "no item type registered"
    wrong = sorted(m for m in registering if not (m.endswith(".pages") or ".pages." in m))
    assert not wrong, f"item page builders outside a pages layer: {wrong}"
    named = [m for _path, m in _sources() if m.endswith("_pages")]
    assert not named, f"page builders are named <app>.pages, not <thing>_pages: {named}"


def test_apps_use_each_others_public_modules_only() -> None:
    wrong = []
    for i in _imports():
        mine, theirs = _app_of(i.module), _app_of(i.target)
        if mine is None or theirs is None or mine == theirs:
            continue
        if theirs == "core":
            continue
        if mine == "core":
            wrong.append(f"{i.module}:{i.line} (core knows no app) imports {i.target}")
            continue
        target = _known_module(i.target)
        layer = target.split(".")[2] if target.count(".") >= 2 else i.target.split(".")[2]
        if layer not in PUBLIC and not target.startswith(REGISTRY):
            wrong.append(f"{i.module}:{i.line} imports {i.target}")
    assert not wrong, "apps import each other's private modules:\n" + "\n".join(wrong)


def test_no_import_hides_inside_a_function() -> None:
    late = [
        f"{i.module}:{i.line} imports {i.target} inside {i.function}()"
        for i in _imports()
        if i.function is not None
        and not (i.function == "ready" and i.module.endswith(".apps"))
        and (i.module.split(".", 1)[1].replace(".", "/") + ".py", i.function) not in LATE_IMPORT_ALLOWED
    ]
    assert not late, "\n".join(late)


def test_no_import_cycle() -> None:
    modules = {m for _path, m in _sources()}
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for i in _imports():
        if i.function is None:
            target = _known_module(i.target)
            if target in modules and target != i.module:
                graph[i.module].add(target)
    cycles = _cycles(graph)
    assert not cycles, "import cycles:\n" + "\n".join(" → ".join(c) for c in cycles)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), each as a sorted list."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_tasks_are_one_line_wrappers_around_services() -> None:
    wrong = []
    for path, module in _sources():
        if path.name != "tasks.py":
            continue
        for node in ast.parse(path.read_text()).body:
            if not isinstance(node, ast.FunctionDef):
                continue
            decorators = {ast.unparse(d.func if isinstance(d, ast.Call) else d) for d in node.decorator_list}
            if not decorators & HUEY_DECORATORS:
                continue
            body = [s for s in node.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
            if len(body) != 1 or not isinstance(body[0], ast.Return):
                wrong.append(f"{module}.{node.name}")
    assert not wrong, f"tasks with logic of their own (move it to a service): {wrong}"
