"""Tags: the shapes users write, the provided index, and clear errors for bad input."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from pyrsistent import PSet, pmap

from rtkq import Tag, create_api
from rtkq._query._tags import (
    EMPTY_PROVIDED,
    SMALL_HOLDERS,
    calculate_tags,
    keys_for_tags,
    normalize_tag,
    replace_provided,
    replace_provided_many,
    tags_match,
)

from ._tags_support import SETTLE, Counting, make_store, queries

TYPES = frozenset({"Post", "User"})


# -- normalize_tag -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Post", Tag("Post")),
        ({"type": "Post"}, Tag("Post")),
        ({"type": "Post", "id": 1}, Tag("Post", 1)),
        ({"type": "Post", "id": None}, Tag("Post")),
        (Tag("Post", 1), Tag("Post", 1)),
        (pmap({"type": "User", "id": "me"}), Tag("User", "me")),
        ({"type": "Post", "id": 0}, Tag("Post", 0)),
        ({"type": "Post", "id": ""}, Tag("Post", "")),
        ({"type": "Post", "id": (1, "a")}, Tag("Post", (1, "a"))),
    ],
)
def test_normalize_tag_accepts_the_three_shapes(written: Any, expected: Tag) -> None:
    tag = normalize_tag(written, TYPES, "here")
    assert tag == expected
    assert type(tag) is Tag


def test_normalize_tag_keeps_id_zero_and_empty_string_apart_from_no_id() -> None:
    assert normalize_tag({"type": "Post", "id": 0}, TYPES, "x") != Tag("Post")
    assert normalize_tag({"type": "Post", "id": ""}, TYPES, "x") != Tag("Post")


def test_normalize_tag_unknown_type_is_a_value_error_naming_tag_and_place() -> None:
    with pytest.raises(ValueError, match=r"'Comment'.*provides_tags of endpoint 'x'.*tag_types"):
        normalize_tag({"type": "Comment", "id": 1}, TYPES, "provides_tags of endpoint 'x'")


@pytest.mark.parametrize("bad", [1, 2.5, ["Post"], ("Post", 1), object()])
def test_normalize_tag_other_shapes_are_type_errors(bad: Any) -> None:
    with pytest.raises(TypeError, match="A tag must be a str, a dict with 'type'"):
        normalize_tag(bad, TYPES, "here")


def test_normalize_tag_dict_without_type_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="has no 'type'"):
        normalize_tag({"id": 1}, TYPES, "here")


@pytest.mark.parametrize("bad_id", [[1], {"a": 1}, (1, [2])])
def test_normalize_tag_unhashable_id_is_a_type_error(bad_id: Any) -> None:
    with pytest.raises(TypeError, match="not hashable"):
        normalize_tag({"type": "Post", "id": bad_id}, TYPES, "here")


# -- calculate_tags ------------------------------------------------------------------


def test_calculate_tags_from_a_list_skips_none_entries() -> None:
    tags = calculate_tags(["Post", None, {"type": "User", "id": 3}], None, None, 1, TYPES, "w")
    assert tags == (Tag("Post"), Tag("User", 3))


def test_calculate_tags_calls_the_callable_with_result_error_arg() -> None:
    seen: list[tuple[Any, Any, Any]] = []

    def spec(result: Any, error: Any, arg: Any) -> list[Any]:
        seen.append((result, error, arg))
        return [None, Tag("Post", arg)]

    assert calculate_tags(spec, {"x": 1}, None, 7, TYPES, "w") == (Tag("Post", 7),)
    assert calculate_tags(spec, None, {"status": 500}, 8, TYPES, "w") == (Tag("Post", 8),)
    assert seen == [({"x": 1}, None, 7), (None, {"status": 500}, 8)]


def test_calculate_tags_none_spec_or_none_result_gives_no_tags() -> None:
    assert calculate_tags(None, 1, None, 1, TYPES, "w") == ()
    assert calculate_tags(lambda r, e, a: None, 1, None, 1, TYPES, "w") == ()


def test_calculate_tags_a_raising_callable_warns_and_gives_no_tags() -> None:
    def spec(result: Any, error: Any, arg: Any) -> list[Any]:
        raise KeyError("id")

    with pytest.warns(RuntimeWarning, match="provides_tags of endpoint 'p' raised KeyError"):
        assert calculate_tags(spec, {}, None, 1, TYPES, "provides_tags of endpoint 'p'") == ()


def test_calculate_tags_an_unknown_type_at_request_time_warns() -> None:
    with pytest.warns(RuntimeWarning, match="'Nope'.*not in tag_types"):
        assert calculate_tags(lambda r, e, a: ["Nope"], 1, None, 1, TYPES, "w") == ()


# -- the provided index --------------------------------------------------------------


def test_replace_provided_indexes_by_type_and_id_and_replaces() -> None:
    provided = replace_provided(EMPTY_PROVIDED, "a", [Tag("Post", 1), Tag("Post")])
    provided = replace_provided(provided, "b", [Tag("Post", 1), Tag("User", 0)])
    assert set(provided["tags"]["Post"][1]) == {"a", "b"}
    assert set(provided["tags"]["Post"][None]) == {"a"}
    assert list(provided["keys"]["b"]) == [Tag("Post", 1), Tag("User", 0)]

    provided = replace_provided(provided, "a", [Tag("Post", 2)])
    assert set(provided["tags"]["Post"][1]) == {"b"}
    assert None not in provided["tags"]["Post"]
    assert set(provided["tags"]["Post"][2]) == {"a"}

    provided = replace_provided(provided, "b", ())
    provided = replace_provided(provided, "a", ())
    assert provided["tags"] == pmap() and provided["keys"] == pmap()


def test_replace_provided_with_the_same_tags_returns_the_same_object() -> None:
    provided = replace_provided(EMPTY_PROVIDED, "a", [Tag("Post", 1)])
    assert replace_provided(provided, "a", [Tag("Post", 1), Tag("Post", 1)]) is provided


def test_holders_grow_from_a_tuple_into_a_pset_and_shrink_back_out_of_the_index() -> None:
    many = [f"k{i}" for i in range(SMALL_HOLDERS + 3)]
    provided = EMPTY_PROVIDED
    for key in many[: SMALL_HOLDERS + 1]:  # one at a time, past the small size
        provided = replace_provided(provided, key, [Tag("Post")])
    holders = provided["tags"]["Post"][None]
    assert isinstance(holders, PSet) and set(holders) == set(many[: SMALL_HOLDERS + 1])
    # in bulk: the rest join, two leave, one repeats
    pairs = [(key, [Tag("Post")]) for key in many[SMALL_HOLDERS + 1 :]]
    pairs += [("k0", []), ("k1", [Tag("User")]), ("k2", [Tag("Post"), Tag("Post")])]
    provided = replace_provided_many(provided, pairs)
    assert set(provided["tags"]["Post"][None]) == set(many) - {"k0", "k1"}
    assert set(provided["tags"]["User"][None]) == {"k1"}
    assert list(keys_for_tags(provided, [Tag("User")])) == ["k1"]
    assert len(keys_for_tags(provided, [Tag("Post")])) == len(many) - 2
    small = replace_provided_many(
        EMPTY_PROVIDED, [("a", [Tag("Post", 1)]), ("b", [Tag("Post", 1)])]
    )
    assert small["tags"]["Post"][1] == ("a", "b")  # a few holders stay a plain tuple
    small = replace_provided(small, "a", [])
    assert small["tags"]["Post"][1] == ("b",)
    for key in many[:3]:
        provided = replace_provided(provided, key, [])
    assert provided["tags"]["Post"][None] == tuple(sorted(many[3:]))  # small again: a tuple
    for key in many:
        provided = replace_provided(provided, key, [])
    assert provided == EMPTY_PROVIDED


def test_keys_for_tags_type_only_matches_every_id_and_id_matches_only_that_id() -> None:
    provided = replace_provided(EMPTY_PROVIDED, "list", [Tag("Post"), Tag("Post", "LIST")])
    provided = replace_provided(provided, "one", [Tag("Post", 1)])
    provided = replace_provided(provided, "zero", [Tag("Post", 0)])
    provided = replace_provided(provided, "empty", [Tag("Post", "")])
    provided = replace_provided(provided, "user", [Tag("User", 1)])
    assert set(keys_for_tags(provided, [Tag("Post")])) == {"list", "one", "zero", "empty"}
    assert list(keys_for_tags(provided, [Tag("Post", 1)])) == ["one"]
    assert list(keys_for_tags(provided, [Tag("Post", 0)])) == ["zero"]
    assert list(keys_for_tags(provided, [Tag("Post", "")])) == ["empty"]
    assert list(keys_for_tags(provided, [Tag("Post", 3)])) == []
    assert list(keys_for_tags(provided, [Tag("Comment")])) == []
    assert list(keys_for_tags(provided, [Tag("User", 1), Tag("Post", 1)])) == ["user", "one"]


def test_tags_match_uses_the_same_rules_as_the_index() -> None:
    provided = [Tag("Post", 0), Tag("User")]
    assert tags_match([Tag("Post")], provided)
    assert tags_match([Tag("Post", 0)], provided)
    assert tags_match([Tag("User")], provided)
    assert not tags_match([Tag("User", 1)], provided)
    assert not tags_match([Tag("Post", 1), Tag("Post", "")], provided)
    assert not tags_match([Tag("Post")], None)


# -- definitions are checked at create_api time --------------------------------------


def _api_with(**query_options: Any) -> Any:
    return create_api(
        tag_types=["Post"],
        endpoints=lambda build: {"get_post": build.query(query=lambda a: a, **query_options)},
    )


def test_create_api_rejects_a_listed_tag_of_unknown_type_naming_tag_and_endpoint() -> None:
    with pytest.raises(ValueError, match=r"'Comment'.*provides_tags of endpoint 'get_post'"):
        _api_with(provides_tags=["Post", {"type": "Comment", "id": 1}])


def test_create_api_rejects_an_unknown_invalidated_tag_of_a_mutation() -> None:
    with pytest.raises(ValueError, match=r"'Postt'.*invalidates_tags of endpoint 'add_post'"):
        create_api(
            tag_types=["Post"],
            endpoints=lambda build: {
                "add_post": build.mutation(query=lambda a: a, invalidates_tags=["Postt"])
            },
        )


def test_inject_endpoints_checks_listed_tags_too() -> None:
    api = _api_with(provides_tags=[Tag("Post", 1)])
    with pytest.raises(ValueError, match=r"'User'.*provides_tags of endpoint 'get_user'"):
        api.inject_endpoints(
            endpoints=lambda build: {
                "get_user": build.query(query=lambda a: a, provides_tags=["User"])
            }
        )


@pytest.mark.parametrize("spec", [5, {"type": "Post", "id": [1]}, [3]])
def test_create_api_rejects_tags_that_are_not_tags(spec: Any) -> None:
    with pytest.raises(TypeError, match="get_post"):
        _api_with(provides_tags=spec)


@pytest.mark.parametrize("spec", [None, [], [None], "Post", Tag("Post", 1), ("Post",)])
def test_create_api_accepts_listed_tags_none_entries_and_single_tags(spec: Any) -> None:
    assert _api_with(provides_tags=spec).definitions["get_post"].provides_tags == spec


def test_create_api_rejects_an_entity_not_in_tag_types() -> None:
    with pytest.raises(ValueError, match=r"Entity 'Task' of endpoint 'get_post'"):
        _api_with(entities=["Task"])


def test_invalidate_tags_with_a_bad_tag_raises_at_once() -> None:
    api = _api_with(provides_tags=["Post"])
    with pytest.raises(ValueError, match=r"'Nope'.*invalidate_tags"):
        api.util.invalidate_tags(["Post", {"type": "Nope"}])
    with pytest.raises(TypeError, match="A tag must be"):
        api.util.invalidate_tags([42])


def test_invalidate_tags_accepts_every_shape_and_skips_none() -> None:
    api = _api_with()
    action = api.util.invalidate_tags(["Post", None, {"type": "Post", "id": 0}, Tag("Post", "")])
    assert action.type == api.action_types.invalidate_tags
    assert tuple(action.payload) == (Tag("Post"), Tag("Post", 0), Tag("Post", ""))
    assert tuple(api.util.invalidate_tags("Post").payload) == (Tag("Post"),)


# -- at request time ----------------------------------------------------------------


@pytest.mark.looptime
async def test_a_raising_provides_tags_warns_and_the_request_still_fulfills() -> None:
    counting = Counting()

    def boom(result: Any, error: Any, arg: Any) -> list[Any]:
        raise RuntimeError("no id in result")

    api = create_api(
        tag_types=["Post"],
        endpoints=lambda build: {
            "get_post": build.query(query_fn=counting.fn("get_post"), provides_tags=boom)
        },
    )
    store = make_store(api)
    with pytest.warns(RuntimeWarning, match=r"provides_tags of endpoint 'get_post' raised"):
        state = await store.dispatch(api.endpoints.get_post.initiate(1))
    assert state.is_success
    assert state.data == {"name": "get_post", "arg": 1}
    assert store.get_state()["api"]["provided"]["keys"] == pmap()


@pytest.mark.looptime
async def test_an_unknown_tag_type_returned_at_request_time_warns_and_provides_nothing() -> None:
    counting = Counting()
    api = create_api(
        tag_types=["Post"],
        endpoints=lambda build: {
            "get_post": build.query(
                query_fn=counting.fn("get_post"), provides_tags=lambda r, e, a: ["Post", "Bogus"]
            )
        },
    )
    store = make_store(api)
    with pytest.warns(RuntimeWarning, match=r"'Bogus'.*provides_tags of endpoint 'get_post'"):
        state = await store.dispatch(api.endpoints.get_post.initiate(1))
    assert state.is_success
    assert store.get_state()["api"]["provided"]["keys"] == pmap()


@pytest.mark.looptime
async def test_a_raising_invalidates_tags_warns_and_the_mutation_invalidates_nothing() -> None:
    counting = Counting()

    def boom(result: Any, error: Any, arg: Any) -> list[Any]:
        raise ValueError("bad")

    api = create_api(
        tag_types=["Post"],
        endpoints=lambda build: {
            "get_post": build.query(query_fn=counting.fn("get_post"), provides_tags=["Post"]),
            "edit": build.mutation(query_fn=counting.fn("edit"), invalidates_tags=boom),
        },
    )
    store = make_store(api)
    await store.dispatch(api.endpoints.get_post.initiate(1))
    with pytest.warns(RuntimeWarning, match=r"invalidates_tags of endpoint 'edit' raised"):
        result = await store.dispatch(api.endpoints.edit.initiate(None))
    assert "data" in result
    await asyncio.sleep(SETTLE)
    assert counting.calls["get_post"] == 1
    assert "get_post(1)" in queries(store, api)
