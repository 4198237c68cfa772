"""The one-way house: the apps of Trellis import each other in one direction only, and only
actions write to the database.

``pyproject.toml`` declares the layers once, as import-linter's ``layers`` contract
(``make architecture`` checks it). import-linter sees module-level imports; these tests read
every import in the source, including those inside functions and under ``TYPE_CHECKING``, so
an import made "late" to dodge a cycle is still caught. They also hold the write rule: an ORM
write (``.save()``, ``.create()``, ``.update()``, ``.delete()``, ``bulk_*``, ``get_or_create``,
``update_or_create``) may only appear in an ``actions`` module (``actions.py`` or an
``actions/`` package), a migration, or demo seeding.

``ARCHITECTURE.md`` explains the layers; ``python3 ../shared/tools/app_graph.py .`` prints the
same graph for people.
"""

from __future__ import annotations

import ast
import tomllib
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "trellis"
# Top-level modules that are not apps: the entry points above every app, and the pure libraries
# and settings below them (the engine's own contract keeps it free of Django).
NOT_APPS = {"engine", "settings", "commands"}


def _layers() -> list[list[str]]:
    """The layers contract from pyproject.toml, top first, each layer a list of siblings."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    for contract in config["tool"]["importlinter"]["contracts"]:
        if contract["type"] == "layers":
            return [
                [name.strip().strip("()") for name in layer.split("|")]
                for layer in contract["layers"]
            ]
    raise AssertionError("pyproject.toml declares no layers contract")


def _apps() -> list[str]:
    return sorted(
        path.name for path in PACKAGE.iterdir()
        if (path / "__init__.py").exists() and path.name not in NOT_APPS
    )


def _sources(app: str) -> Iterator[Path]:
    for path in sorted((PACKAGE / app).rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


def _imported_modules(tree: ast.AST) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):  # every import, at any depth: functions and TYPE_CHECKING too
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module


def _app_imports() -> dict[str, dict[str, list[str]]]:
    """app -> imported app -> ["file:line", ...]"""
    apps = set(_apps())
    graph: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for app in apps:
        for path in _sources(app):
            tree = ast.parse(path.read_text(), filename=str(path))
            for line, module in _imported_modules(tree):
                parts = module.split(".")
                if parts[0] == "trellis" and len(parts) > 1 and parts[1] in apps - {app}:
                    graph[app][parts[1]].append(f"{path.relative_to(ROOT)}:{line}")
    return graph


def test_the_layers_contract_names_every_app() -> None:
    declared = {name for layer in _layers() for name in layer}
    missing = sorted(set(_apps()) - declared)
    assert not missing, (
        f"apps missing from the layers contract in pyproject.toml: {missing}; "
        "add each new app to its layer (see ARCHITECTURE.md)"
    )


def test_apps_import_only_apps_below_them_counting_every_import() -> None:
    rank = {name: depth for depth, layer in enumerate(_layers()) for name in layer}
    offences = [
        f"{app} (layer {rank[app]}) imports {target} (layer {rank[target]}) at {where}"
        for app, targets in sorted(_app_imports().items())
        for target, places in sorted(targets.items())
        for where in places
        if rank[target] <= rank[app]  # layers are listed top first: a lower layer has a larger rank
    ]
    assert not offences, "upward or sideways imports between apps:\n" + "\n".join(offences)


def test_there_is_no_import_cycle_between_apps() -> None:
    graph = {app: set(targets) for app, targets in _app_imports().items()}
    seen: set[str] = set()
    on_path: list[str] = []

    def visit(app: str) -> list[str] | None:
        if app in on_path:
            return [*on_path[on_path.index(app):], app]
        if app in seen:
            return None
        seen.add(app)
        on_path.append(app)
        for target in sorted(graph.get(app, ())):
            cycle = visit(target)
            if cycle:
                return cycle
        on_path.pop()
        return None

    for app in sorted(graph):
        cycle = visit(app)
        assert cycle is None, "import cycle between apps: " + " -> ".join(cycle)


# --- one write path ------------------------------------------------------------------------

WRITE_METHODS = {
    "save", "create", "update", "delete", "bulk_create", "bulk_update", "get_or_create",
    "update_or_create",
}
# Receivers of .update()/.delete() that are not models or querysets (dict.update, the cache...).
NOT_ORM = {"session", "cache", "hasher", "digest", "counts", "counter", "headers"}


def _receiver_names(node: ast.expr) -> list[str]:
    names: list[str] = []
    while True:
        if isinstance(node, ast.Attribute):
            names.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Subscript):
            node = node.value
        else:
            if isinstance(node, ast.Name):
                names.append(node.id)
            return names


def _is_orm_write(call: ast.Call) -> bool:
    if not isinstance(call.func, ast.Attribute) or call.func.attr not in WRITE_METHODS:
        return False
    receiver = _receiver_names(call.func.value)
    if any(name.lower() in NOT_ORM or "session" in name.lower() for name in receiver):
        return False
    if call.func.attr == "save" and call.args and isinstance(call.args[0], ast.Name) and (
        call.args[0].id == "request"
    ):
        return False  # state kept in the session (PracticeState.save(request, ...)), not a model
    if call.func.attr == "update":
        # dict.update and set.update are everywhere; a queryset update starts from a manager
        # or a queryset method.
        return any(name in {"objects", "filter", "exclude", "all"} for name in receiver)
    return True


def _allowed_to_write(path: Path) -> bool:
    relative = path.relative_to(PACKAGE)
    return (
        "actions" in relative.stem
        or "actions" in relative.parts[:-1]
        or "migrations" in relative.parts
        or "demo" in relative.stem
        or "seed" in relative.stem
    )


def orm_writes_outside_actions() -> list[str]:
    offences = []
    for app in _apps():
        for path in _sources(app):
            if _allowed_to_write(path):
                continue
            tree = ast.parse(path.read_text(), filename=str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.Call) and _is_orm_write(node):
                    offences.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return offences


def test_only_actions_write_to_the_database() -> None:
    offences = orm_writes_outside_actions()
    assert not offences, (
        "ORM writes outside actions modules (move them into a do_* function in the app's "
        "actions):\n" + "\n".join(offences)
    )


def test_the_write_check_sees_a_write() -> None:
    """The checker itself: it must flag the shapes of write it claims to flag."""
    for source in (
        "Job.objects.create(kind='x')",
        "job.save(update_fields=['status'])",
        "Job.objects.filter(id=1).update(status='done')",
        "klass.enrollments.all().delete()",
        "Standard.objects.bulk_create(rows)",
        "Item.objects.update_or_create(key=k, defaults={})",
    ):
        call = ast.parse(source).body[0].value  # type: ignore[attr-defined]
        assert _is_orm_write(call), source
    for source in (
        "counts.update(other)", "request.session.save()", "details.update(x=1)",
        "state.save(request, standard)",
    ):
        call = ast.parse(source).body[0].value  # type: ignore[attr-defined]
        assert not _is_orm_write(call), source


# --- what a view may import of another app -------------------------------------------------

# Views import other apps' queries and actions, never their view modules and, outside these
# few, never their models: the people every page is about (accounts: User, Role, District,
# School) and the core's Job and DemoAccount. Anything else of another app a view needs — rows,
# querysets, counts, model constants — comes from that app's ``queries`` module.
VIEWS_MAY_IMPORT_MODELS_OF = {"accounts", "core"}


def _is_view_module(path: Path, app: str) -> bool:
    """Pages, routes and what they render: ``views*.py``, ``api.py``, ``urls*.py`` and
    template tags."""
    relative = path.relative_to(PACKAGE / app)
    return (
        path.stem.startswith("views")
        or path.name == "api.py"
        or path.stem.startswith("urls")
        or "templatetags" in relative.parts
    )


def _imported_submodules(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """Every imported module, and for ``from trellis.x import y`` also ``trellis.x.y`` (so
    ``from trellis.content import models`` counts as importing the models)."""
    yield from _imported_modules(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                yield node.lineno, f"{node.module}.{alias.name}"


def _forbidden_for_a_view(module: str, app: str, apps: set[str]) -> str | None:
    parts = module.split(".")
    if len(parts) < 3 or parts[0] != "trellis" or parts[1] not in apps - {app}:
        return None
    if parts[2].startswith("views"):
        return "another app's view module"
    if parts[2] == "models" and parts[1] not in VIEWS_MAY_IMPORT_MODELS_OF:
        return "another app's models (use its queries module)"
    return None


def test_views_import_other_apps_queries_and_actions_not_their_views_or_models() -> None:
    apps = set(_apps())
    offences = []
    for app in sorted(apps):
        for path in _sources(app):
            if not _is_view_module(path, app):
                continue
            tree = ast.parse(path.read_text(), filename=str(path))
            for line, module in _imported_submodules(tree):
                why = _forbidden_for_a_view(module, app, apps)
                if why:
                    offences.append(f"{path.relative_to(ROOT)}:{line} imports {module}: {why}")
    assert not offences, (
        "view modules importing what they may not (see ARCHITECTURE.md; allowed models: "
        f"{sorted(VIEWS_MAY_IMPORT_MODELS_OF)}):\n" + "\n".join(sorted(set(offences)))
    )


def test_the_view_import_check_sees_a_forbidden_import() -> None:
    """The checker itself: the shapes it claims to refuse, and those it lets through."""
    apps = {"accounts", "core", "content", "frameworks", "learning", "plans"}
    for source in (
        "from trellis.content.models import Item",
        "from trellis.content import models",
        "import trellis.frameworks.models",
        "from trellis.learning.views_practice import for_grade",
        "from trellis.content import views",
        "def f():\n    from trellis.learning.models import EvidenceEvent",
    ):
        modules = [module for _, module in _imported_submodules(ast.parse(source))]
        assert any(_forbidden_for_a_view(m, "plans", apps) for m in modules), source
    for source in (
        "from trellis.accounts.models import User",
        "from trellis.core.models import Job",
        "from trellis.plans.models import Goal",
        "from trellis.content.queries import get_item",
        "from trellis.learning.actions import do_record_evidence",
    ):
        modules = [module for _, module in _imported_submodules(ast.parse(source))]
        assert not any(_forbidden_for_a_view(m, "plans", apps) for m in modules), source
