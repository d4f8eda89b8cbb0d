"""Subscriptions and cache collection (keep_unused_data_for).

Ported behaviours: RTK Query's cacheCollection and cleanup tests.
"""

from __future__ import annotations

import asyncio
import math
from typing import Any

import pytest

from ._support import FakeBaseQuery, entry, make_api, make_store, turns


def _api(**options: Any) -> Any:
    return make_api(
        lambda build: {
            "default": build.query(query=lambda a: a),
            "short": build.query(query=lambda a: a, keep_unused_data_for=35),
            "zero": build.query(query=lambda a: a, keep_unused_data_for=0),
            "forever": build.query(query=lambda a: a, keep_unused_data_for=math.inf),
        },
        **options,
    )


@pytest.mark.looptime
async def test_default_keeps_unused_data_for_60_seconds() -> None:
    api = _api()
    store = make_store(api)
    handle = store.dispatch(api.endpoints.default.initiate("a"))
    await handle
    handle.unsubscribe()
    await asyncio.sleep(59)
    assert entry(store, api, 'default("a")') is not None
    await asyncio.sleep(2)
    assert entry(store, api, 'default("a")') is None


@pytest.mark.looptime
async def test_api_keep_unused_data_for() -> None:
    api = _api(keep_unused_data_for=29)
    store = make_store(api)
    handle = store.dispatch(api.endpoints.default.initiate("a"))
    await handle
    handle.unsubscribe()
    await asyncio.sleep(28)
    assert entry(store, api, 'default("a")') is not None
    await asyncio.sleep(2)
    assert entry(store, api, 'default("a")') is None


@pytest.mark.looptime
async def test_endpoint_keep_unused_data_for_wins_over_the_api_value() -> None:
    api = _api(keep_unused_data_for=29)
    store = make_store(api)
    handle = store.dispatch(api.endpoints.short.initiate("a"))
    await handle
    handle.unsubscribe()
    await asyncio.sleep(34)
    assert entry(store, api, 'short("a")') is not None
    await asyncio.sleep(2)
    assert entry(store, api, 'short("a")') is None


@pytest.mark.looptime
async def test_keep_unused_data_for_zero_removes_on_the_next_loop_turn() -> None:
    api = _api()
    store = make_store(api)
    handle = store.dispatch(api.endpoints.zero.initiate("a"))
    await handle
    handle.unsubscribe()
    assert entry(store, api, 'zero("a")') is not None
    loop = asyncio.get_running_loop()
    start = loop.time()
    await turns(2)
    assert entry(store, api, 'zero("a")') is None
    assert loop.time() == start


@pytest.mark.looptime
async def test_keep_unused_data_for_inf_keeps_the_entry_forever() -> None:
    api = _api()
    store = make_store(api)
    handle = store.dispatch(api.endpoints.forever.initiate("a"))
    await handle
    handle.unsubscribe()
    await asyncio.sleep(10**6)
    assert entry(store, api, 'forever("a")') is not None


@pytest.mark.looptime
async def test_resubscribing_before_the_timer_fires_keeps_the_entry() -> None:
    bq = FakeBaseQuery()
    api = _api(base_query=bq)
    store = make_store(api)
    first = store.dispatch(api.endpoints.default.initiate("a"))
    await first
    first.unsubscribe()
    await asyncio.sleep(50)
    second = store.dispatch(api.endpoints.default.initiate("a"))
    await asyncio.sleep(120)
    assert entry(store, api, 'default("a")') is not None
    assert bq.count == 1
    second.unsubscribe()
    await asyncio.sleep(61)
    assert entry(store, api, 'default("a")') is None


@pytest.mark.looptime
async def test_the_timer_restarts_from_the_last_unsubscribe() -> None:
    api = _api()
    store = make_store(api)
    first = store.dispatch(api.endpoints.default.initiate("a"))
    await first
    first.unsubscribe()
    await asyncio.sleep(50)
    second = store.dispatch(api.endpoints.default.initiate("a"))
    second.unsubscribe()
    await asyncio.sleep(50)  # 100 s after the first unsubscribe, 50 s after the second
    assert entry(store, api, 'default("a")') is not None
    await asyncio.sleep(11)
    assert entry(store, api, 'default("a")') is None


@pytest.mark.looptime
async def test_reference_counted_data_stays_while_one_subscriber_remains() -> None:
    api = _api()
    store = make_store(api)
    one = store.dispatch(api.endpoints.default.initiate("a"))
    two = store.dispatch(api.endpoints.default.initiate("a"))
    other = store.dispatch(api.endpoints.default.initiate("b"))
    await asyncio.gather(one, two, other)
    one.unsubscribe()
    other.unsubscribe()
    await asyncio.sleep(120)
    assert entry(store, api, 'default("a")') is not None
    assert entry(store, api, 'default("b")') is None
    two.unsubscribe()
    await asyncio.sleep(61)
    assert entry(store, api, 'default("a")') is None


@pytest.mark.looptime
async def test_subscribe_false_entries_are_collected_too() -> None:
    api = _api()
    store = make_store(api)
    await store.dispatch(api.endpoints.default.initiate("a", subscribe=False))
    await asyncio.sleep(61)
    assert entry(store, api, 'default("a")') is None


@pytest.mark.looptime
async def test_removal_aborts_a_running_request_for_that_key() -> None:
    bq = FakeBaseQuery(delay=100)
    api = _api(base_query=bq)
    store = make_store(api)
    handle = store.dispatch(api.endpoints.zero.initiate("a"))
    handle.unsubscribe()
    await asyncio.sleep(1)
    assert bq.cancelled == 1 and bq.finished == 0
    assert bq.apis[0].signal.aborted is True
    assert entry(store, api, 'zero("a")') is None
    state = await handle
    assert state.is_uninitialized


@pytest.mark.looptime
async def test_a_running_request_whose_subscriber_left_still_lands_then_is_collected() -> None:
    bq = FakeBaseQuery(delay=10)
    api = _api(base_query=bq)
    store = make_store(api)
    handle = store.dispatch(api.endpoints.default.initiate("a"))
    handle.unsubscribe()
    state = await handle
    assert state.is_success and bq.finished == 1
    await asyncio.sleep(61)
    assert entry(store, api, 'default("a")') is None


async def test_subscribing_and_unsubscribing_do_not_wake_store_listeners() -> None:
    api = _api()
    store = make_store(api)
    await store.dispatch(api.endpoints.default.initiate("a"))
    woken: list[int] = []
    store.subscribe(lambda: woken.append(1))
    before = store.get_state()
    handles = [store.dispatch(api.endpoints.default.initiate("a")) for _ in range(5)]
    handles[0].update_subscription_options({"refetch_on_focus": True})
    for handle in handles:
        handle.unsubscribe()
    assert woken == []
    assert store.get_state() is before
    assert set(before["api"]) == {"queries", "mutations", "provided", "config", "optimistic"}


async def test_state_slice_is_frozen_pyrsistent_data() -> None:
    from immutables import Map

    api = _api()
    store = make_store(api)
    await store.dispatch(api.endpoints.default.initiate("a"))
    api_state = store.get_state()["api"]
    # the slice and its tables are immutables.Map (rtkq._types.Table); entry data is frozen
    assert isinstance(api_state, Map) and isinstance(api_state["queries"], Map)
    with pytest.raises((TypeError, AttributeError)):
        api_state["queries"]["x"] = 1  # type: ignore[index]
    state = api_state["queries"]['default("a")']
    with pytest.raises(AttributeError):
        state.data = 2  # frozen dataclass


def _upserted(*args: int) -> tuple[Any, Any, Any]:
    """An api, a store holding ``default(arg)`` for each arg (unsubscribed), its runtime."""
    api = _api()
    store = make_store(api)
    values = [{"endpoint_name": "default", "arg": arg, "value": arg} for arg in args]
    store.dispatch(api.util.upsert_query_entries(values))
    return api, store, api.runtime_for(store.dispatch)


@pytest.mark.looptime
async def test_a_gc_batch_whose_keys_all_got_subscribers_is_cancelled() -> None:
    api, store, runtime = _upserted(0, 1, 2)
    [batch] = runtime.open_gc_batches.values()
    await asyncio.sleep(0)  # the batch closes with its loop turn
    assert batch.live == 3 and not batch.handle.cancelled()
    handles = [store.dispatch(api.endpoints.default.initiate(i)) for i in range(3)]
    assert batch.handle.cancelled() and batch.keys == [] and runtime.gc_timers == {}
    # A key that loses its subscriber afterwards gets a timer of its own and goes.
    handles[0].unsubscribe()
    await asyncio.sleep(61)
    assert entry(store, api, "default(0)") is None
    assert entry(store, api, "default(1)") is not None


@pytest.mark.looptime
async def test_an_emptied_batch_keeps_its_timer_when_a_key_joins_in_the_same_turn() -> None:
    api, store, runtime = _upserted(0, 1)
    handles = [store.dispatch(api.endpoints.default.initiate(i)) for i in range(2)]
    [batch] = runtime.open_gc_batches.values()
    assert batch.live == 0 and not batch.handle.cancelled()  # still open: keys may join
    store.dispatch(
        api.util.upsert_query_entries([{"endpoint_name": "default", "arg": 9, "value": 9}])
    )
    assert batch.live == 1
    await asyncio.sleep(0)
    assert not batch.handle.cancelled()
    await asyncio.sleep(61)
    assert entry(store, api, "default(9)") is None
    assert entry(store, api, "default(0)") is not None
    assert handles[1].request_id in runtime.subscriptions["default(1)"]


@pytest.mark.looptime
async def test_a_batch_with_no_key_left_at_the_end_of_its_turn_stops_its_timer() -> None:
    api, store, runtime = _upserted(1)
    store.dispatch(api.endpoints.default.initiate(1))
    [batch] = runtime.open_gc_batches.values()
    await asyncio.sleep(0)
    assert batch.handle.cancelled() and batch.keys == [] and runtime.open_gc_batches == {}
