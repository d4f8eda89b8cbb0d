"""``assoc`` / ``lookup``: the fast PMap set and get equal pyrsistent's own, always."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pyrsistent import PMap, pmap

from rtkq._types import _FAST, assoc, build_pmap, lookup


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
def test_assoc_and_lookup_agree_with_pmap(start: dict[Any, int], writes: list[Any]) -> None:
    fast = slow = pmap(start)
    model = dict(start)
    for key, value in writes:
        before = fast
        fast = assoc(fast, key, value)
        slow = slow.set(key, value)
        same_value = key in model and model[key] is value
        model[key] = value
        assert isinstance(fast, PMap)
        assert fast == slow == pmap(model) and len(fast) == len(model)
        if same_value:
            assert fast is before  # setting the very value it holds changes nothing
        assert lookup(fast, key) is value
    for key in model:
        assert lookup(fast, key) == model[key]
    assert lookup(fast, "missing key") is None
    assert fast == slow


def test_assoc_and_lookup_take_plain_dicts_too() -> None:
    assert lookup({"a": 1}, "a") == 1 and lookup({"a": 1}, "b") is None
    assert assoc(pmap(), "a", 1) == pmap({"a": 1})


@settings(max_examples=200)
@given(st.dictionaries(keys, st.integers(), max_size=60), ops)
def test_build_pmap_is_pmap_with_tuple_buckets(items: dict[Any, int], steps: list[Any]) -> None:
    built, theirs = build_pmap(dict(items)), pmap(items)
    assert built == theirs and dict(built) == items and hash(built) == hash(theirs)
    assert all(bucket is None or type(bucket) is tuple for bucket in built._buckets)
    for key, value in steps:
        built, theirs = assoc(built, key, value), theirs.set(key, value)
        assert built == theirs and lookup(built, key) == value
    for key in list(theirs)[::2]:
        built, theirs = built.remove(key), theirs.remove(key)
    assert built == theirs and dict(built) == dict(theirs)
