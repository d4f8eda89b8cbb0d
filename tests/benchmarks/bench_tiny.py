"""A tiny scenario module for the harness smoke test (not a real benchmark)."""

from __future__ import annotations

import asyncio
import time

from benchmarks._harness import Row, measure, measure_async, row_from_times

#: Merged into latest.json under "peers" by the runner.
info = {"tiny": "ok"}


def run(quick: bool) -> list[Row]:
    n = 100 if quick else 1_000
    ours = measure("sum a range", lambda: sum(range(n)), n=n, ops=n)
    theirs = measure("sum a range", lambda: sum(list(range(n))), n=n, ops=n, impl="python-redux")

    async def sleep0(_: object) -> float:
        start = time.perf_counter()
        await asyncio.sleep(0)
        return time.perf_counter() - start

    awaited = measure_async("await sleep(0)", sleep0, n=1)
    by_hand = row_from_times("by hand", [0.003, 0.001, 0.002, 0.005, 0.004], n=5, ops=5)
    return [ours, theirs, awaited, by_hand]
