"""The public surface: ``rtkq.__all__`` is honest and covers the contract."""

from __future__ import annotations

import importlib
import pathlib
import re

import rtkq

CONTRACT = pathlib.Path(__file__).parents[2] / "shared" / "CONTRACT.md"

# Every name of the ``from rtkq import ...`` lines of CONTRACT.md, for when the
# contract file is not next to the repository.
CONTRACT_NAMES = {
    "Action", "QueryError", "QueryStatus", "Tag", "apply_middleware", "apply_patches",
    "combine_reducers", "compose", "configure_store", "create_action", "create_api",
    "create_listener_middleware", "create_selector", "create_slice", "create_store",
    "default_serialize_query_args", "fetch_base_query", "freeze", "on_focus",
    "on_focus_lost", "on_offline", "on_online", "produce", "produce_with_patches",
    "retry", "SchemaError", "skip_token", "thaw",
}  # fmt: skip


def contract_names() -> set[str]:
    if not CONTRACT.exists():
        return CONTRACT_NAMES
    text = CONTRACT.read_text()
    found: set[str] = set()
    for group in re.findall(r"from rtkq import \(([^)]*)\)", text):
        found.update(re.findall(r"[A-Za-z_]\w*", group))
    for line in re.findall(r"from rtkq import ([\w ,]+)", text):
        found.update(re.findall(r"[A-Za-z_]\w*", line))
    return found


def test_all_is_sorted_unique_and_importable() -> None:
    assert rtkq.__all__ == sorted(rtkq.__all__)
    assert len(rtkq.__all__) == len(set(rtkq.__all__))
    module = importlib.import_module("rtkq")
    for name in rtkq.__all__:
        assert getattr(module, name, None) is not None, name


def test_public_names_are_not_private_modules() -> None:
    for name in rtkq.__all__:
        assert not name.startswith("_"), name


def test_contract_parser_sees_every_embedded_name() -> None:
    assert contract_names() >= CONTRACT_NAMES


# Contract names whose issue has not landed yet (wave 2: issues 15, 16, 20). Whoever
# exports one removes it here; the list must be empty when those issues are resolved.
NOT_YET_EXPORTED: set[str] = set()


def test_every_contract_name_is_exported() -> None:
    missing = contract_names() - set(rtkq.__all__)
    assert sorted(missing - NOT_YET_EXPORTED) == [], (
        f"names in CONTRACT.md missing from rtkq.__all__: {sorted(missing)}"
    )
    exported_but_listed = sorted(NOT_YET_EXPORTED & set(rtkq.__all__))
    assert exported_but_listed == [], (
        f"exported now: remove {exported_but_listed} from NOT_YET_EXPORTED"
    )


def test_observer_names_are_exported() -> None:
    observers = {
        "InfiniteQueryObserver",
        "InfiniteQueryResult",
        "LazyQueryObserver",
        "MutationObserver",
        "MutationResult",
        "QueryObserver",
        "QueryResult",
        "QueryStateObserver",
    }
    assert observers <= set(rtkq.__all__)
    assert rtkq.QueryResult.__module__ == "rtkq._observe._results"
    # Generic from the start: endpoints typed QueryEndpoint[A, R] give QueryObserver[R].
    assert rtkq.QueryObserver[int] is not None and rtkq.QueryResult[int] is not None
