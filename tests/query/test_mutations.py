"""Mutations: handles, tracking, fixed_cache_key, reset and abort.

Ported behaviours: RTK Query's buildInitiate, createApi and useMutation-fixedCacheKey tests.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from rtkq import MutationHandle, QueryError, QueryStatus, freeze, skip_token

from ._support import FakeBaseQuery, make_api, make_store


def _mutations(store: Any) -> Any:
    return store.get_state()["api"]["mutations"]


async def test_mutation_handle_resolves_to_data_or_error() -> None:
    bq = FakeBaseQuery(lambda a: {"error": "bad"} if a == "bad" else {"data": {"ok": a}})
    api = make_api(base_query=bq)
    store = make_store(api)
    good = store.dispatch(api.endpoints.update_item.initiate(1))
    assert isinstance(good, MutationHandle)
    assert good.arg == 1 and isinstance(good.request_id, str)
    assert "MutationHandle" in repr(good)
    assert await good == {"data": freeze({"ok": 1})}
    assert await good.unwrap() == freeze({"ok": 1})
    bad = store.dispatch(api.endpoints.update_item.initiate("bad"))
    assert await bad == {"error": "bad"}
    with pytest.raises(QueryError) as info:
        await bad.unwrap()
    assert info.value.error == "bad"


async def test_mutations_are_never_deduplicated() -> None:
    bq = FakeBaseQuery(delay=0.001)
    api = make_api(base_query=bq)
    store = make_store(api)
    one = store.dispatch(api.endpoints.update_item.initiate(1))
    two = store.dispatch(api.endpoints.update_item.initiate(1))
    await asyncio.gather(one, two)
    assert bq.count == 2
    assert bq.apis[0].type == "mutation"


async def test_mutation_state_is_tracked_by_request_id() -> None:
    api = make_api(base_query=FakeBaseQuery(delay=0.001))
    store = make_store(api)
    handle = store.dispatch(api.endpoints.update_item.initiate(5))
    select = api.endpoints.update_item.select(handle.request_id)
    pending = select(store.get_state())
    assert pending.status is QueryStatus.PENDING and pending.is_loading
    assert pending.original_args == 5 and pending.endpoint_name == "update_item"
    await handle
    done = select(store.get_state())
    assert done.is_success and done.data == 5 and done.fulfilled_at is not None
    handle.reset()
    assert select(store.get_state()).is_uninitialized
    assert api.endpoints.update_item.select(skip_token)(store.get_state()).is_uninitialized


async def test_track_false_keeps_the_mutation_out_of_the_state() -> None:
    api = make_api()
    store = make_store(api)
    handle = store.dispatch(api.endpoints.update_item.initiate(5, track=False))
    assert await handle == {"data": 5}
    assert dict(_mutations(store)) == {}


async def test_rejected_mutation_state() -> None:
    api = make_api(base_query=FakeBaseQuery(lambda a: {"error": {"status": 400}}))
    store = make_store(api)
    handle = store.dispatch(api.endpoints.update_item.initiate(5))
    await handle
    state = api.endpoints.update_item.select(handle.request_id)(store.get_state())
    assert state.is_error and state.error == freeze({"status": 400})


@pytest.mark.looptime
async def test_fixed_cache_key_shares_state_and_the_last_dispatched_wins() -> None:
    bq = FakeBaseQuery(delay=lambda a: 2.0 if a == "slow" else 1.0)
    api = make_api(base_query=bq)
    store = make_store(api)
    select = api.endpoints.update_item.select("shared")
    first = store.dispatch(api.endpoints.update_item.initiate("slow", fixed_cache_key="shared"))
    second = store.dispatch(api.endpoints.update_item.initiate("fast", fixed_cache_key="shared"))
    assert select(store.get_state()).request_id == second.request_id
    await second
    assert select(store.get_state()).data == "fast"
    await first  # the earlier request settles later, but its result is not shown
    state = select(store.get_state())
    assert state.data == "fast" and state.request_id == second.request_id
    assert state.fixed_cache_key == "shared"
    assert list(_mutations(store)) == ["shared"]


async def test_reset_of_a_fixed_cache_key_clears_it_for_every_sharer() -> None:
    api = make_api()
    store = make_store(api)
    one = store.dispatch(api.endpoints.update_item.initiate(1, fixed_cache_key="k"))
    two = store.dispatch(api.endpoints.update_item.initiate(2, fixed_cache_key="k"))
    await asyncio.gather(one, two)
    assert api.endpoints.update_item.select("k")(store.get_state()).data == 2
    one.reset()  # not the last dispatched, still clears the shared key
    assert api.endpoints.update_item.select("k")(store.get_state()).is_uninitialized
    assert dict(_mutations(store)) == {}


async def test_reset_of_an_older_plain_mutation_only_removes_its_own_state() -> None:
    api = make_api()
    store = make_store(api)
    one = store.dispatch(api.endpoints.update_item.initiate(1))
    two = store.dispatch(api.endpoints.update_item.initiate(2))
    await asyncio.gather(one, two)
    one.reset()
    assert list(_mutations(store)) == [two.request_id]


@pytest.mark.looptime
async def test_abort_rejects_the_mutation_with_aborted() -> None:
    bq = FakeBaseQuery(delay=10)
    api = make_api(base_query=bq)
    store = make_store(api)
    handle = store.dispatch(api.endpoints.update_item.initiate(1))
    await asyncio.sleep(1)
    handle.abort()
    result = await handle
    assert result["error"]["error"] == "Aborted"
    assert bq.cancelled == 1
    state = api.endpoints.update_item.select(handle.request_id)(store.get_state())
    assert state.is_error
    handle.abort()  # already settled: harmless


async def test_mutation_exception_in_user_code_rejects_with_a_serialized_error() -> None:
    def query(arg: Any) -> Any:
        raise ValueError(f"cannot build {arg}")

    api = make_api(lambda build: {"save": build.mutation(query=query)})
    store = make_store(api)
    result = await store.dispatch(api.endpoints.save.initiate(3))
    assert result == {"error": {"name": "ValueError", "message": "cannot build 3"}}


async def test_mutation_transforms() -> None:
    api = make_api(
        lambda build: {
            "save": build.mutation(
                query=lambda a: a,
                transform_response=lambda data, meta, arg: {"saved": data},
                transform_error_response=lambda error, meta, arg: {"failed": error},
            )
        },
        base_query=FakeBaseQuery(lambda a: {"error": a} if a < 0 else {"data": a}),
    )
    store = make_store(api)
    assert await store.dispatch(api.endpoints.save.initiate(1)) == {"data": freeze({"saved": 1})}
    assert await store.dispatch(api.endpoints.save.initiate(-1)) == {
        "error": freeze({"failed": -1})
    }


async def test_mutation_matchers() -> None:
    api = make_api()
    store = make_store(api)
    seen: list[Any] = []

    def spy(store_api: Any) -> Any:
        def wrap(next_: Any) -> Any:
            def handle(action: Any) -> Any:
                seen.append(action)
                return next_(action)

            return handle

        return wrap

    from rtkq import configure_store

    store = configure_store({"api": api.reducer}, middleware=[spy, api.middleware])
    await store.dispatch(api.endpoints.update_item.initiate(1))
    await store.dispatch(api.endpoints.get_item.initiate(1))
    update, get = api.endpoints.update_item, api.endpoints.get_item
    assert [a for a in seen if update.match_pending(a)] and [
        a for a in seen if get.match_pending(a)
    ]
    assert len([a for a in seen if update.match_fulfilled(a)]) == 1
    assert not [a for a in seen if update.match_rejected(a)]
    assert not any(get.match_fulfilled(a) and a.meta["endpoint_name"] != "get_item" for a in seen)
    assert not update.match_fulfilled({"type": "x"})
