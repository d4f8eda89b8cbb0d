"""Infinite queries: adding one page to an entry of n pages, and trimming to max_pages.

Pages hold 100 items each; the page source answers at once, so the figures are rtkq's
own cost per page (fetch bookkeeping, freezing the new page, appending it to the frozen
``pages``/``page_params`` vectors, the reducer). Target: adding a page costs the same at
page 10 and at page 1,000 (within 2x).
"""

from __future__ import annotations

import asyncio
from typing import Any

from benchmarks._harness import Row, measure
from rtkq import configure_store, create_api

OPS = 20
ITEMS = 100


async def _page(ctx: Any, api: Any, extra: Any, base_query: Any) -> dict[str, Any]:
    start = ctx.page_param * ITEMS
    return {"data": [{"id": i, "title": f"item {i}"} for i in range(start, start + ITEMS)]}


def _make(max_pages: int | None) -> tuple[Any, Any]:
    options: dict[str, Any] = {
        "initial_page_param": 0,
        "get_next_page_param": lambda last, pages, param, params, arg: param + 1,
        "get_previous_page_param": lambda first, pages, param, params, arg: (
            param - 1 if param > 0 else None
        ),
    }
    if max_pages is not None:
        options["max_pages"] = max_pages
    api = create_api(
        endpoints=lambda build: {
            "feed": build.infinite_query(query_fn=_page, infinite_query_options=options)
        }
    )
    store = configure_store({api.reducer_path: api.reducer}, middleware=[api.middleware])
    return api, store


def _rows(loop: asyncio.AbstractEventLoop, pages: int, max_pages: int | None) -> Row:
    api, store = _make(max_pages)

    async def fill() -> Any:
        handle = store.dispatch(api.endpoints.feed.initiate("all"))
        await handle
        for _ in range(pages - 1):
            await handle.fetch_next_page()
        return handle

    handle = loop.run_until_complete(fill())

    async def add_pages() -> None:
        for _ in range(OPS):
            await handle.fetch_next_page()

    def timed() -> None:
        loop.run_until_complete(add_pages())

    if max_pages is None:
        scenario = "fetch_next_page: add one page"
    else:
        scenario = f"fetch_next_page with max_pages={max_pages}: add one, trim one"
    row = measure(scenario, timed, n=pages, ops=OPS)
    data = store.get_state()[api.reducer_path]["queries"]['feed("all")'].data
    expected = max_pages if max_pages is not None else pages + OPS * 6  # warmup + 5 runs
    assert len(data["pages"]) == expected, (len(data["pages"]), expected)
    return row


def run(quick: bool) -> list[Row]:
    loop = asyncio.new_event_loop()
    try:
        sizes = (10, 100) if quick else (10, 100, 1_000)
        rows = [_rows(loop, n, None) for n in sizes]
        base = rows[0]["per_op_us"]
        for row in rows:
            row["note"] = f"{row['per_op_us'] / base:.2f}x the {sizes[0]}-page case"
        rows.append(_rows(loop, 50 if quick else 1_000, 50))
        return rows
    finally:
        loop.close()
