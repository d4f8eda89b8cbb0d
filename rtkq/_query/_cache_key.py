"""Cache keys: ``default_serialize_query_args``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pyrsistent import PSet, PVector

from .._records import record_kind
from ._types import QueryCacheKey

__all__ = ["default_serialize_query_args", "serialize_for_key"]


def _plain(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, Mapping):
        return {_key(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, PVector)):
        return [_plain(v) for v in value]
    if isinstance(value, (set, frozenset, PSet)):
        return sorted((_plain(v) for v in value), key=repr)
    kind = record_kind(type(value))
    if kind is not None:  # a typed record keys like the JSON it is sent as
        return _plain(kind.to_builtins(value))
    raise TypeError(f"{type(value).__name__!r} ({value!r}) is not JSON-serializable")


def _key(key: Any) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, (int, float, bool)) or key is None:
        return json.dumps(key)
    raise TypeError(f"dict key {key!r} of type {type(key).__name__!r} is not a string")


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"))


def serialize_for_key(arg: Any) -> str:
    """Compact JSON with object keys sorted at every depth."""
    kind = type(arg)
    if kind is int:
        return str(arg)  # what JSON writes for an int, without the encoder's overhead
    if kind is str or kind is bool or arg is None:
        return json.dumps(arg)
    return _CANONICAL.encode(_plain(arg))


def default_serialize_query_args(endpoint_name: str, arg: Any) -> QueryCacheKey:
    """The default cache key: ``f"{endpoint_name}({canonical JSON of arg})"``.

    Object keys are sorted at every depth and ``None``-valued keys are kept, so equal
    args give equal keys whatever their dict order. ``PMap``/``PVector`` serialize like
    dicts and lists, tuples like lists, typed records (frozen dataclasses, pydantic
    models, msgspec structs) like the dict of their fields.

    Raises:
        TypeError: ``arg`` holds something JSON cannot represent; the message names the
            endpoint and suggests ``serialize_query_args``.
    """
    try:
        canonical = serialize_for_key(arg)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"Cannot serialize the arg of endpoint {endpoint_name!r} into a cache key: "
            f"{exc}. Pass JSON-like args (dicts, lists, str, numbers, None), or give the "
            "endpoint or the api a serialize_query_args(endpoint_name, arg) -> str."
        ) from exc
    return QueryCacheKey(f"{endpoint_name}({canonical})")
