"""Paging flags of infinite entries written without a request (contract §12).

``upsert_query_entries``, ``upsert_query_data`` and ``hydrate`` derive
``has_next_page`` / ``has_previous_page`` from the pages and params they write, with the
endpoint's page-param functions, exactly as a fetch does.
"""

from __future__ import annotations

from typing import Any

import pytest

from rtkq import thaw
from rtkq.persist import dehydrate

from .test_infinite import PageServer, make_api, store_for


def _pages(*params: int) -> dict[str, Any]:
    return {"pages": [[p * 10] for p in params], "page_params": list(params)}


def _flags(api: Any, store: Any, arg: Any = "a") -> tuple[bool, bool]:
    state = api.endpoints.numbers.select(arg)(store.get_state())
    return state.has_next_page, state.has_previous_page


@pytest.mark.parametrize(
    ("params", "flags"),
    [((0,), (True, True)), ((4, 5), (False, True)), ((-3, -2), (True, False))],
)
async def test_upsert_query_entries_derives_the_flags(
    params: tuple[int, ...], flags: tuple[bool, bool]
) -> None:
    api = make_api(PageServer())
    store = store_for(api)
    store.dispatch(
        api.util.upsert_query_entries(
            [{"endpoint_name": "numbers", "arg": "a", "value": _pages(*params)}]
        )
    )
    assert _flags(api, store) == flags


async def test_upsert_query_data_derives_the_flags_and_paging_goes_on_from_there() -> None:
    server = PageServer(delay=0)
    api = make_api(server)
    store = store_for(api)
    await store.dispatch(api.util.upsert_query_data("numbers", "a", _pages(3, 4)))
    assert _flags(api, store) == (True, True)
    handle = store.dispatch(api.endpoints.numbers.initiate("a"))  # a cache hit
    assert server.calls == []
    await handle.fetch_next_page()
    assert server.calls == [5]
    assert _flags(api, store) == (False, True)


async def test_an_upsert_over_a_fetched_entry_recomputes_the_flags() -> None:
    api = make_api(PageServer(delay=0))
    store = store_for(api)
    await store.dispatch(api.endpoints.numbers.initiate("a"))
    assert _flags(api, store) == (True, True)
    await store.dispatch(api.util.upsert_query_data("numbers", "a", _pages(5)))
    assert _flags(api, store) == (False, True)


async def test_hydrate_derives_the_flags_like_the_fetch_did() -> None:
    api = make_api(PageServer(delay=0))
    store = store_for(api)
    handle = store.dispatch(api.endpoints.numbers.initiate("a"))
    await handle
    for _ in range(5):
        await handle.fetch_next_page()
    fetched = _flags(api, store)
    assert fetched == (False, True)
    snapshot = dehydrate(store.get_state(), api)

    restarted_api = make_api(PageServer())
    restarted = store_for(restarted_api)
    restarted.dispatch(restarted_api.util.hydrate(snapshot))
    assert _flags(restarted_api, restarted) == fetched
    data = restarted_api.endpoints.numbers.select("a")(restarted.get_state()).data
    assert thaw(data["page_params"]) == [0, 1, 2, 3, 4, 5]


async def test_hydrate_into_a_used_store_derives_the_flags_too() -> None:
    api = make_api(PageServer(delay=0))
    store = store_for(api)
    store.dispatch(
        api.util.upsert_query_entries(
            [{"endpoint_name": "numbers", "arg": arg, "value": _pages(0)} for arg in "ab"]
        )
    )
    snapshot = dehydrate(store.get_state(), api)
    [item] = [item for item in snapshot["queries"] if item["original_args"] == "a"]
    item["data"] = _pages(4, 5)
    item["fulfilled_at"] += 1  # newer than what the restarted store writes: written
    restarted_api = make_api(PageServer())
    restarted = store_for(restarted_api)
    restarted.dispatch(
        restarted_api.util.upsert_query_entries(
            [{"endpoint_name": "numbers", "arg": "a", "value": _pages(1)}]
        )
    )
    restarted.dispatch(restarted_api.util.hydrate(snapshot))
    assert _flags(restarted_api, restarted, "b") == (True, True)
    entry = restarted_api.endpoints.numbers.select("a")(restarted.get_state())
    assert thaw(entry.data["page_params"]) == [4, 5]
    assert (entry.has_next_page, entry.has_previous_page) == (False, True)


def test_an_infinite_value_without_pages_and_params_is_refused() -> None:
    api = make_api(PageServer())
    with pytest.raises(TypeError, match=r"numbers\(\"a\"\).*'pages': \[\.\.\.\], 'page_params'"):
        api.util.upsert_query_entries([{"endpoint_name": "numbers", "arg": "a", "value": [1]}])
    with pytest.raises(TypeError, match="got 2 pages and 1 page_params; give one param per page"):
        api.util.upsert_query_entries(
            [
                {
                    "endpoint_name": "numbers",
                    "arg": "a",
                    "value": {"pages": [[1], [2]], "page_params": [0]},
                }
            ]
        )


def test_hydrate_refuses_infinite_data_it_cannot_page_from() -> None:
    api = make_api(PageServer())
    item = {
        "query_cache_key": 'numbers("a")',
        "endpoint_name": "numbers",
        "original_args": "a",
        "data": {"pages": [[1]], "page_params": ["not a number"]},
        "fulfilled_at": 1e12,
        "provided_tags": [],
    }
    snapshot = {"version": 1, "buster": "", "queries": [item], "mutations": []}
    with pytest.raises(ValueError, match=r"queries\[0\] has pages that endpoint 'numbers'"):
        api.util.hydrate(snapshot, max_age=float("inf"))
    item["data"] = {"pages": [[1]]}
    with pytest.raises(ValueError, match=r"queries\[0\] has unusable data: .*'page_params'"):
        api.util.hydrate(snapshot, max_age=float("inf"))
