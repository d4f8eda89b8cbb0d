"""SharedCache when Redis goes away and comes back (a real server, stopped and restarted)."""

from __future__ import annotations

import asyncio
import logging
import warnings
from typing import Any

import pytest

from rtkq.redis import SharedCache

from ._server import RedisServer
from ._support import (
    Backend,
    Upstream,
    eventually,
    holds_lock,
    make_api,
    make_store,
    paths,
    settle,
    waits_for,
)


class Node:
    def __init__(self, url: str, name: str, upstream: Upstream) -> None:
        self.backend = Backend(name, upstream)
        self.api = make_api(self.backend)
        self.store = make_store(self.api)
        self.shared = SharedCache(self.store, self.api, url, lock_timeout=1.0)

    def get(self, arg: Any, **options: Any) -> Any:
        return self.store.dispatch(self.api.endpoints.get_post.initiate(arg, **options))

    def entry(self, arg: Any) -> Any:
        return self.api.endpoints.get_post.select(arg)(self.store.get_state())


def _outage_warnings(caught: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in caught if "unreachable" in str(w.message)]


async def test_an_outage_is_survived_warned_once_and_repaired_on_reconnect() -> None:
    server = RedisServer(password="pw-Zq81")
    server.start()
    upstream = Upstream()
    a, b = Node(server.url, "a", upstream), Node(server.url, "b", upstream)
    try:
        await a.shared.start()
        await b.shared.start()
        await a.get(1), await b.get(1)  # both subscribed to get_post(1)
        await a.get(2, subscribe=False)  # a holds get_post(2) without a subscriber
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            server.stop()
            await eventually(lambda: not a.shared.connected and not b.shared.connected)
            # Each store works alone: requests go upstream, the cache is kept.
            state = await a.get(3)
            assert state.data["path"] == "posts/3"
            assert a.entry(1).is_success and a.entry(2).is_success
            # b's invalidation cannot reach a now; b keeps it for later.
            await b.store.dispatch(b.api.endpoints.update_post.initiate(1))
            assert b.entry(1).data["version"] == 1 and a.entry(1).data["version"] == 0
            await a.get(4)
            await settle(0.3)  # several reconnect attempts fail meanwhile
            calls_before = len(paths(a.backend)) + len(paths(b.backend))
            server.start()
            await eventually(lambda: a.shared.connected and b.shared.connected, timeout=5.0)
            await eventually(lambda: a.entry(1).data["version"] == 1)
            await settle(0.1)
        messages = _outage_warnings(caught)
        assert len(messages) == 2, messages  # one per store for the whole outage
        assert all("pw-Zq81" not in text for text in messages)
        assert all(f"redis://:***@127.0.0.1:{server.port}" in text for text in messages)
        # After the reconnect a distrusts what it holds: subscribed entries refetched
        # (get_post(1), 3, 4), the unsubscribed get_post(2) dropped.
        assert a.entry(2).is_uninitialized
        assert a.entry(3).is_success and a.entry(4).is_success
        refetches = len(paths(a.backend)) + len(paths(b.backend)) - calls_before
        assert 3 <= refetches <= 5  # b's subscribed get_post(1) too, shared when in time
    finally:
        await a.shared.aclose()
        await b.shared.aclose()
        server.stop()


async def test_redis_down_at_start_then_joins_when_it_comes(caplog: Any) -> None:
    server = RedisServer()
    node = Node(server.url, "a", Upstream())
    with pytest.warns(RuntimeWarning, match="is unreachable .*reconnects by itself"):
        await node.shared.start()
    assert not node.shared.connected
    state = await node.get(1)
    assert state.is_success and paths(node.backend) == ["posts/1"]
    server.start()
    try:
        await eventually(lambda: node.shared.connected, timeout=5.0)
        await eventually(lambda: len(paths(node.backend)) == 2)  # refetched on joining
    finally:
        await node.shared.aclose()
        server.stop()


async def test_a_warning_turned_error_goes_to_the_log(caplog: Any) -> None:
    server = RedisServer()
    node = Node(server.url, "a", Upstream())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with caplog.at_level(logging.WARNING, logger="rtkq.redis"):
            await node.shared.start()
    await node.shared.aclose()
    assert "is unreachable" in caplog.text


async def test_requests_waiting_for_another_store_go_on_when_redis_goes(
    own_redis: RedisServer,
) -> None:
    upstream = Upstream()
    a, b = Node(own_redis.url, "a", upstream), Node(own_redis.url, "b", upstream)
    await a.shared.start(), await b.shared.start()
    try:
        a.backend.gate = asyncio.Event()
        handle_a = a.get(1)
        await holds_lock(a.shared, "get_post(1)")
        handle_b = b.get(1)
        await waits_for(b.shared, "get_post(1)")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            own_redis.stop()
            a.backend.gate.set()
            state_a, state_b = await handle_a, await handle_b
        assert state_a.is_success and state_b.is_success
        assert len(_outage_warnings(caught)) == 2
    finally:
        await a.shared.aclose()
        await b.shared.aclose()
