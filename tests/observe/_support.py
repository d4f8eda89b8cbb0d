"""Helpers for the observer tests: an api over an in-test base query, and a recorder."""

from __future__ import annotations

import asyncio
from typing import Any

from rtkq import Api, Store
from tests.query._support import FakeBaseQuery, make_api, make_store, turns

__all__ = [
    "FakeBaseQuery",
    "Recorder",
    "loop_errors",
    "make_api",
    "make_store",
    "setup",
    "subscribers",
    "turns",
]


def setup(delay: float = 0.5, **api_options: Any) -> tuple[Api, Store, FakeBaseQuery]:
    """``get_item`` answers ``{"data": arg}`` after ``delay`` loop seconds (0.5: settled after sleep(1))."""
    bq = FakeBaseQuery(delay=delay)
    api = make_api(base_query=bq, **api_options)
    return api, make_store(api), bq


class Recorder:
    """A callback that records every result it is called with."""

    def __init__(self) -> None:
        self.calls: list[Any] = []

    def __call__(self, result: Any) -> None:
        self.calls.append(result)

    @property
    def count(self) -> int:
        return len(self.calls)


def loop_errors() -> list[dict[str, Any]]:
    """Route the running loop's exception handler into a list (observer callback errors)."""
    seen: list[dict[str, Any]] = []
    asyncio.get_running_loop().set_exception_handler(lambda loop, context: seen.append(context))
    return seen


def subscribers(store: Store, api: Api, key: str) -> int:
    runtime = api.runtime_for(store.dispatch)
    return len(runtime.subscriptions.get(key, {}))
