"""The fast paths of ``to_json`` / ``from_json`` against the slow ones they replace.

``to_json`` reads a ``PMap``'s buckets directly and ``from_json`` builds them directly;
both must give exactly what the plain walks give: equal values, the same types, the same
iteration order (the snapshot's JSON text depends on it) and the same errors.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyrsistent import PMap, PVector, pmap, pvector

from rtkq import freeze
from rtkq._json import NotJSONError, from_json, pmap_items, to_json

_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=6)
)
#: What json.loads gives: str keys, lists, scalars.
json_values = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=5), inner, max_size=9)
    ),
    max_leaves=40,
)
#: What a user may hand to hydrate by hand: other keys, tuples, sets, frozen maps too.
any_values = st.recursive(
    _scalars | st.binary(max_size=3),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.frozensets(_scalars, max_size=3)
        | st.dictionaries(st.integers() | st.text(max_size=3), inner, max_size=6)
        | st.dictionaries(st.text(max_size=3), inner, max_size=4).map(pmap)
    ),
    max_leaves=25,
)


def _reference_to_json(value: Any) -> Any:
    """to_json as it was before its fast paths: plain Mapping / sequence walks."""
    if isinstance(value, str) or value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise NotJSONError(f"the float {value!r} (JSON has no NaN or infinity)")
        return value
    if isinstance(value, Mapping):
        result = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise NotJSONError(f"the dict key {key!r} (JSON keys are str)")
            result[key] = _reference_to_json(item)
        return result
    if isinstance(value, (list, tuple, PVector)):
        return [_reference_to_json(item) for item in value]
    raise NotJSONError(f"a {type(value).__name__!r} ({value!r})")


def _same_shape(left: Any, right: Any) -> None:
    """Equal, of the same types at every depth, maps in the same iteration order."""
    assert type(left) is type(right)
    if isinstance(left, PMap):
        assert left._buckets == right._buckets
        assert list(left.keys()) == list(right.keys())
        for key in left:
            _same_shape(left[key], right[key])
    elif isinstance(left, (PVector, list, tuple)):
        assert len(left) == len(right)
        for a, b in zip(left, right, strict=True):
            _same_shape(a, b)
    else:
        assert left == right or (left != left and right != right)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_from_json_is_freeze_for_json_values(value: Any) -> None:
    _same_shape(from_json(value), freeze(value))
    _same_shape(from_json(json.loads(json.dumps(value))), freeze(json.loads(json.dumps(value))))


@settings(max_examples=200, deadline=None)
@given(any_values)
def test_from_json_is_freeze_for_anything_else_too(value: Any) -> None:
    _same_shape(from_json(value), freeze(value))


def test_from_json_gives_the_shared_empty_map_and_keeps_frozen_data() -> None:
    assert from_json({}) is pmap()
    frozen = freeze({"a": [1, {"b": 2}]})
    assert from_json(frozen) is frozen


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_to_json_of_frozen_data_matches_the_slow_walk_in_order(value: Any) -> None:
    frozen = freeze(value)
    fast = to_json(frozen)
    assert fast == _reference_to_json(frozen) == value
    # same key order, hence the same snapshot text
    assert json.dumps(fast) == json.dumps(_reference_to_json(frozen))


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.text(max_size=4), st.integers(), max_size=40))
def test_pmap_items_is_the_maps_own_order(plain: dict[str, int]) -> None:
    frozen = pmap(plain)
    assert list(pmap_items(frozen)) == list(frozen.items())


@pytest.mark.parametrize(
    ("value", "match"),
    [
        (freeze({"a": 1, "b": [1.0, math.nan]}), r"the float nan \(JSON has no NaN"),
        (freeze({"a": {"x": math.inf}}), r"the float inf"),
        (freeze({"a": 1, 2: "two"}), r"the dict key 2 \(JSON keys are str\)"),
        (freeze({"a": {"b": {1, 2}}}), r"a 'PSet'"),
        ({"a": [1, object]}, r"a 'type'"),
        (pvector([1, {3: 4}]), r"the dict key 3"),
    ],
)
def test_to_json_refuses_what_the_slow_walk_refused(value: Any, match: str) -> None:
    with pytest.raises(NotJSONError, match=match) as fast:
        to_json(value)
    with pytest.raises(NotJSONError) as slow:
        _reference_to_json(value)
    assert str(fast.value) == str(slow.value)
