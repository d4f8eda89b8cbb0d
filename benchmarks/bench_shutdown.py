"""Shutdown: ``await store.aclose()`` with n requests in flight.

Each of the n entries has a running request (a base query that waits until cancelled),
a polling subscription and an ``on_cache_entry_added`` lifecycle waiting for
``cache_entry_removed``. The figure is the whole close: aborting every request and
waiting for it to settle as rejected, cancelling the poll timers, ending every
lifecycle and waiting for its task. Target: linear in n (the cost per entry stays
within 2x from 10 to 1,000 entries).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from benchmarks._harness import Row, measure_async
from rtkq import configure_store, create_api


async def _forever(arg: Any, api: Any, extra: Any, base_query: Any) -> dict[str, Any]:
    await asyncio.Event().wait()
    return {"data": arg}  # pragma: no cover - always cancelled


async def _lifecycle(arg: Any, ctx: Any) -> None:
    await ctx.cache_entry_removed


def _make() -> tuple[Any, Any]:
    api = create_api(
        endpoints=lambda build: {
            "item": build.query(query_fn=_forever, on_cache_entry_added=_lifecycle)
        }
    )
    store = configure_store({api.reducer_path: api.reducer}, middleware=[api.middleware])
    return api, store


def _row(n: int) -> Row:
    async def setup() -> Any:
        api, store = _make()
        for i in range(n):
            store.dispatch(
                api.endpoints.item.initiate(i, subscription_options={"polling_interval": 60})
            )
        await asyncio.sleep(0)  # requests and lifecycles started
        return store

    async def close(store: Any) -> float:
        start = time.perf_counter()
        await store.aclose()
        elapsed = time.perf_counter() - start
        leftover = asyncio.all_tasks() - {asyncio.current_task()}
        assert not leftover, leftover
        return elapsed

    return measure_async("store.aclose() with n requests in flight", close, n=n, ops=n, setup=setup)


def run(quick: bool) -> list[Row]:
    sizes = (10, 100) if quick else (10, 100, 1_000)
    rows = [_row(n) for n in sizes]
    base = rows[0]["per_op_us"]
    for row in rows:
        row["note"] = f"{row['per_op_us'] / base:.2f}x the per-entry cost at n={sizes[0]}"
    return rows
