"""The per-store observer registry: only observers of the touched entries run."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from rtkq import create_slice

from ._support import Recorder, make_api, make_store


async def _never(args: Any, api: Any, extra: Any) -> Any:
    raise AssertionError("no request in this test")


def _cached(n: int) -> tuple[Any, Any]:
    api = make_api(base_query=_never)
    store = make_store(api)
    store.dispatch(
        api.util.upsert_query_entries(
            [{"endpoint_name": "get_item", "arg": i, "value": i} for i in range(n)]
        )
    )
    return api, store


async def test_a_dispatch_touching_one_entry_calls_exactly_one_callback() -> None:
    api, store = _cached(1000)
    observers = [api.endpoints.get_item.observe(store, i) for i in range(1000)]
    recorders = [Recorder() for _ in observers]
    for obs, recorder in zip(observers, recorders, strict=True):
        obs.subscribe(recorder)
    store.dispatch(api.util.update_query_data("get_item", 500, lambda draft: "changed"))
    assert [i for i, r in enumerate(recorders) if r.count] == [500]
    assert recorders[500].calls[0].data == "changed"
    # A dispatch that touches no observed entry (another slice; an unobserved key).
    store.dispatch(
        api.util.upsert_query_entries([{"endpoint_name": "get_item", "arg": "x", "value": 1}])
    )
    store.dispatch(api.util.update_query_data("get_item", "x", lambda draft: 2))
    assert sum(r.count for r in recorders) == 1
    # Resets touch every entry: every observer hears it once.
    store.dispatch(api.util.reset_api_state())
    assert all(r.count == (2 if i == 500 else 1) for i, r in enumerate(recorders))
    for obs in observers:
        obs.close()
    runtime = api.runtime_for(store.dispatch)
    assert runtime.action_taps == ()  # no observer left: the tap is gone too


async def test_other_slices_and_several_apis_in_one_store() -> None:
    from rtkq import configure_store

    counter = create_slice("counter", 0, {"inc": lambda s, a: s + 1})
    one = make_api(base_query=_never, reducer_path="one")
    two = make_api(base_query=_never, reducer_path="two")
    store = configure_store(
        {"one": one.reducer, "two": two.reducer, "counter": counter.reducer},
        middleware=[one.middleware, two.middleware],
    )
    a = one.endpoints.get_item.query_state(store, 1)
    b = two.endpoints.get_item.query_state(store, 1)
    seen_a, seen_b = Recorder(), Recorder()
    a.subscribe(seen_a)
    b.subscribe(seen_b)
    store.dispatch(counter.actions.inc())
    assert seen_a.count == seen_b.count == 0
    store.dispatch(
        two.util.upsert_query_entries([{"endpoint_name": "get_item", "arg": 1, "value": "two"}])
    )
    await asyncio.sleep(0)
    assert seen_a.count == 0 and [r.data for r in seen_b.calls] == ["two"]
    a.close()
    b.close()


async def test_a_listener_reading_the_result_during_a_dispatch_sees_the_new_entry() -> None:
    api, store = _cached(1)
    obs = api.endpoints.get_item.observe(store, 0)
    seen: list[Any] = []
    store.subscribe(lambda: seen.append(obs.result.data))
    store.dispatch(api.util.update_query_data("get_item", 0, lambda draft: "new"))
    assert seen == ["new"]
    obs.close()


async def test_hydrate_reaches_observers() -> None:
    from rtkq.persist import dehydrate

    api, store = _cached(2)
    snapshot = dehydrate(store.get_state(), api)
    fresh = make_store(api)
    obs = fresh_obs = api.endpoints.get_item.query_state(fresh, 1)
    seen = Recorder()
    obs.subscribe(seen)
    fresh.dispatch(api.util.hydrate(snapshot))
    assert [r.data for r in seen.calls] == [1]
    fresh_obs.close()


@pytest.mark.looptime
async def test_store_aclose_closes_observers_and_refuses_new_ones() -> None:
    api, store = _cached(2)
    obs = api.endpoints.get_item.observe(store, 0)
    lazy = api.endpoints.get_item.lazy_observe(store)
    mutation = api.endpoints.update_item.mutation_observer(store)
    closed_by_hand = api.endpoints.get_item.query_state(store, 1)
    closed_by_hand.close()  # removes its hook: aclose does not see it again
    iterator = obs.changes()
    await store.aclose()
    assert obs.closed and lazy.closed and mutation.closed
    assert [result async for result in iterator] == []  # ended with the observer
    assert obs._runtime.action_taps == ()
    with pytest.raises(RuntimeError, match=r"The store of api 'api' is closed \(store.aclose"):
        api.endpoints.get_item.observe(store, 0)


async def test_a_store_that_had_observers_is_freed_once_they_are_closed() -> None:
    import gc
    import weakref

    from rtkq._observe._hub import _hubs

    api, store = _cached(1)
    obs = api.endpoints.get_item.observe(store, 0)
    obs.subscribe(Recorder())
    assert len(_hubs) >= 1
    runtime = weakref.ref(api.runtime_for(store.dispatch))
    obs.close()
    del obs
    await store.aclose()  # its GC timers would keep it alive until they fire
    await asyncio.sleep(0)  # and callbacks already queued, for one loop turn
    gone = weakref.ref(store)
    del store
    gc.collect()
    # The hub (kept by a weak dictionary keyed by the runtime) held the store's
    # get_state, and the api (alive here, as a module-level api is) its last runtime:
    # the store and every entry in it stayed alive for good.
    assert gone() is None and runtime() is None
