"""Shared state of the per-store runtime, and the interface its concerns share."""

from __future__ import annotations

import asyncio
import collections
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, cast

from pyrsistent import PMap

from .._types import Table, lookup
from ._clock import epoch_now
from ._paused import PausedMutations
from ._requests import Running
from ._subscribers import Subscriptions
from ._types import QueryState, Tag

if TYPE_CHECKING:
    from ._cache_collection import GcBatch
    from ._create_api import Api
    from ._hooks import RuntimeHooks
    from ._lifecycle_tasks import CacheLifecycleEntry
    from ._runtime import Runtime


__all__ = ["RuntimeBase"]


class RuntimeBase:
    """The state every runtime concern shares, and the calls they make on each other.

    :class:`~rtkq._query._runtime.Runtime` combines the concerns (cache collection,
    polling, invalidation, cache lifecycles, optimistic layers, mutation gates); each
    lives in its own module as a class over this base. The methods at the end are
    implemented by those concerns; they are declared here so that each concern can
    call the others.
    """

    def __init__(self, api: Api, dispatch: Callable[[Any], Any], get_state: Callable[[], Any]):
        self.api = api
        self.types = api.action_types
        self.dispatch = dispatch
        self.get_state = get_state
        self.extra: Any = None
        self.subscriptions = Subscriptions()
        self.running: dict[str, Running] = {}
        self.running_mutations: dict[str, Running] = {}
        self.gc_timers: dict[str, GcBatch] = {}
        self.open_gc_batches: dict[float, GcBatch] = {}
        self.polls: dict[str, tuple[float, asyncio.TimerHandle]] = {}
        self.pending_tags: list[Tag] = []
        self.pending_keys: dict[str, None] = {}  # invalidate_queries while delayed
        self.refetch_after_settle: set[str] = set()
        # Tags invalidated while a request ran for a key they did not (yet) hit: checked
        # against what that request provides once it settles.
        self.tags_in_flight: dict[str, list[Tag]] = {}
        self.cache_lifecycles: dict[str, CacheLifecycleEntry] = {}
        # Mutation cache lifecycles, by fixed_cache_key or request id.
        self.mutation_lifecycles: dict[str, CacheLifecycleEntry] = {}
        self.hook_tasks: set[asyncio.Task[Any]] = set()
        self.layers_by_mutation: dict[str, list[tuple[str, str]]] = {}
        # Layers of succeeded mutations, dropped when the refetch their own
        # invalidation starts for that entry has landed.
        self.layer_drops: dict[str, list[str]] = {}
        self.loop: asyncio.AbstractEventLoop | None = None
        # Mutations that may not send yet: same-scope ones queue in dispatch order.
        self.scopes: dict[str, collections.deque[str]] = {}
        self.waiting: set[str] = set()
        # More conditions a mutation must meet before it sends (e.g. being online).
        self.send_gates: list[Callable[[Running], bool]] = []
        self._gate_changed: asyncio.Future[None] | None = None
        # Offline / network-error pausing and resume (persistence, issue 9).
        self.paused = PausedMutations(cast("Runtime", self))
        self.send_gates.append(self.paused.gate)
        # Keys whose GC was asked for before any loop ran: scheduled once one does.
        self.gc_deferred: set[str] = set()
        # Set by store.aclose(): no request starts and no timer is scheduled any more.
        self.closed = False
        # The store's ``on_close`` (None for a middleware API without one); base
        # queries see it as ``api.on_close`` to close what they opened for this store.
        self.on_close: Callable[[Callable[[], Any]], Callable[[], None]] | None = None
        # Called with every action once the store has handled it (see add_action_tap).
        self.action_taps: tuple[Callable[[Any], None], ...] = ()
        # Layers taking part in requests and invalidations (see _hooks.py).
        self.hooks: tuple[RuntimeHooks, ...] = ()

    def add_action_tap(self, tap: Callable[[Any], None]) -> Callable[[], None]:
        """Call ``tap(action)`` after each action this store handles; return a remover.

        The interface for layers built on the api (observers): a tap learns which
        action changed the state, so it can look at the entries that action names
        instead of scanning the cache. Taps run after the reducer, the store's
        listeners and its watchers, even when one of those raised; a tap must not
        raise. Removing twice is harmless.
        """
        self.action_taps = (*self.action_taps, tap)

        def remove() -> None:
            self.action_taps = tuple(t for t in self.action_taps if t is not tap)

        return remove

    def add_hooks(self, hooks: RuntimeHooks) -> Callable[[], None]:
        """Register a layer's hooks (see ``_hooks.py``); returns a function removing them.

        Requests already running keep the hooks they started with.
        """
        self.hooks = (*self.hooks, hooks)

        def remove() -> None:
            self.hooks = tuple(hook for hook in self.hooks if hook is not hooks)

        return remove

    def slice_state(self) -> Table:
        state = self.get_state()
        path = self.api.reducer_path
        api_state: Table | None = lookup(state, path) if type(state) is PMap else None
        if api_state is not None:
            return api_state
        try:
            api_state = state[path]
        except (KeyError, TypeError):
            raise RuntimeError(
                f"The api reducer is not in the store under {path!r}. Add it: "
                f"configure_store(reducer={{{path!r}: api.reducer, ...}}, "
                "middleware=[api.middleware])."
            ) from None
        return api_state

    def entry(self, key: str) -> Any:
        return self.slice_state()["queries"].get(key)

    def select_entry(self, key: str, endpoint_name: str) -> QueryState:
        entry = self.entry(key)
        if entry is None:
            return QueryState(endpoint_name=endpoint_name, query_cache_key=key)
        return entry  # type: ignore[no-any-return]

    def select_mutation_by_request(self, request_id: str) -> Any:
        for entry in self.slice_state()["mutations"].values():
            if entry.request_id == request_id:
                return entry
        return None

    def bind_loop(self) -> asyncio.AbstractEventLoop:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            raise RuntimeError(
                "initiate() must be dispatched while an asyncio event loop is running: "
                "call it from a coroutine (e.g. inside asyncio.run(main()))."
            ) from None
        self.loop = loop
        if self.gc_deferred:
            keys, self.gc_deferred = self.gc_deferred, set()
            for key in keys:
                self.schedule_gc(key)
        return loop

    def try_bind_loop(self) -> asyncio.AbstractEventLoop | None:
        """Bind the running loop if there is one; no error when there is none."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return self.loop
        return self.bind_loop()

    def now(self) -> float:
        """``time.time()``-like seconds that advance with the loop's clock (``_clock``)."""
        return epoch_now(self.loop)

    def is_running(self, key: str) -> bool:
        """Whether a request for ``key`` runs that a new initiate may join.

        An aborted request (removed entry, reset, ``abort()``) still settles, but a new
        initiate starts its own request instead of joining one whose answer is dropped.
        """
        running = self.running.get(key)
        return running is not None and not running.signal.aborted

    def has_subscribers(self, key: str) -> bool:
        return key in self.subscriptions

    # -- implemented by the concerns ---------------------------------------------
    def abort(self, running: Running) -> None:
        raise NotImplementedError

    def end_cache_lifecycle(self, key: str, *, mutation: bool = False) -> None:
        raise NotImplementedError

    def stop_polling(self, key: str) -> None:
        raise NotImplementedError

    def update_polling(self, key: str) -> None:
        raise NotImplementedError

    def schedule_gc(self, key: str, entry: Any = None) -> None:
        raise NotImplementedError

    def schedule_gc_many(self, pairs: Iterable[tuple[str, str | None]]) -> None:
        raise NotImplementedError

    def drop_layer(self, key: str, layer_id: str) -> None:
        raise NotImplementedError

    def refetch(self, key: str) -> bool:
        raise NotImplementedError

    def remove_entry(self, key: str) -> None:
        raise NotImplementedError

    def requests_in_flight(self) -> bool:
        raise NotImplementedError

    def restart_poll(self, key: str) -> None:
        raise NotImplementedError

    def request_settled(self, key: str | None) -> None:
        raise NotImplementedError
