"""Offline mutations: paused while offline, resumed in order, also after a restart.

The requests are observed by a real HTTP server that records the order they came in.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from rtkq import (
    QueryStatus,
    configure_store,
    create_api,
    fetch_base_query,
    on_offline,
    on_online,
    thaw,
)
from rtkq.persist import SQLitePersister, persist_store
from tests._live_server import LiveServer

from ._support import mutations


class Received:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.order: list[Any] = []

    def add(self, value: Any) -> None:
        with self._lock:
            self.order.append(value)


received = Received()


async def write(request: Request) -> JSONResponse:
    body = await request.json()
    received.add(body["n"])
    await asyncio.sleep(0.01)
    return JSONResponse({"saved": body["n"]})


app = Starlette(routes=[Route("/write", write, methods=["POST"])])


def _dead_url() -> str:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there: connections are refused (FETCH_ERROR)
    return f"http://127.0.0.1:{port}"


class Switchable:
    """A base query sending to whichever fetch_base_query is current."""

    def __init__(self, base_url: str) -> None:
        self.current = fetch_base_query(base_url)
        self._all = [self.current]

    def point_to(self, base_url: str) -> None:
        self.current = fetch_base_query(base_url)
        self._all.append(self.current)

    async def __call__(self, args: Any, api: Any, extra_options: Any) -> Any:
        return await self.current(args, api, extra_options)

    async def aclose(self) -> None:
        for base_query in self._all:
            await base_query.aclose()


def make_api(base_url: str, network_mode: str = "online") -> Any:
    return create_api(
        base_query=Switchable(base_url),
        network_mode=network_mode,
        endpoints=lambda build: {
            "save": build.mutation(
                query=lambda arg: {"url": "write", "method": "POST", "body": arg}
            ),
            "save_scoped": build.mutation(
                query=lambda arg: {"url": "write", "method": "POST", "body": arg}, scope="s"
            ),
        },
    )


def make_store(api: Any) -> Any:
    return configure_store({"api": api.reducer}, middleware=[api.middleware])


@pytest.fixture
def server(live_server: LiveServer) -> str:
    received.order.clear()
    return live_server(app)


@pytest.fixture
async def apis() -> AsyncIterator[list[Any]]:
    made: list[Any] = []
    yield made
    for api in made:
        await api.base_query.aclose()


async def test_offline_mutations_pause_and_are_sent_in_order_on_online(
    server: str, apis: list[Any]
) -> None:
    api = make_api(server)
    apis.append(api)
    store = make_store(api)
    store.dispatch(on_offline())
    handles = [store.dispatch(api.endpoints.save.initiate({"n": n})) for n in range(3)]
    await asyncio.sleep(0.05)
    assert received.order == []
    paused = mutations(store, api)
    assert [m.is_paused for m in paused] == [True, True, True]
    assert all(m.status is QueryStatus.PENDING for m in paused)
    assert api.util.is_mutating(store.get_state()) == 3
    store.dispatch(on_online())
    results = [await handle for handle in handles]
    assert received.order == [0, 1, 2]
    assert [thaw(result["data"]) for result in results] == [{"saved": n} for n in range(3)]
    assert [m.is_paused for m in mutations(store, api)] == [False, False, False]


async def test_offline_mutations_survive_a_restart_and_are_sent_in_order(
    server: str, apis: list[Any], tmp_path: Path
) -> None:
    path = tmp_path / "cache.db"
    api = make_api(server)
    apis.append(api)
    store = make_store(api)
    persistence = persist_store(store, api, SQLitePersister(path), throttle=0.0)
    store.dispatch(on_offline())
    for n in range(3):
        store.dispatch(api.endpoints.save.initiate({"n": n}))
    persistence.close()
    store.dispatch(api.util.reset_api_state())  # the "crash": nothing was sent
    await asyncio.sleep(0.05)
    assert received.order == []

    api2 = make_api(server)
    apis.append(api2)
    store2 = make_store(api2)
    persistence2 = persist_store(store2, api2, SQLitePersister(path))
    restored = mutations(store2, api2)
    assert [thaw(m.original_args) for m in restored] == [{"n": 0}, {"n": 1}, {"n": 2}]
    assert all(m.is_paused for m in restored)  # waiting for resume, though online
    await asyncio.sleep(0.05)
    assert received.order == []
    results = await store2.dispatch(api2.util.resume_paused_mutations())
    assert received.order == [0, 1, 2]
    assert [thaw(result["data"]) for result in results] == [{"saved": n} for n in range(3)]
    assert all(m.status is QueryStatus.FULFILLED for m in mutations(store2, api2))
    persistence2.close()
    saved = SQLitePersister(path).load()
    assert saved is not None
    assert saved["mutations"] == []  # sent: no longer persisted


async def test_resume_while_still_offline_keeps_them_paused(server: str, apis: list[Any]) -> None:
    api = make_api(server)
    apis.append(api)
    store = make_store(api)
    store.dispatch(on_offline())
    handles = [store.dispatch(api.endpoints.save.initiate({"n": n})) for n in range(2)]
    results = await store.dispatch(api.util.resume_paused_mutations())
    assert results == []
    assert received.order == []
    assert [m.is_paused for m in mutations(store, api)] == [True, True]
    store.dispatch(on_online())
    await asyncio.gather(*handles)
    assert received.order == [0, 1]


async def test_online_mode_rejects_a_fetch_error(apis: list[Any]) -> None:
    api = make_api(_dead_url())
    apis.append(api)
    store = make_store(api)
    result = await store.dispatch(api.endpoints.save.initiate({"n": 1}))
    assert result["error"]["status"] == "FETCH_ERROR"


async def test_offline_first_pauses_on_a_fetch_error_until_resumed(
    server: str, apis: list[Any]
) -> None:
    api = make_api(_dead_url(), network_mode="offline_first")
    apis.append(api)
    store = make_store(api)
    handles = [store.dispatch(api.endpoints.save.initiate({"n": n})) for n in range(3)]
    for _ in range(200):
        if all(m.is_paused for m in mutations(store, api)):
            break
        await asyncio.sleep(0.01)
    assert [m.is_paused for m in mutations(store, api)] == [True, True, True]
    assert all(m.status is QueryStatus.PENDING for m in mutations(store, api))
    api.base_query.point_to(server)  # the network is back
    results = await store.dispatch(api.util.resume_paused_mutations())
    assert received.order == [0, 1, 2]
    assert [thaw(result["data"]) for result in results] == [{"saved": n} for n in range(3)]
    assert [thaw((await handle)["data"]) for handle in handles] == [{"saved": n} for n in range(3)]


async def test_offline_first_sends_at_once_even_while_offline(server: str, apis: list[Any]) -> None:
    api = make_api(server, network_mode="offline_first")
    apis.append(api)
    store = make_store(api)
    store.dispatch(on_offline())
    result = await store.dispatch(api.endpoints.save.initiate({"n": 7}))
    assert thaw(result["data"]) == {"saved": 7}


async def test_always_mode_sends_regardless_and_rejects_fetch_errors(
    server: str, apis: list[Any]
) -> None:
    api = make_api(server, network_mode="always")
    apis.append(api)
    store = make_store(api)
    store.dispatch(on_offline())
    result = await store.dispatch(api.endpoints.save.initiate({"n": 5}))
    assert thaw(result["data"]) == {"saved": 5}
    api.base_query.point_to(_dead_url())
    result = await store.dispatch(api.endpoints.save.initiate({"n": 6}))
    assert result["error"]["status"] == "FETCH_ERROR"


async def test_scoped_offline_mutations_keep_their_order_per_scope(
    server: str, apis: list[Any]
) -> None:
    api = make_api(server)
    apis.append(api)
    store = make_store(api)
    store.dispatch(on_offline())
    handles = [
        store.dispatch(api.endpoints["save_scoped" if n % 2 else "save"].initiate({"n": n}))
        for n in range(4)
    ]
    assert all(m.is_paused for m in mutations(store, api))
    store.dispatch(on_online())
    await asyncio.gather(*handles)
    assert sorted(received.order) == [0, 1, 2, 3]
    scoped = [n for n in received.order if n % 2]
    assert scoped == [1, 3]  # order is kept per scope (across scopes they may overlap)
    assert received.order.index(0) < received.order.index(2)  # resumed one by one


async def test_a_paused_mutation_can_be_aborted(server: str, apis: list[Any]) -> None:
    api = make_api(server)
    apis.append(api)
    store = make_store(api)
    store.dispatch(on_offline())
    first = store.dispatch(api.endpoints.save.initiate({"n": 0}))
    second = store.dispatch(api.endpoints.save.initiate({"n": 1}))
    first.abort()
    assert (await first)["error"] == {"status": "CUSTOM_ERROR", "error": "Aborted"}
    store.dispatch(on_online())
    await second
    assert received.order == [1]


async def test_a_paused_mutation_does_not_hold_back_delayed_invalidation(
    server: str, apis: list[Any]
) -> None:
    calls: list[int] = []

    async def base_query(args: Any, api: Any, extra: Any) -> Any:
        calls.append(1)
        return {"data": len(calls)}

    api = create_api(
        base_query=base_query,
        tag_types=["T"],
        endpoints=lambda build: {
            "get": build.query(query=lambda _: "x", provides_tags=["T"]),
            "write": build.mutation(query=lambda _: "y"),
        },
    )
    store = make_store(api)
    handle = store.dispatch(api.endpoints.get.initiate(None))
    await handle
    store.dispatch(on_offline())
    paused = store.dispatch(api.endpoints.write.initiate(None))
    store.dispatch(api.util.invalidate_tags(["T"]))
    await asyncio.sleep(0.01)
    assert len(calls) == 2  # the query refetched although a mutation is paused
    paused.abort()
    await paused
    handle.unsubscribe()
