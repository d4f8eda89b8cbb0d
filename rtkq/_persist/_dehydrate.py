"""``dehydrate``: the api's cache as a JSON-compatible snapshot.

The snapshot holds the queries that have data (their server data, without optimistic
layers: those come back with their mutations) and the paused mutations (endpoint name
and arg are enough to send them again, since endpoints are code). Its format is
described in ``rtkq._query._hydrate``, which reads it back.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from pyrsistent import PMap

from .._gc import collector_paused
from .._json import NotJSONError, pmap_items, to_json
from .._query._hydrate import SNAPSHOT_VERSION
from .._query._types import QueryState, QueryStatus, Tag

if TYPE_CHECKING:
    from .._query._create_api import Api

__all__ = ["dehydrate"]

_WITH_DATA = (QueryStatus.FULFILLED, QueryStatus.PENDING)
#: Exact types ``to_json`` returns as they are (no call needed).
_PLAIN = frozenset({str, int, bool, type(None)})


def _mutation_order(entry: Any) -> tuple[float, int]:
    # Dispatch order: started_at, then the counter at the end of the request id (two
    # mutations dispatched within one clock tick share a started_at).
    _, _, counter = str(entry.request_id).rpartition("-")
    return (entry.started_at or 0.0, int(counter) if counter.isdigit() else 0)


def _items(table: Any) -> Any:
    return pmap_items(table) if type(table) is PMap else table.items()


def _tag_pairs(tags: tuple[Tag, ...]) -> list[list[Any]]:
    """``[[type, id], ...]`` of a key's provided tags (ids made JSON like any data)."""
    if len(tags) == 1 and type(tags[0][1]) in _PLAIN:
        return [list(tags[0])]  # the common case: one tag with a scalar id, all in C
    return [
        [tag_type, tag_id if type(tag_id) in _PLAIN else to_json(tag_id)]
        for tag_type, tag_id in tags
    ]


def _queries(
    api_state: Mapping[str, Any],
    should_dehydrate_query: Callable[[QueryState], bool] | None,
    skipped: list[tuple[str, NotJSONError]],
) -> list[dict[str, Any]]:
    """The snapshot's query entries, in the order of the queries map.

    One pass over the map; the provided-tags index and the optimistic base are read
    into dicts once (one pass in C; a dict lookup is then about half a table's).
    """
    base = api_state["optimistic"]["base"]
    server_data = dict(_items(base)) if base else None
    provided = dict(_items(api_state["provided"]["keys"]))
    queries: list[dict[str, Any]] = []
    append = queries.append
    for key, entry in _items(api_state["queries"]):
        fulfilled_at = entry.fulfilled_at
        if fulfilled_at is None:
            continue
        if should_dehydrate_query is None:
            # fulfilled, or refetching over fulfilled data; never a failed entry
            if entry.status not in _WITH_DATA:
                continue
        elif not should_dehydrate_query(entry):
            continue
        # the server data, under any optimistic layers
        data = entry.data if server_data is None else server_data.get(key, entry.data)
        args = entry.original_args
        tags = provided.get(key)
        try:
            append(
                {
                    "query_cache_key": key,
                    "endpoint_name": entry.endpoint_name,
                    "original_args": args if type(args) in _PLAIN else to_json(args),
                    "data": to_json(data),
                    "fulfilled_at": fulfilled_at,
                    "provided_tags": _tag_pairs(tags) if tags else [],
                }
            )
        except NotJSONError as exc:
            skipped.append((key, exc))
    return queries


def _api_slice(state: Any, api: Api) -> Mapping[str, Any]:
    if isinstance(state, Mapping):
        found = state.get(api.reducer_path)
        if isinstance(found, Mapping) and "queries" in found:
            return found
        if "queries" in state and "mutations" in state:
            return state  # the api slice itself
    raise TypeError(
        f"dehydrate() needs the store's root state (with the api under "
        f"{api.reducer_path!r}), got {type(state).__name__!r}. Pass store.get_state()."
    )


def dehydrate(
    state: Any,
    api: Api,
    *,
    should_dehydrate_query: Callable[[QueryState], bool] | None = None,
    buster: str = "",
) -> dict[str, Any]:
    """Snapshot the cache of ``api`` in ``state`` as JSON-compatible data.

    Args:
        state: the store's root state (``store.get_state()``).
        api: the api whose slice to snapshot.
        should_dehydrate_query: ``(query_state) -> bool`` choosing entries among those
            that have data; by default fulfilled entries (refetching ones included).
        buster: a version string; ``hydrate`` drops a snapshot with another one.

    Returns:
        ``{"version": 1, "buster", "saved_at", "queries": [...], "mutations": [...]}``
        with each query's ``query_cache_key``, ``endpoint_name``, ``original_args``,
        ``data``, ``fulfilled_at`` and ``provided_tags``, and each paused mutation's
        ``endpoint_name``, ``original_args``, ``scope``, ``started_at`` and
        ``fixed_cache_key``, in dispatch order.

    Entries whose data or args JSON cannot represent are left out with a
    ``RuntimeWarning`` naming the first of them.

    Raises:
        TypeError: ``state`` holds no state of ``api``; ``buster`` is not a str.
    """
    if not isinstance(buster, str):
        raise TypeError(f"buster must be a str, got {type(buster).__name__!r}.")
    api_state = _api_slice(state, api)
    skipped: list[tuple[str, NotJSONError]] = []
    with collector_paused():  # see rtkq._gc
        queries = _queries(api_state, should_dehydrate_query, skipped)
    mutations = []
    paused = [
        entry
        for entry in api_state["mutations"].values()
        if entry.is_paused and entry.status is QueryStatus.PENDING
    ]
    for entry in sorted(paused, key=_mutation_order):
        try:
            mutations.append(
                {
                    "endpoint_name": entry.endpoint_name,
                    "original_args": to_json(entry.original_args),
                    "scope": entry.scope,
                    "started_at": entry.started_at,
                    "fixed_cache_key": entry.fixed_cache_key,
                }
            )
        except NotJSONError as exc:
            skipped.append((f"mutation {entry.endpoint_name}", exc))
    if skipped:
        first, problem = skipped[0]
        warnings.warn(
            f"dehydrate() left out {len(skipped)} entr{'y' if len(skipped) == 1 else 'ies'} "
            f"that JSON cannot represent, first {first!r}: it holds {problem}. Keep cached "
            "data JSON-like, or exclude such entries with should_dehydrate_query.",
            RuntimeWarning,
            stacklevel=2,
        )
    return {
        "version": SNAPSHOT_VERSION,
        "buster": buster,
        "saved_at": time.time(),
        "queries": queries,
        "mutations": mutations,
    }
