"""Superseded responses, failed refetches, user-code errors and cancellation.

Ported behaviours: RTK Query's raceConditions, errorHandling and queryLifecycle basics.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from rtkq import QueryStatus, freeze

from ._support import FakeBaseQuery, entry, make_api, make_store, turns


def _stubborn_base_query(late_after: float) -> Any:
    """A base query whose first call ignores cancellation and answers "late" anyway."""
    calls: list[Any] = []

    async def base_query(args: Any, api: Any, extra: Any) -> Any:
        calls.append(args)
        if len(calls) == 1:
            try:
                await asyncio.sleep(100)
            except asyncio.CancelledError:
                await asyncio.sleep(late_after)
            return {"data": "late"}
        await asyncio.sleep(5)
        return {"data": "fresh"}

    return base_query


@pytest.mark.looptime
@pytest.mark.parametrize("late_after", [1.0, 20.0])
async def test_a_late_response_of_a_superseded_request_is_ignored(late_after: float) -> None:
    api = make_api(base_query=_stubborn_base_query(late_after), keep_unused_data_for=0)
    store = make_store(api)
    old = store.dispatch(api.endpoints.get_item.initiate(1))
    old.unsubscribe()
    await turns(2)  # the entry is collected and its request aborted
    new = store.dispatch(api.endpoints.get_item.initiate(1))
    await asyncio.sleep(2)  # the old request has answered when late_after=1
    pending = api.endpoints.get_item.select(1)(store.get_state())
    assert pending.is_loading and pending.request_id == new.request_id
    state = await new
    assert state.data == "fresh" and state.request_id == new.request_id
    await asyncio.sleep(30)
    assert api.endpoints.get_item.select(1)(store.get_state()).data == "fresh"


@pytest.mark.looptime
async def test_refetch_while_in_flight_is_deduplicated() -> None:
    bq = FakeBaseQuery(delay=5)
    api = make_api(base_query=bq)
    store = make_store(api)
    first = store.dispatch(api.endpoints.get_item.initiate(1))
    second = first.refetch()
    await asyncio.gather(first, second)
    assert bq.count == 1


@pytest.mark.looptime
async def test_upsert_style_superseding_request_ids_ignore_late_answers() -> None:
    """A fulfilled whose request id is not the entry's current one changes nothing."""
    bq = FakeBaseQuery(delay=lambda a: 5)
    api = make_api(base_query=bq, keep_unused_data_for=0)
    store = make_store(api)
    old = store.dispatch(api.endpoints.get_item.initiate(1))
    old.unsubscribe()  # removal aborts the running request ...
    await turns(2)
    new = store.dispatch(api.endpoints.get_item.initiate(1))  # ... and a new one starts
    state = await new
    assert state.is_success and state.request_id == new.request_id
    assert bq.cancelled == 1 and bq.finished == 1


async def test_a_failed_refetch_keeps_the_last_good_data_and_sets_error() -> None:
    answers = iter([{"data": "good"}, {"error": "down"}, {"data": "again"}])
    api = make_api(base_query=FakeBaseQuery(lambda a: next(answers)))
    store = make_store(api)
    handle = store.dispatch(api.endpoints.get_item.initiate(1))
    first = await handle
    failed = await handle.refetch()
    assert failed.status is QueryStatus.REJECTED and failed.is_error
    assert failed.data == "good" and failed.error == "down"
    assert failed.fulfilled_at == first.fulfilled_at
    recovered = await handle.refetch()
    assert recovered.is_success and recovered.data == "again" and recovered.error is None


@pytest.mark.parametrize("where", ["query", "base_query", "transform_response", "transform_error"])
async def test_an_exception_in_user_code_rejects_that_request_only(where: str) -> None:
    def explode(*args: Any) -> Any:
        raise ValueError(f"boom in {where}")

    def base_query(args: Any, api: Any, extra: Any) -> Any:
        if where == "base_query" and args == "bad":
            explode()
        if where == "transform_error" and args == "bad":
            return {"error": "e"}
        return {"data": args}

    def transform(data: Any, meta: Any, arg: Any) -> Any:
        return explode() if arg == "bad" else data

    api = make_api(
        lambda build: {
            "get_item": build.query(
                query=(lambda a: explode() if a == "bad" else a)
                if where == "query"
                else (lambda a: a),
                transform_response=transform if where == "transform_response" else None,
                transform_error_response=explode if where == "transform_error" else None,
            )
        },
        base_query=base_query,
    )
    store = make_store(api)
    await store.dispatch(api.endpoints.get_item.initiate("good"))
    good_before = entry(store, api, 'get_item("good")')
    state = await store.dispatch(api.endpoints.get_item.initiate("bad"))
    assert state.is_error
    assert state.error == freeze({"name": "ValueError", "message": f"boom in {where}"})
    assert entry(store, api, 'get_item("good")') is good_before
    assert (await store.dispatch(api.endpoints.get_item.initiate("ok"))).data == "ok"


async def test_an_exception_in_query_fn_or_merge_rejects_that_request() -> None:
    async def query_fn(arg: Any, api: Any, extra: Any, base_query: Any) -> Any:
        if arg == "bad":
            raise KeyError("missing")
        return {"data": [arg]}

    def merge(current: Any, incoming: Any, info: Any) -> Any:
        raise RuntimeError("cannot merge")

    api = make_api(
        lambda build: {
            "fn": build.query(query_fn=query_fn),
            "merged": build.query(query=lambda a: a, merge=merge, force_refetch=lambda *a: True),
        }
    )
    store = make_store(api)
    failed = await store.dispatch(api.endpoints.fn.initiate("bad"))
    assert failed.error == freeze({"name": "KeyError", "message": "'missing'"})
    first = await store.dispatch(api.endpoints.merged.initiate(1))
    second = await store.dispatch(api.endpoints.merged.initiate(1))
    assert first.is_success and second.is_error and second.data == 1
    assert second.error["message"] == "cannot merge"


async def test_a_malformed_base_query_result_is_a_serialized_type_error() -> None:
    api = make_api(base_query=FakeBaseQuery(lambda a: "not a dict"))
    store = make_store(api)
    state = await store.dispatch(api.endpoints.get_item.initiate(1))
    assert state.error["name"] == "TypeError"
    assert "'get_item'" in state.error["message"]


async def test_query_without_a_base_query_rejects_with_an_explanation() -> None:
    from rtkq import create_api

    api = create_api(endpoints=lambda build: {"get_item": build.query(query=lambda a: a)})
    store = make_store(api)
    state = await store.dispatch(api.endpoints.get_item.initiate(1))
    assert state.error["name"] == "RuntimeError" and "base_query" in state.error["message"]


@pytest.mark.looptime
async def test_cancelling_the_awaiting_task_never_corrupts_the_entry() -> None:
    bq = FakeBaseQuery(delay=10)
    api = make_api(base_query=bq)
    store = make_store(api)
    handle = store.dispatch(api.endpoints.get_item.initiate(1))
    waiter = asyncio.ensure_future(handle.unwrap())
    await asyncio.sleep(1)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert bq.cancelled == 0
    state = await handle
    assert state.is_success and state.data == 1 and bq.finished == 1


@pytest.mark.looptime
async def test_wait_for_timeout_on_a_handle_leaves_the_request_running() -> None:
    bq = FakeBaseQuery(delay=10)
    api = make_api(base_query=bq)
    store = make_store(api)
    handle = store.dispatch(api.endpoints.get_item.initiate(1))
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(handle, 1)
    assert (await handle).data == 1


@pytest.mark.looptime
async def test_abort_rejects_the_entry_with_aborted_and_keeps_old_data() -> None:
    answers = iter([0.0, 10.0])
    bq = FakeBaseQuery(delay=lambda a: next(answers))
    api = make_api(base_query=bq)
    store = make_store(api)
    handle = store.dispatch(api.endpoints.get_item.initiate(1))
    await handle
    refetch = handle.refetch()
    await asyncio.sleep(1)
    refetch.abort()
    state = await refetch
    assert state.is_error and state.data == 1
    assert state.error == freeze({"status": "CUSTOM_ERROR", "error": "Aborted"})
    assert bq.apis[1].signal.aborted is True


async def test_a_base_query_can_abort_itself_through_its_api() -> None:
    async def base_query(args: Any, api: Any, extra: Any) -> Any:
        api.abort()
        assert api.signal.aborted
        return {"data": args}

    api = make_api(base_query=base_query)
    store = make_store(api)
    assert (await store.dispatch(api.endpoints.get_item.initiate(1))).data == 1


async def test_query_state_flags() -> None:
    from rtkq import QueryState

    blank = QueryState()
    assert blank.is_uninitialized and not blank.is_loading and not blank.is_fetching
    loading = QueryState(status=QueryStatus.PENDING)
    assert loading.is_loading and loading.is_fetching
    refetching = QueryState(status=QueryStatus.PENDING, data=1)
    assert refetching.is_fetching and not refetching.is_loading
    assert QueryState(status=QueryStatus.FULFILLED).is_success
    assert QueryState(status=QueryStatus.REJECTED).is_error
    assert str(QueryStatus.PENDING) == "pending"


@pytest.mark.looptime
async def test_an_initiate_after_abort_starts_its_own_request() -> None:
    bq = FakeBaseQuery(delay=5)
    api = make_api(base_query=bq)
    store = make_store(api)
    first = store.dispatch(api.endpoints.get_item.initiate(1))
    await asyncio.sleep(1)
    first.abort()
    second = store.dispatch(api.endpoints.get_item.initiate(1))
    # The first handle settles with its own (aborted) request, without waiting for the
    # second one; the entry it reads by then belongs to the second request (as RTK's
    # select-after-settle).
    loop = asyncio.get_running_loop()
    before = loop.time()
    aborted = await first
    assert loop.time() == before
    assert aborted.is_fetching and aborted.request_id == second.request_id
    state = await second
    assert state.is_success and state.request_id == second.request_id
    assert bq.count == 2 and bq.cancelled == 1
