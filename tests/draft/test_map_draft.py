"""Map drafts: every dict operation, the patches it makes, structural sharing."""

from __future__ import annotations

from typing import Any

import pytest
from pyrsistent import pmap

from rtkq import freeze, produce, produce_with_patches, thaw
from rtkq._draft import MapDraft

from ._support import round_trip

BASE = freeze({"a": 1, "b": {"c": [1, 2]}, "d": {"e": 1}})


def test_set_new_key_is_an_add() -> None:
    def recipe(d: Any) -> None:
        d["z"] = 26

    new, patches, inverse = round_trip(BASE, recipe)
    assert thaw(new)["z"] == 26
    assert patches == [{"op": "add", "path": ["z"], "value": 26}]
    assert inverse == [{"op": "remove", "path": ["z"]}]


def test_set_existing_key_is_a_replace() -> None:
    _new, patches, inverse = round_trip(BASE, lambda d: d.__setitem__("a", 2))
    assert patches == [{"op": "replace", "path": ["a"], "value": 2}]
    assert inverse == [{"op": "replace", "path": ["a"], "value": 1}]


def test_delete_is_a_remove_and_missing_key_is_key_error() -> None:
    def recipe(d: Any) -> None:
        del d["a"]
        with pytest.raises(KeyError):
            del d["a"]
        with pytest.raises(KeyError):
            d["a"]

    new, patches, inverse = round_trip(BASE, recipe)
    assert "a" not in new
    assert patches == [{"op": "remove", "path": ["a"]}]
    assert inverse == [{"op": "add", "path": ["a"], "value": 1}]


def test_nested_write_shares_untouched_subtrees() -> None:
    def recipe(d: Any) -> None:
        d["b"]["c"].append(3)

    new, patches, _ = round_trip(BASE, recipe)
    assert new["d"] is BASE["d"]
    assert new["b"]["c"] == [1, 2, 3]
    assert patches == [{"op": "add", "path": ["b", "c", 2], "value": 3}]
    assert BASE["b"]["c"] == [1, 2]


def test_reading_only_returns_base_itself() -> None:
    def recipe(d: Any) -> None:
        assert d["b"]["c"][0] == 1
        assert next(iter(d.items()))[0] in {"a", "b", "d"}

    new, patches, inverse = produce_with_patches(BASE, recipe)
    assert new is BASE
    assert patches == inverse == []


def test_setting_identical_value_is_no_change() -> None:
    big = 10**6

    def recipe(d: Any) -> None:
        d["a"] = 1
        d["b"] = d["b"]
        d["d"] = BASE["d"]
        d["n"] = d["n"]

    base = BASE.set("n", big)
    new, patches, _ = produce_with_patches(base, lambda d: (recipe(d), None)[1])
    assert new is base
    assert patches == []


def test_set_then_restore_is_no_change() -> None:
    def recipe(d: Any) -> None:
        d["a"] = 5
        d["a"] = 1
        d["tmp"] = 1
        del d["tmp"]

    new, patches, _ = produce_with_patches(BASE, recipe)
    assert new is BASE
    assert patches == []


def test_get_setdefault_update_pop() -> None:
    def recipe(d: Any) -> None:
        assert d.get("missing") is None
        assert d.get("missing", 7) == 7
        assert isinstance(d.get("b"), MapDraft)
        assert d.setdefault("a", 99) == 1
        assert d.setdefault("new", [1]) == [1]
        d["new"].append(2)
        d.update({"x": 1}, y=2)
        assert d.pop("x") == 1
        assert d.pop("nope", "dflt") == "dflt"
        with pytest.raises(KeyError):
            d.pop("nope")

    new, _, _ = round_trip(BASE, recipe)
    assert thaw(new["new"]) == [1, 2]
    assert new["y"] == 2
    assert "x" not in new


def test_keys_values_items_len_in_iteration() -> None:
    def recipe(d: Any) -> None:
        del d["a"]
        d["z"] = 0
        assert len(d) == 3
        assert sorted(d) == ["b", "d", "z"]
        assert sorted(d.keys()) == ["b", "d", "z"]
        assert "a" not in d and "z" in d
        keys = d.keys()
        assert "z" in keys
        values = list(d.values())
        assert 0 in values
        assert all(isinstance(v, MapDraft) for k, v in d.items() if k != "z")
        for _key, value in d.items():
            if isinstance(value, MapDraft) and "e" in value:
                value["e"] = 2

    new, _, _ = round_trip(BASE, recipe)
    assert thaw(new) == {"b": {"c": [1, 2]}, "d": {"e": 2}, "z": 0}


def test_clear_and_popitem() -> None:
    def recipe(d: Any) -> None:
        key, _value = d.popitem()
        assert key in {"a", "b", "d"}
        d.clear()
        assert len(d) == 0

    new, patches, _ = round_trip(BASE, recipe)
    assert thaw(new) == {}
    assert sorted(p["path"][0] for p in patches) == ["a", "b", "d"]


def test_plain_values_are_frozen_on_finish() -> None:
    box: dict[str, Any] = {"k": [1]}

    def recipe(d: Any) -> None:
        d["plain"] = box
        box["k"].append(2)  # still the recipe's own object until the recipe returns

    new = produce(BASE, recipe)
    assert new["plain"] == pmap({"k": freeze([1, 2])})
    assert type(new["plain"]["k"]).__name__ == "PVector"


def test_a_draft_moved_to_another_key() -> None:
    def recipe(d: Any) -> None:
        d["copy"] = d["d"]
        d["copy"]["e"] = 5

    new, patches, _ = round_trip(BASE, recipe)
    assert new["copy"] == new["d"] == {"e": 5}
    assert {"op": "replace", "path": ["d", "e"], "value": 5} in patches


def test_equality_against_plain_data() -> None:
    def recipe(d: Any) -> None:
        assert d == {"a": 1, "b": {"c": [1, 2]}, "d": {"e": 1}}
        assert d != {"a": 1}
        assert d["b"] == BASE["b"]
        assert d != 3

    produce(BASE, recipe)


def test_unhashable_key_is_type_error_naming_the_type() -> None:
    def recipe(d: Any) -> None:
        d[["x"]] = 1

    with pytest.raises(TypeError, match="'list'"):
        produce(BASE, recipe)


def test_non_freezable_value_is_type_error_naming_the_type() -> None:
    with pytest.raises(TypeError, match="'bytearray'"):
        produce(BASE, lambda d: d.__setitem__("x", bytearray(b"ab")))


def test_nested_non_freezable_value_fails_on_finish() -> None:
    from collections import deque

    with pytest.raises(TypeError, match="'deque'"):
        produce(BASE, lambda d: d.__setitem__("x", {"q": deque([1])}))


def test_non_string_keys() -> None:
    base = freeze({1: "one", (2, 3): "pair"})
    new, patches, _ = round_trip(base, lambda d: d.__setitem__((2, 3), "PAIR"))
    assert new[(2, 3)] == "PAIR"
    assert patches == [{"op": "replace", "path": [(2, 3)], "value": "PAIR"}]
