"""``on_query_started``: query_fulfilled, get_cache_entry, update_cached_data, errors.

Ported behaviours: RTK Query's queryLifecycle tests (queries and mutations), plus
de-duplication, warnings for hook exceptions and ``ctx.optimistic`` misuse.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from rtkq import MutationState, QueryError, QueryStatus

from ._support import FakeBaseQuery, make_api, make_store, turns


def responder(args: Any) -> Any:
    if args == "error":
        return {"error": {"status": 500, "data": "boom"}, "meta": "error-meta"}
    if args == "raise":
        raise RuntimeError("network down")
    return {"data": {"value": args}, "meta": "meta"}


def build_api(kind: str, hook: Any) -> Any:
    def endpoints(build: Any) -> dict[str, Any]:
        maker = build.query if kind == "query" else build.mutation
        return {"injected": maker(query=lambda arg: arg, on_query_started=hook)}

    return make_api(endpoints, base_query=FakeBaseQuery(responder, delay=0.01))


both = pytest.mark.parametrize("kind", ["query", "mutation"])


@both
async def test_on_start_only(kind: str) -> None:
    started: list[Any] = []
    api = build_api(kind, lambda arg, ctx: started.append((arg, ctx.request_id)))
    store = make_store(api)
    handle = store.dispatch(api.endpoints.injected.initiate("arg"))
    await handle
    assert started == [("arg", handle.request_id)]


@both
async def test_query_fulfilled_resolves_data_and_meta(kind: str) -> None:
    results: list[Any] = []

    async def hook(arg: Any, ctx: Any) -> None:
        results.append("start")
        try:
            results.append(await ctx.query_fulfilled)
        except QueryError as exc:  # pragma: no cover - must not happen here
            results.append(exc)

    api = build_api(kind, hook)
    store = make_store(api)
    await store.dispatch(api.endpoints.injected.initiate("arg"))
    await turns()
    assert results == ["start", {"data": {"value": "arg"}, "meta": "meta"}]


@both
@pytest.mark.parametrize(
    ("arg", "error", "meta"),
    [
        ("error", {"status": 500, "data": "boom"}, "error-meta"),
        ("raise", {"name": "RuntimeError", "message": "network down"}, None),
    ],
)
async def test_query_fulfilled_raises_query_error(
    kind: str, arg: str, error: Any, meta: Any
) -> None:
    caught: list[QueryError] = []

    async def hook(arg: Any, ctx: Any) -> None:
        try:
            await ctx.query_fulfilled
        except QueryError as exc:
            caught.append(exc)

    api = build_api(kind, hook)
    store = make_store(api)
    await store.dispatch(api.endpoints.injected.initiate(arg))
    await turns()
    assert len(caught) == 1
    assert caught[0].error == error and caught[0].meta == meta


@both
async def test_an_unhandled_query_error_in_the_hook_is_not_reported(kind: str) -> None:
    ended: list[str] = []

    async def hook(arg: Any, ctx: Any) -> None:
        ended.append("start")
        await ctx.query_fulfilled  # raises QueryError: an expected ending, no warning
        ended.append("never")

    api = build_api(kind, hook)
    store = make_store(api)
    await store.dispatch(api.endpoints.injected.initiate("error"))
    await turns()
    assert ended == ["start"]


async def test_de_duplicated_initiates_do_not_start_the_hook_again() -> None:
    started: list[Any] = []
    api = build_api("query", lambda arg, ctx: started.append(arg))
    store = make_store(api)
    first = store.dispatch(api.endpoints.injected.initiate("a"))
    second = store.dispatch(api.endpoints.injected.initiate("a"))
    await asyncio.gather(first, second)
    await store.dispatch(api.endpoints.injected.initiate("a"))  # cache hit
    assert started == ["a"]
    await store.dispatch(api.endpoints.injected.initiate("a", force_refetch=True))
    assert started == ["a", "a"]


@pytest.mark.parametrize("arg", ["arg", "error"])
async def test_query_get_cache_entry(arg: str) -> None:
    snapshots: list[Any] = []

    async def hook(arg: Any, ctx: Any) -> None:
        snapshots.append(ctx.get_cache_entry())
        try:
            await ctx.query_fulfilled
        finally:
            snapshots.append(ctx.get_cache_entry())

    api = build_api("query", hook)
    store = make_store(api)
    handle = store.dispatch(api.endpoints.injected.initiate(arg))
    await handle
    await turns()
    before, after = snapshots
    assert before.status is QueryStatus.PENDING and before.request_id == handle.request_id
    assert before.original_args == arg and before.endpoint_name == "injected"
    if arg == "error":
        assert after.is_error and after.error == {"status": 500, "data": "boom"}
    else:
        assert after.is_success and after.data == {"value": "arg"}


@pytest.mark.parametrize("arg", ["arg", "error"])
async def test_mutation_get_cache_entry(arg: str) -> None:
    snapshots: list[Any] = []

    async def hook(arg: Any, ctx: Any) -> None:
        snapshots.append(ctx.get_cache_entry())
        try:
            await ctx.query_fulfilled
        finally:
            snapshots.append(ctx.get_cache_entry())

    api = build_api("mutation", hook)
    store = make_store(api)
    handle = store.dispatch(api.endpoints.injected.initiate(arg))
    await handle
    await turns()
    before, after = snapshots
    assert isinstance(before, MutationState) and before.status is QueryStatus.PENDING
    assert before.request_id == handle.request_id
    if arg == "error":
        assert after.status is QueryStatus.REJECTED
    else:
        assert after.status is QueryStatus.FULFILLED and after.data == {"value": "arg"}


async def test_query_update_cached_data() -> None:
    seen: list[Any] = []

    async def hook(arg: Any, ctx: Any) -> None:
        # pending, no data yet: the recipe does not even run
        empty = ctx.update_cached_data(lambda draft: seen.append("ran too early"))
        seen.append(empty.patches)
        await ctx.query_fulfilled
        patches = ctx.update_cached_data(lambda draft: draft.__setitem__("value", "TEST"))
        seen.append(patches.patches)
        seen.append(ctx.get_cache_entry().data)

    api = build_api("query", hook)
    store = make_store(api)
    await store.dispatch(api.endpoints.injected.initiate("arg"))
    await turns()
    assert seen == [[], [{"op": "replace", "path": ["value"], "value": "TEST"}], {"value": "TEST"}]
    state = api.endpoints.injected.select("arg")(store.get_state())
    assert state.data == {"value": "TEST"}


async def test_mutation_ctx_has_no_update_cached_data() -> None:
    errors: list[str] = []

    async def hook(arg: Any, ctx: Any) -> None:
        with pytest.raises(RuntimeError, match="only for query lifecycles"):
            ctx.update_cached_data(lambda draft: None)
        errors.append("checked")

    api = build_api("mutation", hook)
    store = make_store(api)
    await store.dispatch(api.endpoints.injected.initiate("arg"))
    await turns()
    assert errors == ["checked"]


async def test_optimistic_from_a_query_lifecycle_is_a_runtime_error() -> None:
    checked: list[str] = []

    async def hook(arg: Any, ctx: Any) -> None:
        with pytest.raises(RuntimeError, match="only mutations have optimistic layers"):
            ctx.optimistic("injected", arg, lambda draft: None)
        checked.append("yes")

    api = build_api("query", hook)
    store = make_store(api)
    await store.dispatch(api.endpoints.injected.initiate("arg"))
    await turns()
    assert checked == ["yes"]


async def test_optimistic_misuse_uncaught_is_reported_as_a_warning() -> None:
    async def hook(arg: Any, ctx: Any) -> None:
        ctx.optimistic("injected", arg, lambda draft: None)

    api = build_api("query", hook)
    store = make_store(api)
    with pytest.warns(RuntimeWarning, match="RuntimeError: ctx.optimistic is only available"):
        state = await store.dispatch(api.endpoints.injected.initiate("arg"))
        await turns()
    assert state.data == {"value": "arg"}


@both
async def test_exceptions_in_hooks_warn_and_never_break_the_request(kind: str) -> None:
    def sync_hook(arg: Any, ctx: Any) -> None:
        raise KeyError("missing")

    api = build_api(kind, sync_hook)
    store = make_store(api)
    with pytest.warns(RuntimeWarning, match=r"on_query_started of 'injected' raised KeyError"):
        handle = store.dispatch(api.endpoints.injected.initiate("arg"))
        await turns()
    result = await handle
    data = result.data if kind == "query" else result["data"]
    assert data == {"value": "arg"}


async def test_hook_sees_extra_dispatch_and_state() -> None:
    seen: list[Any] = []

    async def hook(arg: Any, ctx: Any) -> None:
        seen.append(ctx.extra)
        seen.append(ctx.get_state()["api"]["queries"][ctx.query_cache_key].status)
        seen.append(ctx.dispatch(lambda dispatch, get_state, extra: extra))

    api = build_api("query", hook)
    store = make_store(api, extra_argument="EXTRA")
    await store.dispatch(api.endpoints.injected.initiate("arg"))
    assert seen == ["EXTRA", QueryStatus.PENDING, "EXTRA"]
