"""Infinite queries (contract §7): paging both ways, max_pages, refetch, null params."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from rtkq import QueryStatus, Tag, configure_store, create_api, thaw
from rtkq._store._create_store import Store


class PageServer:
    """A fake base query serving pages of 3 numbers; counts and can fail pages."""

    def __init__(self, delay: float = 0.01) -> None:
        self.calls: list[Any] = []
        self.fail_params: set[Any] = set()
        self.delay = delay
        self.version = 0

    async def __call__(self, args: Any, api: Any, extra: Any) -> dict[str, Any]:
        self.calls.append(args)
        await asyncio.sleep(self.delay)
        if args in self.fail_params:
            return {"error": {"status": 500, "data": f"page {args} failed"}}
        return {"data": [args * 10 + i + self.version * 1000 for i in range(3)]}


def make_api(server: PageServer, **options: Any) -> Any:
    infinite_options: dict[str, Any] = {
        "initial_page_param": 0,
        "get_next_page_param": lambda last, pages, last_param, params, arg: (
            last_param + 1 if last_param < 5 else None
        ),
        "get_previous_page_param": lambda first, pages, first_param, params, arg: (
            first_param - 1 if first_param > -3 else None
        ),
        **options,
    }
    return create_api(
        base_query=server,
        tag_types=["Page"],
        endpoints=lambda build: {
            "numbers": build.infinite_query(
                query=lambda ctx: ctx.page_param,
                infinite_query_options=infinite_options,
                provides_tags=["Page"],
            ),
            "touch": build.mutation(query_fn=_ok, invalidates_tags=[Tag("Page")]),
        },
    )


async def _ok(arg: Any, api: Any, extra: Any, base_query: Any) -> dict[str, Any]:
    return {"data": arg}


def store_for(api: Any) -> Store:
    return configure_store({api.reducer_path: api.reducer}, middleware=[api.middleware])


def params_of(api: Any, store: Store, arg: Any = "a") -> list[Any]:
    data = api.endpoints.numbers.select(arg)(store.get_state()).data
    return list(data["page_params"])


@pytest.mark.looptime
async def test_first_load_fetches_the_initial_page() -> None:
    server = PageServer()
    api = make_api(server)
    store = store_for(api)
    state = await store.dispatch(api.endpoints.numbers.initiate("a"))
    assert state.status is QueryStatus.FULFILLED
    assert thaw(state.data) == {"pages": [[0, 1, 2]], "page_params": [0]}
    assert state.has_next_page and state.has_previous_page
    assert server.calls == [0]


@pytest.mark.looptime
async def test_initial_page_param_given_to_initiate_wins() -> None:
    server = PageServer()
    api = make_api(server)
    store = store_for(api)
    state = await store.dispatch(api.endpoints.numbers.initiate("a", initial_page_param=4))
    assert list(state.data["page_params"]) == [4]
    assert server.calls == [4]


@pytest.mark.looptime
async def test_paging_forward_and_backward() -> None:
    server = PageServer()
    api = make_api(server)
    store = store_for(api)
    handle = store.dispatch(api.endpoints.numbers.initiate("a"))
    await handle
    await handle.fetch_next_page()
    await handle.fetch_next_page()
    await handle.fetch_previous_page()
    assert params_of(api, store) == [-1, 0, 1, 2]
    data = api.endpoints.numbers.select("a")(store.get_state()).data
    assert list(data["pages"][0]) == [-10, -9, -8]
    assert server.calls == [0, 1, 2, -1]


@pytest.mark.looptime
async def test_none_param_means_no_request_and_no_error() -> None:
    server = PageServer()
    api = make_api(server)
    store = store_for(api)
    handle = store.dispatch(api.endpoints.numbers.initiate("a", initial_page_param=5))
    state = await handle
    assert not state.has_next_page
    calls = len(server.calls)
    state = await handle.fetch_next_page()
    assert len(server.calls) == calls
    assert state.status is QueryStatus.FULFILLED and state.error is None


@pytest.mark.looptime
async def test_zero_is_a_valid_param() -> None:
    server = PageServer()
    api = make_api(
        server,
        initial_page_param=-1,
        get_next_page_param=lambda last, pages, lp, lps, arg: lp + 1 if lp < 0 else None,
    )
    store = store_for(api)
    handle = store.dispatch(api.endpoints.numbers.initiate("a"))
    await handle
    await handle.fetch_next_page()
    assert params_of(api, store) == [-1, 0]
    assert server.calls == [-1, 0]


@pytest.mark.looptime
async def test_max_pages_trims_the_opposite_end() -> None:
    server = PageServer()
    api = make_api(server, max_pages=2)
    store = store_for(api)
    handle = store.dispatch(api.endpoints.numbers.initiate("a"))
    await handle
    await handle.fetch_next_page()
    await handle.fetch_next_page()
    assert params_of(api, store) == [1, 2]  # forward trims from the start
    await handle.fetch_previous_page()
    assert params_of(api, store) == [0, 1]  # backward trims from the end


@pytest.mark.looptime
async def test_concurrent_fetches_make_one_request() -> None:
    server = PageServer()
    api = make_api(server)
    store = store_for(api)
    handle = store.dispatch(api.endpoints.numbers.initiate("a"))
    await handle
    first = handle.fetch_next_page()
    state = api.endpoints.numbers.select("a")(store.get_state())
    assert state.is_fetching_next_page and not state.is_fetching_previous_page
    second = handle.fetch_next_page()
    third = handle.fetch_previous_page()
    await asyncio.gather(first, second, third)
    assert server.calls == [0, 1]
    assert params_of(api, store) == [0, 1]


@pytest.mark.looptime
async def test_initiate_without_direction_on_cached_entry_is_a_cache_hit() -> None:
    server = PageServer()
    api = make_api(server)
    store = store_for(api)
    handle = store.dispatch(api.endpoints.numbers.initiate("a"))
    await handle
    await handle.fetch_next_page()
    again = await store.dispatch(api.endpoints.numbers.initiate("a"))
    assert server.calls == [0, 1]
    assert list(again.data["page_params"]) == [0, 1]


@pytest.mark.looptime
async def test_refetch_refetches_every_cached_page_from_the_first_param() -> None:
    server = PageServer()
    api = make_api(server)
    store = store_for(api)
    handle = store.dispatch(api.endpoints.numbers.initiate("a"))
    await handle
    await handle.fetch_next_page()
    await handle.fetch_next_page()
    server.calls.clear()
    server.version = 1
    state = await handle.refetch()
    assert server.calls == [0, 1, 2]
    assert [list(page) for page in state.data["pages"]] == [
        [1000, 1001, 1002],
        [1010, 1011, 1012],
        [1020, 1021, 1022],
    ]


@pytest.mark.looptime
async def test_refetch_recomputes_params_and_stops_at_none() -> None:
    server = PageServer()
    limit = {"value": 5}
    api = make_api(
        server,
        get_next_page_param=lambda last, pages, lp, lps, arg: (
            lp + 1 if lp < limit["value"] else None
        ),
    )
    store = store_for(api)
    handle = store.dispatch(api.endpoints.numbers.initiate("a"))
    await handle
    await handle.fetch_next_page()
    await handle.fetch_next_page()
    limit["value"] = 1  # the server now has fewer pages
    server.calls.clear()
    await handle.refetch()
    assert server.calls == [0, 1]
    assert params_of(api, store) == [0, 1]


@pytest.mark.looptime
async def test_refetch_cached_pages_false_keeps_only_the_first_page() -> None:
    server = PageServer()
    api = make_api(server, refetch_cached_pages=False)
    store = store_for(api)
    handle = store.dispatch(api.endpoints.numbers.initiate("a"))
    await handle
    await handle.fetch_next_page()
    server.calls.clear()
    await handle.refetch()
    assert server.calls == [0]
    assert params_of(api, store) == [0]


@pytest.mark.looptime
async def test_invalidation_refetches_all_pages() -> None:
    server = PageServer()
    api = make_api(server)
    store = store_for(api)
    handle = store.dispatch(api.endpoints.numbers.initiate("a"))
    await handle
    await handle.fetch_next_page()
    server.calls.clear()
    await store.dispatch(api.endpoints.touch.initiate(1))
    await asyncio.sleep(1)
    assert server.calls == [0, 1]


@pytest.mark.looptime
async def test_a_failed_page_keeps_the_pages_and_flags_the_direction() -> None:
    server = PageServer()
    api = make_api(server)
    store = store_for(api)
    handle = store.dispatch(api.endpoints.numbers.initiate("a"))
    await handle
    server.fail_params.add(1)
    state = await handle.fetch_next_page()
    assert state.status is QueryStatus.REJECTED
    assert state.is_fetch_next_page_error and not state.is_fetch_previous_page_error
    assert thaw(state.error) == {"status": 500, "data": "page 1 failed"}
    assert list(state.data["page_params"]) == [0]
    server.fail_params.add(-1)
    state = await handle.fetch_previous_page()
    assert state.is_fetch_previous_page_error


@pytest.mark.looptime
async def test_transform_response_runs_per_page_and_lifecycle_sees_whole_data() -> None:
    server = PageServer()
    seen: list[Any] = []

    async def on_query_started(arg: Any, ctx: Any) -> None:
        result = await ctx.query_fulfilled
        seen.append(thaw(result["data"]))

    api = create_api(
        base_query=server,
        endpoints=lambda build: {
            "numbers": build.infinite_query(
                query=lambda ctx: ctx.page_param,
                transform_response=lambda data, meta, arg: {"items": data},
                on_query_started=on_query_started,
                infinite_query_options={
                    "initial_page_param": 0,
                    "get_next_page_param": lambda last, pages, lp, lps, arg: lp + 1,
                },
            )
        },
    )
    store = store_for(api)
    handle = store.dispatch(api.endpoints.numbers.initiate("a"))
    await handle
    await handle.fetch_next_page()
    await asyncio.sleep(0)
    assert seen[-1] == {
        "pages": [{"items": [0, 1, 2]}, {"items": [10, 11, 12]}],
        "page_params": [0, 1],
    }


@pytest.mark.looptime
async def test_query_fn_gets_the_page_context() -> None:
    received: list[tuple[Any, Any]] = []

    async def query_fn(ctx: Any, api: Any, extra: Any, base_query: Any) -> dict[str, Any]:
        received.append((ctx.query_arg, ctx.page_param))
        return {"data": [ctx.page_param]}

    api = create_api(
        endpoints=lambda build: {
            "numbers": build.infinite_query(
                query_fn=query_fn,
                infinite_query_options={
                    "initial_page_param": "p0",
                    "get_next_page_param": lambda last, pages, lp, lps, arg: "p1",
                },
            )
        }
    )
    store = store_for(api)
    handle = store.dispatch(api.endpoints.numbers.initiate({"q": "x"}))
    await handle
    await handle.fetch_next_page()
    assert received == [({"q": "x"}, "p0"), ({"q": "x"}, "p1")]


@pytest.mark.looptime
async def test_update_query_data_works_on_pages() -> None:
    server = PageServer()
    api = make_api(server)
    store = store_for(api)
    await store.dispatch(api.endpoints.numbers.initiate("a"))

    def recipe(draft: Any) -> None:
        draft["pages"][0][1] = 99

    patches = store.dispatch(api.util.update_query_data("numbers", "a", recipe))
    data = api.endpoints.numbers.select("a")(store.get_state()).data
    assert list(data["pages"][0]) == [0, 99, 2]
    patches.undo()
    data = api.endpoints.numbers.select("a")(store.get_state()).data
    assert list(data["pages"][0]) == [0, 1, 2]


async def test_fetch_page_on_a_plain_query_is_an_attribute_error() -> None:
    # Only infinite handles have the paging methods (so type checkers reject the call).
    api = create_api(endpoints=lambda build: {"plain": build.query(query_fn=_ok)})
    store = store_for(api)
    handle = store.dispatch(api.endpoints.plain.initiate(1))
    await handle
    with pytest.raises(AttributeError, match="only for infinite query endpoints; 'plain'"):
        handle.fetch_next_page()
    with pytest.raises(AttributeError, match="fetch_previous_page"):
        handle.fetch_previous_page()
    with pytest.raises(AttributeError, match="no attribute 'other'"):
        handle.other  # noqa: B018


def _infinite(**options: Any) -> Any:
    return lambda build: {"n": build.infinite_query(query=lambda ctx: 1, **options)}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, "initial_page_param"),
        ({"initial_page_param": 0}, "get_next_page_param"),
        (
            {
                "initial_page_param": 0,
                "get_next_page_param": lambda *a: None,
                "get_previous_page_param": lambda *a: None,
                "max_pages": 0,
            },
            "max_pages of endpoint 'n' must be an int >= 1",
        ),
        (
            {"initial_page_param": 0, "get_next_page_param": lambda *a: None, "max_pages": 3},
            "needs get_previous_page_param",
        ),
        ({"initial_page_param": 0, "get_next_page_param": lambda *a: None, "pages": 1}, "Unknown"),
    ],
)
def test_bad_infinite_options_are_value_errors(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        create_api(base_query=_ok, endpoints=_infinite(infinite_query_options=options))


def test_bad_direction_is_a_value_error() -> None:
    api = make_api(PageServer())
    with pytest.raises(ValueError, match="direction must be None, 'forward' or 'backward'"):
        api.endpoints.numbers.initiate("a", direction="sideways")
