"""fetch_base_query and retry under create_api, end to end against the live server.

The API slice's own HTTP tests live with it; these pin the seam between the two: the
``api`` object it passes, errors flowing into the cache, abort, and mutations' bodies.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Mapping
from typing import Any

from rtkq import configure_store, create_api, fetch_base_query, retry

from ._app import state


def _only_5xx(error: Any, args: Any, ctx: Mapping[str, Any]) -> bool:
    status = error.get("status")
    return isinstance(status, int) and status >= 500 and ctx["attempt"] <= 3


async def _no_wait(attempt: int, max_retries: int) -> None:
    return None


async def test_queries_mutations_errors_and_abort_through_the_slice(base_url: str) -> None:
    seen_apis: list[Any] = []

    def prepare_headers(headers: Any, api: Any) -> Any:
        seen_apis.append(api)
        headers["x-endpoint"] = api.endpoint
        return headers

    async with fetch_base_query(base_url, prepare_headers=prepare_headers) as bq:
        api = create_api(
            base_query=retry(bq, retry_condition=_only_5xx, backoff=_no_wait),
            endpoints=lambda build: {
                "get_status": build.query(query=lambda code: f"status/{code}"),
                "get_flaky": build.query(query=lambda key: f"flaky/{key}?fail=2"),
                "get_slow": build.query(query=lambda key: f"slow?key={key}&seconds=5"),
                "echo": build.mutation(
                    query=lambda body: {"url": "echo", "method": "POST", "body": body}
                ),
            },
        )
        store = configure_store(
            reducer={api.reducer_path: api.reducer}, middleware=[api.middleware]
        )

        ok = await store.dispatch(api.endpoints.get_status.initiate(200))
        assert ok.is_success
        assert ok.data == {"code": 200, "detail": "as requested"}

        missing = await store.dispatch(api.endpoints.get_status.initiate(404))
        assert missing.is_error
        assert missing.error == {"status": 404, "data": {"code": 404, "detail": "as requested"}}

        key = uuid.uuid4().hex
        flaky = await store.dispatch(api.endpoints.get_flaky.initiate(key))
        assert flaky.data == {"attempt": 3}
        assert state.hits[f"flaky:{key}"] == 3

        posted = await store.dispatch(api.endpoints.echo.initiate({"title": "hi", "n": [1]}))
        assert json.loads(posted["data"]["body"]) == {"title": "hi", "n": [1]}
        assert posted["data"]["headers"]["x-endpoint"] == "echo"

        slow_key = uuid.uuid4().hex
        handle = store.dispatch(api.endpoints.get_slow.initiate(slow_key))
        started = state.event(f"started:{slow_key}")
        for _ in range(1000):
            if started.is_set():
                break
            await asyncio.sleep(0.002)
        handle.abort()
        aborted = await handle
        assert aborted.error == {"status": "CUSTOM_ERROR", "error": "Aborted"}
        disconnected = state.event(f"disconnected:{slow_key}")
        for _ in range(1000):
            if disconnected.is_set():
                break
            await asyncio.sleep(0.002)
        assert disconnected.is_set()

    kinds = {(info.endpoint, info.type) for info in seen_apis}
    assert ("get_status", "query") in kinds
    assert ("echo", "mutation") in kinds
    assert all(info.forced is False for info in seen_apis if info.type == "query")
