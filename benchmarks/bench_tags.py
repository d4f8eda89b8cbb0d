"""Invalidation by tags: cost follows what is invalidated, not how much is cached.

A store holds ``n`` subscribed entries of ``get_item(i)``, each providing
``{"Item", i}`` and ``{"Item", "LIST"}`` (populated with one ``upsert_query_entries``
and one cache-hit ``initiate`` per entry). Scenarios:

- dispatching ``invalidate_tags([{"type": "Item", "id": 42}])`` (the refetch starts
  inside the dispatch), over n = 1,000 / 10,000 / 100,000: should be flat in n;
- the same until that one refetch has landed in the store;
- invalidating ``{"Item", "LIST"}`` with ``n`` entries cached: every entry refetches,
  timed until all refetches have landed (linear in what is invalidated).

The base query answers at once, so the figures are rtkq's own overhead.
"""

from __future__ import annotations

import asyncio
import gc
import statistics
import time
from typing import Any

from benchmarks._harness import Row
from rtkq import Tag, configure_store, create_api


def _api() -> Any:
    async def get_item(arg: Any, api: Any, extra: Any, base_query: Any) -> Any:
        return {"data": {"id": arg}}

    return create_api(
        tag_types=["Item"],
        keep_unused_data_for=3600,
        endpoints=lambda build: {
            "get_item": build.query(
                query_fn=get_item,
                provides_tags=lambda result, error, arg: [Tag("Item", arg), Tag("Item", "LIST")],
            )
        },
    )


class _Bench:
    """A store with ``n`` subscribed entries, driven on its own event loop."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.api = _api()
        self.store = configure_store(
            {self.api.reducer_path: self.api.reducer}, middleware=[self.api.middleware]
        )
        self.loop = asyncio.new_event_loop()
        self.loop.run_until_complete(self._populate())
        self.runtime = self.api.runtime_for(self.store.dispatch)

    async def _populate(self) -> None:
        endpoint = self.api.endpoints.get_item
        self.store.dispatch(
            self.api.util.upsert_query_entries(
                [{"endpoint_name": "get_item", "arg": i, "value": {"id": i}} for i in range(self.n)]
            )
        )
        for i in range(self.n):
            self.store.dispatch(endpoint.initiate(i))

    async def _idle(self) -> None:
        while self.runtime.running:
            await asyncio.sleep(0)

    def idle(self) -> None:
        self.loop.run_until_complete(self._idle())

    def timed(self, tags: list[Any], repeat: int) -> tuple[list[float], list[float]]:
        """Seconds of each dispatch, and of each dispatch until its refetches landed."""
        action = self.api.util.invalidate_tags(tags)

        async def go() -> tuple[list[float], list[float]]:
            dispatches: list[float] = []
            landed: list[float] = []
            for _ in range(repeat):
                await self._idle()
                gc.collect()
                gc.disable()
                try:
                    start = time.perf_counter()
                    self.store.dispatch(action)
                    dispatched = time.perf_counter()
                    await self._idle()
                    end = time.perf_counter()
                finally:
                    gc.enable()
                dispatches.append(dispatched - start)
                landed.append(end - start)
            return dispatches, landed

        return self.loop.run_until_complete(go())

    def close(self) -> None:
        self.idle()
        self.loop.close()


def _row(scenario: str, times: list[float], n: int, ops: int = 1, note: str = "") -> Row:
    """A row shaped like ``benchmarks._harness.measure`` makes (timed inside the loop)."""
    median = statistics.median(times)
    return {
        "scenario": scenario,
        "impl": "rtkq",
        "n": n,
        "ops": ops,
        "median_s": median,
        "min_s": min(times),
        "max_s": max(times),
        "per_op_us": median / ops * 1e6,
        "runs": len(times),
        "note": note,
    }


def run(quick: bool) -> list[Row]:
    rows: list[Row] = []
    sizes = [1_000, 3_000] if quick else [1_000, 10_000, 100_000]
    one = [{"type": "Item", "id": 42}]
    for n in sizes:
        bench = _Bench(n)
        before = bench.store.get_state()["api"]["queries"]["get_item(42)"].fulfilled_at
        bench.timed(one, 5)  # warm-up
        dispatches, landed = bench.timed(one, 20 if quick else 50)  # a gc.collect() each
        after = bench.store.get_state()["api"]["queries"]["get_item(42)"].fulfilled_at
        assert before is not None and after is not None and after > before, "no refetch landed"
        rows.append(
            _row("invalidate_tags one id: dispatch", dispatches, n, note="refetch starts inside")
        )
        rows.append(_row("invalidate_tags one id: until the refetch lands", landed, n))
        bench.close()
    for n in [100, 1_000] if quick else [100, 1_000, 10_000]:
        bench = _Bench(n)
        bench.timed([{"type": "Item", "id": "LIST"}], 1)  # warm-up
        _, landed = bench.timed([{"type": "Item", "id": "LIST"}], 5 if n < 10_000 else 3)
        rows.append(_row("invalidate_tags LIST (all n entries): until all land", landed, n, n))
        bench.close()
    return rows
