"""``endpoint.lazy_observe``: RTK's ``useLazyQuery`` (trigger, prefer_cache_value, reset)."""

from __future__ import annotations

import asyncio

import pytest

from rtkq import LazyQueryObserver, QueryStatus

from ._support import Recorder, setup, subscribers


@pytest.mark.looptime
async def test_nothing_runs_until_trigger() -> None:
    api, store, bq = setup()
    obs = api.endpoints.get_item.lazy_observe(store)
    assert isinstance(obs, LazyQueryObserver)
    await asyncio.sleep(5)
    assert bq.count == 0 and obs.result.is_uninitialized and obs.last_arg is None
    handle = obs.trigger(1)
    assert obs.last_arg == 1 and obs.result.is_loading
    assert (await handle.unwrap()) == 1
    assert obs.result.data == 1 and obs.result.arg == 1
    obs.close()


@pytest.mark.looptime
async def test_trigger_refetches_a_cached_arg_unless_prefer_cache_value() -> None:
    api, store, bq = setup()
    obs = api.endpoints.get_item.lazy_observe(store)
    await obs.trigger(1)
    assert bq.count == 1
    await obs.trigger(1, prefer_cache_value=True)
    assert bq.count == 1  # served from the cache
    handle = obs.trigger(1)
    assert obs.result.is_fetching and not obs.result.is_loading
    await handle
    assert bq.count == 2
    assert subscribers(store, api, "get_item(1)") == 1  # one subscription, not three
    obs.close()


@pytest.mark.looptime
async def test_a_new_arg_unsubscribes_the_previous_one() -> None:
    api, store, _bq = setup()
    obs = api.endpoints.get_item.lazy_observe(store)
    await obs.trigger(1)
    handle = obs.trigger(2)
    assert subscribers(store, api, "get_item(1)") == 0
    assert subscribers(store, api, "get_item(2)") == 1
    assert (obs.result.data, obs.result.current_data) == (1, None)  # data kept meanwhile
    await handle
    assert obs.result.data == 2 and obs.last_arg == 2
    obs.close()


@pytest.mark.looptime
async def test_updated_subscription_options_apply_to_the_subscription() -> None:
    api, store, bq = setup(delay=0)
    obs = api.endpoints.get_item.lazy_observe(store, polling_interval=10)
    await obs.trigger(1)
    await asyncio.sleep(10.5)
    assert bq.count == 2
    obs.set_options(polling_interval=0)
    await asyncio.sleep(50)
    assert bq.count == 2
    obs.set_options(select_from_result=lambda r: r.data)
    assert obs.result == 1
    obs.close()


@pytest.mark.looptime
async def test_refetch_and_reset() -> None:
    api, store, bq = setup()
    obs = api.endpoints.get_item.lazy_observe(store)
    with pytest.raises(RuntimeError, match="has not been triggered: call trigger"):
        obs.refetch()
    await obs.trigger(1)
    await obs.refetch()
    assert bq.count == 2
    seen = Recorder()
    obs.subscribe(seen)
    obs.reset()
    assert obs.result.is_uninitialized and obs.result.data is None and obs.last_arg is None
    assert seen.calls[-1].status is QueryStatus.UNINITIALIZED
    assert subscribers(store, api, "get_item(1)") == 0
    obs.close()
    with pytest.raises(RuntimeError, match="closed LazyQueryObserver"):
        obs.trigger(1)
    with pytest.raises(RuntimeError, match="closed LazyQueryObserver"):
        obs.reset()


@pytest.mark.looptime
async def test_trigger_rejects_skip_token() -> None:
    from rtkq import skip_token

    api, store, _ = setup()
    with (
        api.endpoints.get_item.lazy_observe(store) as obs,
        pytest.raises(TypeError, match=r"trigger\(\) of 'get_item' got skip_token"),
    ):
        obs.trigger(skip_token)


@pytest.mark.looptime
async def test_query_state_observes_without_subscribing_or_fetching() -> None:
    api, store, bq = setup()
    state = api.endpoints.get_item.query_state(store, 1)
    assert state.result.is_uninitialized
    await asyncio.sleep(5)
    assert bq.count == 0
    seen = Recorder()
    state.subscribe(seen)
    handle = store.dispatch(api.endpoints.get_item.initiate(1))
    assert state.result.is_loading
    await handle
    assert state.result.data == 1 and [r.status for r in seen.calls] == [
        QueryStatus.PENDING,
        QueryStatus.FULFILLED,
    ]
    assert subscribers(store, api, "get_item(1)") == 1  # only the handle's
    state.set_arg(2)
    assert state.result.current_data is None and state.result.arg == 2
    state.close()
    with pytest.raises(RuntimeError, match="closed QueryStateObserver"):
        state.set_arg(1)
    handle.unsubscribe()
