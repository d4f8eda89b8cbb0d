"""Small frozen dicts (one tuple bucket) behave as ``pmap`` in every operation."""

from __future__ import annotations

import pickle
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pyrsistent import PMap, pmap

from rtkq import freeze, thaw
from rtkq._small_map import SMALL, _Buckets, small_pmap
from rtkq._types import lookup

keys = st.one_of(st.integers(-20, 20), st.text(max_size=3))
small_dicts = st.dictionaries(keys, st.integers(), max_size=SMALL)
ops = st.lists(st.tuples(st.sampled_from(["set", "remove", "discard"]), keys, st.integers()))


def test_small_dicts_get_the_compact_layout_and_big_ones_do_not() -> None:
    small = freeze({"id": 1, "name": "a"})
    assert type(small) is PMap and isinstance(small._buckets, _Buckets)
    big = freeze({str(i): i for i in range(SMALL + 1)})
    assert type(big) is PMap and not isinstance(big._buckets, _Buckets)
    assert freeze({}) == pmap() and not isinstance(freeze({})._buckets, _Buckets)


@settings(max_examples=300)
@given(small_dicts, ops)
def test_every_operation_matches_pmap(initial: dict[Any, int], steps: list[Any]) -> None:
    ours, theirs = small_pmap(dict(initial)), pmap(initial)
    assert ours == theirs and theirs == ours and hash(ours) == hash(theirs)
    assert dict(ours) == initial and len(ours) == len(initial)
    for key in initial:
        assert ours[key] == initial[key] and key in ours and lookup(ours, key) == initial[key]
    for op, key, value in steps:
        if op == "set":
            ours, theirs = ours.set(key, value), theirs.set(key, value)
        elif op == "discard":
            ours, theirs = ours.discard(key), theirs.discard(key)
        elif key in theirs:
            ours, theirs = ours.remove(key), theirs.remove(key)
        assert ours == theirs and dict(ours) == dict(theirs)
        assert sorted(map(repr, ours.items())) == sorted(map(repr, theirs.items()))


@given(small_dicts, keys, st.integers())
def test_set_and_evolvers_accept_the_compact_layout(
    initial: dict[Any, int], key: Any, value: int
) -> None:
    ours = small_pmap(dict(initial))
    assert ours.set(key, value) == pmap(initial).set(key, value)
    evolver = ours.evolver()
    evolver[key] = value
    assert evolver.persistent() == pmap({**initial, key: value})
    assert ours.update({key: value}) == pmap({**initial, key: value})


def test_thaw_pickle_and_repr_are_unchanged() -> None:
    data = freeze({"id": 1, "tags": ["a"], "nested": {"x": None}})
    assert thaw(data) == {"id": 1, "tags": ["a"], "nested": {"x": None}}
    assert pickle.loads(pickle.dumps(data)) == data
    assert repr(freeze({"a": 1})) == "pmap({'a': 1})"


def test_equal_maps_with_other_insertion_orders_are_equal() -> None:
    assert small_pmap({"a": 1, "b": 2}) == small_pmap({"b": 2, "a": 1})
    assert small_pmap({"a": 1, "b": 2}) != small_pmap({"a": 1, "b": 3})
    assert small_pmap({"a": 1}) != small_pmap({"a": 1, "b": 2})


@given(small_dicts.filter(bool))  # the pairs form is for 1 to SMALL pairs (callers check)
def test_small_pmap_of_pairs_is_the_same_map_as_small_pmap(initial: dict[Any, int]) -> None:
    from rtkq._small_map import small_pmap_of_pairs

    ours = small_pmap_of_pairs(tuple(initial.items()))
    assert ours == small_pmap(dict(initial)) == pmap(initial)
    assert list(ours.items()) == list(small_pmap(dict(initial)).items())
    assert hash(ours) == hash(pmap(initial))
