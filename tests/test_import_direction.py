"""Runtime imports point one way: store -> draft -> query -> the layers built on it.

A module of a lower layer may name a higher one only for type checkers (under ``if
TYPE_CHECKING:``); at run time the higher layer registers what the lower one calls
(``rtkq/_query/_layers.py``).
"""

from __future__ import annotations

import ast
import pathlib

import pytest

from rtkq._query._layers import observer_factory

RTKQ = pathlib.Path(__file__).parent.parent / "rtkq"
#: Each layer, and the layers above it that it must not import at run time.
ABOVE = {
    "_store": ("_draft", "_query", "_observe", "_persist", "_redis", "_devtools", "_textual"),
    "_draft": ("_query", "_observe", "_persist", "_redis", "_devtools", "_textual"),
    "_query": ("_observe", "_persist", "_redis", "_devtools", "_textual"),
}


def _runtime_imports(path: pathlib.Path) -> list[str]:
    """Modules ``path`` imports outside ``if TYPE_CHECKING:`` blocks (relative ones
    resolved against the package root)."""
    tree = ast.parse(path.read_text())
    type_only: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            type_only.update(id(child) for stmt in node.body for child in ast.walk(stmt))
    found = []
    for node in ast.walk(tree):
        if id(node) in type_only:
            continue
        if isinstance(node, ast.ImportFrom):
            parts = path.relative_to(RTKQ.parent).with_suffix("").parts[:-1]
            if node.level:
                base = list(parts[: len(parts) - node.level + 1])
                found.append(".".join([*base, *(node.module or "").split(".")]).strip("."))
            else:
                found.append(node.module or "")
        elif isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
    return found


@pytest.mark.parametrize("layer", sorted(ABOVE))
def test_a_layer_imports_no_layer_above_it_at_run_time(layer: str) -> None:
    offending = [
        f"{path.relative_to(RTKQ.parent)} imports {module}"
        for path in sorted((RTKQ / layer).glob("*.py"))
        for module in _runtime_imports(path)
        if any(module.startswith(f"rtkq.{above}") for above in ABOVE[layer])
    ]
    assert offending == []


def test_the_scan_sees_a_relative_import_of_a_higher_layer() -> None:
    # The check above could pass by resolving nothing: it must see this file's import.
    probe = RTKQ / "_query" / "_layers.py"
    assert _runtime_imports(probe) == ["__future__", "collections.abc", "typing"]
    endpoints = _runtime_imports(RTKQ / "_query" / "_endpoints.py")
    assert "rtkq._query._layers" in endpoints
    assert "rtkq._store._action" in endpoints


def test_an_unregistered_observer_factory_is_a_clear_error() -> None:
    with pytest.raises(RuntimeError, match=r"'no_such_observer'.*import rtkq"):
        observer_factory("no_such_observer")
