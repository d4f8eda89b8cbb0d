"""Query initiate: de-duplication, cache hits, forcing, subscribe=False, handles.

Ported behaviours: RTK Query's buildInitiate, buildThunks and createApi tests.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from rtkq import QueryError, QueryHandle, QueryStatus, freeze

from ._support import FakeBaseQuery, entry, make_api, make_store, turns


async def test_identical_in_flight_initiates_make_one_base_query_call() -> None:
    bq = FakeBaseQuery(delay=0.01)
    api = make_api(base_query=bq)
    store = make_store(api)
    first = store.dispatch(api.endpoints.get_item.initiate(1))
    second = store.dispatch(api.endpoints.get_item.initiate(1))
    other = store.dispatch(api.endpoints.get_item.initiate(2))
    states = await asyncio.gather(first, second, other)
    assert bq.calls == [1, 2]
    assert states[0] is states[1]
    assert states[0].data == 1 and states[2].data == 2


async def test_entry_is_pending_in_the_store_right_after_dispatch() -> None:
    api = make_api()
    store = make_store(api)
    handle = store.dispatch(api.endpoints.get_item.initiate("a"))
    state = api.endpoints.get_item.select("a")(store.get_state())
    assert state.status is QueryStatus.PENDING
    assert state.is_loading and state.is_fetching and not state.is_success
    assert state.request_id == handle.request_id
    assert state.original_args == "a"
    assert state.started_at is not None and state.fulfilled_at is None
    done = await handle
    assert done.is_success and done.data == "a" and done.fulfilled_at is not None


async def test_cache_hit_does_not_call_the_base_query_again() -> None:
    bq = FakeBaseQuery()
    api = make_api(base_query=bq)
    store = make_store(api)
    await store.dispatch(api.endpoints.get_item.initiate(1))
    before = store.get_state()
    again = store.dispatch(api.endpoints.get_item.initiate(1))
    # a subscription is not observable state: the root state is the same object
    assert store.get_state() is before
    assert (await again).data == 1
    assert bq.count == 1


async def test_multiple_synchronous_initiates_with_a_pre_existing_entry() -> None:
    bq = FakeBaseQuery()
    api = make_api(base_query=bq)
    store = make_store(api)
    await store.dispatch(api.endpoints.get_item.initiate(1))
    handles = [store.dispatch(api.endpoints.get_item.initiate(1)) for _ in range(3)]
    states = [await h for h in handles]
    assert all(s.data == 1 for s in states)
    assert len({h.request_id for h in handles}) == 3
    assert bq.count == 1


async def test_query_handle_members() -> None:
    api = make_api()
    store = make_store(api)
    handle = store.dispatch(api.endpoints.get_item.initiate({"id": 1}))
    assert isinstance(handle, QueryHandle)
    assert handle.arg == {"id": 1}
    assert handle.query_cache_key == 'get_item({"id":1})'
    assert isinstance(handle.request_id, str)
    assert "get_item" in repr(handle)
    assert await handle.unwrap() == freeze({"id": 1})
    refetched = handle.refetch()
    assert isinstance(refetched, QueryHandle) and refetched.request_id != handle.request_id
    assert (await refetched).request_id == refetched.request_id
    handle.update_subscription_options({"polling_interval": 0})
    handle.abort()  # nothing running: harmless
    handle.unsubscribe()
    handle.unsubscribe()  # a second call is harmless
    assert (await handle).data == freeze({"id": 1})


async def test_unwrap_raises_query_error_with_the_error_payload() -> None:
    api = make_api(base_query=FakeBaseQuery(lambda args: {"error": {"status": 500}}))
    store = make_store(api)
    handle = store.dispatch(api.endpoints.get_item.initiate(1))
    with pytest.raises(QueryError) as info:
        await handle.unwrap()
    assert info.value.error == freeze({"status": 500})
    state = await handle
    assert state.is_error and state.error == freeze({"status": 500}) and state.data is None


async def test_rejected_entry_is_retried_on_the_next_initiate() -> None:
    answers = iter([{"error": "boom"}, {"data": "ok"}])
    bq = FakeBaseQuery(lambda args: next(answers))
    api = make_api(base_query=bq)
    store = make_store(api)
    assert (await store.dispatch(api.endpoints.get_item.initiate(1))).is_error
    state = await store.dispatch(api.endpoints.get_item.initiate(1))
    assert state.is_success and state.data == "ok" and state.error is None
    assert bq.count == 2


async def test_force_refetch_true_refetches_and_keeps_data_while_pending() -> None:
    counter = iter(range(100))
    bq = FakeBaseQuery(lambda args: {"data": next(counter)}, delay=0.001)
    api = make_api(base_query=bq)
    store = make_store(api)
    await store.dispatch(api.endpoints.get_item.initiate(1))
    handle = store.dispatch(api.endpoints.get_item.initiate(1, force_refetch=True))
    pending = api.endpoints.get_item.select(1)(store.get_state())
    assert pending.is_fetching and not pending.is_loading and pending.data == 0
    assert (await handle).data == 1
    assert bq.count == 2


@pytest.mark.looptime
async def test_force_refetch_seconds_refetches_only_older_entries() -> None:
    bq = FakeBaseQuery()
    api = make_api(base_query=bq)
    store = make_store(api)
    await store.dispatch(api.endpoints.get_item.initiate(1))
    await store.dispatch(api.endpoints.get_item.initiate(1, force_refetch=10))
    assert bq.count == 1
    await asyncio.sleep(11)
    await store.dispatch(api.endpoints.get_item.initiate(1, force_refetch=10))
    assert bq.count == 2


async def test_refetch_on_mount_or_arg_change_true_refetches_every_subscribing_initiate() -> None:
    bq = FakeBaseQuery()
    api = make_api(base_query=bq, refetch_on_mount_or_arg_change=True)
    store = make_store(api)
    await store.dispatch(api.endpoints.get_item.initiate(1))
    await store.dispatch(api.endpoints.get_item.initiate(1))
    assert bq.count == 2
    # contract §5: it applies to initiates that subscribe only
    await store.dispatch(api.endpoints.get_item.initiate(1, subscribe=False))
    assert bq.count == 2


@pytest.mark.looptime
async def test_refetch_on_mount_or_arg_change_seconds() -> None:
    bq = FakeBaseQuery()
    api = make_api(base_query=bq, refetch_on_mount_or_arg_change=30)
    store = make_store(api)
    await store.dispatch(api.endpoints.get_item.initiate(1))
    await asyncio.sleep(10)
    await store.dispatch(api.endpoints.get_item.initiate(1))
    assert bq.count == 1
    await asyncio.sleep(25)
    await store.dispatch(api.endpoints.get_item.initiate(1))
    assert bq.count == 2


async def test_subscribe_false_still_fetches_and_returns_the_result() -> None:
    bq = FakeBaseQuery()
    api = make_api(base_query=bq)
    store = make_store(api)
    handle = store.dispatch(api.endpoints.get_item.initiate(1, subscribe=False))
    state = await handle
    assert state.is_success and state.data == 1
    handle.unsubscribe()  # nothing to drop
    assert bq.count == 1


@pytest.mark.looptime
async def test_subscribe_false_with_keep_unused_data_for_zero_still_returns_data() -> None:
    api = make_api(keep_unused_data_for=0)
    store = make_store(api)
    state = await store.dispatch(api.endpoints.get_item.initiate(1, subscribe=False))
    assert state.is_success and state.data == 1
    await turns()
    assert entry(store, api, "get_item(1)") is None


async def test_subscribe_false_rejected_query_returns_the_error() -> None:
    api = make_api(base_query=FakeBaseQuery(lambda args: {"error": "nope"}))
    store = make_store(api)
    state = await store.dispatch(api.endpoints.get_item.initiate(1, subscribe=False))
    assert state.is_error and state.error == "nope"


async def test_sync_base_query_works() -> None:
    calls: list[Any] = []

    def base_query(args: Any, api: Any, extra_options: Any) -> Any:
        calls.append(args)
        return {"data": args * 2}

    api = make_api(base_query=base_query)
    store = make_store(api)
    assert await store.dispatch(api.endpoints.get_item.initiate(21)).unwrap() == 42
    assert calls == [21]


async def test_base_query_api_carries_dispatch_get_state_extra_and_endpoint() -> None:
    bq = FakeBaseQuery()
    api = make_api(base_query=bq)
    store = make_store(api, extra_argument="EXTRA")
    await store.dispatch(api.endpoints.get_item.initiate(1))
    await store.dispatch(api.endpoints.get_item.initiate(1, force_refetch=True))
    first, second = bq.apis
    assert first.extra == "EXTRA"
    assert first.endpoint == "get_item" and first.type == "query"
    assert first.forced is False and second.forced is True
    assert first.get_state() is store.get_state()
    assert first.signal.aborted is False


async def test_query_fn_transform_response_and_extra_options() -> None:
    bq = FakeBaseQuery()
    seen: dict[str, Any] = {}

    async def query_fn(arg: Any, api: Any, extra_options: Any, base_query: Any) -> Any:
        seen["extra_options"] = extra_options
        first = await base_query({"n": arg})
        return {"data": [first["data"]["n"], arg + 1]}

    api = make_api(
        lambda build: {
            "pair": build.query(
                query_fn=query_fn,
                extra_options={"x": 1},
                transform_response=lambda data, meta, arg: {"pair": data, "arg": arg},
            ),
        },
        base_query=bq,
    )
    store = make_store(api)
    data = await store.dispatch(api.endpoints.pair.initiate(5)).unwrap()
    assert data == freeze({"pair": [5, 6], "arg": 5})
    assert seen["extra_options"] == {"x": 1}
    assert bq.extra_options == [{"x": 1}]


async def test_transform_response_runs_only_for_successes() -> None:
    transformed: list[Any] = []

    def transform(data: Any, meta: Any, arg: Any) -> Any:
        transformed.append(data)
        return data

    api = make_api(
        lambda build: {"get_item": build.query(query=lambda a: a, transform_response=transform)},
        base_query=FakeBaseQuery(lambda a: {"error": "bad"} if a == "bad" else {"data": a}),
    )
    store = make_store(api)
    await store.dispatch(api.endpoints.get_item.initiate("bad"))
    await store.dispatch(api.endpoints.get_item.initiate("good"))
    assert transformed == ["good"]


async def test_transform_error_response_gets_error_meta_and_arg() -> None:
    async def transform(error: Any, meta: Any, arg: Any) -> Any:
        return {"wrapped": error, "meta": meta, "arg": arg}

    api = make_api(
        lambda build: {
            "get_item": build.query(query=lambda a: a, transform_error_response=transform)
        },
        base_query=FakeBaseQuery(lambda a: {"error": "bad", "meta": "M"}),
    )
    store = make_store(api)
    state = await store.dispatch(api.endpoints.get_item.initiate(7))
    assert state.error == freeze({"wrapped": "bad", "meta": "M", "arg": 7})


async def test_data_is_frozen() -> None:
    api = make_api(base_query=FakeBaseQuery(lambda a: {"data": {"items": [1, {"x": 2}]}}))
    store = make_store(api)
    data = await store.dispatch(api.endpoints.get_item.initiate(1)).unwrap()
    assert data == freeze({"items": [1, {"x": 2}]})
    with pytest.raises((TypeError, AttributeError)):
        data["items"] = []  # type: ignore[index]


async def test_merge_combines_new_data_into_the_cached_data() -> None:
    pages = {1: ["a", "b"], 2: ["c"]}

    def merge(current: Any, incoming: Any, info: Any) -> None:
        current.extend(incoming)

    api = make_api(
        lambda build: {
            "feed": build.query(
                query=lambda page: page,
                serialize_query_args=lambda name, arg: name,
                merge=merge,
                force_refetch=lambda current, previous, *rest: current != previous,
            ),
        },
        base_query=FakeBaseQuery(lambda page: {"data": pages[page]}),
    )
    store = make_store(api)
    assert await store.dispatch(api.endpoints.feed.initiate(1)).unwrap() == freeze(["a", "b"])
    assert await store.dispatch(api.endpoints.feed.initiate(1)).unwrap() == freeze(["a", "b"])
    merged = await store.dispatch(api.endpoints.feed.initiate(2)).unwrap()
    assert merged == freeze(["a", "b", "c"])
    assert api.endpoints.feed.select(1)(store.get_state()).original_args == 2


async def test_merge_gets_arg_and_previous_arg() -> None:
    infos: list[Any] = []

    def merge(current: Any, incoming: Any, info: Any) -> Any:
        infos.append(dict(info))
        return incoming

    api = make_api(
        lambda build: {
            "feed": build.query(
                query=lambda page: page,
                serialize_query_args=lambda name, arg: name,
                merge=merge,
                force_refetch=lambda current, previous, *rest: True,
            ),
        },
    )
    store = make_store(api)
    await store.dispatch(api.endpoints.feed.initiate(1))
    assert infos == []  # nothing cached yet: no merge
    assert await store.dispatch(api.endpoints.feed.initiate(2)).unwrap() == 2
    assert infos == [{"arg": 2, "previous_arg": 1}]


async def test_custom_serialize_query_args_on_api_and_endpoint() -> None:
    bq = FakeBaseQuery()
    api = make_api(
        lambda build: {
            "by_api": build.query(query=lambda a: a),
            "by_endpoint": build.query(
                query=lambda a: a, serialize_query_args=lambda name, arg: f"E:{arg['id']}"
            ),
        },
        base_query=bq,
        serialize_query_args=lambda name, arg: f"{name}|{arg['id']}",
    )
    store = make_store(api)
    one = store.dispatch(api.endpoints.by_api.initiate({"id": 1, "noise": 1}))
    two = store.dispatch(api.endpoints.by_api.initiate({"id": 1, "noise": 2}))
    three = store.dispatch(api.endpoints.by_endpoint.initiate({"id": 3}))
    await asyncio.gather(one, two, three)
    assert one.query_cache_key == "by_api|1" == two.query_cache_key
    assert three.query_cache_key == "E:3"
    assert bq.count == 2


async def test_serialize_query_args_returning_a_non_str_is_a_type_error() -> None:
    api = make_api(serialize_query_args=lambda name, arg: 3)
    with pytest.raises(TypeError, match=r"serialize_query_args for endpoint 'get_item'"):
        api.endpoints.get_item.initiate(1)


async def test_only_reorders_of_dict_keys_share_an_entry() -> None:
    bq = FakeBaseQuery()
    api = make_api(base_query=bq)
    store = make_store(api)
    await store.dispatch(api.endpoints.get_item.initiate({"a": 1, "b": {"c": 2, "d": 3}}))
    await store.dispatch(api.endpoints.get_item.initiate({"b": {"d": 3, "c": 2}, "a": 1}))
    assert bq.count == 1
    await store.dispatch(api.endpoints.get_item.initiate({"a": 1, "b": {"c": 2, "d": 4}}))
    assert bq.count == 2


async def test_force_refetch_callable_decides_on_a_cache_hit() -> None:
    bq = FakeBaseQuery()
    decisions: list[Any] = []

    def force(current: Any, previous: Any, state: Any, entry_state: Any) -> bool:
        decisions.append((current, previous, entry_state.status))
        return bool(current.get("refresh"))

    api = make_api(
        lambda build: {
            "get_item": build.query(
                query=lambda a: a,
                serialize_query_args=lambda name, arg: f"{name}({arg['id']})",
                force_refetch=force,
            )
        },
        base_query=bq,
    )
    store = make_store(api)
    await store.dispatch(api.endpoints.get_item.initiate({"id": 1}))
    await store.dispatch(api.endpoints.get_item.initiate({"id": 1}))
    await store.dispatch(api.endpoints.get_item.initiate({"id": 1, "refresh": True}))
    assert bq.count == 2
    assert len(decisions) == 2 and decisions[0][2] is QueryStatus.FULFILLED


async def test_initiate_dispatched_with_no_running_loop_is_a_runtime_error() -> None:
    api = make_api()
    store = make_store(api)
    thunk = api.endpoints.get_item.initiate(1)
    loop = asyncio.get_running_loop()
    with pytest.raises(RuntimeError, match="event loop is running"):
        await loop.run_in_executor(None, store.dispatch, thunk)
    assert entry(store, api, "get_item(1)") is None


def test_mutation_initiate_with_no_running_loop_is_a_runtime_error() -> None:
    api = make_api()
    store = make_store(api)
    with pytest.raises(RuntimeError, match="event loop is running"):
        store.dispatch(api.endpoints.update_item.initiate(1))
    assert dict(store.get_state()["api"]["mutations"]) == {}


async def test_api_reducer_missing_from_the_store_is_a_runtime_error() -> None:
    from rtkq import configure_store

    api = make_api(reducer_path="things")
    store = configure_store({"other": lambda s, a: s or 0}, middleware=[api.middleware])
    with pytest.raises(RuntimeError, match=r"not in the store under 'things'"):
        store.dispatch(api.endpoints.get_item.initiate(1))
    with pytest.raises(RuntimeError, match=r"'things'"):
        store.dispatch(api.endpoints.update_item.initiate(1))


async def test_api_middleware_missing_is_a_runtime_error() -> None:
    from rtkq import configure_store

    api = make_api()
    store = configure_store({"api": api.reducer})
    with pytest.raises(RuntimeError, match=r"middleware=\[api\.middleware\]"):
        store.dispatch(api.endpoints.get_item.initiate(1))
    other = make_api()
    wrong_store = make_store(other)
    with pytest.raises(RuntimeError, match="Add it"):
        wrong_store.dispatch(api.endpoints.get_item.initiate(1))


async def test_unserializable_arg_is_a_type_error_naming_the_endpoint() -> None:
    api = make_api()
    with pytest.raises(TypeError, match=r"'get_item'.*serialize_query_args"):
        api.endpoints.get_item.initiate(object())


async def test_unknown_initiate_option_is_a_type_error() -> None:
    api = make_api()
    with pytest.raises(TypeError):
        api.endpoints.get_item.initiate(1, polling=3)


async def test_initiate_with_skip_token_is_a_type_error() -> None:
    from rtkq import skip_token

    api = make_api()
    with pytest.raises(TypeError, match="skip_token"):
        api.endpoints.get_item.initiate(skip_token)


async def test_same_args_on_two_stores_are_independent() -> None:
    bq = FakeBaseQuery(delay=0.001)
    api = make_api(base_query=bq)
    one, two = make_store(api), make_store(api)
    h1 = one.dispatch(api.endpoints.get_item.initiate(1))
    h2 = two.dispatch(api.endpoints.get_item.initiate(1))
    running_one = one.dispatch(api.util.get_running_queries_thunk())
    running_two = two.dispatch(api.util.get_running_queries_thunk())
    assert [h.request_id for h in running_one] == [h1.request_id]
    assert [h.request_id for h in running_two] == [h2.request_id]
    await asyncio.gather(h1, h2)
    assert bq.count == 2
    assert one.dispatch(api.util.get_running_queries_thunk()) == []


async def test_a_failing_pending_dispatch_leaves_no_subscription_or_running_request() -> None:
    api = make_api()
    fail = [True]

    def breaker(store_api: Any) -> Any:
        def wrap(next_: Any) -> Any:
            def handle(action: Any) -> Any:
                if fail[0] and api.endpoints.get_item.match_pending(action):
                    raise ValueError("listener exploded")
                return next_(action)

            return handle

        return wrap

    from rtkq import configure_store

    store = configure_store({"api": api.reducer}, middleware=[api.middleware, breaker])
    with pytest.raises(ValueError, match="listener exploded"):
        store.dispatch(api.endpoints.get_item.initiate(1))
    assert store.dispatch(api.util.get_running_queries_thunk()) == []
    assert entry(store, api, "get_item(1)") is None
    fail[0] = False
    assert (await store.dispatch(api.endpoints.get_item.initiate(1))).data == 1


@pytest.mark.looptime
async def test_a_cache_hit_resolves_with_the_entry_at_dispatch_despite_a_forced_refetch() -> None:
    # RTK's buildInitiate: a cache hit's promise is the state at dispatch.
    versions = iter(range(1, 10))
    bq = FakeBaseQuery(lambda args: {"data": {"version": next(versions)}}, delay=5.0)
    api = make_api(base_query=bq)
    store = make_store(api)
    await store.dispatch(api.endpoints.get_item.initiate(1))
    loop = asyncio.get_running_loop()
    hit = store.dispatch(api.endpoints.get_item.initiate(1))
    forced = store.dispatch(api.endpoints.get_item.initiate(1, force_refetch=True))
    joined = store.dispatch(api.endpoints.get_item.initiate(1))
    start = loop.time()

    cached = await hit
    assert loop.time() == start  # it did not wait for the refetch
    assert cached.is_success and not cached.is_fetching
    assert cached.data == {"version": 1}
    assert await hit.unwrap() == {"version": 1}

    refetched = await forced
    assert refetched.data == {"version": 2} and loop.time() == start + 5.0
    assert (await joined) is refetched  # joined the refetch: settles with it
    assert bq.count == 2


@pytest.mark.looptime
async def test_a_started_handle_settles_with_its_own_request_not_a_later_one() -> None:
    versions = iter(range(1, 10))
    bq = FakeBaseQuery(lambda args: {"data": {"version": next(versions)}}, delay=5.0)
    api = make_api(base_query=bq)
    store = make_store(api)
    first = store.dispatch(api.endpoints.get_item.initiate(1))
    await asyncio.sleep(6)
    store.dispatch(api.endpoints.get_item.initiate(1, force_refetch=True))
    state = await first  # awaited while the refetch runs: its request settled already
    assert state.data == {"version": 1} and not state.is_fetching
