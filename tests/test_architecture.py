"""The engine is pure Python: it imports no Django and nothing of trellis outside itself.

import-linter checks the apps it is told about; this test reads every engine module's imports,
so an app added later is covered without anyone remembering to list it.
"""

from __future__ import annotations

import ast
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[1] / "trellis" / "engine"
FORBIDDEN_THIRD_PARTY = ("django", "ninja", "django_htmx", "rest_framework")


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    return names


def test_engine_imports_no_django_and_nothing_else_of_trellis() -> None:
    offences = []
    for path in sorted(ENGINE.rglob("*.py")):
        for name in _imports(path):
            top = name.split(".")[0]
            outside_engine = name.startswith("trellis") and not name.startswith("trellis.engine")
            if top in FORBIDDEN_THIRD_PARTY or outside_engine:
                offences.append(f"{path.relative_to(ENGINE.parent.parent)} imports {name}")
    assert not offences, "\n".join(offences)
