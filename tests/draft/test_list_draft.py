"""List drafts: every list operation, index-correct patches, structural sharing."""

from __future__ import annotations

from typing import Any

import pytest

from rtkq import freeze, produce, produce_with_patches, thaw
from rtkq._draft import ListDraft, MapDraft

from ._support import round_trip

BASE = freeze([{"id": 0}, {"id": 1}, {"id": 2}, 3, "four"])


def test_set_item_and_negative_index() -> None:
    def recipe(d: Any) -> None:
        d[3] = 30
        d[-1] = "FOUR"
        assert d[-1] == "FOUR"

    new, patches, inverse = round_trip(BASE, recipe)
    assert new[0] is BASE[0]
    assert patches == [
        {"op": "replace", "path": [3], "value": 30},
        {"op": "replace", "path": [4], "value": "FOUR"},
    ]
    assert inverse == [
        {"op": "replace", "path": [4], "value": "four"},
        {"op": "replace", "path": [3], "value": 3},
    ]


def test_index_errors() -> None:
    def recipe(d: Any) -> None:
        with pytest.raises(IndexError, match="out of range"):
            d[5]
        with pytest.raises(IndexError):
            d[-6] = 1
        with pytest.raises(TypeError, match="'str'"):
            d["0"]

    assert produce(BASE, recipe) is BASE


def test_append_is_add_at_len() -> None:
    new, patches, inverse = round_trip(BASE, lambda d: d.append({"id": 5}))
    assert patches == [{"op": "add", "path": [5], "value": freeze({"id": 5})}]
    assert inverse == [{"op": "remove", "path": [5]}]
    assert all(new[i] is BASE[i] for i in range(5))


def test_extend_and_iadd() -> None:
    def recipe(d: Any) -> None:
        d.extend([6, 7])
        d += [8]

    new, patches, _ = round_trip(BASE, recipe)
    assert thaw(new)[5:] == [6, 7, 8]
    assert [p["path"] for p in patches] == [[5], [6], [7]]


def test_extend_with_itself() -> None:
    new, _, _ = round_trip(freeze([1, 2]), lambda d: d.extend(d))
    assert thaw(new) == [1, 2, 1, 2]


def test_insert_is_add_at_index_shifting() -> None:
    def recipe(d: Any) -> None:
        d.insert(1, "x")
        d.insert(-1, "y")  # before the last item
        d.insert(100, "end")
        d.insert(-100, "start")

    new, patches, _ = round_trip(BASE, recipe)
    assert thaw(new) == ["start", {"id": 0}, "x", {"id": 1}, {"id": 2}, 3, "y", "four", "end"]
    assert patches == [
        {"op": "add", "path": [1], "value": "x"},
        {"op": "add", "path": [5], "value": "y"},
        {"op": "add", "path": [7], "value": "end"},
        {"op": "add", "path": [0], "value": "start"},
    ]
    assert new[1] is BASE[0]


def test_pop_and_del_are_removes() -> None:
    def recipe(d: Any) -> None:
        assert d.pop() == "four"
        assert d.pop(0) == {"id": 0}
        del d[-1]

    new, patches, inverse = round_trip(BASE, recipe)
    assert thaw(new) == [{"id": 1}, {"id": 2}]
    assert patches == [
        {"op": "remove", "path": [4]},
        {"op": "remove", "path": [0]},
        {"op": "remove", "path": [2]},
    ]
    assert inverse[0] == {"op": "add", "path": [2], "value": 3}


def test_pop_empty_is_index_error() -> None:
    def recipe(d: Any) -> None:
        with pytest.raises(IndexError, match="empty"):
            d.pop()

    produce(freeze([]), recipe)


def test_remove_index_count_contains() -> None:
    def recipe(d: Any) -> None:
        assert 3 in d and {"id": 1} in d and 99 not in d
        assert d.index({"id": 2}) == 2
        assert d.count(3) == 1
        d.remove({"id": 1})
        with pytest.raises(ValueError, match="not in the list draft"):
            d.remove(99)
        with pytest.raises(ValueError):
            d.index(3, 0, 1)

    new, patches, _ = round_trip(BASE, recipe)
    assert patches == [{"op": "remove", "path": [1]}]
    assert len(new) == 4


def test_nested_child_patches_follow_shifts() -> None:
    def recipe(d: Any) -> None:
        d[1]["id"] = 10  # child first, then shift it
        d.insert(0, "head")
        d[3]["id"] = 20  # {"id": 2} is now at 3

    new, patches, _ = round_trip(BASE, recipe)
    assert thaw(new)[:4] == ["head", {"id": 0}, {"id": 10}, {"id": 20}]
    assert new[1] is BASE[0]
    assert {"op": "replace", "path": [2, "id"], "value": 10} in patches


def test_slices() -> None:
    def recipe(d: Any) -> None:
        assert [x for x in d[3:]] == [3, "four"]
        assert isinstance(d[0:1][0], MapDraft)
        d[1:3] = ["a", "b", "c"]
        del d[::2]

    new, patches, _ = round_trip(BASE, recipe)
    expected = [{"id": 0}, "a", "b", "c", 3, "four"]
    del expected[::2]
    assert thaw(new) == expected
    assert patches[0]["path"] == []


def test_extended_slice_size_mismatch() -> None:
    def recipe(d: Any) -> None:
        with pytest.raises(ValueError):
            d[::2] = [1]

    assert produce(BASE, recipe) is BASE


def test_sort_reverse_clear() -> None:
    base = freeze([3, 1, 2])
    new, patches, inverse = round_trip(base, lambda d: d.sort())
    assert thaw(new) == [1, 2, 3]
    assert patches == [{"op": "replace", "path": [], "value": freeze([1, 2, 3])}]
    assert inverse == [{"op": "replace", "path": [], "value": base}]
    assert thaw(round_trip(base, lambda d: d.sort(reverse=True))[0]) == [3, 2, 1]
    assert thaw(round_trip(base, lambda d: d.reverse())[0]) == [2, 1, 3]
    assert thaw(round_trip(base, lambda d: d.clear())[0]) == []
    assert produce(freeze([1, 2]), lambda d: d.sort()) == [1, 2]


def test_sort_with_key_over_drafts() -> None:
    def recipe(d: Any) -> None:
        d[0]["id"] = 9
        d.sort(key=lambda item: -item["id"])
        d[0]["seen"] = True

    new, _, _ = round_trip(BASE[:3], recipe)
    assert thaw(new) == [{"id": 9, "seen": True}, {"id": 2}, {"id": 1}]
    assert new[1] is BASE[2]


def test_sort_that_changes_nothing_returns_base() -> None:
    base = freeze([1, 2, 3])
    assert produce(base, lambda d: d.sort()) is base


def test_iteration_gives_drafts_and_reversed() -> None:
    def recipe(d: Any) -> None:
        for item in d:
            if isinstance(item, MapDraft):
                item["seen"] = True
        assert next(reversed(d)) == "four"

    new, _, _ = round_trip(BASE, recipe)
    assert all(new[i]["seen"] for i in range(3))


def test_append_then_mutate_plain_value() -> None:
    def recipe(d: Any) -> None:
        d.append({"tags": []})
        d[-1]["tags"].append("x")

    new, patches, _ = round_trip(BASE, recipe)
    assert thaw(new[-1]) == {"tags": ["x"]}
    assert patches == [{"op": "add", "path": [5], "value": freeze({"tags": ["x"]})}]


def test_draft_moved_within_list() -> None:
    def recipe(d: Any) -> None:
        first = d[0]
        d.append(first)
        first["id"] = 100

    new, _, _ = round_trip(BASE, recipe)
    assert new[0] == new[5] == {"id": 100}


def test_equality_with_plain_and_frozen() -> None:
    def recipe(d: Any) -> None:
        assert d == [{"id": 0}, {"id": 1}, {"id": 2}, 3, "four"]
        assert d == BASE
        assert d != [1]
        assert d != "abc"
        assert isinstance(d, ListDraft)

    produce(BASE, recipe)


def test_non_freezable_values() -> None:
    with pytest.raises(TypeError, match="'bytearray'"):
        produce(BASE, lambda d: d.append(bytearray()))
    with pytest.raises(TypeError, match="'memoryview'"):
        produce(BASE, lambda d: d.insert(0, memoryview(b"x")))
    with pytest.raises(TypeError, match="'bytearray'"):
        produce(BASE, lambda d: d.__setitem__(slice(0, 1), [bytearray()]))


def test_list_in_map_in_list() -> None:
    base = freeze({"pages": [{"items": [1, 2]}, {"items": [3]}]})

    def recipe(d: Any) -> None:
        d["pages"][1]["items"].insert(0, 0)
        d["pages"].insert(0, {"items": []})

    new, patches, _ = produce_with_patches(base, recipe)
    assert thaw(new) == {"pages": [{"items": []}, {"items": [1, 2]}, {"items": [0, 3]}]}
    assert new["pages"][1] is base["pages"][0]
    round_trip(base, recipe)
    assert patches[0] == {"op": "add", "path": ["pages", 0], "value": freeze({"items": []})}
