"""The api slice's tables (``immutables.Map``): frozen, thawed, and a hand-built preloaded
state whose tables are ``PMap``s keeps working."""

from __future__ import annotations

from typing import Any

import pytest
from immutables import Map
from pyrsistent import PMap, pmap

from rtkq import Tag, configure_store, create_api, freeze, thaw
from rtkq._types import discard, remove


def _api() -> Any:
    calls: list[Any] = []

    async def base_query(args: Any, api: Any, extra: Any) -> Any:
        calls.append(args)
        return {"data": {"id": args, "n": len(calls)}}

    return create_api(
        base_query=base_query,
        tag_types=["Item"],
        endpoints=lambda build: {
            "get_item": build.query(
                query=lambda id: id, provides_tags=lambda result, error, id: [Tag("Item", id)]
            ),
        },
    )


async def test_the_state_is_frozen_and_thaws_to_plain_dicts() -> None:
    api = _api()
    store = configure_store({"api": api.reducer}, middleware=[api.middleware])
    await store.dispatch(api.endpoints.get_item.initiate(1))
    state = store.get_state()
    assert type(state) is PMap and type(state["api"]) is Map
    assert type(state["api"]["queries"]) is Map
    assert freeze(state["api"]["config"]) is state["api"]["config"]  # frozen as it is
    plain = thaw(state)
    assert type(plain["api"]) is dict and type(plain["api"]["queries"]) is dict
    assert plain["api"]["provided"] == {
        "tags": {"Item": {1: ["get_item(1)"]}},
        "keys": {"get_item(1)": [["Item", 1]]},
    }
    assert plain["api"]["queries"]["get_item(1)"].data == {"id": 1, "n": 1}


async def test_a_preloaded_state_with_pmap_tables_keeps_working() -> None:
    api = _api()
    first = configure_store({"api": api.reducer}, middleware=[api.middleware])
    await first.dispatch(api.endpoints.get_item.initiate(1))
    await first.dispatch(api.endpoints.get_item.initiate(2))
    # Built by hand: every table a PMap.
    preloaded = _as_pmaps(first.get_state())
    assert type(preloaded["api"]["queries"]) is PMap
    store = configure_store(
        {"api": api.reducer}, middleware=[api.middleware], preloaded_state=preloaded
    )
    assert api.endpoints.get_item.select(1)(store.get_state()).data["id"] == 1
    handle = store.dispatch(api.endpoints.get_item.initiate(2))
    await handle
    store.dispatch(api.util.invalidate_tags([Tag("Item", 1)]))  # nobody subscribed: removed
    await handle  # let the loop run the invalidation
    queries = store.get_state()["api"]["queries"]
    assert "get_item(1)" not in queries and "get_item(2)" in queries
    assert dict(store.get_state()["api"]["provided"]["keys"]).keys() == {"get_item(2)"}


def _as_pmaps(value: Any) -> Any:
    if isinstance(value, (Map, PMap)):
        return pmap({key: _as_pmaps(item) for key, item in value.items()})
    return value


def test_discard_and_remove_take_a_map_a_pmap_or_a_dict() -> None:
    for table in (Map({"a": 1, "b": 2}), freeze({"a": 1, "b": 2}), {"a": 1, "b": 2}):
        assert dict(discard(table, "a")) == {"b": 2}
        assert dict(discard(table, "zz")) == {"a": 1, "b": 2}
        assert dict(remove(table, "b")) == {"a": 1}
        with pytest.raises(KeyError):
            remove(table, "zz")
    same = Map({"a": 1})
    assert discard(same, "zz") is same
