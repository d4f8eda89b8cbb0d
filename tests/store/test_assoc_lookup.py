"""``lookup``: the fast PMap get equals pyrsistent's own, always; tables and dicts too."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from immutables import Map
from pyrsistent import pmap

from rtkq._types import _FAST, lookup


class Colliding:
    """A key whose hash collides with others (same bucket), equal by ``name``."""

    def __init__(self, name: int) -> None:
        self.name = name

    def __hash__(self) -> int:
        return self.name % 3

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Colliding) and other.name == self.name

    def __repr__(self) -> str:
        return f"Colliding({self.name})"


keys = st.one_of(
    st.integers(-50, 50), st.text(max_size=3), st.builds(Colliding, st.integers(0, 20))
)
ops = st.lists(st.tuples(keys, st.integers()), max_size=80)


def test_the_fast_paths_are_in_use_with_this_pyrsistent() -> None:
    assert _FAST


@settings(max_examples=300)
@given(st.dictionaries(keys, st.integers(), max_size=30), ops)
def test_lookup_agrees_with_pmap_and_map(start: dict[Any, int], writes: list[Any]) -> None:
    table = pmap(start)
    trie = Map(start)
    model = dict(start)
    for key, value in writes:
        table, trie = table.set(key, value), trie.set(key, value)
        model[key] = value
        assert lookup(table, key) is value and lookup(trie, key) is value
    for key in model:
        assert lookup(table, key) == model[key] == lookup(trie, key)
    assert lookup(table, "missing key") is None and lookup(trie, "missing key") is None


def test_lookup_takes_plain_dicts_too() -> None:
    assert lookup({"a": 1}, "a") == 1 and lookup({"a": 1}, "b") is None
