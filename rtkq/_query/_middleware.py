"""The api middleware: one per store, fanning actions out to the runtime."""

from __future__ import annotations

import operator
from collections.abc import Callable
from itertools import repeat
from typing import TYPE_CHECKING, Any

from .._gc import collector_paused
from .._types import Dispatch, MiddlewareAPI
from ._action_types import FOCUSED, ONLINE
from ._runtime import Runtime
from ._shutdown import close_runtime, closed_error

if TYPE_CHECKING:
    from ._create_api import Api

__all__ = ["build_middleware"]

Hook = Callable[[Runtime, Any, Dispatch], Any]

_key_of = operator.attrgetter("query_cache_key")


def build_middleware(api: Api) -> Callable[[MiddlewareAPI], Callable[[Dispatch], Dispatch]]:
    """Return ``api.middleware``. Actions it does not know pass through with one lookup."""
    types = api.action_types

    def probe(runtime: Runtime, action: Any, next_: Dispatch) -> Any:
        return runtime

    def reset(runtime: Runtime, action: Any, next_: Dispatch) -> Any:
        runtime.reset()
        return next_(action)

    def invalidate(runtime: Runtime, action: Any, next_: Dispatch) -> Any:
        result = next_(action)
        runtime.invalidate(action.payload)
        return result

    def focused(runtime: Runtime, action: Any, next_: Dispatch) -> Any:
        result = next_(action)
        runtime.refetch_where("refetch_on_focus", api.refetch_on_focus)
        return result

    def online(runtime: Runtime, action: Any, next_: Dispatch) -> Any:
        result = next_(action)
        runtime.refetch_where("refetch_on_reconnect", api.refetch_on_reconnect)
        for hook in api.on_online_hooks:
            hook(runtime)
        return result

    def upserted(runtime: Runtime, action: Any, next_: Dispatch) -> Any:
        before = runtime.slice_state()["queries"]
        result = next_(action)
        runtime.entries_upserted(action.payload, before)
        return result

    def mutation_removed(runtime: Runtime, action: Any, next_: Dispatch) -> Any:
        result = next_(action)
        key = action.payload["key"]
        if key not in runtime.slice_state()["mutations"]:
            runtime.end_cache_lifecycle(key, mutation=True)
        return result

    def hydrated(runtime: Runtime, action: Any, next_: Dispatch) -> Any:
        entries = action.payload["queries"]
        with collector_paused():  # the reducer builds its tables; see rtkq._gc
            result = next_(action)
        runtime.try_bind_loop()
        if entries:  # like upserts: kept keep_unused_data_for unless subscribed
            keys = map(_key_of, entries)
            if runtime.loop is None:  # remembered until a loop runs (no lookups needed)
                runtime.schedule_gc_many(zip(keys, repeat(None)))
            else:  # each delay comes from the entry's endpoint, as schedule_gc reads it
                entry_of = runtime.slice_state()["queries"].get
                runtime.schedule_gc_many(
                    (key, entry.endpoint_name)
                    for key in keys
                    if (entry := entry_of(key)) is not None
                )
        if action.payload["mutations"]:
            runtime.paused.add_hydrated(action.payload["mutations"])
        return result

    hooks: dict[str, Hook] = {
        types.runtime_probe: probe,
        types.reset_api_state: reset,
        types.invalidate_tags: invalidate,
        types.hydrate: hydrated,
        types.upsert_query_entries: upserted,
        types.remove_mutation_result: mutation_removed,
        FOCUSED: focused,
        ONLINE: online,
    }

    def middleware(store_api: MiddlewareAPI) -> Callable[[Dispatch], Dispatch]:
        runtime = Runtime(api, store_api.dispatch, store_api.get_state)
        # The store's close registry (absent from hand-made middleware APIs): closing
        # the store closes this runtime, and base queries register their clients there.
        on_close = getattr(store_api, "on_close", None)
        if on_close is not None:
            runtime.on_close = on_close
            on_close(lambda: close_runtime(runtime))
        table = {**hooks, **api.extra_middleware_hooks}

        def wrap(next_: Dispatch) -> Dispatch:
            def handle(action: Any) -> Any:
                hook = table.get(getattr(action, "type", None))  # type: ignore[arg-type]
                if runtime.action_taps:
                    try:
                        return run(hook, action)
                    finally:
                        for tap in runtime.action_taps:
                            tap(action)
                if hook is None:
                    return next_(action)
                return run(hook, action)

            def run(hook: Hook | None, action: Any) -> Any:
                if hook is None:
                    return next_(action)
                if runtime.closed:
                    # Closed: thunks (which probe) refuse; actions only change the state.
                    if hook is probe:
                        raise closed_error(api.reducer_path)
                    return next_(action)
                return hook(runtime, action, next_)

            return handle

        return wrap

    return middleware
