"""``retry.fail`` raised from a query_fn without ``retry`` settles with that error."""

from __future__ import annotations

from typing import Any

from rtkq import QueryStatus, configure_store, create_api, retry, thaw


async def test_retry_fail_outside_retry_settles_with_the_given_error() -> None:
    async def query_fn(arg: Any, api: Any, extra: Any, base_query: Any) -> Any:
        retry.fail({"status": 401, "data": "who are you"})

    api = create_api(
        tag_types=["User"],
        endpoints=lambda build: {
            "me": build.query(
                query_fn=query_fn,
                provides_tags=lambda result, error, arg: ["User"] if error else [],
            )
        },
    )
    store = configure_store({"api": api.reducer}, middleware=[api.middleware])
    state = await store.dispatch(api.endpoints.me.initiate(None))
    assert state.status is QueryStatus.REJECTED
    assert thaw(state.error) == {"status": 401, "data": "who are you"}
    # A settled error value provides tags, like any error the base query returns.
    assert api.util.select_invalidated_by(store.get_state(), ["User"])
