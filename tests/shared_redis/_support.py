"""Pieces of the shared-cache tests: an api over a counting in-process base query."""

from __future__ import annotations

import asyncio
from typing import Any

import redis.asyncio

from rtkq import configure_store, create_api


class Upstream:
    """What several backends share, like one HTTP server: a version bumped by writes."""

    def __init__(self) -> None:
        self.version = 0


class Backend:
    """An in-process base query: records its calls, can be held open or fail."""

    def __init__(self, name: str = "", upstream: Upstream | None = None) -> None:
        self.name = name
        self.upstream = upstream or Upstream()
        self.calls: list[Any] = []
        self.gate: asyncio.Event | None = None
        self.fail_with: Any = None

    async def __call__(self, args: Any, api: Any, extra_options: Any) -> Any:
        self.calls.append(args)
        if self.gate is not None:
            await self.gate.wait()
        if self.fail_with is not None:
            return {"error": self.fail_with}
        if isinstance(args, dict):
            self.upstream.version += 1
            return {"data": {"saved": args.get("body")}}
        return {"data": {"path": args, "version": self.upstream.version, "by": self.name}}


def make_api(backend: Backend, **options: Any) -> Any:
    return create_api(
        base_query=backend,
        tag_types=["Post", "User"],
        endpoints=lambda build: {
            "get_post": build.query(
                query=lambda id: f"posts/{id}",
                provides_tags=lambda result, error, id: [{"type": "Post", "id": id}],
            ),
            "get_user": build.query(
                query=lambda id: f"users/{id}",
                provides_tags=lambda result, error, id: [{"type": "User", "id": id}],
            ),
            "get_blob": build.query(query_fn=lambda arg, api, extra, bq: {"data": {1, 2}}),
            "update_post": build.mutation(
                query=lambda id: {"url": f"posts/{id}", "method": "PATCH", "body": id},
                invalidates_tags=lambda result, error, id: [{"type": "Post", "id": id}],
            ),
        },
        **options,
    )


def make_store(api: Any) -> Any:
    return configure_store({api.reducer_path: api.reducer}, middleware=[api.middleware])


def paths(backend: Backend) -> list[Any]:
    return [call for call in backend.calls if isinstance(call, str)]


async def settle(seconds: float = 0.05) -> None:
    """Give the bus a moment (real time: the messages cross a real socket)."""
    await asyncio.sleep(seconds)


async def eventually(predicate: Any, timeout: float = 3.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)


async def redis_keys(url: str, pattern: str = "*") -> dict[str, int]:
    """Every key matching ``pattern`` with its PTTL in ms."""
    client = redis.asyncio.Redis.from_url(url)
    try:
        return {
            key.decode(): await client.pttl(key) async for key in client.scan_iter(match=pattern)
        }
    finally:
        await client.aclose()


async def holds_lock(shared: Any, key: str) -> None:
    """Wait until ``shared``'s store holds the single-flight lock of ``key``."""
    await eventually(lambda: key in shared._flight.held)


async def waits_for(shared: Any, key: str) -> None:
    """Wait until a request of ``shared``'s store waits for another store's fetch of ``key``."""
    await eventually(lambda: key in shared._flight.waiters)
