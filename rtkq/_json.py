"""Converting between frozen store data and plain JSON values.

``to_json`` turns frozen data into plain JSON values, refusing anything JSON cannot hold;
``from_json`` freezes JSON values (what ``json.loads`` gives) into what :func:`freeze`
returns for them, with fewer calls. Both run once per cached entry when a snapshot is
saved or restored; ``to_json`` reads a ``PMap``'s buckets directly rather than through
its Python-level iterators, as ``rtkq._types`` does for lookups.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from itertools import chain
from typing import Any

from pyrsistent import PMap, PVector, pmap, pvector

from ._freeze import freeze
from ._records import record_kind
from ._small_map import SMALL, small_pmap, small_pmap_of_pairs

__all__ = ["NotJSONError", "from_json", "pmap_items", "to_json"]


class NotJSONError(TypeError):
    """A value that JSON cannot represent exactly (a set, an object, a non-str key, NaN)."""


#: Exact types returned as they are (floats are checked for NaN and infinity).
_PLAIN = frozenset({str, int, bool, type(None)})
#: Exact types ``freeze`` keeps as they are without a call.
_SCALARS = frozenset({str, int, float, bool, bytes, type(None)})

#: The concrete vector type (``pyrsistent.PVector`` is an abstract base, and the C
#: vector is not a subclass of it as far as ``type() is`` can tell).
_VECTOR: type[Any] = type(pvector())
_isfinite = math.isfinite


def _bucket_items(table: Any) -> Iterator[tuple[Any, Any]]:
    # A PMap keeps its items in a vector of buckets (None, or a list or tuple of
    # (key, value) pairs); PMap.items() walks them in this order with a generator.
    return chain.from_iterable(filter(None, table._buckets))


def _slow_items(table: Any) -> Iterator[tuple[Any, Any]]:  # pragma: no cover - other layout
    return iter(table.items())


def to_json(value: Any) -> Any:
    """Return ``value`` as plain JSON data: dicts with str keys, lists, scalars.

    ``PMap`` and other mappings become dicts, ``PVector``, lists and tuples become
    lists. Typed records become dicts of their fields (a pydantic model's JSON dump by
    alias, a msgspec struct's builtins), which the endpoint's ``response_schema``
    reads back when the snapshot is hydrated.

    Raises:
        NotJSONError: something JSON cannot represent exactly.
    """
    kind_of = type(value)
    if kind_of in _PLAIN:
        return value
    if kind_of is PMap and _FAST:
        # The common case (cached JSON data), read bucket by bucket in the map's own
        # order: one call per nested container, none per plain scalar or finite float.
        result = {}
        for bucket in value._buckets:
            if bucket:
                for key, item in bucket:
                    if type(key) is not str and not isinstance(key, str):
                        raise NotJSONError(f"the dict key {key!r} (JSON keys are str)")
                    item_kind = type(item)
                    if item_kind in _PLAIN or (item_kind is float and _isfinite(item)):
                        result[key] = item
                    elif item_kind is _VECTOR and _PLAIN.issuperset(map(type, item)):
                        result[key] = list(item)  # a list of plain scalars: no call
                    else:
                        result[key] = to_json(item)
        return result
    if kind_of is dict:
        result = {}
        for key, item in value.items():
            if type(key) is not str and not isinstance(key, str):
                raise NotJSONError(f"the dict key {key!r} (JSON keys are str)")
            item_kind = type(item)
            if item_kind in _PLAIN or (item_kind is float and _isfinite(item)):
                result[key] = item
            else:
                result[key] = to_json(item)
        return result
    if kind_of is _VECTOR or kind_of is list:
        if _PLAIN.issuperset(map(type, value)):
            return list(value)
        return [
            item
            if type(item) in _PLAIN or (type(item) is float and _isfinite(item))
            else to_json(item)
            for item in value
        ]
    if isinstance(value, str) or value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, float):
        if not _isfinite(value):
            raise NotJSONError(f"the float {value!r} (JSON has no NaN or infinity)")
        return value
    if isinstance(value, Mapping):
        result = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise NotJSONError(f"the dict key {key!r} (JSON keys are str)")
            result[key] = to_json(item)
        return result
    if isinstance(value, (list, tuple, PVector)):
        return [to_json(item) for item in value]
    kind = record_kind(type(value))
    if kind is not None:
        try:
            builtins = kind.to_builtins(value)
        except Exception as exc:  # a field the library cannot serialise
            raise NotJSONError(f"the record {value!r} ({exc})") from exc
        return to_json(builtins)
    raise NotJSONError(f"a {type(value).__name__!r} ({value!r})")


def from_json(value: Any) -> Any:
    """``freeze(value)``, with fewer calls for what ``json.loads`` returns.

    Plain dicts and lists are frozen here as :func:`freeze` freezes them (small dicts
    in the compact layout of ``rtkq._small_map``), without a call per scalar inside a
    list; anything else goes to :func:`freeze`. The result equals ``freeze(value)`` for
    every input, down to the iteration order of each ``PMap``.
    """
    kind = type(value)
    if kind is dict:
        if 0 < len(value) <= SMALL:  # the pairs of the compact layout, no dict between
            return small_pmap_of_pairs(
                tuple(
                    [
                        (key, item if type(item) in _SCALARS else from_json(item))
                        for key, item in value.items()
                    ]
                )
            )
        return small_pmap(
            {
                key: item if type(item) in _SCALARS else from_json(item)
                for key, item in value.items()
            }
        )
    if kind is list:
        if _SCALARS.issuperset(map(type, value)):  # a list of scalars, all in C
            return pvector(value)
        return pvector([item if type(item) in _SCALARS else from_json(item) for item in value])
    if kind in _SCALARS:
        return value
    return freeze(value)


def _layout_holds() -> bool:
    """Whether this pyrsistent still keeps a map's items in buckets as read here."""
    try:
        small = freeze({"a": 1, "b": [2]})
        big = pmap({str(i): i for i in range(40)} | {3: None, (4, 5): 6.5})
        return all(
            list(_bucket_items(table)) == list(table.items())
            and dict(_bucket_items(table)) == dict(table.items())
            for table in (small, big, pmap())
        )
    except (AttributeError, TypeError, ValueError):  # pragma: no cover - another layout
        return False


#: Whether to_json may read ``PMap`` buckets directly.
_FAST = _layout_holds()
#: The items of a ``PMap``, in its own iteration order.
pmap_items = _bucket_items if _FAST else _slow_items
