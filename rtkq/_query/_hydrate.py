"""Reading a dehydrated snapshot back: validation and the ``hydrate`` action's payload.

The snapshot format (written by ``rtkq.persist.dehydrate``), version 1::

    {"version": 1, "buster": str, "saved_at": float,
     "queries":   [{"query_cache_key": str, "endpoint_name": str, "original_args": JSON,
                    "data": JSON, "fulfilled_at": float,
                    "provided_tags": [[type, id], ...]}, ...],
     "mutations": [{"endpoint_name": str, "original_args": JSON, "scope": str | None,
                    "started_at": float | None, "fixed_cache_key": str | None}, ...]}

Validation is complete before anything is applied: a malformed snapshot raises and
changes nothing. What is well-formed but stale (an endpoint or tag type this version of
the code no longer has, an entry older than ``max_age``, another ``buster``) is dropped
silently. An endpoint with a ``response_schema`` validates each entry's data again
(it stores the schema's output: typed records); an entry that no longer validates is
dropped with a ``RuntimeWarning``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._exceptions import SchemaError
from .._freeze import freeze
from .._gc import collector_paused
from .._json import from_json
from .._schema import revalidate
from ._infinite import check_pages, paging_flags
from ._requests import new_request_id
from ._slice import new_fulfilled, new_infinite
from ._types import QueryState, QueryStatus, Tag

if TYPE_CHECKING:
    from ._create_api import Api

__all__ = ["SNAPSHOT_VERSION", "hydrate_payload"]

SNAPSHOT_VERSION = 1

_QUERY_KEYS = frozenset(
    {"query_cache_key", "endpoint_name", "original_args", "data", "fulfilled_at", "provided_tags"}
)
_MUTATION_KEYS = frozenset(
    {"endpoint_name", "original_args", "scope", "started_at", "fixed_cache_key"}
)


def _malformed(where: str, problem: str) -> ValueError:
    return ValueError(
        f"Cannot hydrate: {where} {problem}. The snapshot is malformed and nothing was "
        "applied; discard it (e.g. persister.clear()) and start with an empty cache."
    )


_isfinite = math.isfinite
#: ``Tag(type, id)`` from a ``[type, id]`` pair (what ``Tag._make`` does, unchecked).
_new_tag = tuple.__new__
#: Exact types ``freeze`` keeps as they are.
_SCALARS = frozenset({str, int, float, bool, bytes, type(None)})


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _optional_str(item: Mapping[str, Any], name: str, where: str) -> str | None:
    value = item[name]
    if value is not None and not isinstance(value, str):
        raise _malformed(f"{where}.{name}", f"must be a str or None, got {value!r}")
    return value


def _check_keys(item: Any, required: frozenset[str], where: str) -> Mapping[str, Any]:
    if not isinstance(item, Mapping):
        raise _malformed(where, f"must be a dict, got {type(item).__name__!r}")
    missing = required - item.keys()
    if missing:
        raise _malformed(where, f"lacks {sorted(missing)!r}")
    return item


def _tags(raw: Any, tag_types: frozenset[str], index: int) -> tuple[Tag, ...]:
    if type(raw) is list:  # as json.loads gives them: one pass, no call per scalar id
        tags = []
        for pair in raw:
            if type(pair) is not list or len(pair) != 2 or type(pair[0]) is not str:
                break  # the complete checks below say what is wrong
            if pair[0] in tag_types:  # a tag type the code no longer has is dropped
                tag_id = pair[1]
                if type(tag_id) in _SCALARS:
                    tags.append(_new_tag(Tag, pair))
                else:
                    tags.append(Tag(pair[0], from_json(tag_id)))
        else:
            return tuple(tags)
    where = f"queries[{index}].provided_tags"
    if not isinstance(raw, list):
        raise _malformed(where, f"must be a list of [type, id] pairs, got {raw!r}")
    tags = []
    for at, pair in enumerate(raw):
        if not isinstance(pair, list) or len(pair) != 2 or not isinstance(pair[0], str):
            raise _malformed(f"{where}[{at}]", f"must be a [type, id] pair, got {pair!r}")
        if pair[0] in tag_types:
            tags.append(Tag(pair[0], from_json(pair[1])))
    return tuple(tags)


def _entry_fields(raw: Any, where: str) -> Mapping[str, Any]:
    """``raw`` after the checks of one query entry's own fields (not its tags)."""
    item = _check_keys(raw, _QUERY_KEYS, where)
    name = item["endpoint_name"]
    if not isinstance(name, str):
        raise _malformed(f"{where}.endpoint_name", f"must be a str, got {name!r}")
    if not isinstance(item["query_cache_key"], str):
        raise _malformed(f"{where}.query_cache_key", "must be a str")
    fulfilled_at = item["fulfilled_at"]
    if not _is_number(fulfilled_at):
        raise _malformed(
            f"{where}.fulfilled_at", f"must be a finite number of seconds, got {fulfilled_at!r}"
        )
    return item


def _target(api: Api, name: str) -> tuple[Any, Any, bool, bool] | None:
    """``(definition, endpoint.cache_key, validates, infinite)`` of the query endpoint
    ``name``; ``None`` if the code has no such query endpoint (its entries are dropped)."""
    definition = api.definitions.get(name)
    if definition is None or definition.is_mutation:
        return None
    schemas = definition.schemas
    validates = schemas is not None and schemas.response is not None
    return definition, api.endpoints[name].cache_key, validates, definition.is_infinite


_UNSEEN = object()
_FULFILLED = QueryStatus.FULFILLED


def _queries(
    api: Api, raw: Any, *, max_age: float, now: float
) -> tuple[list[QueryState[Any]], list[tuple[Tag, ...]]]:
    """The entries of the snapshot's ``queries`` this code keeps, as the store will hold
    them, and the tags each provides (the same order)."""
    if not isinstance(raw, list):
        raise _malformed("'queries'", f"must be a list, got {type(raw).__name__!r}")
    tag_types = api.tag_types
    targets: dict[str, Any] = {}
    entries: list[QueryState[Any]] = []
    provided_tags: list[tuple[Tag, ...]] = []
    # One request id for the batch, as upsert_query_entries (and RTK's
    # upsertQueryEntries) gives its entries.
    request_id = new_request_id()
    append = entries.append
    append_tags = provided_tags.append
    for index, item in enumerate(raw):
        # What json.loads gives passes the exact-type checks; anything else (or a
        # malformed entry) takes the complete checks, which raise in the same order.
        plain = False
        if type(item) is dict:
            try:
                name = item["endpoint_name"]
                fulfilled_at = item["fulfilled_at"]
                raw_tags = item["provided_tags"]
                arg = item["original_args"]
                data = item["data"]
                plain = (
                    type(name) is str
                    and type(item["query_cache_key"]) is str
                    and type(fulfilled_at) is float
                    and _isfinite(fulfilled_at)
                )
            except KeyError:
                pass
        if not plain:
            item = _entry_fields(item, f"queries[{index}]")
            name = item["endpoint_name"]
            fulfilled_at = item["fulfilled_at"]
            raw_tags = item["provided_tags"]
            arg = item["original_args"]
            data = item["data"]
        # The common case, one [type, id] pair with a scalar id, without a call.
        if (
            type(raw_tags) is list
            and len(raw_tags) == 1
            and type(pair := raw_tags[0]) is list
            and len(pair) == 2
            and type(pair[0]) is str
            and type(pair[1]) in _SCALARS
        ):
            tags: tuple[Tag, ...] = (_new_tag(Tag, pair),) if pair[0] in tag_types else ()
        else:
            tags = _tags(raw_tags, tag_types, index)
        target = targets.get(name, _UNSEEN)
        if target is _UNSEEN:
            target = targets[name] = _target(api, name)
        if target is None:
            continue
        if now - fulfilled_at > max_age:
            continue
        if not plain:
            fulfilled_at = float(fulfilled_at)  # an int from a hand-made snapshot
        definition, cache_key, validates, infinite = target
        if type(arg) not in _SCALARS:
            arg = from_json(arg)
        try:
            key = cache_key(arg)
        except (TypeError, ValueError) as exc:
            raise _malformed(
                f"queries[{index}].original_args", f"gives no cache key ({exc})"
            ) from exc
        if validates:
            try:
                value = revalidate(definition.schemas, data, infinite=infinite)
            except SchemaError as exc:
                warnings.warn(
                    f"hydrate dropped the cached entry {key!r}: its data no longer matches the "
                    f"response_schema of endpoint {name!r} ({exc}). It will be fetched again.",
                    RuntimeWarning,
                    stacklevel=4,
                )
                continue
        else:
            value = from_json(data)  # what revalidate gives without a schema
        if infinite:
            flags = _paging(definition, name, value, arg, f"queries[{index}]")
            entry: QueryState[Any] = new_infinite(
                status=_FULFILLED,
                data=value,
                endpoint_name=name,
                original_args=arg,
                request_id=request_id,
                started_at=fulfilled_at,
                fulfilled_at=fulfilled_at,
                query_cache_key=key,
                **flags,
            )
        else:
            entry = new_fulfilled(
                _FULFILLED, value, name, arg, request_id, fulfilled_at, fulfilled_at, key
            )
        append(entry)
        append_tags(tags)
    return entries, provided_tags


def _paging(definition: Any, name: str, value: Any, arg: Any, where: str) -> dict[str, bool]:
    problem = check_pages(name, value)
    if problem is not None:
        raise _malformed(where, f"has unusable data: {problem}")
    try:
        return paging_flags(definition.infinite_query_options, value, arg)
    except Exception as exc:
        raise _malformed(
            where,
            f"has pages that endpoint {name!r} cannot page from: its page-param function "
            f"raised {type(exc).__name__}: {exc}",
        ) from exc


def _mutations(api: Api, raw: Any) -> list[dict[str, Any]]:
    if not isinstance(raw, list):
        raise _malformed("'mutations'", f"must be a list, got {type(raw).__name__!r}")
    items = []
    for index, item in enumerate(raw):
        where = f"mutations[{index}]"
        item = _check_keys(item, _MUTATION_KEYS, where)
        name = item["endpoint_name"]
        if not isinstance(name, str):
            raise _malformed(f"{where}.endpoint_name", f"must be a str, got {name!r}")
        scope = _optional_str(item, "scope", where)
        fixed_cache_key = _optional_str(item, "fixed_cache_key", where)
        started_at = item["started_at"]
        if started_at is not None and not _is_number(started_at):
            raise _malformed(f"{where}.started_at", f"must be a number or None, got {started_at!r}")
        definition = api.definitions.get(name)
        if definition is None or not definition.is_mutation:
            continue
        items.append(
            {
                "endpoint_name": name,
                "arg": freeze(item["original_args"]),
                "request_id": new_request_id(),
                "scope": scope,
                "started_at": started_at,
                "fixed_cache_key": fixed_cache_key,
            }
        )
    return items


def hydrate_payload(
    api: Api, dehydrated: Any, *, max_age: float, buster: str, now: float
) -> dict[str, list[Any]]:
    """Validate ``dehydrated`` and build the payload of the ``hydrate`` action.

    The payload is ``{"queries": [QueryState, ...], "provided_tags": [(Tag, ...), ...],
    "mutations": [dict, ...]}``: each query entry as the store will hold it (fulfilled,
    one request id for the batch) and, at the same index, the tags it provides. The
    reducer only decides which of them are newer than what the store holds.

    Raises:
        ValueError: ``dehydrated`` is malformed or of an unknown version; ``max_age`` is
            negative.
        TypeError: ``max_age`` is not a number or ``buster`` not a str.
    """
    if not isinstance(max_age, (int, float)) or isinstance(max_age, bool):
        raise TypeError(f"max_age must be seconds (a number), got {max_age!r}.")
    if max_age < 0:
        raise ValueError(f"max_age must be >= 0 seconds (math.inf keeps all), got {max_age!r}.")
    if not isinstance(buster, str):
        raise TypeError(f"buster must be a str, got {type(buster).__name__!r}.")
    if not isinstance(dehydrated, Mapping):
        raise _malformed("the snapshot", f"must be a dict, got {type(dehydrated).__name__!r}")
    version = dehydrated.get("version")
    if version != SNAPSHOT_VERSION or isinstance(version, bool):
        raise ValueError(
            f"Cannot hydrate: unknown snapshot version {version!r} (this rtkq reads version "
            f"{SNAPSHOT_VERSION}). Nothing was applied; discard the snapshot (e.g. "
            "persister.clear())."
        )
    _check_keys(dehydrated, frozenset({"buster", "queries", "mutations"}), "the snapshot")
    if dehydrated["buster"] != buster:
        # written by another build: all dropped
        return {"queries": [], "provided_tags": [], "mutations": []}
    with collector_paused():  # see rtkq._gc
        entries, provided_tags = _queries(
            api, dehydrated["queries"], max_age=float(max_age), now=now
        )
        return {
            "queries": entries,
            "provided_tags": provided_tags,
            "mutations": _mutations(api, dehydrated["mutations"]),
        }
