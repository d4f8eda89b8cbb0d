"""Shared timing helpers for the benchmark scenarios.

A scenario module is ``benchmarks/bench_<topic>.py`` with ``run(quick: bool) -> list[Row]``.
Each row is a dict made by :func:`measure` (or by hand with the same keys).
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
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
) -> Row:
    """Time ``fn`` ``repeat`` times after ``warmup`` untimed runs.

    ``setup`` (untimed) runs before every call and its result is passed to ``fn`` when
    given. ``ops`` is how many operations one call performs, for per-op figures.
    Returns a row with the median, min and max seconds per call and per op.
    """
    times: list[float] = []
    for i in range(warmup + repeat):
        arg = setup() if setup is not None else None
        gc.collect()
        gc.disable()
        try:
            start = time.perf_counter()
            fn(arg) if setup is not None else fn()  # type: ignore[call-arg]
            elapsed = time.perf_counter() - start
        finally:
            gc.enable()
        if i >= warmup:
            times.append(elapsed)
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
