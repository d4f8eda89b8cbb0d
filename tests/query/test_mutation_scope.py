"""Mutation scopes and mutation state queries (contract §7), against a real server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from rtkq import QueryError, QueryStatus, configure_store, create_api, fetch_base_query
from tests._live_server import LiveServer


class Concurrency:
    """Server-side record of how many requests overlapped."""

    def __init__(self) -> None:
        self.active = 0
        self.peak = 0
        self.order: list[int] = []

    def reset(self) -> None:
        self.active = self.peak = 0
        self.order.clear()


counter = Concurrency()


async def write(request: Request) -> JSONResponse:
    body = await request.json()
    counter.active += 1
    counter.peak = max(counter.peak, counter.active)
    counter.order.append(body["n"])
    try:
        await asyncio.sleep(0.05)
    finally:
        counter.active -= 1
    if body.get("fail"):
        return JSONResponse({"detail": "refused"}, status_code=422)
    return JSONResponse({"saved": body["n"]})


app = Starlette(routes=[Route("/write", write, methods=["POST"])])


def make_api(base_url: str) -> Any:
    def body(arg: Any) -> dict[str, Any]:
        return {"url": "write", "method": "POST", "body": arg}

    return create_api(
        base_query=fetch_base_query(base_url),
        endpoints=lambda build: {
            "save_todo": build.mutation(query=body, scope="todos"),
            "save_note": build.mutation(query=body),
            "other_scoped": build.mutation(query=body, scope="todos"),
        },
    )


def store_for(api: Any) -> Any:
    return configure_store({"api": api.reducer}, middleware=[api.middleware])


@pytest.fixture
async def api(live_server: LiveServer) -> AsyncIterator[Any]:
    counter.reset()
    api = make_api(live_server(app))
    yield api
    await api.base_query.aclose()


async def test_same_scope_mutations_run_one_at_a_time_in_order(api: Any) -> None:
    store = store_for(api)
    handles = [store.dispatch(api.endpoints.save_todo.initiate({"n": n})) for n in range(3)]
    results = [await handle for handle in handles]
    assert [result["data"]["saved"] for result in results] == [0, 1, 2]
    assert counter.peak == 1
    assert counter.order == [0, 1, 2]


async def test_unscoped_mutations_overlap(api: Any) -> None:
    store = store_for(api)
    handles = [store.dispatch(api.endpoints.save_note.initiate({"n": n})) for n in range(3)]
    await asyncio.gather(*(handle.unwrap() for handle in handles))
    assert counter.peak == 3


async def test_scope_ids_are_global_across_endpoints(api: Any) -> None:
    store = store_for(api)
    first = store.dispatch(api.endpoints.save_todo.initiate({"n": 1}))
    second = store.dispatch(api.endpoints.other_scoped.initiate({"n": 2}))
    await asyncio.gather(first, second)
    assert counter.peak == 1
    assert counter.order == [1, 2]


async def test_scope_given_to_initiate(api: Any) -> None:
    store = store_for(api)
    handles = [
        store.dispatch(api.endpoints.save_note.initiate({"n": n}, scope="notes")) for n in range(3)
    ]
    await asyncio.gather(*handles)
    assert counter.peak == 1


async def test_a_queued_mutation_is_paused_and_its_lifecycle_starts_at_once(
    live_server: LiveServer,
) -> None:
    counter.reset()
    started: list[Any] = []

    async def on_query_started(arg: Any, ctx: Any) -> None:
        started.append(arg["n"])

    api = create_api(
        base_query=fetch_base_query(live_server(app)),
        endpoints=lambda build: {
            "save": build.mutation(
                query=lambda arg: {"url": "write", "method": "POST", "body": arg},
                scope="s",
                on_query_started=on_query_started,
            ),
        },
    )
    store = store_for(api)
    handles = [store.dispatch(api.endpoints.save.initiate({"n": n})) for n in range(3)]
    await asyncio.sleep(0)
    assert started == [0, 1, 2]
    states = api.util.select_mutations(store.get_state(), "save")
    assert [state.is_paused for state in states] == [False, True, True]
    assert all(state.status is QueryStatus.PENDING for state in states)
    assert api.util.is_mutating(store.get_state()) == 3
    await asyncio.gather(*handles)
    states = api.util.select_mutations(store.get_state(), "save")
    assert [state.is_paused for state in states] == [False, False, False]
    assert api.util.is_mutating(store.get_state()) == 0
    await api.base_query.aclose()


async def test_a_failure_does_not_block_the_scope(api: Any) -> None:
    store = store_for(api)
    failing = store.dispatch(api.endpoints.save_todo.initiate({"n": 1, "fail": True}))
    after = store.dispatch(api.endpoints.save_todo.initiate({"n": 2}))
    with pytest.raises(QueryError) as info:
        await failing.unwrap()
    assert info.value.error["status"] == 422
    assert (await after.unwrap())["saved"] == 2


async def test_aborting_a_queued_mutation_lets_the_rest_go(api: Any) -> None:
    store = store_for(api)
    first = store.dispatch(api.endpoints.save_todo.initiate({"n": 1}))
    queued = store.dispatch(api.endpoints.save_todo.initiate({"n": 2}))
    last = store.dispatch(api.endpoints.save_todo.initiate({"n": 3}))
    queued.abort()
    assert (await queued)["error"]["error"] == "Aborted"
    await asyncio.gather(first, last)
    assert counter.order == [1, 3]


async def test_select_mutations_filters_and_reset_removes() -> None:
    async def ok(arg: Any, api: Any, extra: Any, base_query: Any) -> dict[str, Any]:
        await asyncio.sleep(0)
        if arg == "bad":
            return {"error": {"status": 400}}
        return {"data": arg}

    api = create_api(
        endpoints=lambda build: {
            "a": build.mutation(query_fn=ok),
            "b": build.mutation(query_fn=ok),
        }
    )
    store = store_for(api)
    first = store.dispatch(api.endpoints.a.initiate(1))
    second = store.dispatch(api.endpoints.b.initiate("bad"))
    untracked = store.dispatch(api.endpoints.a.initiate(3, track=False))
    await asyncio.gather(first, second, untracked)
    state = store.get_state()
    assert [m.original_args for m in api.util.select_mutations(state)] == [1, "bad"]
    assert [m.original_args for m in api.util.select_mutations(state, "a")] == [1]
    assert [
        m.endpoint_name for m in api.util.select_mutations(state, status=QueryStatus.REJECTED)
    ] == ["b"]
    assert [
        m.endpoint_name for m in api.util.select_mutations(state, predicate=lambda m: m.data == 1)
    ] == ["a"]
    assert api.util.select_mutations(state, status="fulfilled")[0].started_at is not None
    first.reset()
    assert [m.original_args for m in api.util.select_mutations(store.get_state())] == ["bad"]
    with pytest.raises(KeyError, match="Known endpoints"):
        api.util.select_mutations(state, "nope")
    with pytest.raises(ValueError, match="is not a valid QueryStatus"):
        api.util.select_mutations(state, status="done")
