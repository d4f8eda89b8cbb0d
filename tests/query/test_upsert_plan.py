"""``upsert_query_entries`` reads each endpoint once: its items equal the general path's.

The per-endpoint tag function (``provided_tags_of``) and the int-arg cache key shortcut
must give what ``tags_for`` and ``Endpoint.cache_key`` give, for every spec shape.
"""

from __future__ import annotations

import warnings
from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from rtkq import Tag, create_api
from rtkq._query._tags import provided_tags_of, tags_for

one_tag = st.one_of(
    st.builds(Tag, st.sampled_from(["A", "B", "Unknown"]), st.sampled_from([None, 0, 1, "x"])),
    st.sampled_from(["A", "B", "Unknown", None]),
    st.builds(lambda t, i: {"type": t, "id": i}, st.sampled_from(["A", "B"]), st.integers(0, 3)),
    st.just(Tag("A", ["unhashable"])),
    st.just(Tag("A", (1, 2))),
)
given_tags = st.one_of(st.none(), one_tag, st.lists(one_tag, max_size=3), st.just(7))


def _api(spec: Any, entities: list[str] | None = None) -> Any:
    return create_api(
        base_query=lambda args, api, extra: {"data": None},
        tag_types=["A", "B"],
        endpoints=lambda build: {
            "get": build.query(query=lambda a: a, provides_tags=spec, entities=entities or []),
            "change": build.mutation(query=lambda a: a, invalidates_tags=spec),
        },
    )


def _recorded(fn: Any) -> tuple[Any, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fn()
    return result, [str(w.message) for w in caught]


@settings(max_examples=300)
@given(
    given_tags,
    st.sampled_from(["function", "static", "raises"]),
    st.booleans(),
    st.sampled_from(["get", "change"]),
)
def test_tag_function_equals_tags_for(tags: Any, kind: str, entities: bool, name: str) -> None:
    def raises(result: Any, error: Any, arg: Any) -> Any:
        raise KeyError(arg)

    spec = {"function": lambda result, error, arg: tags, "static": tags, "raises": raises}[kind]
    if kind == "static" and tags is None:
        spec = None
    try:
        api = _api(spec, ["B"] if entities else None)
    except (TypeError, ValueError):  # a static spec is checked when the api is made
        assume(False)
    definition = api.definitions[name]
    fast = provided_tags_of(api, definition, name)
    expected = _recorded(lambda: tags_for(api, definition, {"v": 1}, None, 5, name))
    assert _recorded(lambda: fast({"v": 1}, 5)) == expected


@settings(max_examples=100)
@given(st.one_of(st.integers(), st.booleans(), st.text(max_size=3), st.none()))
def test_upsert_items_equal_the_endpoint_reads(arg: Any) -> None:
    api = _api(lambda result, error, arg: [Tag("A", 1)])
    endpoint = api.endpoints["get"]
    (item,) = api.util.upsert_query_entries(
        [{"endpoint_name": "get", "arg": arg, "value": {"x": 1}}]
    ).payload
    assert item["query_cache_key"] == endpoint.cache_key(arg)
    assert item["provided_tags"] == (Tag("A", 1),)


def test_upsert_reads_an_endpoint_injected_over_the_old_one() -> None:
    api = _api(lambda result, error, arg: [Tag("A", arg)])
    first = api.util.upsert_query_entries([{"endpoint_name": "get", "arg": 1, "value": 1}])
    assert first.payload[0]["provided_tags"] == (Tag("A", 1),)
    api.inject_endpoints(
        endpoints=lambda build: {
            "get": build.query(
                query=lambda a: a,
                provides_tags=lambda result, error, arg: [Tag("B", arg)],
                serialize_query_args=lambda name, arg: f"custom-{arg}",
            )
        },
        override_existing=True,
    )
    again = api.util.upsert_query_entries([{"endpoint_name": "get", "arg": 1, "value": 1}])
    assert again.payload[0]["provided_tags"] == (Tag("B", 1),)
    assert again.payload[0]["query_cache_key"] == "custom-1"


def test_upsert_follows_the_api_serializer() -> None:
    api = _api(None)
    assert api.util.upsert_query_entries([{"endpoint_name": "get", "arg": 3, "value": 1}]).payload[
        0
    ]["query_cache_key"] == api.endpoints["get"].cache_key(3)
    api.serialize_query_args = lambda name, arg: f"{name}:{arg}"
    item = api.util.upsert_query_entries([{"endpoint_name": "get", "arg": 3, "value": 1}])
    assert item.payload[0]["query_cache_key"] == "get:3"
