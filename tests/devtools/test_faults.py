"""Faults the real DevTools server cannot produce: a fake SocketCluster peer.

The real server only relays JSON, answers pings and never refuses a handshake; these
tests play a broken server on ``websockets.serve`` to check that the link survives
what a broken or foreign server sends.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from websockets.asyncio.server import ServerConnection, serve

from rtkq import configure_store, create_slice
from rtkq.devtools import DevToolsWarning, connect_devtools
from tests._live_server import LiveServer

counter = create_slice("counter", 0, {"inc": lambda state, action: state + 1})

Script = Callable[[ServerConnection, list[Any]], Awaitable[None]]


async def handshake(ws: ServerConnection, received: list[Any]) -> None:
    """Answer the handshake, the subscriptions and the login as the cli server does."""
    async for frame in ws:
        message = json.loads(frame)
        received.append(message)
        if message.get("event") == "#handshake":
            await ws.send(json.dumps({"rid": message["cid"], "data": {"id": "fake-socket"}}))
        elif message.get("event") == "login":
            await ws.send(json.dumps({"rid": message["cid"], "data": "respond"}))
        elif "cid" in message:
            await ws.send(json.dumps({"rid": message["cid"]}))
        if message.get("event") == "log" and message["data"]["type"] == "STATE":
            return


@pytest.fixture
async def fake_server() -> AsyncIterator[Callable[[Script], Awaitable[tuple[int, list[Any]]]]]:
    servers: list[Any] = []

    async def start(script: Script) -> tuple[int, list[Any]]:
        received: list[Any] = []

        async def handler(ws: ServerConnection) -> None:
            await handshake(ws, received)
            await script(ws, received)

        server = await serve(handler, "127.0.0.1", 0)
        servers.append(server)
        return server.sockets[0].getsockname()[1], received

    yield start
    for server in servers:
        server.close()
        await server.wait_closed()


async def test_unreadable_frames_are_ignored_with_a_warning_and_pings_answered(
    fake_server: Any,
) -> None:
    done = asyncio.Event()

    async def script(ws: ServerConnection, received: list[Any]) -> None:
        await ws.send("this is not json")
        await ws.send(json.dumps([1, 2]))  # an array of packets that are not packets
        await ws.send(json.dumps({"event": "#publish", "data": "no channel"}))
        await ws.send(json.dumps({"event": "#publish", "data": {"channel": "respond", "data": 7}}))
        await ws.send(json.dumps({"rid": 999, "data": "an answer nobody asked for"}))
        await ws.send(json.dumps({"event": "#setAuthToken", "data": {}}))
        await ws.send("")  # SocketCluster v2 ping
        pong = await ws.recv()
        received.append(("pong", pong))
        await ws.send("#1")  # v1 ping
        received.append(("pong", await ws.recv()))
        await ws.send(
            json.dumps(
                [
                    {
                        "event": "#publish",
                        "data": {"channel": "respond", "data": {"type": "UPDATE"}},
                    },
                ]
            )
        )
        async for frame in ws:
            message = json.loads(frame)
            if message.get("data", {}).get("type") == "STATE":
                done.set()
                break

    port, received = await fake_server(script)
    store = configure_store({"counter": counter.reducer})
    with pytest.warns(DevToolsWarning, match="malformed") as caught:
        async with await connect_devtools(store, port=port, latency=0) as link:
            async with asyncio.timeout(10):
                await done.wait()  # UPDATE, after the junk, was answered with the history
            assert link.connected
    # the text, [1, 2] (once per packet), the publish without a channel, the 7
    assert len(caught) == 5
    assert ("pong", "") in received and ("pong", "#2") in received


async def test_a_handshake_without_an_id_is_a_failed_connection(fake_server: Any) -> None:
    async def refuse(ws: ServerConnection) -> None:
        async for frame in ws:
            message = json.loads(frame)
            await ws.send(json.dumps({"rid": message["cid"], "data": {"no": "id"}}))

    server = await serve(refuse, "127.0.0.1", 0)
    try:
        store = configure_store({"counter": counter.reducer})
        with pytest.warns(DevToolsWarning, match="unexpected handshake reply"):
            link = await connect_devtools(store, port=server.sockets[0].getsockname()[1])
        assert not link.connected
        await link.aclose()
    finally:
        server.close()
        await server.wait_closed()


async def test_a_server_answering_calls_with_errors_is_a_failed_connection() -> None:
    async def errors(ws: ServerConnection) -> None:
        async for frame in ws:
            message = json.loads(frame)
            await ws.send(json.dumps({"rid": message["cid"], "error": {"name": "Denied"}}))

    server = await serve(errors, "127.0.0.1", 0)
    try:
        store = configure_store({"counter": counter.reducer})
        with pytest.warns(DevToolsWarning, match="server error: .*Denied"):
            link = await connect_devtools(store, port=server.sockets[0].getsockname()[1])
        store.dispatch(counter.actions.inc())
        assert store.get_state()["counter"] == 1
        await link.aclose()
    finally:
        server.close()
        await server.wait_closed()


async def not_devtools(request: Any) -> PlainTextResponse:
    return PlainTextResponse("this is not the DevTools", status_code=404)


web_app = Starlette(routes=[Route("/{path:path}", not_devtools)])


async def test_a_server_that_refuses_the_websocket_warns_once(live_server: LiveServer) -> None:
    port = int(live_server(web_app).rstrip("/").rsplit(":", 1)[1])
    store = configure_store({"counter": counter.reducer})
    with pytest.warns(DevToolsWarning, match="Cannot reach the Redux DevTools server") as caught:
        link = await connect_devtools(store, port=port)
        link.backoff = (0.01, 0.05)
        await asyncio.sleep(0.3)
        store.dispatch(counter.actions.inc())
    assert len(caught) == 1
    assert "404" in str(caught[0].message)
    await link.aclose()


async def test_warnings_turned_into_errors_surface_from_aclose() -> None:
    from devtools_server import free_port

    # The suite runs with warnings as errors: the link's background warning cannot
    # raise where it happens, so aclose() raises it.
    store = configure_store({"counter": counter.reducer})
    link = await connect_devtools(store, port=free_port())
    with pytest.raises(DevToolsWarning, match="Cannot reach"):
        await link.aclose()
    await link.aclose()  # raised once
