"""``endpoint.observe``: RTK's ``useQuery`` result semantics, ported from its hook tests.

Scenarios follow redux-toolkit's ``buildHooks.test.tsx`` (useQuery) and TanStack's
``queryObserver.test.tsx``, minus what is about React rendering itself.
"""

from __future__ import annotations

import asyncio

import pytest

from rtkq import QueryObserver, QueryResult, QueryStatus, skip_token

from ._support import Recorder, loop_errors, setup, subscribers, turns


@pytest.mark.looptime
async def test_first_load_then_success_and_only_changes_call_back() -> None:
    api, store, bq = setup()
    obs = api.endpoints.get_item.observe(store, 1)
    assert isinstance(obs, QueryObserver)
    seen = Recorder()
    obs.subscribe(seen)
    first = obs.result
    assert isinstance(first, QueryResult)
    assert (first.status, first.is_loading, first.is_fetching, first.data) == (
        QueryStatus.PENDING,
        True,
        True,
        None,
    )
    assert first.arg == 1 and first.query_cache_key == "get_item(1)"
    await asyncio.sleep(1)
    result = obs.result
    assert (result.is_success, result.data, result.current_data, result.is_loading) == (
        True,
        1,
        1,
        False,
    )
    assert seen.calls == [result]  # one change: pending -> fulfilled
    store.dispatch(api.util.invalidate_tags([]))  # changes nothing
    assert seen.count == 1
    assert bq.count == 1
    obs.close()


@pytest.mark.looptime
async def test_is_fetching_on_every_request_is_loading_only_the_first() -> None:
    api, store, _ = setup()
    obs = api.endpoints.get_item.observe(store, 1)
    await asyncio.sleep(1)
    handle = obs.refetch()
    assert (obs.result.is_fetching, obs.result.is_loading, obs.result.is_success) == (
        True,
        False,
        True,
    )
    state = await handle
    assert state.is_success
    assert (obs.result.is_fetching, obs.result.is_success) == (False, True)
    obs.close()


@pytest.mark.looptime
async def test_data_is_kept_across_an_arg_change_current_data_is_not() -> None:
    api, store, bq = setup()
    obs = api.endpoints.get_item.observe(store, 1)
    await asyncio.sleep(1)
    obs.set_arg(2)
    result = obs.result
    assert result.arg == 2
    assert (result.data, result.current_data) == (1, None)
    # isLoading does not jump back to true, isSuccess does not flash false.
    assert (result.is_loading, result.is_fetching, result.is_success) == (False, True, True)
    await asyncio.sleep(1)
    assert (obs.result.data, obs.result.current_data) == (2, 2)
    assert bq.calls == [1, 2]
    obs.close()


@pytest.mark.looptime
async def test_is_success_stays_consistent_when_a_refetch_fails() -> None:
    answers = iter([{"data": "ok"}, {"error": "boom"}, {"data": "again"}])
    api, store, bq = setup()
    bq.responder = lambda args: next(answers)
    obs = api.endpoints.get_item.observe(store, 1)
    await asyncio.sleep(1)
    assert obs.result.is_success
    await obs.refetch()
    failed = obs.result
    assert (failed.is_error, failed.is_success, failed.data, failed.error) == (
        True,
        False,
        "ok",
        "boom",
    )
    handle = obs.refetch()
    # Refetching after an error is not a success yet, whatever data is shown.
    assert (obs.result.is_fetching, obs.result.is_success, obs.result.data) == (True, False, "ok")
    await handle
    assert (obs.result.is_success, obs.result.data, obs.result.error) == (True, "again", None)
    obs.close()


@pytest.mark.looptime
async def test_set_arg_equal_by_cache_key_is_no_change() -> None:
    api, store, bq = setup()
    obs = api.endpoints.get_item.observe(store, {"a": 1, "b": 2})
    await asyncio.sleep(1)
    seen = Recorder()
    obs.subscribe(seen)
    obs.set_arg({"b": 2, "a": 1})
    await asyncio.sleep(1)
    assert bq.count == 1 and seen.count == 0
    assert obs.result.arg == {"a": 1, "b": 2}
    obs.close()


@pytest.mark.looptime
async def test_set_arg_subscribes_the_new_arg_then_drops_the_old_one() -> None:
    api, store, bq = setup(keep_unused_data_for=0)
    obs = api.endpoints.get_item.observe(store, 1)
    await asyncio.sleep(1)
    assert subscribers(store, api, "get_item(1)") == 1
    obs.set_arg(2)
    assert subscribers(store, api, "get_item(1)") == 0
    assert subscribers(store, api, "get_item(2)") == 1
    await asyncio.sleep(1)
    assert "get_item(1)" not in store.get_state()["api"]["queries"]  # collected
    # Going back to a cached arg serves it without a request while it is cached.
    other = api.endpoints.get_item.observe(store, 3)
    await asyncio.sleep(1)
    obs.set_arg(3)
    assert obs.result.current_data == 3 and not obs.result.is_fetching
    assert bq.calls == [1, 2, 3]
    obs.close()
    other.close()


@pytest.mark.looptime
async def test_skip_subscribes_and_fetches_nothing() -> None:
    api, store, bq = setup()
    obs = api.endpoints.get_item.observe(store, 1, skip=True)
    result = obs.result
    assert (result.status, result.is_uninitialized, result.data, result.arg) == (
        QueryStatus.UNINITIALIZED,
        True,
        None,
        1,
    )
    await asyncio.sleep(5)
    assert bq.count == 0 and subscribers(store, api, "get_item(1)") == 0
    obs.set_options(skip=False)
    assert obs.result.is_loading
    await asyncio.sleep(1)
    assert obs.result.data == 1 and subscribers(store, api, "get_item(1)") == 1
    obs.set_options(skip=True)
    assert subscribers(store, api, "get_item(1)") == 0
    assert (obs.result.is_uninitialized, obs.result.data, obs.result.current_data) == (
        True,
        None,
        None,
    )
    with pytest.raises(
        RuntimeError,
        match=r"refetch\(\) on an observer of 'get_item' that is skipped \(skip=True\)",
    ):
        obs.refetch()
    assert bq.count == 1
    obs.close()


@pytest.mark.looptime
async def test_skip_token_then_a_real_arg() -> None:
    api, store, bq = setup()
    obs = api.endpoints.get_item.observe(store, skip_token)
    assert obs.result.is_uninitialized and obs.result.arg is skip_token
    runtime = api.runtime_for(store.dispatch)
    assert runtime.subscriptions == {}
    with pytest.raises(RuntimeError, match="skip_token"):
        obs.refetch()
    obs.set_arg(1)
    await asyncio.sleep(1)
    assert obs.result.data == 1
    obs.set_arg(skip_token)
    assert runtime.subscriptions == {} and obs.result.data is None
    assert bq.count == 1
    obs.close()


@pytest.mark.looptime
async def test_refetch_returns_a_handle_that_settles_with_the_new_data() -> None:
    counter = iter(range(100))
    api, store, bq = setup()
    bq.responder = lambda args: {"data": next(counter)}
    obs = api.endpoints.get_item.observe(store, 1)
    await asyncio.sleep(1)
    assert obs.result.data == 0
    state = await obs.refetch()
    assert state.data == 1 and obs.result.data == 1
    obs.close()


@pytest.mark.looptime
async def test_polling_starts_and_stops_at_once_with_set_options() -> None:
    api, store, bq = setup(delay=0)
    obs = api.endpoints.get_item.observe(store, 1)
    await asyncio.sleep(1)
    assert bq.count == 1
    obs.set_options(polling_interval=10)
    await asyncio.sleep(10.5)
    assert bq.count == 2
    await asyncio.sleep(10)
    assert bq.count == 3
    obs.set_options(polling_interval=0)
    await asyncio.sleep(100)
    assert bq.count == 3
    obs.close()


@pytest.mark.looptime
async def test_polling_option_at_creation_and_stopped_by_close() -> None:
    api, store, bq = setup(delay=0)
    obs = api.endpoints.get_item.observe(store, 1, polling_interval=5)
    await asyncio.sleep(11)
    assert bq.count == 3
    obs.close()
    await asyncio.sleep(50)
    assert bq.count == 3


@pytest.mark.looptime
async def test_refetch_on_mount_or_arg_change() -> None:
    api, store, bq = setup(delay=0)
    first = api.endpoints.get_item.observe(store, 1)
    await asyncio.sleep(1)
    cached = api.endpoints.get_item.observe(store, 1)
    assert bq.count == 1  # served from the cache
    forced = api.endpoints.get_item.observe(store, 1, refetch_on_mount_or_arg_change=True)
    assert forced.result.is_fetching
    await asyncio.sleep(1)
    assert bq.count == 2
    # A number: refetch only when the data is at least that old.
    young = api.endpoints.get_item.observe(store, 1, refetch_on_mount_or_arg_change=10)
    await asyncio.sleep(1)
    assert bq.count == 2
    await asyncio.sleep(10)
    old = api.endpoints.get_item.observe(store, 1, refetch_on_mount_or_arg_change=10)
    await asyncio.sleep(1)
    assert bq.count == 3
    for obs in (first, cached, forced, young, old):
        obs.close()


@pytest.mark.looptime
async def test_reset_api_state_resets_the_result_and_it_is_not_stuck_loading() -> None:
    api, store, _bq = setup()
    obs = api.endpoints.get_item.observe(store, 1)
    await asyncio.sleep(1)
    store.dispatch(api.util.reset_api_state())
    result = obs.result
    assert (result.is_uninitialized, result.data, result.is_loading, result.is_success) == (
        True,
        None,
        False,
        False,
    )
    handle = obs.refetch()  # the observer's handle still works after the reset
    assert obs.result.is_loading  # a first load again: nothing to show
    await handle
    assert obs.result.data == 1
    obs.close()


@pytest.mark.looptime
async def test_select_from_result_calls_back_only_when_the_selection_changes() -> None:
    api, store, _bq = setup()
    obs = api.endpoints.get_item.observe(
        store, 1, select_from_result=lambda r: {"ready": r.is_success}
    )
    assert obs.result == {"ready": False}
    seen = Recorder()
    obs.subscribe(seen)
    await asyncio.sleep(1)
    assert seen.calls == [{"ready": True}]
    await obs.refetch()  # pending, then fulfilled: still ready
    other = api.endpoints.get_item.observe(store, 2)  # an unrelated entry changes
    await asyncio.sleep(1)
    assert seen.calls == [{"ready": True}]
    obs.set_options(select_from_result=lambda r: r.data)
    assert obs.result == 1
    assert seen.calls == [{"ready": True}, 1]
    obs.close()
    other.close()


@pytest.mark.looptime
async def test_a_raising_callback_does_not_stop_the_others_or_the_store() -> None:
    errors = loop_errors()
    api, store, _bq = setup()
    obs = api.endpoints.get_item.observe(store, 1)
    seen_before, seen_after = Recorder(), Recorder()

    def boom(result: object) -> None:
        raise ValueError("callback failed")

    obs.subscribe(seen_before)
    obs.subscribe(boom)
    obs.subscribe(seen_after)
    state = await store.dispatch(api.endpoints.get_item.initiate(1))
    assert state.data == 1  # the request settled normally
    assert seen_before.count == 1 and seen_after.count == 1
    assert len(errors) == 1 and isinstance(errors[0]["exception"], ValueError)
    assert "callback failed" in errors[0]["message"]
    assert store.get_state()["api"]["queries"]["get_item(1)"].data == 1
    obs.close()


@pytest.mark.looptime
async def test_unsubscribe_stops_callbacks() -> None:
    api, store, _ = setup()
    obs = api.endpoints.get_item.observe(store, 1)
    seen = Recorder()
    unsubscribe = obs.subscribe(seen)
    unsubscribe()
    unsubscribe()
    await asyncio.sleep(1)
    assert seen.count == 0
    obs.close()


@pytest.mark.looptime
async def test_changes_yield_the_current_result_then_the_latest() -> None:
    api, store, _ = setup()
    obs = api.endpoints.get_item.observe(store, 1)
    seen: list[QueryResult[object]] = []

    async def consume() -> None:
        async for result in obs.changes():
            seen.append(result)

    task = asyncio.create_task(consume())
    await turns()
    assert [r.status for r in seen] == [QueryStatus.PENDING]
    await asyncio.sleep(1)
    assert [r.status for r in seen] == [QueryStatus.PENDING, QueryStatus.FULFILLED]
    # A slow consumer sees the latest: three changes while it does not run.
    obs.set_arg(2)
    obs.set_arg(3)
    await asyncio.sleep(1)
    assert seen[-1].arg == 3 and seen[-1].data == 3
    assert all(r.arg != 2 for r in seen)
    obs.close()
    await asyncio.wait_for(task, 1)  # iteration ended with the observer


@pytest.mark.looptime
async def test_close_is_idempotent_and_closed_observers_refuse_work() -> None:
    api, store, _ = setup()
    obs = api.endpoints.get_item.observe(store, 1)
    await asyncio.sleep(1)
    obs.close()
    obs.close()
    assert obs.closed
    assert subscribers(store, api, "get_item(1)") == 0
    assert obs.result.data == 1  # the last result stays readable
    for call in (lambda: obs.set_arg(2), obs.refetch, lambda: obs.set_options(skip=True)):
        with pytest.raises(RuntimeError, match="closed QueryObserver of 'get_item'"):
            call()


@pytest.mark.looptime
async def test_context_managers_close_on_exit() -> None:
    api, store, _ = setup()
    with api.endpoints.get_item.observe(store, 1) as obs:
        assert subscribers(store, api, "get_item(1)") == 1
    assert obs.closed and subscribers(store, api, "get_item(1)") == 0
    async with api.endpoints.get_item.observe(store, 2) as other:
        await asyncio.sleep(1)
        assert other.result.data == 2
    assert other.closed and subscribers(store, api, "get_item(2)") == 0


@pytest.mark.looptime
async def test_observers_of_one_entry_share_one_request_and_subscribe_each() -> None:
    api, store, bq = setup()
    a = api.endpoints.get_item.observe(store, 1)
    b = api.endpoints.get_item.observe(store, 1)
    assert subscribers(store, api, "get_item(1)") == 2
    await asyncio.sleep(1)
    assert bq.count == 1 and a.result.data == b.result.data == 1
    a.close()
    assert subscribers(store, api, "get_item(1)") == 1
    b.close()


@pytest.mark.looptime
async def test_a_failed_first_load_is_an_error_without_data() -> None:
    api, store, bq = setup()
    bq.responder = lambda args: {"error": {"status": 500}}
    obs = api.endpoints.get_item.observe(store, 1)
    await asyncio.sleep(1)
    result = obs.result
    assert (result.is_error, result.is_success, result.is_loading, result.data) == (
        True,
        False,
        False,
        None,
    )
    assert result.error == {"status": 500}
    obs.close()
