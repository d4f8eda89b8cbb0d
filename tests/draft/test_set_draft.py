"""Set drafts: add/discard/remove and member patches."""

from __future__ import annotations

from typing import Any

import pytest
from pyrsistent import pset

from rtkq import freeze, produce, produce_with_patches

from ._support import round_trip

BASE = freeze({"tags": {"a", "b"}, "other": {"x": 1}})


def test_add_and_discard_make_member_patches() -> None:
    def recipe(d: Any) -> None:
        d["tags"].add("c")
        d["tags"].discard("a")
        d["tags"].discard("zz")

    new, patches, inverse = round_trip(BASE, recipe)
    assert new["tags"] == pset(["b", "c"])
    assert new["other"] is BASE["other"]
    assert patches == [
        {"op": "add", "path": ["tags", "c"], "value": "c"},
        {"op": "remove", "path": ["tags", "a"]},
    ]
    assert inverse == [
        {"op": "add", "path": ["tags", "a"], "value": "a"},
        {"op": "remove", "path": ["tags", "c"]},
    ]


def test_set_operations() -> None:
    def recipe(d: Any) -> None:
        tags = d["tags"]
        assert "a" in tags and len(tags) == 2
        assert tags == {"a", "b"}
        tags.update(["c", "d"])
        tags.difference_update({"d"})
        tags.remove("a")
        with pytest.raises(KeyError):
            tags.remove("a")
        tags |= {"e"}
        assert sorted(tags) == ["b", "c", "e"]

    new, _, _ = round_trip(BASE, recipe)
    assert new["tags"] == pset(["b", "c", "e"])


def test_add_existing_or_add_then_discard_is_no_change() -> None:
    def recipe(d: Any) -> None:
        d["tags"].add("a")
        d["tags"].add("new")
        d["tags"].discard("new")

    new, patches, _ = produce_with_patches(BASE, recipe)
    assert new is BASE
    assert patches == []


class _Unhashable:
    __hash__ = None  # type: ignore[assignment]


def test_members_must_be_hashable() -> None:
    with pytest.raises(TypeError, match="'_Unhashable'"):
        produce(BASE, lambda d: d["tags"].add(_Unhashable()))
    with pytest.raises(TypeError, match="draft"):
        produce(BASE, lambda d: d["tags"].add(d["other"]))
    with pytest.raises(TypeError, match="'bytearray'"):
        produce(BASE, lambda d: d["tags"].add(bytearray()))


def test_container_members_are_frozen() -> None:
    new = produce(BASE, lambda d: d["tags"].update([(1, 2), {"k": 1}]))
    assert freeze([1, 2]) in new["tags"]
    assert freeze({"k": 1}) in new["tags"]
