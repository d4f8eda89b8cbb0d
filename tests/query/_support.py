"""Helpers for the API-slice tests: a counting in-test base query, an api and a store."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import Any

from rtkq import Api, Store, configure_store, create_api


class FakeBaseQuery:
    """An async base query that records its calls and answers from ``responder``.

    ``responder(args)`` returns the result dict (default ``{"data": args}``); it may raise.
    ``delay`` (loop seconds, fast-forwarded under looptime) runs before answering; a
    callable ``delay(args)`` gives one delay per call.
    """

    def __init__(
        self,
        responder: Callable[[Any], Any] | None = None,
        delay: float | Callable[[Any], float] = 0.0,
    ) -> None:
        self.responder = responder or (lambda args: {"data": args})
        self.delay = delay
        self.calls: list[Any] = []
        self.apis: list[Any] = []
        self.extra_options: list[Any] = []
        self.finished = 0
        self.cancelled = 0

    @property
    def count(self) -> int:
        return len(self.calls)

    async def __call__(self, args: Any, api: Any, extra_options: Any) -> Any:
        self.calls.append(args)
        self.apis.append(api)
        self.extra_options.append(extra_options)
        delay = self.delay(args) if callable(self.delay) else self.delay
        try:
            if delay:
                await asyncio.sleep(delay)
        except asyncio.CancelledError:
            self.cancelled += 1
            raise
        self.finished += 1
        return self.responder(args)


def make_api(
    endpoints: Callable[[Any], Mapping[str, Any]] | None = None,
    base_query: Any = None,
    **options: Any,
) -> Api:
    """An api with a ``get_item`` query (``query=lambda arg: arg``) unless told otherwise."""
    if endpoints is None:

        def endpoints(build: Any) -> Mapping[str, Any]:
            return {
                "get_item": build.query(query=lambda arg: arg),
                "update_item": build.mutation(query=lambda arg: arg),
            }

    return create_api(
        base_query=base_query if base_query is not None else FakeBaseQuery(),
        endpoints=endpoints,
        **options,
    )


def make_store(api: Api, **options: Any) -> Store:
    """A store with the api's reducer and middleware mounted."""
    return configure_store({api.reducer_path: api.reducer}, middleware=[api.middleware], **options)


def entry(store: Store, api: Api, key: str) -> Any:
    """The raw cache entry under ``key`` (None when absent)."""
    return store.get_state()[api.reducer_path]["queries"].get(key)


async def turns(n: int = 3) -> None:
    """Let the loop run ``n`` turns (no loop time passes)."""
    for _ in range(n):
        await asyncio.sleep(0)
