"""``on_cache_entry_added``: cache_data_loaded, cache_entry_removed, ending and cleanup.

Ported behaviours: RTK Query's cacheLifecycle tests (queries and mutations), plus the
rtkq ending rule (a hook still running CLEANUP_GRACE seconds after removal is cancelled)
and a leak check over ``asyncio.all_tasks()``.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from rtkq import MutationState, QueryStatus
from rtkq._query._lifecycle import CLEANUP_GRACE, CacheEntryRemovedError

from ._support import FakeBaseQuery, make_api, make_store, turns

KEEP = 60.0


def responder(args: Any) -> Any:
    if args == "error":
        return {"error": {"status": 500, "data": "boom"}}
    return {"data": {"value": args}, "meta": {"arg": args}}


def build_api(kind: str, hook: Any, **options: Any) -> Any:
    def endpoints(build: Any) -> dict[str, Any]:
        maker = build.query if kind == "query" else build.mutation
        return {"injected": maker(query=lambda arg: arg, on_cache_entry_added=hook)}

    return make_api(endpoints, base_query=FakeBaseQuery(responder, delay=0.01), **options)


async def release(kind: str, handle: Any) -> None:
    """Make the entry go away: reset a mutation, or unsubscribe a query and let GC run."""
    if kind == "mutation":
        handle.reset()
        await turns()
    else:
        handle.unsubscribe()
        await asyncio.sleep(KEEP - 1)


both = pytest.mark.parametrize("kind", ["query", "mutation"])


@both
async def test_hook_runs_once_for_a_new_entry_with_its_arg(kind: str) -> None:
    calls: list[Any] = []
    api = build_api(kind, lambda arg, ctx: calls.append(arg))
    store = make_store(api)
    handle = store.dispatch(api.endpoints.injected.initiate("arg"))
    assert calls == []  # hooks are tasks: they start on the next loop turn ...
    await asyncio.sleep(0)
    assert calls == ["arg"]
    await handle
    assert calls == ["arg"]


@both
@pytest.mark.looptime
async def test_cache_entry_removed_resolves_on_removal(kind: str) -> None:
    events: list[str] = []

    async def hook(arg: Any, ctx: Any) -> None:
        events.append("added")
        await ctx.cache_entry_removed
        events.append("cleanup")

    api = build_api(kind, hook)
    store = make_store(api)
    handle = store.dispatch(api.endpoints.injected.initiate("arg"))
    await handle
    await release(kind, handle)
    if kind == "query":
        assert events == ["added"]  # not before keep_unused_data_for
        await asyncio.sleep(2)
    assert events == ["added", "cleanup"]


@both
@pytest.mark.looptime
async def test_cache_data_loaded_gives_first_data_and_meta(kind: str) -> None:
    seen: list[Any] = []

    async def hook(arg: Any, ctx: Any) -> None:
        seen.append(await ctx.cache_data_loaded)
        await ctx.cache_entry_removed
        seen.append("cleanup")

    api = build_api(kind, hook)
    store = make_store(api)
    handle = store.dispatch(api.endpoints.injected.initiate("arg"))
    await turns()
    assert seen == []
    await handle
    await turns()
    assert seen == [{"data": {"value": "arg"}, "meta": {"arg": "arg"}}]
    await release(kind, handle)
    await asyncio.sleep(2)
    assert seen[-1] == "cleanup"


@both
@pytest.mark.looptime
async def test_cache_data_loaded_raises_when_removed_before_data(kind: str) -> None:
    caught: list[BaseException] = []
    cleanup: list[str] = []

    async def hook(arg: Any, ctx: Any) -> None:
        try:
            await ctx.cache_data_loaded
        except CacheEntryRemovedError as exc:
            caught.append(exc)
        finally:
            await ctx.cache_entry_removed
            cleanup.append("done")

    api = build_api(kind, hook)
    store = make_store(api)
    handle = store.dispatch(api.endpoints.injected.initiate("error"))
    await handle
    assert caught == []
    await release(kind, handle)
    await asyncio.sleep(2)
    assert len(caught) == 1 and "removed before data loaded" in str(caught[0])
    assert cleanup == ["done"]


@both
@pytest.mark.looptime
async def test_unhandled_removal_before_data_ends_the_hook_quietly(kind: str) -> None:
    events: list[str] = []

    async def hook(arg: Any, ctx: Any) -> None:
        events.append("added")
        await ctx.cache_data_loaded  # raises CacheEntryRemovedError: an expected ending
        events.append("never")

    api = build_api(kind, hook)
    store = make_store(api)
    handle = store.dispatch(api.endpoints.injected.initiate("error"))
    await handle
    await release(kind, handle)
    await asyncio.sleep(2)
    assert events == ["added"]  # and no warning (warnings are errors here)


@pytest.mark.looptime
async def test_query_get_cache_entry_through_the_lifecycle() -> None:
    snapshots: list[Any] = []

    async def hook(arg: Any, ctx: Any) -> None:
        snapshots.append(ctx.get_cache_entry())
        await ctx.cache_data_loaded
        snapshots.append(ctx.get_cache_entry())
        await ctx.cache_entry_removed
        snapshots.append(ctx.get_cache_entry())

    api = build_api("query", hook)
    store = make_store(api)
    handle = store.dispatch(api.endpoints.injected.initiate("arg"))
    await handle
    handle.unsubscribe()
    await asyncio.sleep(KEEP + 1)
    first, loaded, removed = snapshots
    assert first.status is QueryStatus.PENDING and first.is_loading
    assert first.request_id == handle.request_id and first.original_args == "arg"
    assert loaded.status is QueryStatus.FULFILLED and loaded.data == {"value": "arg"}
    assert loaded.fulfilled_at is not None
    assert removed.status is QueryStatus.UNINITIALIZED and removed.data is None


@pytest.mark.looptime
async def test_mutation_get_cache_entry_through_the_lifecycle() -> None:
    snapshots: list[Any] = []

    async def hook(arg: Any, ctx: Any) -> None:
        snapshots.append(ctx.get_cache_entry())
        await ctx.cache_data_loaded
        snapshots.append(ctx.get_cache_entry())
        await ctx.cache_entry_removed
        snapshots.append(ctx.get_cache_entry())

    api = build_api("mutation", hook)
    store = make_store(api)
    handle = store.dispatch(api.endpoints.injected.initiate("arg"))
    await handle
    await turns()
    handle.reset()
    await turns()
    first, loaded, removed = snapshots
    assert isinstance(first, MutationState) and first.status is QueryStatus.PENDING
    assert loaded.status is QueryStatus.FULFILLED and loaded.data == {"value": "arg"}
    assert removed.status is QueryStatus.UNINITIALIZED


@pytest.mark.looptime
async def test_query_update_cached_data_only_acts_while_there_is_data() -> None:
    calls: list[str] = []
    checks: list[Any] = []

    def recipe(draft: Any) -> None:
        calls.append("ran")
        draft["value"] = "TEST"

    async def hook(arg: Any, ctx: Any) -> None:
        patches = ctx.update_cached_data(recipe)  # pending, no data yet: nothing happens
        checks.append((patches.patches, ctx.get_cache_entry().data, list(calls)))
        await ctx.cache_data_loaded
        ctx.update_cached_data(recipe)
        checks.append(ctx.get_cache_entry().data)
        await ctx.cache_entry_removed
        ctx.update_cached_data(recipe)  # gone: nothing happens
        checks.append((ctx.get_cache_entry().data, len(calls)))

    api = build_api("query", hook)
    store = make_store(api)
    handle = store.dispatch(api.endpoints.injected.initiate("arg"))
    await handle
    await turns()
    assert api.endpoints.injected.select("arg")(store.get_state()).data == {"value": "TEST"}
    handle.unsubscribe()
    await asyncio.sleep(KEEP + 1)
    assert checks == [([], None, []), {"value": "TEST"}, (None, 1)]


async def test_mutation_cache_lifecycle_has_no_update_cached_data() -> None:
    errors: list[str] = []

    async def hook(arg: Any, ctx: Any) -> None:
        with pytest.raises(RuntimeError, match="only for query cache lifecycles") as info:
            ctx.update_cached_data(lambda draft: None)
        errors.append(str(info.value))

    api = build_api("mutation", hook)
    store = make_store(api)
    await store.dispatch(api.endpoints.injected.initiate("arg"))
    await turns()
    assert len(errors) == 1


async def test_further_initiates_and_refetches_do_not_start_another_lifecycle() -> None:
    calls: list[Any] = []
    api = build_api("query", lambda arg, ctx: calls.append(arg))
    store = make_store(api)
    await store.dispatch(api.endpoints.injected.initiate("a"))
    await store.dispatch(api.endpoints.injected.initiate("a"))
    await store.dispatch(api.endpoints.injected.initiate("a", force_refetch=True))
    assert calls == ["a"]


async def test_subscribe_false_also_starts_a_lifecycle_once() -> None:
    calls: list[Any] = []
    api = build_api("query", lambda arg, ctx: calls.append(arg))
    store = make_store(api)
    await store.dispatch(api.endpoints.injected.initiate("a", subscribe=False))
    assert calls == ["a"]
    await store.dispatch(api.endpoints.injected.initiate("a"))
    assert calls == ["a"]


async def test_untracked_mutation_starts_no_lifecycle() -> None:
    calls: list[Any] = []
    api = build_api("mutation", lambda arg, ctx: calls.append(arg))
    store = make_store(api)
    await store.dispatch(api.endpoints.injected.initiate("a", track=False))
    assert calls == []
    await store.dispatch(api.endpoints.injected.initiate("b"))
    assert calls == ["b"]


async def test_fixed_cache_key_mutation_ends_the_previous_lifecycle() -> None:
    events: list[Any] = []

    async def hook(arg: Any, ctx: Any) -> None:
        events.append(("added", arg, ctx.request_id))
        data = await ctx.cache_data_loaded
        events.append(("loaded", arg, data["data"]))
        await ctx.cache_entry_removed
        events.append(("removed", arg))

    api = build_api("mutation", hook)
    store = make_store(api)
    first = store.dispatch(api.endpoints.injected.initiate("a", fixed_cache_key="shared"))
    await first
    second = store.dispatch(api.endpoints.injected.initiate("b", fixed_cache_key="shared"))
    await second
    await turns()
    assert events == [
        ("added", "a", first.request_id),
        ("loaded", "a", {"value": "a"}),
        ("removed", "a"),
        ("added", "b", second.request_id),
        ("loaded", "b", {"value": "b"}),
    ]
    second.reset()
    await turns()
    assert events[-1] == ("removed", "b")


@both
@pytest.mark.looptime
async def test_reset_api_state_removes_every_entry(kind: str) -> None:
    events: list[str] = []

    async def hook(arg: Any, ctx: Any) -> None:
        await ctx.cache_entry_removed
        events.append(f"removed {arg}")

    api = build_api(kind, hook)
    store = make_store(api)
    await store.dispatch(api.endpoints.injected.initiate("a"))
    await store.dispatch(api.endpoints.injected.initiate("b"))
    store.dispatch(api.util.reset_api_state())
    await turns()
    assert sorted(events) == ["removed a", "removed b"]


@pytest.mark.looptime
async def test_a_hook_still_running_after_the_grace_period_is_cancelled() -> None:
    events: list[str] = []

    async def hook(arg: Any, ctx: Any) -> None:
        try:
            while True:  # a stream that never ends by itself
                await asyncio.sleep(0.1)
        finally:
            events.append("finally")

    api = build_api("query", hook)
    store = make_store(api)
    handle = store.dispatch(api.endpoints.injected.initiate("arg"))
    await handle
    handle.unsubscribe()
    await asyncio.sleep(KEEP + CLEANUP_GRACE / 2)  # removed; grace not over yet
    assert events == []
    await asyncio.sleep(CLEANUP_GRACE)
    assert events == ["finally"]


@pytest.mark.looptime
async def test_cleanup_after_removal_gets_its_grace_period() -> None:
    events: list[str] = []

    async def hook(arg: Any, ctx: Any) -> None:
        await ctx.cache_entry_removed
        await asyncio.sleep(CLEANUP_GRACE / 2)  # e.g. closing a socket
        events.append("closed")

    api = build_api("query", hook)
    store = make_store(api)
    await store.dispatch(api.endpoints.injected.initiate("arg", subscribe=False))
    await asyncio.sleep(KEEP + 2 * CLEANUP_GRACE)
    assert events == ["closed"]


@pytest.mark.looptime
async def test_an_exception_in_the_hook_is_a_warning_and_the_store_keeps_working() -> None:
    async def hook(arg: Any, ctx: Any) -> None:
        await ctx.cache_data_loaded
        raise ValueError("socket exploded")

    api = build_api("query", hook)
    store = make_store(api)
    with pytest.warns(
        RuntimeWarning,
        match=r"on_cache_entry_added of 'injected' raised "
        r"ValueError: socket exploded",
    ):
        state = await store.dispatch(api.endpoints.injected.initiate("arg"))
        await turns()
    assert state.data == {"value": "arg"}
    # The next entry's hook raises too: its warning is expected (outside pytest.warns it
    # would end that hook's task with an error nobody retrieves).
    with pytest.warns(RuntimeWarning, match="socket exploded"):
        again = await store.dispatch(api.endpoints.injected.initiate("other"))
        await turns()
    assert again.data == {"value": "other"}


@pytest.mark.looptime
async def test_nothing_leaks_after_reset_and_unsubscribing_everything() -> None:
    async def cache_hook(arg: Any, ctx: Any) -> None:
        while True:
            await asyncio.sleep(1)

    async def started(arg: Any, ctx: Any) -> None:
        await asyncio.sleep(10_000)

    def endpoints(build: Any) -> dict[str, Any]:
        return {
            "get": build.query(
                query=lambda arg: arg, on_cache_entry_added=cache_hook, on_query_started=started
            ),
            "put": build.mutation(
                query=lambda arg: arg, on_cache_entry_added=cache_hook, on_query_started=started
            ),
        }

    api = make_api(endpoints, base_query=FakeBaseQuery(responder, delay=5))
    store = make_store(api)
    baseline = asyncio.all_tasks()
    handles = [store.dispatch(api.endpoints.get.initiate(i)) for i in range(3)]
    store.dispatch(api.endpoints.put.initiate("m"))
    store.dispatch(api.endpoints.get.initiate(1, subscribe=False))
    await asyncio.sleep(1)  # requests still in flight
    assert len(asyncio.all_tasks() - baseline) > 0
    for handle in handles:
        handle.unsubscribe()
    store.dispatch(api.util.reset_api_state())
    await asyncio.sleep(CLEANUP_GRACE + 0.5)
    assert asyncio.all_tasks() - baseline == set()
    assert dict(store.get_state()[api.reducer_path]["queries"]) == {}
