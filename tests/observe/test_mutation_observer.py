"""``endpoint.mutation_observer``: RTK's ``useMutation`` (last trigger wins, reset, fixed keys)."""

from __future__ import annotations

from typing import Any

import pytest

from rtkq import MutationObserver, MutationResult, QueryStatus

from ._support import FakeBaseQuery, Recorder, make_api, make_store


def _setup() -> tuple[Any, Any, FakeBaseQuery]:
    # Each mutation answers after the number of seconds it was given.
    bq = FakeBaseQuery(delay=lambda args: float(args))
    api = make_api(base_query=bq)
    return api, make_store(api), bq


@pytest.mark.looptime
async def test_flags_and_data_of_a_trigger() -> None:
    api, store, _ = _setup()
    obs = api.endpoints.update_item.mutation_observer(store)
    assert isinstance(obs, MutationObserver)
    assert obs.result == MutationResult() and obs.result.is_uninitialized
    seen = Recorder()
    obs.subscribe(seen)
    handle = obs.trigger(1)
    pending = obs.result
    assert (pending.status, pending.is_loading, pending.original_args) == (
        QueryStatus.PENDING,
        True,
        1,
    )
    assert pending.started_at is not None
    assert (await handle) == {"data": 1}
    done = obs.result
    assert (done.is_success, done.is_loading, done.data, done.fulfilled_at is not None) == (
        True,
        False,
        1,
        True,
    )
    assert [r.status for r in seen.calls] == [QueryStatus.PENDING, QueryStatus.FULFILLED]
    obs.close()


@pytest.mark.looptime
async def test_the_last_trigger_wins_over_an_earlier_one_that_settles_later() -> None:
    api, store, _ = _setup()
    obs = api.endpoints.update_item.mutation_observer(store)
    seen = Recorder()
    obs.subscribe(seen)
    slow = obs.trigger(5)
    fast = obs.trigger(1)
    await fast
    assert obs.result.data == 1
    assert (await slow) == {"data": 5}  # the request itself still settles
    assert obs.result.data == 1 and obs.result.original_args == 1
    assert all(r.original_args != 5 or r.is_loading for r in seen.calls)
    # The superseded request's state is not kept in the store either.
    assert [m.original_args for m in api.util.select_mutations(store.get_state())] == [1]
    obs.close()
    assert api.util.select_mutations(store.get_state()) == []


@pytest.mark.looptime
async def test_reset_returns_to_uninitialized() -> None:
    api, store, _ = _setup()
    obs = api.endpoints.update_item.mutation_observer(store)
    await obs.trigger(1)
    obs.reset()
    assert obs.result == MutationResult()
    assert api.util.select_mutations(store.get_state()) == []
    await obs.trigger(2)
    assert obs.result.data == 2
    obs.close()
    with pytest.raises(RuntimeError, match="closed MutationObserver of 'update_item'"):
        obs.trigger(3)


@pytest.mark.looptime
async def test_observers_sharing_a_fixed_cache_key_share_one_result() -> None:
    api, store, _ = _setup()
    a = api.endpoints.update_item.mutation_observer(store, fixed_cache_key="shared")
    b = api.endpoints.update_item.mutation_observer(store, fixed_cache_key="shared")
    seen = Recorder()
    b.subscribe(seen)
    slow = a.trigger(5)
    assert b.result.is_loading and b.result.fixed_cache_key == "shared"
    fast = b.trigger(1)
    await fast
    assert a.result == b.result and a.result.data == 1
    await slow
    assert a.result.data == 1  # the earlier trigger never shows
    a.reset()  # clears it for every sharer
    assert b.result.is_uninitialized
    a.close()
    b.close()
    # Closing does not remove a shared key's state (others may show it).
    c = api.endpoints.update_item.mutation_observer(store, fixed_cache_key="shared")
    await c.trigger(1)
    c.close()
    assert len(api.util.select_mutations(store.get_state())) == 1


@pytest.mark.looptime
async def test_reset_of_a_fixed_key_observer_that_never_triggered() -> None:
    api, store, _ = _setup()
    a = api.endpoints.update_item.mutation_observer(store, fixed_cache_key="k")
    b = api.endpoints.update_item.mutation_observer(store, fixed_cache_key="k")
    await a.trigger(1)
    b.reset()
    assert a.result.is_uninitialized and b.result.is_uninitialized
    a.close()
    b.close()


@pytest.mark.looptime
async def test_failed_mutation_and_select_from_result() -> None:
    bq = FakeBaseQuery(responder=lambda args: {"error": {"status": 400}})
    api = make_api(base_query=bq)
    store = make_store(api)
    obs = api.endpoints.update_item.mutation_observer(
        store, select_from_result=lambda r: (r.is_error, r.error)
    )
    assert obs.result == (False, None)
    await obs.trigger(1)
    assert obs.result == (True, {"status": 400})
    obs.close()
