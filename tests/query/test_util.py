"""api.util for issue 4: reset_api_state, prefetch, select_cached_args_for_query,
get_running_queries_thunk.

Ported behaviours: RTK Query's buildThunks (prefetch) and buildInitiate tests.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from rtkq import MutationHandle, QueryHandle

from ._support import FakeBaseQuery, entry, make_api, make_store


@pytest.mark.looptime
async def test_reset_api_state_aborts_running_requests_and_empties_the_cache() -> None:
    bq = FakeBaseQuery(delay=lambda a: 10 if a == "slow" else 0)
    api = make_api(base_query=bq)
    store = make_store(api)
    await store.dispatch(api.endpoints.get_item.initiate("fast"))
    slow = store.dispatch(api.endpoints.get_item.initiate("slow"))
    mutation = store.dispatch(api.endpoints.update_item.initiate("slow"))
    await asyncio.sleep(1)
    store.dispatch(api.util.reset_api_state())
    api_state = store.get_state()["api"]
    assert dict(api_state["queries"]) == {} and dict(api_state["mutations"]) == {}
    assert api_state["config"]["focused"] is True
    assert (await slow).is_uninitialized
    assert (await mutation)["error"]["error"] == "Aborted"
    assert bq.cancelled == 2
    # the api keeps working, and a new initiate starts its own request
    state = await store.dispatch(api.endpoints.get_item.initiate("slow"))
    assert state.is_success and bq.finished == 2


async def test_reset_api_state_right_after_initiate_lets_a_new_initiate_fetch() -> None:
    bq = FakeBaseQuery(delay=0.001)
    api = make_api(base_query=bq)
    store = make_store(api)
    store.dispatch(api.endpoints.get_item.initiate(1))
    store.dispatch(api.util.reset_api_state())
    state = await store.dispatch(api.endpoints.get_item.initiate(1))
    assert state.is_success and state.data == 1


async def test_prefetch_fetches_without_subscribing() -> None:
    bq = FakeBaseQuery()
    api = make_api(base_query=bq, keep_unused_data_for=0)
    store = make_store(api)
    handle = store.dispatch(api.util.prefetch("get_item", 1))
    assert isinstance(handle, QueryHandle)
    assert (await handle).data == 1
    await asyncio.sleep(0.001)
    assert entry(store, api, "get_item(1)") is None  # nobody subscribed: collected


async def test_prefetch_is_a_cache_hit_unless_forced() -> None:
    bq = FakeBaseQuery()
    api = make_api(base_query=bq)
    store = make_store(api)
    await store.dispatch(api.util.prefetch("get_item", 1))
    await store.dispatch(api.util.prefetch("get_item", 1))
    assert bq.count == 1
    await store.dispatch(api.util.prefetch("get_item", 1, force=True))
    assert bq.count == 2


@pytest.mark.looptime
async def test_prefetch_if_older_than() -> None:
    bq = FakeBaseQuery()
    api = make_api(base_query=bq)
    store = make_store(api)
    await store.dispatch(api.util.prefetch("get_item", 1))
    await store.dispatch(api.util.prefetch("get_item", 1, if_older_than=30))
    assert bq.count == 1
    await asyncio.sleep(31)
    await store.dispatch(api.util.prefetch("get_item", 1, if_older_than=30))
    assert bq.count == 2


@pytest.mark.looptime
async def test_prefetch_then_a_regular_query_subscribes_normally() -> None:
    bq = FakeBaseQuery()
    api = make_api(base_query=bq)
    store = make_store(api)
    for _ in range(3):
        await store.dispatch(api.util.prefetch("get_item", 1))
    handle = store.dispatch(api.endpoints.get_item.initiate(1))
    assert (await handle).data == 1
    await asyncio.sleep(120)
    assert entry(store, api, "get_item(1)") is not None
    handle.unsubscribe()
    await asyncio.sleep(61)
    assert entry(store, api, "get_item(1)") is None
    assert bq.count == 1


async def test_prefetch_of_an_unknown_endpoint_is_a_key_error() -> None:
    api = make_api()
    with pytest.raises(KeyError, match=r"'nope'.*get_item"):
        api.util.prefetch("nope", 1)


async def test_select_cached_args_for_query() -> None:
    api = make_api(
        lambda build: {
            "get_item": build.query(query=lambda a: a),
            "other": build.query(query=lambda a: a),
        }
    )
    store = make_store(api)
    await store.dispatch(api.endpoints.get_item.initiate({"id": 1}))
    await store.dispatch(api.endpoints.get_item.initiate({"id": 2}))
    await store.dispatch(api.endpoints.other.initiate(3))
    args = api.util.select_cached_args_for_query(store.get_state(), "get_item")
    assert sorted(a["id"] for a in args) == [1, 2]
    assert api.util.select_cached_args_for_query(store.get_state(), "other") == [3]
    with pytest.raises(KeyError, match="Known endpoints"):
        api.util.select_cached_args_for_query(store.get_state(), "missing")
    with pytest.raises(RuntimeError, match="No api state under 'api'"):
        api.util.select_cached_args_for_query({}, "get_item")


async def test_get_running_queries_thunk_lists_really_started_requests() -> None:
    bq = FakeBaseQuery(delay=0.01)
    api = make_api(base_query=bq)
    store = make_store(api)
    assert store.dispatch(api.util.get_running_queries_thunk()) == []
    one = store.dispatch(api.endpoints.get_item.initiate(1))
    store.dispatch(api.endpoints.get_item.initiate(1))  # de-duplicated: not a new request
    mutation = store.dispatch(api.endpoints.update_item.initiate(2))
    running = store.dispatch(api.util.get_running_queries_thunk())
    queries = [h for h in running if isinstance(h, QueryHandle)]
    mutations = [h for h in running if isinstance(h, MutationHandle)]
    assert [h.request_id for h in queries] == [one.request_id]
    assert [h.request_id for h in mutations] == [mutation.request_id]
    results: list[Any] = await asyncio.gather(*running)
    assert results[0].data == 1 and results[1] == {"data": 2}
    assert store.dispatch(api.util.get_running_queries_thunk()) == []
