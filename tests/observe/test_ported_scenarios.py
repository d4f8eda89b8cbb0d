"""More scenarios ported from RTK's hook tests and TanStack's observer tests."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from rtkq import Tag, on_focus

from ._support import FakeBaseQuery, Recorder, make_api, make_store, setup, subscribers


@pytest.mark.looptime
async def test_closing_while_the_first_load_runs_aborts_it_when_the_entry_goes() -> None:
    # RTK: "query thunk should be aborted when component unmounts and cache entry is removed"
    api, store, bq = setup(delay=5, keep_unused_data_for=0)
    obs = api.endpoints.get_item.observe(store, 1)
    await asyncio.sleep(1)
    obs.close()
    await asyncio.sleep(10)
    assert bq.cancelled == 1 and bq.finished == 0
    assert "get_item(1)" not in store.get_state()["api"]["queries"]


@pytest.mark.looptime
async def test_a_failed_query_refetches_when_a_mutation_invalidates_its_tag() -> None:
    # RTK: "initially failed useQueries that provide an tag will refetch after a mutation
    # invalidates it"
    answers = iter([{"error": "down"}, {"data": "up"}])

    def respond(args: Any) -> Any:
        return next(answers) if args == "item" else {"data": args}

    bq = FakeBaseQuery(responder=respond, delay=0.5)
    api = make_api(
        lambda build: {
            "get_item": build.query(query=lambda arg: "item", provides_tags=[Tag("Item")]),
            "touch": build.mutation(query=lambda arg: arg, invalidates_tags=[Tag("Item")]),
        },
        base_query=bq,
        tag_types=["Item"],
    )
    store = make_store(api)
    obs = api.endpoints.get_item.observe(store, 1)
    await asyncio.sleep(1)
    assert obs.result.is_error
    with api.endpoints.touch.mutation_observer(store) as touch:
        await touch.trigger("x")
    await asyncio.sleep(1)
    assert (obs.result.is_success, obs.result.data) == (True, "up")
    obs.close()


@pytest.mark.looptime
async def test_unskipping_a_cached_query_with_refetch_on_mount_refetches() -> None:
    # RTK: "refetchOnMountOrArgChange works as expected when changing skip from
    # false->true with a cached query"
    api, store, bq = setup()
    obs = api.endpoints.get_item.observe(store, 1, refetch_on_mount_or_arg_change=True)
    await asyncio.sleep(1)
    obs.set_options(skip=True)
    holder = store.dispatch(api.endpoints.get_item.initiate(1))  # keeps it cached
    obs.set_options(skip=False)
    assert obs.result.is_fetching and not obs.result.is_loading  # cached data shows
    await asyncio.sleep(1)
    assert bq.count == 2
    without = api.endpoints.get_item.observe(store, 1)
    without.set_options(skip=True)
    without.set_options(skip=False)
    assert bq.count == 2  # no refetch without the option
    holder.unsubscribe()
    obs.close()
    without.close()


@pytest.mark.looptime
async def test_refetch_on_focus_is_per_observer() -> None:
    api, store, bq = setup(delay=0)
    focused = api.endpoints.get_item.observe(store, 1, refetch_on_focus=True)
    plain = api.endpoints.get_item.observe(store, 2)
    await asyncio.sleep(1)
    store.dispatch(on_focus())
    await asyncio.sleep(1)
    assert bq.calls == [1, 2, 1]
    focused.set_options(refetch_on_focus=False)
    store.dispatch(on_focus())
    await asyncio.sleep(1)
    assert bq.calls == [1, 2, 1]
    focused.close()
    plain.close()


@pytest.mark.looptime
async def test_several_subscribers_and_a_selector_over_data() -> None:
    # TanStack: "should be able to handle multiple subscribers", "should run the
    # selector again if the data changed", "should not run the selector again if the
    # data did not change" (here: the selection is compared, callbacks do not run).
    api, store, _ = setup()
    calls: list[Any] = []

    def select(result: Any) -> Any:
        calls.append(result.data)
        return None if result.data is None else {"double": result.data * 2}

    obs = api.endpoints.get_item.observe(store, 3, select_from_result=select)
    first, second = Recorder(), Recorder()
    obs.subscribe(first)
    obs.subscribe(second)
    await asyncio.sleep(1)
    assert first.calls == second.calls == [{"double": 6}]
    await obs.refetch()
    assert first.calls == [{"double": 6}]  # same data: equal selection, no call
    store.dispatch(api.util.update_query_data("get_item", 3, lambda draft: 5))
    assert first.calls == second.calls == [{"double": 6}, {"double": 10}]
    assert calls[-1] == 5  # the selector ran on the new data
    obs.close()


@pytest.mark.looptime
async def test_a_dispatch_from_another_thread_reaches_the_observer() -> None:
    api, store, _ = setup()
    obs = api.endpoints.get_item.observe(store, 1)
    await asyncio.sleep(1)
    seen: list[Any] = []
    iterator = obs.changes()
    first = await iterator.__anext__()
    assert first.data == 1

    def write() -> None:
        store.dispatch(
            api.util.upsert_query_entries([{"endpoint_name": "get_item", "arg": 1, "value": 7}])
        )

    thread = threading.Thread(target=write)
    thread.start()
    thread.join()
    seen.append(await asyncio.wait_for(iterator.__anext__(), 5))
    assert seen[0].data == 7
    assert subscribers(store, api, "get_item(1)") == 1
    obs.close()


@pytest.mark.looptime
async def test_a_second_observer_refetching_a_failed_entry_does_not_reset_is_loading() -> None:
    # RTK: "Hook subscription failures do not reset isLoading state"
    api, store, bq = setup()
    bq.responder = lambda args: {"error": "always"}
    parent = api.endpoints.get_item.observe(store, 1)
    loading = [parent.result.is_loading]
    parent.subscribe(lambda result: loading.append(result.is_loading))
    await asyncio.sleep(1)
    child = api.endpoints.get_item.observe(store, 1)  # the failed entry is fetched again
    assert child.result.is_loading  # the child never showed anything
    await asyncio.sleep(1)
    assert bq.count == 2
    assert loading[0] is True and True not in loading[1:]  # never back to loading
    parent.close()
    child.close()
