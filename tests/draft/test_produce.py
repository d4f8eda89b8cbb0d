"""produce / produce_with_patches: recipe results, replacements, scalars, lifetimes."""

from __future__ import annotations

from typing import Any

import pytest
from pyrsistent import PMap

from rtkq import freeze, produce, produce_with_patches, thaw
from rtkq._draft import MapDraft

from ._support import round_trip

BASE = freeze({"a": {"b": 1}, "c": [1, 2]})


def test_recipe_returning_none_keeps_the_draft() -> None:
    new = produce(BASE, lambda d: d.__setitem__("x", 1))
    assert new["x"] == 1
    assert new["a"] is BASE["a"]


def test_recipe_returning_the_draft_is_allowed() -> None:
    def recipe(d: Any) -> Any:
        d["x"] = 1
        return d

    assert produce(BASE, recipe)["x"] == 1


def test_untouched_recipe_returns_base_itself() -> None:
    new, patches, inverse = produce_with_patches(BASE, lambda d: None)
    assert new is BASE
    assert patches == inverse == []


def test_replacement_on_untouched_draft() -> None:
    new, patches, inverse = round_trip(BASE, lambda d: {"fresh": [1]})
    assert thaw(new) == {"fresh": [1]}
    assert isinstance(new, PMap)
    assert patches == [{"op": "replace", "path": [], "value": new}]
    assert inverse == [{"op": "replace", "path": [], "value": BASE}]


def test_replacement_may_contain_drafts() -> None:
    new, _, _ = round_trip(BASE, lambda d: {"kept": d["a"]})
    assert new["kept"] is BASE["a"]


def test_returning_a_child_draft() -> None:
    new, _, _ = round_trip(BASE, lambda d: d["a"])
    assert new is BASE["a"]


def test_returning_base_itself_is_no_change() -> None:
    assert produce_with_patches(BASE, lambda d: BASE) == (BASE, [], [])


def test_replacement_after_modification_is_value_error() -> None:
    def recipe(d: Any) -> Any:
        d["c"].append(3)
        return {"other": 1}

    with pytest.raises(ValueError, match="both changed its draft and returned"):
        produce(BASE, recipe)


def test_scalar_base_recipe_gets_the_value() -> None:
    seen: list[Any] = []

    def recipe(value: Any) -> Any:
        seen.append(value)
        return value + 1

    new, patches, inverse = round_trip(41, recipe)
    assert seen == [41]
    assert new == 42
    assert patches == [{"op": "replace", "path": [], "value": 42}]
    assert inverse == [{"op": "replace", "path": [], "value": 41}]


def test_scalar_base_none_result_and_same_result_are_no_change() -> None:
    assert produce_with_patches("s", lambda v: None) == ("s", [], [])
    assert produce_with_patches(None, lambda v: None) == (None, [], [])
    assert produce_with_patches(7, lambda v: 7) == (7, [], [])


def test_none_base_replaced_by_data() -> None:
    new, patches, _ = round_trip(None, lambda v: [{"id": 1}])
    assert thaw(new) == [{"id": 1}]
    assert patches[0]["path"] == []


def test_plain_base_is_frozen_first() -> None:
    new = produce({"a": [1]}, lambda d: d["a"].append(2))
    assert new == freeze({"a": [1, 2]})
    assert isinstance(new, PMap)


def test_draft_used_after_recipe_is_runtime_error() -> None:
    kept: list[Any] = []

    def recipe(d: Any) -> None:
        kept.append(d)
        kept.append(d["a"])
        kept.append(d["c"])

    produce(BASE, recipe)
    for draft in kept:
        with pytest.raises(RuntimeError, match="draft is finalized"):
            len(draft)
    with pytest.raises(RuntimeError, match="draft is finalized"):
        kept[0]["x"] = 1
    with pytest.raises(RuntimeError, match="draft is finalized"):
        kept[2].append(1)
    assert "finalized" in repr(kept[0])


def test_draft_is_finalized_even_when_recipe_raises() -> None:
    kept: list[Any] = []

    def recipe(d: Any) -> None:
        kept.append(d)
        d["x"] = 1
        raise LookupError("boom")

    with pytest.raises(LookupError):
        produce(BASE, recipe)
    with pytest.raises(RuntimeError, match="draft is finalized"):
        kept[0]["x"]


def test_async_recipe_is_type_error() -> None:
    async def recipe(d: Any) -> None:
        d["x"] = 1

    with pytest.raises(TypeError, match="awaitable"):
        produce(BASE, recipe)


def test_draft_as_base_is_type_error() -> None:
    def recipe(d: Any) -> None:
        with pytest.raises(TypeError, match="draft"):
            produce(d, lambda inner: None)

    produce(BASE, recipe)


def test_draft_of_an_outer_recipe_is_snapshotted() -> None:
    def outer(d: Any) -> None:
        d["a"]["b"] = 2
        inner = produce(freeze({}), lambda e: e.__setitem__("copy", d["a"]))
        assert inner == freeze({"copy": {"b": 2}})
        d["a"]["b"] = 3

    assert produce(BASE, outer)["a"]["b"] == 3


def test_a_draft_inside_itself_is_value_error() -> None:
    def recipe(d: Any) -> None:
        d["a"]["self"] = d

    with pytest.raises(ValueError, match="cannot contain itself"):
        produce(BASE, recipe)


def test_repr_of_live_drafts() -> None:
    def recipe(d: Any) -> None:
        assert "MapDraft" in repr(d)
        assert "ListDraft" in repr(d["c"])
        assert isinstance(d["a"], MapDraft)

    produce(BASE, recipe)


def test_base_is_never_changed() -> None:
    snapshot = thaw(BASE)

    def recipe(d: Any) -> None:
        d["a"]["b"] = 5
        d["c"].clear()
        del d["a"]

    produce(BASE, recipe)
    assert thaw(BASE) == snapshot
