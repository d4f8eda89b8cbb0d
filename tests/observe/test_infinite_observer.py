"""``observe`` on an infinite endpoint: pages and the six paging flags."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from rtkq import InfiniteQueryObserver, InfiniteQueryResult

from ._support import FakeBaseQuery, make_api, make_store


def _setup() -> tuple[Any, Any, FakeBaseQuery]:
    def respond(args: Any) -> Any:
        page = args["page"]
        if page == 99:
            return {"error": "no such page"}
        return {"data": [f"{args['q']}{page}"]}

    bq = FakeBaseQuery(responder=respond, delay=0.5)

    def endpoints(build: Any) -> Any:
        return {
            "items": build.infinite_query(
                query=lambda ctx: {"q": ctx.query_arg, "page": ctx.page_param},
                infinite_query_options={
                    "initial_page_param": 1,
                    "get_next_page_param": lambda last, pages, param, params, arg: (
                        param + 1 if param < 3 else None
                    ),
                    "get_previous_page_param": lambda first, pages, param, params, arg: (
                        param - 1 if param > 0 else None
                    ),
                },
            )
        }

    api = make_api(endpoints, base_query=bq)
    return api, make_store(api), bq


@pytest.mark.looptime
async def test_paging_flags_follow_the_requests() -> None:
    api, store, bq = _setup()
    obs = api.endpoints.items.observe(store, "a")
    assert isinstance(obs, InfiniteQueryObserver)
    assert isinstance(obs.result, InfiniteQueryResult) and obs.result.is_loading
    await asyncio.sleep(1)
    result = obs.result
    assert result.data == {"pages": [["a1"]], "page_params": [1]}
    assert (result.has_next_page, result.has_previous_page) == (True, True)
    handle = obs.fetch_next_page()
    assert obs.result.is_fetching_next_page and not obs.result.is_fetching_previous_page
    assert not obs.result.is_loading  # pages are on screen
    await handle
    assert obs.result.data["pages"] == [["a1"], ["a2"]]
    handle = obs.fetch_previous_page()
    assert obs.result.is_fetching_previous_page
    await handle
    assert obs.result.data["page_params"] == [0, 1, 2]
    assert obs.result.has_previous_page is False
    await obs.fetch_next_page()
    assert obs.result.has_next_page is False
    requests = bq.count
    await obs.fetch_next_page()  # no next page: no request
    assert bq.count == requests
    obs.close()


@pytest.mark.looptime
async def test_a_failed_page_sets_its_direction_flag() -> None:
    api, store, bq = _setup()
    obs = api.endpoints.items.observe(store, "b")
    await asyncio.sleep(1)
    bq.responder = lambda args: {"error": "down"}
    await obs.fetch_next_page()
    result = obs.result
    assert (result.is_fetch_next_page_error, result.is_fetch_previous_page_error) == (True, False)
    assert result.is_error and result.data == {"pages": [["b1"]], "page_params": [1]}
    obs.close()


@pytest.mark.looptime
async def test_paging_while_skipped_or_closed_is_refused() -> None:
    api, store, _ = _setup()
    obs = api.endpoints.items.observe(store, "c", skip=True)
    assert isinstance(obs.result, InfiniteQueryResult) and obs.result.has_next_page is False
    with pytest.raises(RuntimeError, match=r"fetch_next_page\(\) on an observer of 'items'"):
        obs.fetch_next_page()
    obs.close()
    with pytest.raises(RuntimeError, match="closed InfiniteQueryObserver"):
        obs.fetch_previous_page()
