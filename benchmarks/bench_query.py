"""The API slice: filling the cache, selecting from it, and what an entry costs.

- populate: ``n`` entries through ``initiate`` (one subscription each) with a
  ``query_fn`` that answers at once, until every request has settled. The per-entry
  cost should grow less than 2x from 1,000 to 100,000 entries.
- select: 100,000 calls of one ``select(arg)`` selector (built once) on a store with
  10,000 entries: on the same root state (the memoized path) and alternating between
  two root states (every call looks the entry up). Target: under 2 us a call.
- memory: bytes retained per cached entry (state + subscription) with a small dict
  payload, measured with tracemalloc in a separate, untimed run.

Run: ``python -m benchmarks query`` (``--quick`` for smaller sizes).
"""

from __future__ import annotations

import asyncio
import tracemalloc
from typing import Any

from benchmarks._harness import Row, measure
from rtkq import Api, Store, configure_store, create_api

SELECT_CALLS = 100_000
SELECT_ENTRIES = 10_000


def _api() -> Api:
    def query_fn(arg: Any, api: Any, extra_options: Any, base_query: Any) -> Any:
        return {"data": {"id": arg, "name": "item"}}

    return create_api(endpoints=lambda build: {"get_item": build.query(query_fn=query_fn)})


def _populate(n: int) -> tuple[Api, Store]:
    """A fresh store with ``n`` settled entries (its own event loop, closed after)."""
    api = _api()
    store = configure_store({api.reducer_path: api.reducer}, middleware=[api.middleware])
    initiate = api.endpoints.get_item.initiate
    dispatch = store.dispatch

    async def fill() -> None:
        handles = [dispatch(initiate(i)) for i in range(n)]
        await asyncio.gather(*handles)

    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(fill())
    finally:
        loop.close()
    return api, store


def _populate_rows(sizes: list[int], repeat: int) -> list[Row]:
    rows = [
        measure("populate: initiate n entries", lambda n=n: _populate(n), n=n, ops=n, repeat=repeat)
        for n in sizes
    ]
    base = rows[0]["per_op_us"]
    for row in rows:
        row["note"] = f"{row['per_op_us'] / base:.2f}x the per-entry cost at n={sizes[0]:,}"
    return rows


def _select_rows(
    repeat: int, entries: int = SELECT_ENTRIES, calls: int = SELECT_CALLS
) -> list[Row]:
    api, store = _populate(entries)
    state = store.get_state()
    other = {**state}  # another root state object holding the same api state
    select = api.endpoints.get_item.select(entries // 2)
    assert select(state).data["id"] == entries // 2

    def same_state() -> None:
        for _ in range(calls):
            select(state)

    def alternating() -> None:
        states = (state, other) * (calls // 2)
        for s in states:
            select(s)

    rows = []
    for label, fn in (
        ("select: same root state (memoized)", same_state),
        ("select: alternating root states", alternating),
    ):
        row = measure(label, fn, n=entries, ops=calls, repeat=repeat)
        row["note"] = f"target < 2 us/call: {'met' if row['per_op_us'] < 2 else 'MISSED'}"
        rows.append(row)
    return rows


def _memory_row(n: int) -> Row:
    _populate(100)  # warm imports and caches outside the trace
    tracemalloc.start()
    try:
        start, _ = tracemalloc.get_traced_memory()
        kept = _populate(n)
        end, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    per_entry = (end - start) / n
    del kept
    return {
        "scenario": "memory: bytes per cached entry",
        "impl": "rtkq",
        "n": n,
        "ops": n,
        "median_s": 0.0,
        "min_s": 0.0,
        "max_s": 0.0,
        "per_op_us": 0.0,
        "runs": 1,
        "note": f"{per_entry:,.0f} bytes/entry (state + subscription, dict payload)",
        "bytes_per_entry": per_entry,
    }


def run(quick: bool) -> list[Row]:
    sizes = [1_000, 3_000] if quick else [1_000, 10_000, 100_000]
    repeat = 3 if quick else 5
    rows = _populate_rows(sizes, repeat)
    # quick: 20,000 select calls on 3,000 entries; memory per entry over 3,000 entries
    rows += _select_rows(repeat, 3_000, 20_000) if quick else _select_rows(repeat)
    rows.append(_memory_row(3_000 if quick else 10_000))
    return rows


if __name__ == "__main__":
    for row in run(quick=False):
        print(
            f"{row['scenario']:<40} n={row['n']:<8} {row['per_op_us']:10.3f} us/op  {row['note']}"
        )
