"""What cached entries share instead of copying (memory per entry, issue 18)."""

from __future__ import annotations

from typing import Any

from rtkq._query._cache_collection import NO_OPTIONS

from ._support import FakeBaseQuery, make_api, make_store


def _entries(n: int) -> list[dict[str, Any]]:
    return [{"endpoint_name": "get_item", "arg": i, "value": {"id": i}} for i in range(n)]


async def test_one_upsert_of_many_entries_has_one_request_id_as_in_rtk() -> None:
    api = make_api(base_query=FakeBaseQuery())
    store = make_store(api)
    store.dispatch(api.util.upsert_query_entries(_entries(3)))
    queries = store.get_state()[api.reducer_path]["queries"]
    ids = {entry.request_id for entry in queries.values()}
    assert len(queries) == 3 and len(ids) == 1 and None not in ids
    store.dispatch(api.util.upsert_query_entries(_entries(1)))
    # An existing entry keeps its request id (a request in flight may still land).
    assert store.get_state()[api.reducer_path]["queries"]["get_item(0)"].request_id in ids


async def test_subscriptions_reuse_the_stored_key_and_share_empty_options() -> None:
    api = make_api(base_query=FakeBaseQuery())
    store = make_store(api)
    store.dispatch(api.util.upsert_query_entries(_entries(1)))
    stored = next(iter(store.get_state()[api.reducer_path]["queries"].values())).query_cache_key
    first = store.dispatch(api.endpoints.get_item.initiate(0))
    second = store.dispatch(api.endpoints.get_item.initiate(0))
    runtime = api.runtime_for(store.dispatch)
    [(key, subscribers)] = runtime.subscriptions.items()
    assert key is stored and first.query_cache_key is stored
    assert list(subscribers.values()) == [NO_OPTIONS, NO_OPTIONS]
    second.update_subscription_options({"polling_interval": 5})
    assert subscribers[second.request_id] == {"polling_interval": 5}
    assert subscribers[first.request_id] is NO_OPTIONS and dict(NO_OPTIONS) == {}
    first.unsubscribe()
    second.unsubscribe()
    assert runtime.subscriptions == {}
