"""Converting frozen store data to plain JSON values, refusing anything JSON cannot hold."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from pyrsistent import PMap, PVector

from .._records import record_kind

__all__ = ["NotJSONError", "to_json"]


class NotJSONError(TypeError):
    """A value that JSON cannot represent exactly (a set, an object, a non-str key, NaN)."""


#: Exact types returned as they are (floats are checked for NaN and infinity).
_PLAIN = frozenset({str, int, bool, type(None)})


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
    if kind_of is PMap or kind_of is dict:
        # The common case (cached JSON data): one call per nested container, none per
        # plain scalar.
        result = {}
        for key, item in value.items():
            if type(key) is not str and not isinstance(key, str):
                raise NotJSONError(f"the dict key {key!r} (JSON keys are str)")
            result[key] = item if type(item) in _PLAIN else to_json(item)
        return result
    if kind_of is PVector or kind_of is list:
        return [item if type(item) in _PLAIN else to_json(item) for item in value]
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
