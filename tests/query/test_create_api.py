"""create_api and inject_endpoints: surface, validation and bad input.

Ported behaviours: RTK Query's createApi and injectEndpoints tests.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from rtkq import Api, Tag, create_api, freeze

from ._support import FakeBaseQuery, make_api, make_store


def test_api_surface() -> None:
    api = make_api(reducer_path="things")
    assert isinstance(api, Api)
    assert api.reducer_path == "things"
    assert callable(api.reducer) and callable(api.middleware)
    assert set(api.endpoints) == {"get_item", "update_item"}
    assert api.endpoints["get_item"] is api.endpoints.get_item
    assert len(api.endpoints) == 2 and "get_item" in api.endpoints
    assert "get_item" in repr(api) and "get_item" in repr(api.endpoints)
    assert "query" in repr(api.endpoints.get_item)
    for name in (
        "reset_api_state",
        "prefetch",
        "select_cached_args_for_query",
        "get_running_queries_thunk",
    ):
        assert callable(getattr(api.util, name))
    state = api.reducer(None, _Init())
    assert set(state) == {"queries", "mutations", "provided", "config", "optimistic"}
    assert state["config"]["reducer_path"] == "things"


class _Init:
    type = "@@INIT"


def test_action_types_are_namespaced_by_reducer_path() -> None:
    api = make_api(reducer_path="things")
    assert api.action_types.query_pending.startswith("things/")
    assert api.util.reset_api_state().type == "things/resetApiState"


def test_endpoints_unknown_name_is_a_key_error_listing_the_known_ones() -> None:
    api = make_api()
    with pytest.raises(KeyError, match=r"'nope'.*\['get_item', 'update_item'\]"):
        api.endpoints["nope"]
    with pytest.raises(KeyError, match="Known endpoints"):
        api.endpoints.nope  # noqa: B018
    assert "nope" not in api.endpoints


@pytest.mark.parametrize(
    ("options", "which"),
    [({"query": lambda a: a, "query_fn": lambda *a: {"data": 1}}, "both"), ({}, "neither")],
)
def test_both_or_neither_of_query_and_query_fn_is_a_value_error(
    options: dict[str, Any], which: str
) -> None:
    with pytest.raises(ValueError, match=rf"'broken' was given {which} of query and query_fn"):
        create_api(
            base_query=FakeBaseQuery(), endpoints=lambda build: {"broken": build.query(**options)}
        )


def test_bad_create_api_arguments() -> None:
    ok = {"endpoints": lambda build: {}}
    with pytest.raises(TypeError, match="base_query must be callable"):
        create_api(base_query=3, **ok)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="tag_types must be a list of str"):
        create_api(tag_types="Post", **ok)
    with pytest.raises(TypeError, match="reducer_path"):
        create_api(reducer_path="", **ok)
    with pytest.raises(ValueError, match="keep_unused_data_for"):
        create_api(keep_unused_data_for=-1, **ok)
    with pytest.raises(ValueError, match="invalidation_behavior"):
        create_api(invalidation_behavior="never", **ok)
    with pytest.raises(TypeError, match="serialize_query_args must be callable"):
        create_api(serialize_query_args="x", **ok)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="endpoints must be a function"):
        create_api(endpoints={})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="must return a dict"):
        create_api(endpoints=lambda build: [])  # type: ignore[arg-type,return-value]


def test_bad_endpoint_definitions() -> None:
    with pytest.raises(TypeError, match="Unknown option"):
        create_api(endpoints=lambda build: {"x": build.query(query=lambda a: a, pollin=1)})
    with pytest.raises(TypeError, match=r"build\.query"):
        create_api(endpoints=lambda build: {"x": {"query": 1}})
    with pytest.raises(TypeError, match="transform_response of endpoint 'x' must be callable"):
        create_api(
            endpoints=lambda build: {"x": build.query(query=lambda a: a, transform_response=1)}
        )
    with pytest.raises(ValueError, match="keep_unused_data_for of endpoint 'x'"):
        create_api(
            endpoints=lambda build: {"x": build.query(query=lambda a: a, keep_unused_data_for=-2)}
        )
    with pytest.raises(ValueError, match="Python identifier"):
        create_api(endpoints=lambda build: {"not valid": build.query(query=lambda a: a)})


def test_keep_unused_data_for_accepts_inf() -> None:
    api = make_api(keep_unused_data_for=math.inf)
    assert api.keep_unused_data_for == math.inf


async def test_inject_endpoints_adds_to_the_same_api() -> None:
    bq = FakeBaseQuery()
    api = make_api(base_query=bq)
    store = make_store(api)
    same = api.inject_endpoints(endpoints=lambda build: {"extra": build.query(query=lambda a: [a])})
    assert same is api
    assert (await store.dispatch(api.endpoints.extra.initiate(1))).data == freeze([1])


def test_inject_endpoints_duplicate_name_rule() -> None:
    api = make_api()
    with pytest.raises(ValueError, match=r"'get_item' already exists.*override_existing=True"):
        api.inject_endpoints(endpoints=lambda build: {"get_item": build.query(query=lambda a: 0)})
    replacement = api.inject_endpoints(
        endpoints=lambda build: {"get_item": build.query(query=lambda a: "new")},
        override_existing=True,
    )
    assert replacement.definitions["get_item"].query is not None
    assert replacement.definitions["get_item"].query(1) == "new"  # type: ignore[misc]


def test_a_failed_inject_adds_nothing() -> None:
    api = make_api()
    with pytest.raises(ValueError):
        api.inject_endpoints(
            endpoints=lambda build: {
                "fresh": build.query(query=lambda a: a),
                "get_item": build.query(query=lambda a: a),
            }
        )
    assert "fresh" not in api.endpoints


def test_tag_type_outside_tag_types_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="'Post'"):
        create_api(endpoints=lambda build: {"x": build.query(query=lambda a: a, entities=["Post"])})
    assert Tag("Post").id is None


async def test_two_apis_in_one_store() -> None:
    from rtkq import configure_store

    one = make_api(reducer_path="one")
    two = make_api(reducer_path="two", base_query=FakeBaseQuery(lambda a: {"data": a * 10}))
    store = configure_store(
        {"one": one.reducer, "two": two.reducer}, middleware=[one.middleware, two.middleware]
    )
    assert (await store.dispatch(one.endpoints.get_item.initiate(1))).data == 1
    assert (await store.dispatch(two.endpoints.get_item.initiate(1))).data == 10
    assert list(store.get_state()["two"]["queries"]) == ["get_item(1)"]
