"""HTTP throughput: fetch_base_query vs a bare httpx.AsyncClient, and through the API slice.

A local Starlette app runs under uvicorn in a background thread (``tests/_live_server.py``);
the client side runs on one event loop in the main thread. Every scenario sends ``n``
GET requests for distinct URLs with at most 20 in flight, except the de-duplication one
and the "all at once" one (every request started at once: how each side queues).
The server shares the process (and the GIL) with the client, so absolute figures are
lower than against a separate server; the overhead ratio is what to read.

``python -m benchmarks.bench_http [--n 1000] [--repeat 7]`` runs only the CPU-only pair
(``httpx.MockTransport``, no server) and prints its two rows: one invocation of the
figure that ``python -m benchmarks http`` reports for that scenario.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import pathlib
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from benchmarks._harness import Row, measure
from rtkq import fetch_base_query

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
from tests._live_server import run_live_server

IN_FLIGHT = 20


async def _item(request: Request) -> JSONResponse:
    item_id = request.path_params["item_id"]
    return JSONResponse({"id": item_id, "name": f"item {item_id}", "tags": ["a", "b"]})


APP = Starlette(routes=[Route("/items/{item_id:int}", _item)])


async def _bounded(n: int, one: Callable[[int], Awaitable[Any]]) -> None:
    """Run ``one(i)`` for ``i < n`` with at most ``IN_FLIGHT`` running at once."""
    gate = asyncio.Semaphore(IN_FLIGHT)

    async def gated(i: int) -> None:
        async with gate:
            await one(i)

    await asyncio.gather(*(gated(i) for i in range(n)))


async def _at_once(n: int, one: Callable[[int], Awaitable[Any]]) -> None:
    """Run ``one(i)`` for ``i < n`` all at once: the client's pool (100 connections)
    is the only limit. httpx queues the rest in its pool, which rescans the whole queue
    on every event, so its cost per request grows with ``n``; fetch_base_query queues
    them in a semaphore of the pool's size instead."""
    await asyncio.gather(*(one(i) for i in range(n)))


def _rate_note(row: Row) -> str:
    return f"{row['ops'] / row['median_s']:,.0f} req/s"


def _row(scenario: str, impl: str, n: int, times: list[float]) -> Row:
    median = statistics.median(times)
    return {
        "scenario": scenario,
        "impl": impl,
        "n": n,
        "ops": n,
        "median_s": median,
        "min_s": min(times),
        "max_s": max(times),
        "per_op_us": median / n * 1e6,
        "runs": len(times),
        "note": "",
    }


def _interleaved(
    scenario: str,
    n: int,
    repeat: int,
    loop: asyncio.AbstractEventLoop,
    bare: Callable[[], Coroutine[Any, Any, Any]],
    ours: Callable[[], Coroutine[Any, Any, Any]],
    clock: Callable[[], float] = time.perf_counter,
) -> list[Row]:
    """Time ``bare`` and ``ours`` alternately (after one warm-up each), so drifting
    machine load hits both alike; return an httpx row and a fetch_base_query row.

    As in ``_harness.measure``, the garbage collector is collected before and disabled
    during each timed run. The overhead by median is the median of the pairwise ratios
    (each pair ran back to back), which drifting load disturbs least. ``clock`` is
    wall time unless given (``time.thread_time`` for the CPU-only pair)."""
    times: dict[str, list[float]] = {"httpx": [], "fetch_base_query": []}
    for i in range(repeat + 1):
        for impl, make in (("httpx", bare), ("fetch_base_query", ours)):
            gc.collect()
            gc.disable()
            try:
                start = clock()
                loop.run_until_complete(make())
                elapsed = clock() - start
            finally:
                gc.enable()
            if i:
                times[impl].append(elapsed)
    base = _row(scenario, "httpx", n, times["httpx"])
    mine = _row(scenario, "fetch_base_query", n, times["fetch_base_query"])
    pairs = zip(times["fetch_base_query"], times["httpx"], strict=True)
    by_median = (statistics.median(ours_s / bare_s for ours_s, bare_s in pairs) - 1) * 100
    by_min = (mine["min_s"] / base["min_s"] - 1) * 100
    base["note"] = _rate_note(base)
    mine["note"] = (
        f"{_rate_note(mine)}, overhead vs httpx {by_median:+.1f}% (median of pairs), "
        f"{by_min:+.1f}% (best)"
    )
    if clock is not time.perf_counter:
        for row in (base, mine):
            row["note"] += f" [{clock.__name__}]"
    return [base, mine]


def _json_handler(request: httpx.Request) -> httpx.Response:
    item_id = request.url.path.rsplit("/", 1)[1]
    return httpx.Response(200, json={"id": item_id, "name": f"item {item_id}", "tags": ["a"]})


def run(quick: bool) -> list[Row]:
    sizes = [50] if quick else [250, 1000]
    repeat = 3 if quick else 7
    rows: list[Row] = []
    loop = asyncio.new_event_loop()
    try:
        # Idle pooled connections outlive the other side's run (15 s and more at n=1,000):
        # with uvicorn's 5 s keep-alive a reused one could be closed under the client
        # (httpx.ReadError ended a full `make bench` here).
        with run_live_server(APP, keep_alive=3600.0) as base_url:
            client = httpx.AsyncClient(timeout=None, follow_redirects=True)
            bq = fetch_base_query(base_url)
            mock = httpx.AsyncClient(transport=httpx.MockTransport(_json_handler))
            mock_bq = fetch_base_query("http://mock.test", client=mock)
            for n in [100] if quick else [250, 1000]:
                rows += _interleaved(
                    "GETs all at once (pool of 100, no limit of ours)",
                    n,
                    2,  # httpx takes ~20 s per run at 1,000
                    loop,
                    lambda n=n: _at_once(n, _bare_get(client, base_url)),  # type: ignore[misc]
                    lambda n=n: _at_once(n, _bq_get(bq)),  # type: ignore[misc]
                )
            for n in sizes:
                rows += _interleaved(
                    f"{n} distinct GETs, {IN_FLIGHT} in flight",
                    n,
                    repeat,
                    loop,
                    lambda n=n: _bounded(n, _bare_get(client, base_url)),  # type: ignore[misc]
                    lambda n=n: _bounded(n, _bq_get(bq)),  # type: ignore[misc]
                )
                rows += _cpu_only_rows(loop, mock, mock_bq, n, repeat)
                rows += _api_slice_rows(loop, bq, n, repeat)
            loop.run_until_complete(client.aclose())
            loop.run_until_complete(mock.aclose())
            loop.run_until_complete(bq.aclose())
    finally:
        loop.close()
    return rows


def _cpu_only_rows(
    loop: asyncio.AbstractEventLoop, mock: httpx.AsyncClient, mock_bq: Any, n: int, repeat: int
) -> list[Row]:
    """The same GETs answered in-process by ``httpx.MockTransport``: no sockets, no server,
    so the pair compares only the client-side CPU work of each request.

    Timed by the CPU time of this thread, which does all of that work (the transport
    answers inline): wall time on a shared machine also counts the time other processes
    held the CPU, which swung this pair's overhead by +-15% from one invocation to the
    next."""
    return _interleaved(
        f"{n} GETs on httpx.MockTransport (CPU only)",
        n,
        repeat,
        loop,
        lambda: _bounded(n, _bare_get(mock, "http://mock.test")),
        lambda: _bounded(n, _bq_get(mock_bq)),
        clock=time.thread_time,
    )


def cpu_only(n: int = 1000, repeat: int = 7) -> list[Row]:
    """Only the CPU-only pair, on a fresh loop and client (see the module docstring)."""
    loop = asyncio.new_event_loop()
    try:
        mock = httpx.AsyncClient(transport=httpx.MockTransport(_json_handler))
        rows = _cpu_only_rows(
            loop, mock, fetch_base_query("http://mock.test", client=mock), n, repeat
        )
        loop.run_until_complete(mock.aclose())
    finally:
        loop.close()
    return rows


def _bare_get(client: httpx.AsyncClient, base_url: str) -> Callable[[int], Awaitable[None]]:
    async def one(i: int) -> None:
        response = await client.get(f"{base_url}/items/{i}")
        response.raise_for_status()
        response.json()

    return one


def _bq_get(bq: Any) -> Callable[[int], Awaitable[None]]:
    async def one(i: int) -> None:
        result = await bq(f"items/{i}", None, None)
        assert "data" in result, result

    return one


def _api_slice_rows(loop: asyncio.AbstractEventLoop, bq: Any, n: int, repeat: int) -> list[Row]:
    """The same requests through ``create_api`` (skipped while it is not importable)."""
    try:
        from rtkq import configure_store, create_api  # type: ignore[attr-defined]
    except ImportError:
        return []

    def fresh_store() -> tuple[Any, Any]:
        api = create_api(
            base_query=bq,
            endpoints=lambda build: {"get_item": build.query(query=lambda i: f"items/{i}")},
        )
        store = configure_store(
            reducer={api.reducer_path: api.reducer}, middleware=[api.middleware]
        )
        return api, store

    def distinct(setup: tuple[Any, Any]) -> None:
        api, store = setup

        async def go() -> None:
            async def one(i: int) -> None:
                state = await store.dispatch(api.endpoints.get_item.initiate(i))
                assert state.is_success, state

            await _bounded(n, one)

        loop.run_until_complete(go())

    def identical(setup: tuple[Any, Any]) -> None:
        api, store = setup

        async def go() -> None:
            handles = [store.dispatch(api.endpoints.get_item.initiate(1)) for _ in range(n)]
            states = await asyncio.gather(*handles)
            assert all(state.is_success for state in states)

        loop.run_until_complete(go())

    scenario_distinct = f"{n} distinct initiate, {IN_FLIGHT} in flight"
    row_distinct = measure(
        scenario_distinct,
        distinct,
        n=n,
        ops=n,
        repeat=repeat,
        setup=fresh_store,
        impl="create_api",
    )
    row_distinct["note"] = _rate_note(row_distinct)
    row_identical = measure(
        f"{n} identical concurrent initiate (1 request)",
        identical,
        n=n,
        ops=n,
        repeat=repeat,
        setup=fresh_store,
        impl="create_api",
    )
    row_identical["note"] = f"{row_identical['per_op_us']:.1f} us per initiate"
    return [row_distinct, row_identical]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="fetch_base_query vs httpx, CPU only.")
    parser.add_argument("--n", type=int, default=1000, help="requests per timed run")
    parser.add_argument("--repeat", type=int, default=7, help="timed runs of each side")
    options = parser.parse_args()
    for row in cpu_only(options.n, options.repeat):
        print(
            f"{row['scenario']}  {row['impl']:<16} {row['median_s'] * 1e3:8.1f} ms  {row['note']}"
        )
