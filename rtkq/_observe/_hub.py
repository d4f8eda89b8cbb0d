"""One registry of observers per store (and api), keyed by cache key.

An observer must hear about a dispatch only when its own entry changed, and a dispatch
that touches one entry must cost the same with 1,000 observers as with none. Selector
watchers cannot do that: they are grouped by the top-level state keys they read, so
every observer of the api slice would run on every change of any entry. Instead the hub
taps the api middleware (``Runtime.add_action_tap``): once an action has gone through
the store, the hub reads the cache key(s) the action names and checks only the
observers of those keys (one identity check each). Actions whose keys it cannot name
(resets, hydration, unknown types) check every observer: correctness never depends on
the list below being complete, only speed does.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Protocol

from .._types import lookup

if TYPE_CHECKING:
    from .._query._action_types import ActionTypes
    from .._query._runtime import Runtime

__all__ = ["ObserverHub", "Watching", "hub_for"]

Keys = Callable[[Any], Iterable[str]]


class Watching(Protocol):
    """What the hub needs of an observer: the key it follows and the entry it last saw."""

    _hub_key: str | None
    _hub_entry: Any

    def _entry_changed(self, entry: Any) -> None: ...


def _meta_key(action: Any) -> tuple[str]:
    return (action.meta["query_cache_key"],)


def _payload_key(action: Any) -> tuple[str]:
    return (action.payload["query_cache_key"],)


def _upserted_keys(action: Any) -> list[str]:
    return [item["query_cache_key"] for item in action.payload]


def _mutation_key(action: Any) -> tuple[str]:
    meta = action.meta
    return (meta.get("fixed_cache_key") or meta["request_id"],)


def _removed_mutation_key(action: Any) -> tuple[str]:
    return (action.payload["key"],)


def _query_keys(types: ActionTypes) -> dict[str, Keys]:
    """Action types that change only the ``queries`` entries they name."""
    return {
        types.query_pending: _meta_key,
        types.query_fulfilled: _meta_key,
        types.query_rejected: _meta_key,
        types.remove_query_result: _payload_key,
        types.query_result_patched: _payload_key,
        types.optimistic_layer_added: _payload_key,
        types.optimistic_layer_removed: _payload_key,
        types.upsert_query_entries: _upserted_keys,
    }


def _mutation_keys(types: ActionTypes) -> dict[str, Keys]:
    """Action types that change only the ``mutations`` entries they name."""
    return {
        types.mutation_pending: _mutation_key,
        types.mutation_fulfilled: _mutation_key,
        types.mutation_rejected: _mutation_key,
        types.mutation_resumed: _mutation_key,
        types.mutation_paused: _mutation_key,
        types.remove_mutation_result: _removed_mutation_key,
    }


class _Table:
    """Observers of one table (``queries`` or ``mutations``) by the key they follow."""

    __slots__ = ("by_key", "keys_of", "last", "name")

    def __init__(self, name: str, keys_of: dict[str, Keys]) -> None:
        self.name = name
        self.keys_of = keys_of
        self.by_key: dict[str, tuple[Watching, ...]] = {}
        self.last: Any = None  # the table object the observers were last checked against

    def deliver(self, table: Any, action: Any) -> None:
        watchers: Iterable[Watching]
        keys: Iterable[str] | None = None
        extract = self.keys_of.get(getattr(action, "type", None))  # type: ignore[arg-type]
        if extract is not None:
            try:
                keys = extract(action)
            except Exception:  # a malformed action of a known type: check everyone
                keys = None
        by_key = self.by_key
        if keys is None:
            watchers = [w for group in list(by_key.values()) for w in group]
        else:
            watchers = [w for key in keys for w in by_key.get(key, ())]
        for watcher in watchers:
            key = watcher._hub_key
            if key is None:
                continue
            entry = lookup(table, key)
            if entry is not watcher._hub_entry:
                watcher._entry_changed(entry)


class ObserverHub:
    """The observers of one api in one store; installs its tap while it has any."""

    def __init__(self, runtime: Runtime) -> None:
        self._path = runtime.api.reducer_path
        # Weakly, and nothing that holds the store either (its ``get_state``): the hub
        # is the value of a weak dictionary keyed by the runtime, which the store holds.
        self._runtime = weakref.ref(runtime)
        self._remove_tap: Callable[[], None] | None = None
        self._lock = threading.RLock()
        self._root: Any = None
        self._api_state: Any = None
        types = runtime.api.action_types
        self.queries = _Table("queries", _query_keys(types))
        self.mutations = _Table("mutations", _mutation_keys(types))
        self._count = 0

    def _get_state(self) -> Any:
        runtime = self._runtime()
        if runtime is None:  # pragma: no cover - the store is gone, and its observers
            raise RuntimeError("The store of these observers no longer exists.")
        return runtime.get_state()

    def tables(self) -> tuple[Any, Any]:
        """The current ``queries`` and ``mutations`` tables of the store."""
        api_state = self._get_state()[self._path]
        return api_state["queries"], api_state["mutations"]

    def move(self, table: _Table, watcher: Watching, old: str | None, new: str | None) -> None:
        """Re-file ``watcher`` from key ``old`` to key ``new`` (``None``: not filed)."""
        if old == new:
            return
        with self._lock:
            by_key = table.by_key
            if old is not None:
                group = tuple(w for w in by_key.get(old, ()) if w is not watcher)
                if group:
                    by_key[old] = group
                else:
                    by_key.pop(old, None)
                self._count -= 1
            if new is not None:
                by_key[new] = (*by_key.get(new, ()), watcher)
                self._count += 1
            runtime = self._runtime()
            if self._count and self._remove_tap is None and runtime is not None:
                self._root = self._api_state = None
                self._remove_tap = runtime.add_action_tap(self._on_action)
            elif not self._count and self._remove_tap is not None:
                self._remove_tap()
                self._remove_tap = None

    def _on_action(self, action: Any) -> None:
        runtime = self._runtime()
        if runtime is None:  # pragma: no cover - a tap outliving its store
            return
        state = runtime.get_state()
        if state is self._root:
            return  # the action changed nothing
        self._root = state
        try:
            api_state = state[self._path]
            if api_state is self._api_state:
                return  # another slice changed
            self._api_state = api_state
            queries = api_state["queries"]
            mutations = api_state["mutations"]
        except Exception:  # the api reducer left the store: nothing to observe
            return
        if queries is not self.queries.last:
            self.queries.last = queries
            if self.queries.by_key:
                self.queries.deliver(queries, action)
        if mutations is not self.mutations.last:
            self.mutations.last = mutations
            if self.mutations.by_key:
                self.mutations.deliver(mutations, action)


_hubs: weakref.WeakKeyDictionary[Runtime, ObserverHub] = weakref.WeakKeyDictionary()
_hubs_lock = threading.Lock()


def hub_for(runtime: Runtime) -> ObserverHub:
    """The hub of ``runtime``'s store, created on first use."""
    hub = _hubs.get(runtime)
    if hub is None:
        with _hubs_lock:
            hub = _hubs.get(runtime)
            if hub is None:
                hub = _hubs[runtime] = ObserverHub(runtime)
    return hub
