"""Optimistic updates on a cached list of n objects: one item changed, then undone.

Each scenario holds a ``get_items`` entry whose data is a frozen list of ``n`` dicts.
``update_query_data`` changes one field of one item (draft, patches, reducer, provided
tags untouched) and ``undo()`` applies the inverse patches. Target: well under 100 us per
operation at n = 100,000, and flat in n.
"""

from __future__ import annotations

from typing import Any

from benchmarks._harness import Row, measure
from rtkq import configure_store, create_api

OPS = 200


def _store(n: int) -> tuple[Any, Any]:
    api = create_api(
        base_query=lambda args, api, extra: {"data": None},
        endpoints=lambda build: {"get_items": build.query(query=lambda arg: arg)},
    )
    store = configure_store({api.reducer_path: api.reducer}, middleware=[api.middleware])
    items = [{"id": i, "title": f"item {i}", "done": False} for i in range(n)]
    store.dispatch(
        api.util.upsert_query_entries([{"endpoint_name": "get_items", "arg": None, "value": items}])
    )
    return api, store


def _rows_for(n: int) -> list[Row]:
    api, store = _store(n)
    dispatch = store.dispatch
    update = api.util.update_query_data
    middle = n // 2
    collections: list[Any] = []

    def flip(draft: Any) -> None:
        draft[middle]["done"] = not draft[middle]["done"]

    def updates() -> None:
        for _ in range(OPS):
            collections.append(dispatch(update("get_items", None, flip)))

    def undos(_: Any = None) -> None:
        while collections:
            collections.pop().undo()

    def fill() -> None:
        collections.clear()
        updates()

    rows = [measure("update_query_data: one item of n", updates, n=n, ops=OPS)]
    undos()
    rows.append(measure("undo(): inverse patches of one item", undos, n=n, ops=OPS, setup=fill))
    data = store.get_state()[api.reducer_path]["queries"]["get_items(null)"].data
    assert data[middle]["done"] is False, "undo() did not restore the item"
    return rows


def run(quick: bool) -> list[Row]:
    sizes = [1_000, 10_000] if quick else [1_000, 10_000, 100_000]
    return [row for n in sizes for row in _rows_for(n)]
