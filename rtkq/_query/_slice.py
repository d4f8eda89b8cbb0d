"""The api's reducer: ``state[reducer_path]`` as frozen pyrsistent data.

Shape::

    {"queries":   {cache_key: QueryState},
     "mutations": {request_id or fixed_cache_key: MutationState},
     "provided":  {"tags": {type: {id: {cache_key}}}, "keys": {cache_key: [Tag]}},
     "optimistic": {"layers": {cache_key: [(layer_id, recipe)]},
                    "base": {cache_key: server data under the layers}},
     "config":    {"online": bool, "focused": bool, ...}}

Subscriptions are not here: they live in the api middleware, so subscribing does not
wake store listeners (contract §4).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from typing import Any

from pyrsistent import pvector

from .._draft import apply_patches, produce
from .._store._action import Action
from .._types import EMPTY_TABLE, Table, discard, new_table, remove, update_table
from ._action_types import FOCUSED, OFFLINE, ONLINE, UNFOCUSED, ActionTypes
from ._evolve import build, build_positional, evolve
from ._tags import EMPTY_PROVIDED, replace_provided, replace_provided_many
from ._types import InfiniteQueryState, MutationState, QueryState, QueryStatus, Tag

__all__ = ["apply_layers", "build_reducer", "initial_slice_state", "new_fulfilled", "new_infinite"]

Handler = Callable[[Table, Action], Table]

_PENDING = QueryStatus.PENDING
_FULFILLED = QueryStatus.FULFILLED
_REJECTED = QueryStatus.REJECTED
_EMPTY_OPTIMISTIC: Table = new_table({"layers": EMPTY_TABLE, "base": EMPTY_TABLE})
_new_query = build(QueryState)
new_infinite = build(InfiniteQueryState)
# A fulfilled entry written by an upsert or a hydrate (positional: one per entry of a batch).
new_fulfilled = build_positional(
    QueryState,
    "status",
    "data",
    "endpoint_name",
    "original_args",
    "request_id",
    "started_at",
    "fulfilled_at",
    "query_cache_key",
)


def initial_slice_state(config: Mapping[str, Any]) -> Table:
    return new_table(
        {
            "queries": EMPTY_TABLE,
            "mutations": EMPTY_TABLE,
            "provided": EMPTY_PROVIDED,
            "optimistic": _EMPTY_OPTIMISTIC,
            "config": new_table({"online": True, "focused": True, **config}),
        }
    )


def apply_layers(data: Any, layers: Any) -> Any:
    """Re-apply optimistic layer recipes, in the order they were made, on ``data``."""

    for layer_id, recipe in layers:
        try:
            data = produce(data, recipe)
        except Exception as exc:
            warnings.warn(
                f"Optimistic layer {layer_id!r} could not be re-applied on fresh data "
                f"({type(exc).__name__}: {exc}); it is skipped for this data.",
                RuntimeWarning,
                stacklevel=2,
            )
    return data


def _provide(state: Table, key: str, tags: Any) -> Table:
    """Replace the tags ``key`` provides; ``None`` leaves them as they are."""
    if tags is None:
        return state
    return state.set("provided", replace_provided(state["provided"], key, tags))


def _set_data(slice_state: Table, key: str, entry: Any, data: Any, **changes: Any) -> Table:
    """Store server ``data`` into ``entry``, under any optimistic layers of ``key``."""
    optimistic: Table = slice_state["optimistic"]
    # No optimistic update ever made: the initial map, no lookup of the key.
    layers = None if optimistic is _EMPTY_OPTIMISTIC else optimistic["layers"].get(key)
    if layers:
        optimistic = optimistic.set("base", optimistic["base"].set(key, data))
        slice_state = slice_state.set("optimistic", optimistic)
        data = apply_layers(data, layers)
    entry = evolve(entry, data=data, **changes)
    return slice_state.set("queries", slice_state["queries"].set(key, entry))


def _as_upsert(entry: Any, tags: tuple[Tag, ...]) -> dict[str, Any]:
    """The ``upsert_query_entries`` item that writes hydrated ``entry`` over a known one."""
    item = {
        "query_cache_key": entry.query_cache_key,
        "endpoint_name": entry.endpoint_name,
        "arg": entry.original_args,
        "value": entry.data,
        "request_id": entry.request_id,
        "fulfilled_at": entry.fulfilled_at,
        "provided_tags": tags,
    }
    if isinstance(entry, InfiniteQueryState):
        item["infinite"] = True
        item["has_next_page"] = entry.has_next_page
        item["has_previous_page"] = entry.has_previous_page
    return item


def build_reducer(*, types: ActionTypes, config: Mapping[str, Any]) -> Callable[[Any, Any], Any]:
    """Return the api's reducer for one ``reducer_path``."""
    initial = initial_slice_state(config)

    def query_pending(state: Table, action: Action) -> Table:
        meta = action.meta
        key = meta["query_cache_key"]
        queries: Table = state["queries"]
        entry = queries.get(key)
        if meta.get("infinite"):
            if entry is None:
                entry = new_infinite(endpoint_name=meta["endpoint_name"], query_cache_key=key)
            entry = evolve(
                entry,
                status=_PENDING,
                request_id=meta["request_id"],
                started_at=meta["started_at"],
                original_args=meta["arg"],
                direction=meta.get("direction"),
            )
        elif entry is None:
            entry = _new_query(
                status=_PENDING,
                endpoint_name=meta["endpoint_name"],
                original_args=meta["arg"],
                request_id=meta["request_id"],
                started_at=meta["started_at"],
                query_cache_key=key,
            )
        else:
            entry = evolve(
                entry,
                status=_PENDING,
                request_id=meta["request_id"],
                started_at=meta["started_at"],
                original_args=meta["arg"],
            )
        return state.set("queries", queries.set(key, entry))

    def query_fulfilled(state: Table, action: Action) -> Table:
        meta = action.meta
        key = meta["query_cache_key"]
        entry = state["queries"].get(key)
        if entry is None:
            return state
        if entry.request_id != meta["request_id"] and not meta.get("upsert"):
            return state  # superseded by a newer request: its answer wins
        changes: dict[str, Any] = {
            "status": _FULFILLED,
            "error": None,
            "fulfilled_at": meta["fulfilled_at"],
        }
        if meta.get("upsert"):
            changes["original_args"] = meta["arg"]
            changes["request_id"] = meta["request_id"]
        if isinstance(entry, InfiniteQueryState):
            changes["direction"] = None
            changes["fetch_error_direction"] = None
            changes["has_next_page"] = meta.get("has_next_page", False)
            changes["has_previous_page"] = meta.get("has_previous_page", False)
        state = _set_data(state, key, entry, action.payload, **changes)
        state = _provide(state, key, meta.get("provided_tags"))
        return state

    def query_rejected(state: Table, action: Action) -> Table:
        meta = action.meta
        key = meta["query_cache_key"]
        queries: Table = state["queries"]
        entry = queries.get(key)
        if entry is None or entry.request_id != meta["request_id"]:
            return state
        changes: dict[str, Any] = {"status": _REJECTED, "error": action.payload}
        if isinstance(entry, InfiniteQueryState):
            changes["fetch_error_direction"] = entry.direction
            changes["direction"] = None
        state = state.set("queries", queries.set(key, evolve(entry, **changes)))
        state = _provide(state, key, meta.get("provided_tags"))
        return state

    def remove_query_result(state: Table, action: Action) -> Table:
        key = action.payload["query_cache_key"]
        queries: Table = state["queries"]
        if key not in queries:
            return state
        state = state.set("queries", remove(queries, key))
        state = state.set("provided", replace_provided(state["provided"], key, ()))
        optimistic: Table = state["optimistic"]
        if key in optimistic["layers"]:
            state = state.set(
                "optimistic",
                new_table(
                    {
                        "layers": discard(optimistic["layers"], key),
                        "base": discard(optimistic["base"], key),
                    }
                ),
            )
        return state

    def mutation_key(meta: Mapping[str, Any]) -> Any:
        return meta.get("fixed_cache_key") or meta["request_id"]

    def mutation_pending(state: Table, action: Action) -> Table:
        meta = action.meta
        if not meta.get("track", True):
            return state
        entry = MutationState(
            status=_PENDING,
            endpoint_name=meta["endpoint_name"],
            original_args=meta["arg"],
            request_id=meta["request_id"],
            started_at=meta["started_at"],
            is_paused=meta.get("is_paused", False),
            scope=meta.get("scope"),
            fixed_cache_key=meta.get("fixed_cache_key"),
        )
        return state.set("mutations", state["mutations"].set(mutation_key(meta), entry))

    def mutation_settled(status: QueryStatus) -> Handler:
        def handler(state: Table, action: Action) -> Table:
            meta = action.meta
            mutations: Table = state["mutations"]
            key = mutation_key(meta)
            entry = mutations.get(key)
            if entry is None or entry.request_id != meta["request_id"]:
                return state
            changes: dict[str, Any] = {"status": status, "is_paused": False}
            if status is _FULFILLED:
                changes["data"] = action.payload
                changes["fulfilled_at"] = meta["fulfilled_at"]
            else:
                changes["error"] = action.payload
            return state.set("mutations", mutations.set(key, evolve(entry, **changes)))

        return handler

    def mutation_resumed(state: Table, action: Action) -> Table:
        meta = action.meta
        mutations: Table = state["mutations"]
        key = mutation_key(meta)
        entry = mutations.get(key)
        if entry is None or entry.request_id != meta["request_id"] or not entry.is_paused:
            return state
        return state.set("mutations", mutations.set(key, evolve(entry, is_paused=False)))

    def mutation_paused(state: Table, action: Action) -> Table:
        meta = action.meta
        mutations: Table = state["mutations"]
        key = mutation_key(meta)
        entry = mutations.get(key)
        if (
            entry is None
            or entry.request_id != meta["request_id"]
            or entry.is_paused
            or entry.status is not _PENDING
        ):
            return state
        return state.set("mutations", mutations.set(key, evolve(entry, is_paused=True)))

    def hydrate_queries(state: Table, entries: list[Any], provided_tags: list[Any]) -> Table:
        queries: Table = state["queries"]
        if not len(queries) and not len(state["optimistic"]["layers"]):
            # A fresh store (the restore at start-up): every entry is new and is stored
            # as the payload built it; the later of two entries of one key wins.
            keys = [entry.query_cache_key for entry in entries]
            written = dict(zip(keys, entries, strict=True))
            state = state.set("queries", update_table(queries, written))
            pairs = zip(keys, provided_tags, strict=True)
            return state.set("provided", replace_provided_many(state["provided"], pairs))
        newer = []
        for entry, tags in zip(entries, provided_tags, strict=True):
            known = queries.get(entry.query_cache_key)
            known_at = None if known is None else known.fulfilled_at
            if known_at is None or known_at < entry.fulfilled_at:
                # Written over what the store has (its request in flight, its optimistic
                # layers) as an upsert writes it.
                newer.append(_as_upsert(entry, tags))
        if not newer:
            return state
        return upsert_query_entries(state, Action(types.upsert_query_entries, newer))

    def hydrate(state: Table, action: Action) -> Table:
        # The payload was validated, and its entries built, by api.util.hydrate; newer
        # entries win here, at apply time, comparing fulfilled_at.
        payload = action.payload
        entries = payload["queries"]
        if entries:
            state = hydrate_queries(state, entries, payload["provided_tags"])
        mutations: Table = state["mutations"]
        for item in action.payload["mutations"]:
            key = mutation_key(item)
            if key in mutations:
                continue  # this process already tracks a mutation under that key
            entry = MutationState(
                status=_PENDING,
                endpoint_name=item["endpoint_name"],
                original_args=item["arg"],
                request_id=item["request_id"],
                started_at=item["started_at"],
                is_paused=True,
                scope=item["scope"],
                fixed_cache_key=item["fixed_cache_key"],
            )
            mutations = mutations.set(key, entry)
        if mutations is not state["mutations"]:
            state = state.set("mutations", mutations)
        return state

    def remove_mutation_result(state: Table, action: Action) -> Table:
        payload = action.payload
        mutations: Table = state["mutations"]
        key = payload["key"]
        entry = mutations.get(key)
        if entry is None:
            return state
        request_id = payload.get("request_id")
        if request_id is not None and entry.request_id != request_id and not payload.get("any"):
            return state
        return state.set("mutations", remove(mutations, key))

    def update_provided_by(state: Table, action: Action) -> Table:
        provided = state["provided"]
        for key, tags in action.payload:
            if key in state["queries"]:
                provided = replace_provided(provided, key, tags)
        return state.set("provided", provided)

    def query_result_patched(state: Table, action: Action) -> Table:
        payload = action.payload
        key = payload["query_cache_key"]
        queries: Table = state["queries"]
        entry = queries.get(key)
        if entry is None or entry.status is QueryStatus.UNINITIALIZED:
            return state
        patches = payload["patches"]
        if "data" in payload and payload.get("base") is entry.data:
            data = payload["data"]  # computed from this very data by the thunk
        else:
            data = apply_patches(entry.data, patches)
        entry = evolve(entry, data=data)
        state = state.set("queries", queries.set(key, entry))
        optimistic: Table = state["optimistic"]
        base = optimistic["base"]
        if key in base:
            # Keep the server data under the layers in step, so that dropping a layer
            # later does not lose this change.
            try:
                patched = apply_patches(base[key], patches)
            except (ValueError, TypeError, KeyError, IndexError):
                patched = base[key]
            state = state.set("optimistic", optimistic.set("base", base.set(key, patched)))
        state = _provide(state, key, payload.get("provided_tags"))
        return state

    def upsert_query_entries(state: Table, action: Action) -> Table:
        # One evolver for the whole batch; entries under optimistic layers take the
        # path that re-applies their layers.
        layered = state["optimistic"]["layers"]
        layered = layered if len(layered) else None  # read once, not per entry
        current: Table = state["queries"]
        empty = not len(current)  # a first load, hydrate: no lookup per entry
        written: dict[str, Any] = {}
        under_layers: list[tuple[str, Any, Any, dict[str, Any]]] = []
        tags: list[tuple[str, Any]] = []
        for item in action.payload:
            key = item["query_cache_key"]
            entry = written.get(key) if empty else (written.get(key) or current.get(key))
            if entry is None and not (layered is not None and key in layered):
                # A new entry (the common case of a bulk write): built once, directly.
                if item.get("infinite"):
                    written[key] = new_infinite(
                        status=_FULFILLED,
                        data=item["value"],
                        endpoint_name=item["endpoint_name"],
                        original_args=item["arg"],
                        request_id=item["request_id"],
                        started_at=item["fulfilled_at"],
                        fulfilled_at=item["fulfilled_at"],
                        query_cache_key=key,
                        has_next_page=item.get("has_next_page", False),
                        has_previous_page=item.get("has_previous_page", False),
                    )
                else:
                    fulfilled_at = item["fulfilled_at"]
                    written[key] = new_fulfilled(
                        _FULFILLED,
                        item["value"],
                        item["endpoint_name"],
                        item["arg"],
                        item["request_id"],
                        fulfilled_at,
                        fulfilled_at,
                        key,
                    )
                provided = item.get("provided_tags")
                if provided is not None:
                    tags.append((key, provided))
                continue
            if entry is None:
                kind = InfiniteQueryState if item.get("infinite") else QueryState
                entry = kind(
                    endpoint_name=item["endpoint_name"],
                    query_cache_key=key,
                    started_at=item["fulfilled_at"],
                )
            changes: dict[str, Any] = {
                "status": _FULFILLED,
                "error": None,
                "original_args": item["arg"],
                "fulfilled_at": item["fulfilled_at"],
            }
            if isinstance(entry, InfiniteQueryState):
                changes["has_next_page"] = item.get("has_next_page", False)
                changes["has_previous_page"] = item.get("has_previous_page", False)
            if entry.request_id is None:
                changes["request_id"] = item["request_id"]
            # else: the entry keeps its request id, so a request in flight still lands.
            if layered is not None and key in layered:
                under_layers.append((key, entry, item["value"], changes))
            else:
                written[key] = evolve(entry, data=item["value"], **changes)
            if item.get("provided_tags") is not None:
                tags.append((key, item["provided_tags"]))
        state = state.set("queries", update_table(current, written))
        for key, entry, value, changes in under_layers:
            state = _set_data(state, key, entry, value, **changes)
        if tags:
            provided = state["provided"]
            if len(tags) == 1:  # one entry (upsert_query_data): the single-entry path
                provided = replace_provided(provided, *tags[0])
            else:
                provided = replace_provided_many(provided, tags)
            state = state.set("provided", provided)
        return state

    def layer_added(state: Table, action: Action) -> Table:
        payload = action.payload
        key = payload["query_cache_key"]
        queries: Table = state["queries"]
        entry = queries.get(key)
        if entry is None or entry.status is QueryStatus.UNINITIALIZED:
            return state
        optimistic: Table = state["optimistic"]
        layers = optimistic["layers"].get(key, pvector())
        base = optimistic["base"]
        if key not in base:
            base = base.set(key, entry.data)
        layer = (payload["layer_id"], payload["recipe"])
        # The thunk already ran the recipe on this very data (recipes run once per data).
        data = payload["data"] if "data" in payload else produce(entry.data, payload["recipe"])
        state = state.set(
            "optimistic",
            new_table(
                {
                    "layers": optimistic["layers"].set(key, layers.append(layer)),
                    "base": base,
                }
            ),
        )
        return state.set("queries", queries.set(key, evolve(entry, data=data)))

    def layer_removed(state: Table, action: Action) -> Table:
        payload = action.payload
        key = payload["query_cache_key"]
        optimistic: Table = state["optimistic"]
        layers = optimistic["layers"].get(key)
        if not layers:
            return state
        remaining = pvector(layer for layer in layers if layer[0] != payload["layer_id"])
        if len(remaining) == len(layers):
            return state
        server_data = optimistic["base"][key]
        if remaining:
            optimistic = optimistic.set("layers", optimistic["layers"].set(key, remaining))
            data = apply_layers(server_data, remaining)
        else:
            optimistic = new_table(
                {
                    "layers": remove(optimistic["layers"], key),
                    "base": remove(optimistic["base"], key),
                }
            )
            data = server_data
        state = state.set("optimistic", optimistic)
        queries: Table = state["queries"]
        entry = queries.get(key)
        if entry is None:
            return state
        return state.set("queries", queries.set(key, evolve(entry, data=data)))

    def set_config(name: str, value: bool) -> Handler:
        def handler(state: Table, action: Action) -> Table:
            config: Table = state["config"]
            if config.get(name) is value:
                return state
            return state.set("config", config.set(name, value))

        return handler

    def reset(state: Table, action: Action) -> Table:
        return initial.set("config", state["config"])

    handlers: dict[str, Handler] = {
        types.query_pending: query_pending,
        types.query_fulfilled: query_fulfilled,
        types.query_rejected: query_rejected,
        types.mutation_pending: mutation_pending,
        types.mutation_fulfilled: mutation_settled(_FULFILLED),
        types.mutation_rejected: mutation_settled(_REJECTED),
        types.mutation_resumed: mutation_resumed,
        types.mutation_paused: mutation_paused,
        types.hydrate: hydrate,
        types.remove_query_result: remove_query_result,
        types.remove_mutation_result: remove_mutation_result,
        types.update_provided_by: update_provided_by,
        types.query_result_patched: query_result_patched,
        types.upsert_query_entries: upsert_query_entries,
        types.optimistic_layer_added: layer_added,
        types.optimistic_layer_removed: layer_removed,
        types.reset_api_state: reset,
        FOCUSED: set_config("focused", True),
        UNFOCUSED: set_config("focused", False),
        ONLINE: set_config("online", True),
        OFFLINE: set_config("online", False),
    }
    extra: dict[str, Handler] = {}

    def reducer(state: Any, action: Any) -> Any:
        if state is None:
            state = initial
        handler = handlers.get(action.type)
        if handler is None:
            handler = extra.get(action.type)
            if handler is None:
                return state
        return handler(state, action)

    reducer.handlers = handlers  # type: ignore[attr-defined]
    reducer.extra_handlers = extra  # type: ignore[attr-defined]
    return reducer
