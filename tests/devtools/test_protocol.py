"""The store's side of the DevTools protocol, through the real ``@redux-devtools/cli``."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from rtkq import configure_store, create_api, create_slice, fetch_base_query
from rtkq.devtools import DEFAULT_FEATURES, DevToolsWarning, connect_devtools
from tests._live_server import LiveServer

from ._monitor import Monitor, watch

counter = create_slice(
    "counter",
    0,
    {"inc": lambda state, action: state + 1, "add": lambda state, action: state + action.payload},
)


def make_store() -> Any:
    return configure_store({"counter": counter.reducer})


async def test_the_store_appears_under_its_name_with_its_history(
    devtools_server: Any, monitor: Monitor
) -> None:
    store = make_store()
    store.dispatch(counter.actions.inc())
    async with await connect_devtools(
        store, "127.0.0.1", devtools_server.port, name="counter app", latency=0
    ) as link:
        start = await monitor.next("START", link.instance_id)
        assert start["name"] == "counter app"
        view = await watch(monitor, link.instance_id, lambda v: True)
        assert view.name == "counter app"
        assert view.socket == start["id"]
        assert view.lib_config == {
            "name": "counter app",
            "type": "redux",
            "features": DEFAULT_FEATURES,
        }
        # Connecting starts the history: the state so far is its committed state.
        assert view.types == ["@@INIT"]
        assert view.state == {"counter": 1}


async def test_each_action_is_sent_with_the_state_after_it(
    devtools_server: Any, monitor: Monitor
) -> None:
    store = make_store()
    async with await connect_devtools(store, port=devtools_server.port, latency=0) as link:
        view = await watch(monitor, link.instance_id, lambda v: True)
        for n in range(1, 4):
            store.dispatch(counter.actions.add(n))
            await asyncio.sleep(0)  # the sender sends each action on its own
        await watch(monitor, link.instance_id, lambda v: len(v.staged) == 4, view=view)
        assert view.types == ["@@INIT", "counter/add", "counter/add", "counter/add"]
        assert view.states == [{"counter": 0}, {"counter": 1}, {"counter": 3}, {"counter": 6}]
        action = view.lifted["actionsById"]["2"] if view.lifted else None
        assert action is not None and action["type"] == "PERFORM_ACTION"
        assert action["action"] == {"type": "counter/add", "payload": 2}
        assert isinstance(action["timestamp"], int)


async def test_a_burst_of_actions_goes_in_one_batched_message(
    devtools_server: Any, monitor: Monitor
) -> None:
    store = make_store()
    async with await connect_devtools(store, port=devtools_server.port, latency=0.05) as link:
        view = await watch(monitor, link.instance_id, lambda v: True)
        before = len(monitor.seen)
        for _ in range(20):
            store.dispatch(counter.actions.inc())
        await watch(monitor, link.instance_id, lambda v: v.state == {"counter": 20}, view=view)
        sent = [m for m in monitor.seen[before:] if m.get("type") == "ACTION"]
        assert len(sent) == 1  # the sender ran once, after the burst
        assert view.states == [{"counter": n} for n in range(21)]


async def test_the_history_keeps_at_most_max_age_entries(
    devtools_server: Any, monitor: Monitor
) -> None:
    store = make_store()
    async with await connect_devtools(
        store, port=devtools_server.port, max_age=5, latency=0
    ) as link:
        view = await watch(monitor, link.instance_id, lambda v: True)
        for _ in range(12):
            store.dispatch(counter.actions.inc())
            await asyncio.sleep(0)
        await watch(monitor, link.instance_id, lambda v: v.state == {"counter": 12}, view=view)
        assert len(view.staged) == 5
        assert view.states == [{"counter": n} for n in range(8, 13)]
        assert view.lifted is not None and view.lifted["committedState"] == {"counter": 8}
        history = link.history
        assert history.staged == [0, 9, 10, 11, 12]
        assert history.committed == store.get_state().set("counter", 8)


async def test_a_late_monitor_gets_the_whole_history_on_start(devtools_server: Any) -> None:
    store = make_store()
    async with await connect_devtools(store, port=devtools_server.port, latency=0) as link:
        store.dispatch(counter.actions.inc())
        store.dispatch(counter.actions.inc())
        late = await Monitor(devtools_server.port).connect()
        try:
            # What the web UI does once logged in: ask every app to start.
            await late.client.transmit("respond", {"type": "START"})
            view = await watch(late, link.instance_id, lambda v: True)
            assert view.types == ["@@INIT", "counter/inc", "counter/inc"]
            assert view.state == {"counter": 2}
        finally:
            await late.close()


async def test_closing_disconnects_and_stops_recording(
    devtools_server: Any, monitor: Monitor
) -> None:
    store = make_store()
    link = await connect_devtools(store, port=devtools_server.port, latency=0)
    start = await monitor.next("START", link.instance_id)
    await link.aclose()
    gone = await monitor.next("DISCONNECTED")
    assert gone["id"] == start["id"]
    assert not link.connected
    store.dispatch(counter.actions.inc())
    assert store.get_state()["counter"] == 1
    assert link.history.staged == [0]  # no longer recorded
    await link.aclose()  # harmless twice
    # The store can be connected again.
    async with await connect_devtools(store, port=devtools_server.port) as again:
        assert again.connected


async def test_export_sends_the_actions_and_the_committed_state(
    devtools_server: Any, monitor: Monitor
) -> None:
    store = make_store()
    async with await connect_devtools(store, port=devtools_server.port, latency=0) as link:
        view = await watch(monitor, link.instance_id, lambda v: True)
        store.dispatch(counter.actions.add(5))
        store.dispatch(counter.actions.inc())
        await watch(monitor, link.instance_id, lambda v: len(v.staged) == 3, view=view)
        assert view.socket is not None
        await monitor.send(view.socket, {"type": "EXPORT", "instanceId": link.instance_id})
        exported = await monitor.next("EXPORT", link.instance_id)
        assert exported["payload"] == [
            {"type": "counter/add", "payload": 5},
            {"type": "counter/inc"},
        ]
        assert exported["committedState"] == '{"counter": 0}'


# -- the api slice ------------------------------------------------------------------------
async def get_post(request: Request) -> JSONResponse:
    post_id = int(request.path_params["id"])
    return JSONResponse({"id": post_id, "title": f"post {post_id}"})


posts_app = Starlette(routes=[Route("/posts/{id}", get_post)])


async def test_the_api_slice_is_sent_as_rtk_query_shows_it(
    devtools_server: Any, monitor: Monitor, live_server: LiveServer
) -> None:
    api = create_api(
        base_query=fetch_base_query(live_server(posts_app)),
        tag_types=["Post"],
        endpoints=lambda build: {
            "get_post": build.query(
                query=lambda id: f"posts/{id}",
                provides_tags=lambda result, error, id: [{"type": "Post", "id": id}, "Post"],
            )
        },
    )
    store = configure_store({api.reducer_path: api.reducer}, middleware=[api.middleware])
    async with await connect_devtools(store, port=devtools_server.port, latency=0) as link:
        handle = store.dispatch(
            api.endpoints.get_post.initiate(7, subscription_options={"polling_interval": 60.0})
        )
        await handle
        view = await watch(
            monitor,
            link.instance_id,
            lambda v: v.state["api"]["queries"].get("get_post(7)", {}).get("status") == "fulfilled",
        )
        assert view.types == ["@@INIT", "api/executeQuery/pending", "api/executeQuery/fulfilled"]
        slice_ = view.state["api"]
        assert set(slice_) >= {"queries", "mutations", "provided", "subscriptions", "config"}
        entry = slice_["queries"]["get_post(7)"]
        assert entry["endpointName"] == "get_post"
        assert entry["originalArgs"] == 7
        assert entry["data"] == {"id": 7, "title": "post 7"}
        assert entry["requestId"] == handle.request_id
        assert entry["fulfilledTimeStamp"] >= entry["startedTimeStamp"] > 1.6e12
        assert slice_["provided"]["tags"] == {
            "Post": {"7": ["get_post(7)"], "__internal_without_id": ["get_post(7)"]}
        }
        assert slice_["provided"]["keys"] == {
            "get_post(7)": [{"type": "Post", "id": 7}, {"type": "Post"}]
        }
        # Subscriptions live in the runtime, not in the state: sent all the same.
        assert slice_["subscriptions"] == {
            "get_post(7)": {handle.request_id: {"pollingInterval": 60.0}}
        }
        assert slice_["config"]["reducer_path"] == "api"
        pending_state = view.states[1]["api"]["queries"]["get_post(7)"]
        assert pending_state["status"] == "pending"
        handle.unsubscribe()
    await api.base_query.aclose()


# -- faults -------------------------------------------------------------------------------
async def test_malformed_messages_are_ignored_with_a_warning(
    devtools_server: Any, monitor: Monitor
) -> None:
    store = make_store()
    async with await connect_devtools(store, port=devtools_server.port, latency=0) as link:
        view = await watch(monitor, link.instance_id, lambda v: True)
        assert view.socket is not None
        bad: list[Any] = [
            "just text",
            {"no": "type"},
            {"type": "DISPATCH", "action": {"type": "JUMP_TO_STATE", "index": "x"}},
            {"type": "DISPATCH", "action": {"type": "NO_SUCH_THING"}},
            {"type": "DISPATCH", "action": {"type": "JUMP_TO_STATE", "index": 99}},
            {"type": "DISPATCH", "action": "{not json"},
        ]
        with pytest.warns(DevToolsWarning, match="malformed") as caught:
            for message in bad:
                await monitor.send(view.socket, message)
            store.dispatch(counter.actions.inc())  # still recorded and sent
            view = await watch(
                monitor, link.instance_id, lambda v: v.state == {"counter": 1}, view=view
            )
            # The state comes back through the server on another path than the bad
            # messages go out on: wait for the link to have read all of them.
            async with asyncio.timeout(5):
                while len(caught) < len(bad):
                    await asyncio.sleep(0.01)
        assert len(caught) == len(bad)
        assert "index" in str(caught[2].message) and "99" in str(caught[4].message)
        assert link.connected
        assert store.get_state()["counter"] == 1


async def test_a_server_that_is_down_warns_once_and_is_retried(monitor: Monitor) -> None:
    from devtools_server import DevToolsServer, free_port

    port = free_port()
    store = make_store()
    with pytest.warns(DevToolsWarning, match=f"Cannot reach .*:{port}") as caught:
        link = await connect_devtools(store, port=port, latency=0)
        link.backoff = (0.05, 0.2)
        store.dispatch(counter.actions.inc())  # neither raises nor blocks
        await asyncio.sleep(0.5)  # several attempts, still one warning
    assert len(caught) == 1
    assert not link.connected
    with DevToolsServer(port) as server:
        late = await Monitor(server.port).connect()
        try:
            async with asyncio.timeout(10):
                await link.wait_connected()
            view = await watch(late, link.instance_id, lambda v: True)
            assert view.state == {"counter": 1}
            assert view.types == ["@@INIT", "counter/inc"]  # recorded while down
        finally:
            await link.aclose()
            await late.close()


async def test_a_server_that_goes_away_is_reconnected_and_gets_the_history_again() -> None:
    from devtools_server import DevToolsServer

    store = make_store()
    server = DevToolsServer().start()
    try:
        link = await connect_devtools(store, port=server.port, latency=0)
        link.backoff = (0.05, 0.2)
        store.dispatch(counter.actions.inc())
        with pytest.warns(DevToolsWarning, match="Lost the connection") as caught:
            server.stop()
            async with asyncio.timeout(10):
                while link.connected:
                    await asyncio.sleep(0.01)
            store.dispatch(counter.actions.inc())  # while the server is gone
            await asyncio.sleep(0.5)
        assert len(caught) == 1
        server.start()
        monitor = await Monitor(server.port).connect()
        try:
            async with asyncio.timeout(10):
                await link.wait_connected()
            view = await watch(monitor, link.instance_id, lambda v: len(v.staged) == 3)
            assert view.state == {"counter": 2}
        finally:
            await monitor.close()
            await link.aclose()
    finally:
        server.stop()


# -- the interface ------------------------------------------------------------------------
async def test_bad_arguments_are_refused_with_the_offending_value() -> None:
    store = make_store()
    with pytest.raises(TypeError, match=r"Expected a store .* got 'dict'"):
        await connect_devtools({}, port=1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"port .* got 70000"):
        await connect_devtools(store, port=70000)
    with pytest.raises(ValueError, match=r"max_age .* at least 2 .* got 1"):
        await connect_devtools(store, port=1, max_age=1)
    with pytest.raises(ValueError, match=r"Unknown DevTools features \['jumps'\]"):
        await connect_devtools(store, port=1, features={"jumps": True})
    with pytest.raises(ValueError, match=r"latency .* got -1"):
        await connect_devtools(store, port=1, latency=-1)
    with pytest.raises(TypeError, match="name to be a string"):
        await connect_devtools(store, port=1, name=3)  # type: ignore[arg-type]


async def test_one_link_per_store(devtools_server: Any) -> None:
    store = make_store()
    async with await connect_devtools(store, port=devtools_server.port):
        with pytest.raises(RuntimeError, match="already instrumented"):
            await connect_devtools(store, port=devtools_server.port)


def test_rtkq_does_not_import_websockets_and_devtools_names_the_extra() -> None:
    code = (
        "import sys, rtkq; assert 'websockets' not in sys.modules, 'imported';"
        "sys.modules['websockets'] = None\n"
        "try:\n import rtkq.devtools\n"
        "except ImportError as e:\n print(e)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=dict(os.environ)
    )
    assert out.returncode == 0, out.stderr
    assert 'pip install "rtkq[devtools]"' in out.stdout


def test_the_public_surface() -> None:
    import rtkq.devtools

    assert rtkq.devtools.__all__ == [
        "DEFAULT_FEATURES",
        "DevToolsLink",
        "DevToolsWarning",
        "connect_devtools",
    ]


async def test_closing_the_store_closes_its_link(devtools_server: Any, monitor: Monitor) -> None:
    store = make_store()
    link = await connect_devtools(store, port=devtools_server.port, latency=0)
    await monitor.next("START", link.instance_id)
    await store.aclose()
    assert not link.connected
    await monitor.next("DISCONNECTED")
    with pytest.raises(RuntimeError, match="closed"):
        await connect_devtools(store, port=devtools_server.port)


async def test_dispatching_from_another_thread_is_recorded_and_sent(
    devtools_server: Any, monitor: Monitor
) -> None:
    store = make_store()
    async with await connect_devtools(store, port=devtools_server.port, latency=0) as link:
        view = await watch(monitor, link.instance_id, lambda v: True)

        def work() -> None:
            for _ in range(5):
                store.dispatch(counter.actions.inc())

        await asyncio.to_thread(work)
        await watch(monitor, link.instance_id, lambda v: v.state == {"counter": 5}, view=view)
        assert view.types == ["@@INIT", *["counter/inc"] * 5]
