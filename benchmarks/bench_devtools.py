"""Dispatch with a store connected to the Redux DevTools, against the real server.

The DevTools server (``@redux-devtools/cli``, installed with npm on first use) runs on a
loopback port. An application dispatches for a fixed time (0.25 s quick, 3 s full),
yielding to the event loop every 10 actions (as an async app does), on a store with a
small state or with a 10,000-entry api cache (3,000 quick); the rows give wall time
per dispatch, so the sender's serialization on the same loop counts. They compare no DevTools with a
connected link at the default ``latency`` (0.1 s: the actions of each 0.1 s go in one
message) and at ``latency=0``. Either way the sender waits at least three times what
its last send took, which bounds the DevTools to about a quarter of the loop.

Two more rows isolate the parts: the dispatch path alone (a burst with no yield: each
dispatch records the action and at most wakes the sender), and the serialization of one
``ACTION`` message and of a whole 50-action history (``STATE``) for each state size.
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks._harness import Row, measure, row_from_times
from rtkq import configure_store, create_api, create_slice
from rtkq._devtools._messages import MessageEncoder
from rtkq._devtools._runtimes import find_runtimes
from rtkq.devtools import connect_devtools

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "devtools" / "server"))
from devtools_server import DevToolsServer

CACHE = 10_000
YIELD_EVERY = 10

counter = create_slice("counter", 0, {"inc": lambda state, action: state + 1})


async def _never_called(args: Any, api: Any, extra_options: Any) -> dict[str, Any]:
    raise AssertionError("the benchmark starts no request")


def _store(cache: int) -> Any:
    api = create_api(
        base_query=_never_called,
        endpoints=lambda build: {"get_post": build.query(query=lambda id: f"posts/{id}")},
    )
    store = configure_store(
        {"counter": counter.reducer, api.reducer_path: api.reducer}, middleware=[api.middleware]
    )
    if cache:
        entries = [
            {
                "endpoint_name": "get_post",
                "arg": i,
                "value": {"id": i, "title": f"post {i}", "tags": ["a", "b"]},
            }
            for i in range(cache)
        ]
        store.dispatch(api.util.upsert_query_entries(entries))
    return store


async def _settled(link: Any) -> None:
    history = link.history
    while history.unsent or history.changed or link._wake.is_set():
        await asyncio.sleep(0.001)


async def _throughput(cache: int, port: int | None, latency: float, seconds: float) -> float:
    """Wall seconds per dispatch of an app dispatching for ``seconds``, yielding every 10."""
    store = _store(cache)
    inc = counter.actions.inc()
    link = None
    if port is not None:
        link = await connect_devtools(store, port=port, latency=latency, max_age=50)
        await _settled(link)
    loop = asyncio.get_running_loop()
    count = 0
    start = loop.time()
    end = start + seconds
    while loop.time() < end:
        for _ in range(YIELD_EVERY):
            store.dispatch(inc)
        count += YIELD_EVERY
        await asyncio.sleep(0)
    elapsed = loop.time() - start
    await store.aclose()
    return elapsed / count


def _app_rows(cache: int, port: int, seconds: float, repeat: int) -> list[Row]:
    label = f"{cache:,}-entry api cache" if cache else "small state"
    rows: list[Row] = []
    base: Row | None = None
    for name, link_port, latency in (
        ("no DevTools", None, 0.0),
        ("DevTools, latency 0.1 s", port, 0.1),
        ("DevTools, latency 0", port, 0.0),
    ):
        per_op = [
            asyncio.run(_throughput(cache, link_port, latency, seconds)) for _ in range(repeat)
        ]
        # n: dispatches in one window at the median rate
        n = round(seconds / sorted(per_op)[len(per_op) // 2])
        row = row_from_times(
            f"dispatch throughput, {label}: {name}", [t * n for t in per_op], n=n, ops=n
        )
        if base is None:
            base = row
        else:
            row["note"] = (
                f"{base['per_op_us'] / row['per_op_us']:.2f}x the throughput of no DevTools"
            )
        rows.append(row)
    return rows


def _burst_rows(n: int, cache: int, port: int) -> list[Row]:
    """The dispatch path alone: n dispatches without letting the sender run."""
    label = f"{cache:,}-entry api cache" if cache else "small state"

    async def burst(connected: bool) -> list[float]:
        store = _store(cache)
        inc = counter.actions.inc()
        link = await connect_devtools(store, port=port) if connected else None
        times = []
        for _ in range(4):
            start = time.perf_counter()
            for _ in range(n):
                store.dispatch(inc)
            times.append(time.perf_counter() - start)
            if link is not None:
                await _settled(link)
        await store.aclose()
        return times[1:]

    base = row_from_times(
        f"dispatch burst, {label}: no DevTools", asyncio.run(burst(False)), n=n, ops=n
    )
    row = row_from_times(f"dispatch burst, {label}: DevTools", asyncio.run(burst(True)), n=n, ops=n)
    row["note"] = f"{row['median_s'] / base['median_s']:.2f}x no DevTools (recording only)"
    return [base, row]


def _serialize_rows(cache: int, repeat: int) -> list[Row]:
    label = f"{cache:,}-entry api cache" if cache else "small state"
    store = _store(cache)
    from rtkq._devtools._instrument import Instrument

    instrument = Instrument(store, max_age=50, on_record=lambda: None)
    instrument.install()
    for _ in range(60):
        store.dispatch(counter.actions.inc())
    history = instrument.history
    encoder = MessageEncoder(find_runtimes(store))
    snap = history.snapshot()
    last = [(snap.staged[-1], snap.actions[snap.staged[-1]], snap.states[-1])]
    rows = [
        measure(
            f"serialize one ACTION, {label}",
            lambda: encoder.actions(last),
            n=1,
            repeat=repeat,
        ),
        measure(
            f"serialize a 50-action STATE, {label}",
            lambda: encoder.lifted(snap),
            n=50,
            repeat=repeat,
        ),
    ]
    instrument.uninstall()
    return rows


def run(quick: bool) -> list[Row]:
    repeat = 3 if quick else 5
    rows: list[Row] = []
    seconds = 0.25 if quick else 3.0
    big = 3_000 if quick else CACHE
    with DevToolsServer() as server:
        for cache, n in ((0, 2_000 if quick else 10_000), (big, 500 if quick else 2_000)):
            rows += _app_rows(cache, server.port, seconds, repeat)
            rows += _burst_rows(n, cache, server.port)
    for cache in (0, big):
        rows += _serialize_rows(cache, repeat)
    return rows
