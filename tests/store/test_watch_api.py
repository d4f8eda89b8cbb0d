"""Watchers and listeners on the API slice (issue 12 meets issue 4)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from rtkq import (
    QueryStatus,
    configure_store,
    create_api,
    create_listener_middleware,
    create_slice,
)

PENDING, FULFILLED = QueryStatus.PENDING, QueryStatus.FULFILLED


async def base_query(args: Any, api: Any, extra_options: Any) -> dict[str, Any]:
    await asyncio.sleep(0.5)
    if args == "posts/2":
        return {"error": {"status": 404, "data": "no such post"}}
    return {"data": {"url": args}}


def make() -> tuple[Any, Any, Any, list[str]]:
    api = create_api(
        base_query=base_query,
        tag_types=["Post"],
        endpoints=lambda build: {
            "get_post": build.query(
                query=lambda id: f"posts/{id}",
                provides_tags=lambda result, error, id: [{"type": "Post", "id": id}],
            ),
        },
    )
    lm = create_listener_middleware()
    fulfilled: list[str] = []
    lm.start_listening(
        matcher=api.endpoints.get_post.match_fulfilled,
        effect=lambda action, listener_api: fulfilled.append(action.type),
    )
    store = configure_store(
        {api.reducer_path: api.reducer}, middleware=[api.middleware, lm.middleware]
    )
    return api, store, lm, fulfilled


@pytest.mark.looptime
async def test_a_watcher_on_select_fires_exactly_on_that_entrys_status_transitions() -> None:
    api, store, _, fulfilled = make()
    transitions: list[tuple[QueryStatus, QueryStatus]] = []
    store.watch(
        api.endpoints.get_post.select(1),
        lambda new, old: transitions.append((old.status, new.status)),
    )
    first = store.dispatch(api.endpoints.get_post.initiate(1))
    other = store.dispatch(api.endpoints.get_post.initiate(2))  # another entry: silent
    await first
    await other
    assert transitions == [(QueryStatus.UNINITIALIZED, PENDING), (PENDING, FULFILLED)]
    await first.refetch()
    store.dispatch(api.util.invalidate_tags([{"type": "Post", "id": 2}]))  # not entry 1
    await asyncio.sleep(2)
    assert transitions[2:] == [(FULFILLED, PENDING), (PENDING, FULFILLED)]
    store.dispatch(api.util.invalidate_tags([{"type": "Post", "id": 1}]))
    await asyncio.sleep(2)
    assert transitions[4:] == [(FULFILLED, PENDING), (PENDING, FULFILLED)]
    assert len(fulfilled) == 3  # the listener matcher saw entry 1's fulfilments only


@pytest.mark.looptime
async def test_changes_streams_a_query_entry() -> None:
    api, store, _, _ = make()
    statuses: list[QueryStatus] = []

    async def consume() -> None:
        async for state in store.changes(api.endpoints.get_post.select(1)):
            statuses.append(state.status)
            if state.is_success:
                break

    task = asyncio.ensure_future(consume())
    await asyncio.sleep(0)
    await store.dispatch(api.endpoints.get_post.initiate(1))
    await asyncio.wait_for(task, 5)
    assert statuses == [QueryStatus.UNINITIALIZED, PENDING, FULFILLED]


async def test_endpoint_selectors_declare_the_api_slice_and_are_skipped_for_others() -> None:
    api, _, _, _ = make()
    other = create_slice("other", 0, {"inc": lambda s, a: s + 1})
    store = configure_store(
        {api.reducer_path: api.reducer, "other": other.reducer}, middleware=[api.middleware]
    )
    select = api.endpoints.get_post.select(1)
    assert select.depends_on == ("api",)  # type: ignore[attr-defined]
    calls: list[int] = []

    def counting(state: Any) -> Any:
        calls.append(1)
        return select(state)

    counting.depends_on = select.depends_on  # type: ignore[attr-defined]
    statuses: list[QueryStatus] = []
    store.watch(counting, lambda new, old: statuses.append(new.status))
    for _ in range(10):
        store.dispatch(other.actions.inc())
    assert len(calls) == 1
    await store.dispatch(api.endpoints.get_post.initiate(1))
    assert statuses == [PENDING, FULFILLED]
