"""default_serialize_query_args: canonical cache keys (contract §3)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pyrsistent import pmap, pset, pvector

from rtkq import default_serialize_query_args, freeze


@pytest.mark.parametrize(
    ("arg", "expected"),
    [
        (None, "q(null)"),
        (1, "q(1)"),
        (1.5, "q(1.5)"),
        (True, "q(true)"),
        ("a b", 'q("a b")'),
        ([1, "x"], 'q([1,"x"])'),
        ((1, 2), "q([1,2])"),
        ({"b": 1, "a": None}, 'q({"a":null,"b":1})'),
        ({"z": {"y": 1, "x": [{"d": 1, "c": 2}]}}, 'q({"z":{"x":[{"c":2,"d":1}],"y":1}})'),
        (pmap({"b": pvector([1]), "a": 2}), 'q({"a":2,"b":[1]})'),
        ({1: "int key"}, 'q({"1":"int key"})'),
        (pset([2, 1]), "q([1,2])"),
        ("é", 'q("\\u00e9")'),
    ],
)
def test_canonical_keys(arg: object, expected: str) -> None:
    assert default_serialize_query_args("q", arg) == expected


def test_frozen_and_plain_args_give_the_same_key() -> None:
    arg = {"page": 1, "filters": {"tags": ["a", "b"], "owner": None}}
    assert default_serialize_query_args("q", arg) == default_serialize_query_args("q", freeze(arg))


@pytest.mark.parametrize("bad", [object(), {"k": object()}, {(1, 2): "tuple key"}, [b"bytes"]])
def test_unserializable_args_are_type_errors_naming_the_endpoint(bad: object) -> None:
    with pytest.raises(TypeError, match=r"endpoint 'get_thing'.*serialize_query_args"):
        default_serialize_query_args("get_thing", bad)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=3), children, max_size=3)
    ),
    max_leaves=10,
)


@given(st.dictionaries(st.text(max_size=4), json_values, max_size=5))
def test_dict_order_never_changes_the_key(arg: dict[str, object]) -> None:
    reversed_arg = dict(reversed(list(arg.items())))
    assert default_serialize_query_args("q", arg) == default_serialize_query_args("q", reversed_arg)


@given(st.one_of(st.integers(), st.booleans()))
def test_an_endpoint_keys_int_args_exactly_as_the_default_serializer(arg: object) -> None:
    from rtkq import create_api

    api = create_api(
        base_query=lambda args, api, extra: {"data": None},
        endpoints=lambda build: {"get_item": build.query(query=lambda arg: arg)},
    )
    endpoint = api.endpoints.get_item
    assert endpoint.cache_key(arg) == default_serialize_query_args("get_item", arg)
