"""``store.aclose()`` with an api mounted: requests, timers, lifecycles, thunks after."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from rtkq import QueryStatus, on_offline, retry
from rtkq._query._lifecycle import CLEANUP_GRACE

from ._support import FakeBaseQuery, entry, make_api, make_store, turns

CLOSED = r"store of api 'api' is closed \(store\.aclose\(\) was called\)"


def _leftover_tasks() -> set[asyncio.Task[Any]]:
    return {task for task in asyncio.all_tasks() if task is not asyncio.current_task()}


@pytest.mark.looptime
async def test_running_requests_are_aborted_and_settle() -> None:
    base_query = FakeBaseQuery(delay=30.0)
    api = make_api(base_query=base_query)
    store = make_store(api)
    query = store.dispatch(api.endpoints.get_item.initiate(1))
    mutation = store.dispatch(api.endpoints.update_item.initiate({"id": 1}))
    await asyncio.sleep(1)
    assert base_query.count == 2

    await store.aclose()

    assert base_query.cancelled == 2 and base_query.finished == 0
    state = await query
    assert state.status is QueryStatus.REJECTED
    assert state.error == {"status": "CUSTOM_ERROR", "error": "Aborted"}
    assert await mutation == {"error": {"status": "CUSTOM_ERROR", "error": "Aborted"}}
    assert entry(store, api, "get_item(1)").status is QueryStatus.REJECTED
    assert _leftover_tasks() == set()


@pytest.mark.looptime
async def test_polling_and_garbage_collection_stop() -> None:
    base_query = FakeBaseQuery()
    api = make_api(base_query=base_query, keep_unused_data_for=5.0)
    store = make_store(api)
    polled = store.dispatch(
        api.endpoints.get_item.initiate("polled", subscription_options={"polling_interval": 1.0})
    )
    await polled
    unused = store.dispatch(api.endpoints.get_item.initiate("unused"))
    await unused
    unused.unsubscribe()
    await asyncio.sleep(2.5)
    calls = base_query.count
    assert calls >= 3  # it was polling

    await store.aclose()
    await asyncio.sleep(100)

    assert base_query.count == calls  # no poll after the close
    assert entry(store, api, 'get_item("unused")') is not None  # no GC after the close


@pytest.mark.looptime
async def test_retry_backoff_is_cancelled() -> None:
    attempts: list[float] = []

    async def failing(args: Any, api: Any, extra: Any) -> Any:
        attempts.append(asyncio.get_running_loop().time())
        return {"error": {"status": 500, "data": "down"}}

    async def long_backoff(attempt: int, max_retries: int) -> None:
        await asyncio.sleep(60)

    api = make_api(base_query=retry(failing, max_retries=5, backoff=long_backoff))
    store = make_store(api)
    handle = store.dispatch(api.endpoints.get_item.initiate(1))
    await asyncio.sleep(1)
    assert len(attempts) == 1
    start = asyncio.get_running_loop().time()

    await store.aclose()

    assert asyncio.get_running_loop().time() - start < 1  # did not wait for the backoff
    assert (await handle).error == {"status": "CUSTOM_ERROR", "error": "Aborted"}
    await asyncio.sleep(600)
    assert len(attempts) == 1


@pytest.mark.looptime
async def test_cache_entry_removed_resolves_and_cleanup_finishes_before_aclose_returns() -> None:
    events: list[str] = []

    async def on_cache_entry_added(arg: Any, ctx: Any) -> None:
        await ctx.cache_data_loaded
        events.append("loaded")
        await ctx.cache_entry_removed
        await asyncio.sleep(0.5)  # e.g. closing a websocket
        events.append("cleaned up")

    async def on_query_started(arg: Any, ctx: Any) -> None:
        try:
            await ctx.query_fulfilled
        finally:
            events.append("query_started ended")

    api = make_api(
        lambda build: {
            "get_item": build.query(
                query=lambda arg: arg,
                on_cache_entry_added=on_cache_entry_added,
                on_query_started=on_query_started,
            )
        },
        base_query=FakeBaseQuery(delay=lambda args: 0.0 if args == 1 else 30.0),
    )
    store = make_store(api)
    await store.dispatch(api.endpoints.get_item.initiate(1))
    store.dispatch(api.endpoints.get_item.initiate(2))  # still running at the close
    await turns()
    events.clear()

    await store.aclose()

    assert sorted(events) == ["cleaned up", "query_started ended"]
    assert _leftover_tasks() == set()


@pytest.mark.looptime
async def test_a_lifecycle_that_ignores_the_removal_is_cancelled_after_the_grace() -> None:
    ended: list[str] = []

    async def stubborn(arg: Any, ctx: Any) -> None:
        try:
            await asyncio.sleep(3600)
        finally:
            ended.append("finally ran")

    api = make_api(
        lambda build: {
            "get_item": build.query(query=lambda arg: arg, on_cache_entry_added=stubborn)
        }
    )
    store = make_store(api)
    await store.dispatch(api.endpoints.get_item.initiate(1))
    start = asyncio.get_running_loop().time()

    await store.aclose()

    assert asyncio.get_running_loop().time() - start == pytest.approx(CLEANUP_GRACE)
    assert ended == ["finally ran"]
    assert _leftover_tasks() == set()


async def test_api_thunks_raise_after_close_and_the_state_stays_readable() -> None:
    base_query = FakeBaseQuery()
    api = make_api(
        lambda build: {
            "get_item": build.query(query=lambda arg: arg, provides_tags=["Item"]),
            "update_item": build.mutation(query=lambda arg: arg),
        },
        base_query=base_query,
        tag_types=["Item"],
    )
    store = make_store(api)
    handle = store.dispatch(api.endpoints.get_item.initiate(1))
    await handle
    await store.aclose()

    thunks = [
        api.endpoints.get_item.initiate(1),
        api.endpoints.get_item.initiate(2),
        api.endpoints.update_item.initiate(1),
        api.util.prefetch("get_item", 3),
        api.util.upsert_query_data("get_item", 4, "four"),
        api.util.invalidate_queries("get_item"),
        api.util.get_running_queries_thunk(),
        api.util.resume_paused_mutations(),
    ]
    for thunk in thunks:
        with pytest.raises(RuntimeError, match=CLOSED + r".*create a new store"):
            store.dispatch(thunk)
    with pytest.raises(RuntimeError, match=CLOSED):
        handle.refetch()

    assert api.endpoints.get_item.select(1)(store.get_state()).data == 1
    # Plain actions still change the state, and start nothing.
    store.dispatch(api.util.invalidate_tags(["Item"]))
    await turns()
    assert base_query.count == 1
    # Cache updates are state changes: they keep working.
    store.dispatch(api.util.update_query_data("get_item", 1, lambda draft: 10))
    assert api.endpoints.get_item.select(1)(store.get_state()).data == 10
    handle.unsubscribe()  # harmless after the close
    await store.aclose()  # twice: harmless


async def test_a_store_that_never_ran_a_request_closes() -> None:
    api = make_api()
    store = make_store(api)
    await store.aclose()
    with pytest.raises(RuntimeError, match=CLOSED):
        store.dispatch(api.endpoints.get_item.initiate(1))


async def test_async_with_closes_the_runtime() -> None:
    base_query = FakeBaseQuery(delay=30.0)
    api = make_api(base_query=base_query)
    async with make_store(api) as store:
        handle = store.dispatch(api.endpoints.get_item.initiate(1))
        await asyncio.sleep(0)
    assert base_query.cancelled == 1
    assert (await handle).is_error


async def test_closing_one_store_leaves_another_store_of_the_same_api_running() -> None:
    base_query = FakeBaseQuery()
    api = make_api(base_query=base_query)
    closed, running = make_store(api), make_store(api)
    await closed.aclose()
    state = await running.dispatch(api.endpoints.get_item.initiate(1))
    assert state.data == 1
    await running.aclose()


async def test_paused_mutations_and_their_resume_loop_end() -> None:
    api = make_api(network_mode="online")
    store = make_store(api)
    store.dispatch(on_offline())
    paused = store.dispatch(api.endpoints.update_item.initiate(1))
    await turns()
    resuming = store.dispatch(api.util.resume_paused_mutations())  # still offline: waits
    await turns()
    assert not resuming.done()

    await store.aclose()

    assert await paused == {"error": {"status": "CUSTOM_ERROR", "error": "Aborted"}}
    assert resuming.done()
    assert _leftover_tasks() == set()
