"""Shared timing helpers for the benchmark scenarios.

A scenario module is ``benchmarks/bench_<topic>.py`` with ``run(quick: bool) -> list[Row]``.
Each row is a dict made by :func:`measure` (or by hand with the same keys).
"""

from __future__ import annotations

import asyncio
import gc
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

Row = dict[str, Any]


def measure(
    scenario: str,
    fn: Callable[[], Any],
    *,
    n: int,
    ops: int = 1,
    repeat: int = 5,
    warmup: int = 1,
    setup: Callable[[], Any] | None = None,
    impl: str = "rtkq",
    note: str = "",
    collector: bool = False,
) -> Row:
    """Time ``fn`` ``repeat`` times after ``warmup`` untimed runs.

    ``setup`` (untimed) runs before every call and its result is passed to ``fn`` when
    given. ``ops`` is how many operations one call performs, for per-op figures.
    The garbage collector is collected before each run and off during it; with
    ``collector=True`` it stays on, as in a program, and its collections are timed.
    Returns a row with the median, min and max seconds per call and per op.
    """
    times: list[float] = []
    for i in range(warmup + repeat):
        arg = setup() if setup is not None else None
        gc.collect()
        if not collector:
            gc.disable()
        try:
            start = time.perf_counter()
            fn(arg) if setup is not None else fn()  # type: ignore[call-arg]
            elapsed = time.perf_counter() - start
        finally:
            gc.enable()
        if i >= warmup:
            times.append(elapsed)
    return row_from_times(scenario, times, n=n, ops=ops, impl=impl, note=note)


def row_from_times(
    scenario: str,
    times: list[float],
    *,
    n: int,
    ops: int = 1,
    impl: str = "rtkq",
    note: str = "",
) -> Row:
    """A row from the seconds of each timed run (warm-ups already left out)."""
    median = statistics.median(times)
    return {
        "scenario": scenario,
        "impl": impl,
        "n": n,
        "ops": ops,
        "median_s": median,
        "min_s": min(times),
        "max_s": max(times),
        "per_op_us": median / ops * 1e6,
        "runs": len(times),
        "note": note,
    }


def measure_async(
    scenario: str,
    fn: Callable[[Any], Awaitable[float]],
    *,
    n: int,
    ops: int = 1,
    repeat: int = 5,
    warmup: int = 1,
    setup: Callable[[], Awaitable[Any]] | None = None,
    impl: str = "rtkq",
    note: str = "",
) -> Row:
    """Like :func:`measure` for asyncio work, on one fresh event loop.

    ``setup`` (an async function, untimed) runs before every call; ``fn(setup_result)``
    is awaited and returns the seconds it measured itself (so it can leave out
    bookkeeping). Warm-ups are excluded; the garbage collector is off while timing.
    """

    async def body() -> list[float]:
        times: list[float] = []
        for i in range(warmup + repeat):
            arg = await setup() if setup is not None else None
            gc.collect()
            gc.disable()
            try:
                elapsed = await fn(arg)
            finally:
                gc.enable()
            if i >= warmup:
                times.append(elapsed)
        return times

    times = asyncio.run(body())
    return row_from_times(scenario, times, n=n, ops=ops, impl=impl, note=note)
