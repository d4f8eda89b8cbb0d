from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from pyrsistent import PMap, PSet, PVector, pmap, pvector

from rtkq import freeze, thaw
from rtkq._freeze import is_frozen

json_like = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=20,
)


def test_freeze_converts_containers_recursively() -> None:
    frozen = freeze({"a": [1, {"b": {2, 3}}], "c": (4,)})
    assert isinstance(frozen, PMap)
    assert isinstance(frozen["a"], PVector)
    assert isinstance(frozen["a"][1], PMap)
    assert isinstance(frozen["a"][1]["b"], PSet)
    assert frozen["c"] == pvector([4])


def test_freezing_frozen_data_returns_it_unchanged() -> None:
    frozen = freeze({"a": [1, {"b": 2}]})
    assert freeze(frozen) is frozen
    assert is_frozen(frozen)
    assert not is_frozen({"a": 1})


def test_freeze_walks_into_frozen_containers_holding_mutable_ones() -> None:
    mixed = pmap({"a": [1, 2], "b": pvector([{"c": 1}])})
    frozen = freeze(mixed)
    assert frozen is not mixed
    assert frozen == pmap({"a": pvector([1, 2]), "b": pvector([pmap({"c": 1})])})


def test_other_objects_are_kept_as_they_are() -> None:
    marker = object()
    assert freeze(marker) is marker
    assert thaw(marker) is marker


def test_thaw_gives_plain_containers() -> None:
    thawed = thaw(freeze({"a": [1, {"b": {2}}]}))
    assert thawed == {"a": [1, {"b": {2}}]}
    assert type(thawed) is dict
    assert type(thawed["a"]) is list
    assert type(thawed["a"][1]["b"]) is set


@given(json_like)
def test_thaw_inverts_freeze(value: Any) -> None:
    assert thaw(freeze(value)) == thaw(value)
    assert freeze(thaw(freeze(value))) == freeze(value)


def test_a_frozen_dict_does_not_follow_changes_to_the_dict_it_came_from() -> None:
    for size in (2, 8, 9, 50):  # the compact layout and pyrsistent's own
        plain: dict[str, Any] = {f"k{i}": i for i in range(size)}
        frozen = freeze(plain)
        plain["k0"] = "changed"
        plain["new"] = 1
        del plain["k1"]
        assert frozen == pmap({f"k{i}": i for i in range(size)})
        assert frozen["k0"] == 0 and "new" not in frozen and frozen["k1"] == 1
