"""Persistence: dehydrate + save, and load + hydrate, of n cached entries.

Each entry is a small dict payload (``{"id", "title", "tags", "score"}``) with one tag.
Saves and loads go through a real SQLite file in a temporary directory; the file size
is reported in the row's note. Target (issue 18): under 1 s each at n = 100,000.

Like every row, those rows time with the garbage collector off. The rows marked
"collector on" time the same calls with it on, as a program runs them: rtkq pauses it
while it builds, and the first collection after the pause traverses the objects a
restore created (about 13 per entry), which the other rows leave out.
"""

from __future__ import annotations

import functools
import os
import tempfile
from typing import Any

from benchmarks._harness import Row, measure
from rtkq import configure_store, create_api
from rtkq.persist import SQLitePersister, dehydrate


def _api() -> Any:
    return create_api(
        base_query=lambda args, api, extra: {"data": None},
        tag_types=["Post"],
        endpoints=lambda build: {
            "get_post": build.query(
                query=lambda id: f"posts/{id}",
                provides_tags=lambda result, error, id: [{"type": "Post", "id": id}],
            ),
        },
    )


def _store(api: Any) -> Any:
    return configure_store({api.reducer_path: api.reducer}, middleware=[api.middleware])


def _filled(api: Any, n: int) -> Any:
    store = _store(api)
    entries = [
        {
            "endpoint_name": "get_post",
            "arg": i,
            "value": {"id": i, "title": f"post {i}", "tags": ["a", "b"], "score": i * 0.5},
        }
        for i in range(n)
    ]
    store.dispatch(api.util.upsert_query_entries(entries))
    return store


def _save(persister: SQLitePersister, store: Any, api: Any) -> None:
    persister.save(dehydrate(store.get_state(), api))


def _load_and_hydrate(persister: SQLitePersister, api: Any) -> None:
    _store(api).dispatch(api.util.hydrate(persister.load()))


def run(quick: bool) -> list[Row]:
    sizes = [1_000, 3_000] if quick else [1_000, 10_000, 100_000]
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            api = _api()
            store = _filled(api, n)
            path = os.path.join(tmp, f"cache-{n}.db")
            persister = SQLitePersister(path)
            repeat = 3 if n >= 100_000 else 5
            save = functools.partial(_save, persister, store, api)
            row = measure("dehydrate + save (SQLite file)", save, n=n, ops=n, repeat=repeat)
            row["note"] = f"file {os.path.getsize(path) / 1e6:.2f} MB"
            rows.append(row)
            only = functools.partial(dehydrate, store.get_state(), api)
            rows.append(measure("  of which dehydrate", only, n=n, ops=n, repeat=repeat))
            loaded = persister.load()
            assert loaded is not None and len(loaded["queries"]) == n
            restore = functools.partial(_load_and_hydrate, persister, api)
            rows.append(measure("load + hydrate (new store)", restore, n=n, ops=n, repeat=repeat))
            rows.append(measure("  of which load", persister.load, n=n, ops=n, repeat=repeat))
            for scenario, fn in (("dehydrate + save", save), ("load + hydrate", restore)):
                on = f"{scenario}, collector on"
                rows.append(measure(on, fn, n=n, ops=n, repeat=repeat, collector=True))
    return rows
