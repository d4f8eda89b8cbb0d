"""``api.endpoints.<name>``: initiate thunks, selectors and matchers of one endpoint."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeAlias

from typing_extensions import TypeVar

from .._store._action import Action
from .._types import GetState, StoreDispatch
from ._cache_key import default_serialize_query_args
from ._execute import execute_request
from ._handles import InfiniteQueryHandle, MutationHandle, QueryHandle
from ._infinite import DIRECTIONS, MISSING, execute_infinite, next_param
from ._layers import observer_factory
from ._runtime import UNKNOWN, Running, Runtime, new_request_id
from ._types import InfiniteQueryState, MutationState, QueryState, QueryStatus, SkipToken

if TYPE_CHECKING:
    from .._observe import LazyQueryObserver, MutationObserver, QueryObserver, QueryStateObserver
    from ._create_api import Api
    from ._definitions import EndpointDefinition

__all__ = ["Endpoint", "Endpoints", "Thunk"]

A = TypeVar("A", default=Any)
R = TypeVar("R", default=Any)
T = TypeVar("T")

Thunk: TypeAlias = Callable[[StoreDispatch, GetState, Any], T]
"""What ``initiate`` returns: dispatching it gives a ``T`` (a handle)."""


class Endpoint(Generic[A, R]):
    """What every endpoint shares: cache keys, selectors, action matchers, requests.

    The public, typed ``initiate`` and ``select`` are on the subclasses
    (``QueryEndpoint``, ``InfiniteQueryEndpoint``, ``MutationEndpoint``); this class has
    their untyped machinery, which rtkq's own layers use.
    """

    def __init__(self, api: Api, name: str, definition: EndpointDefinition) -> None:
        self.api = api
        self.name = name
        self.definition = definition
        self._selectors: dict[str, Callable[[Any], Any]] = {}
        types = api.action_types
        if definition.is_mutation:
            self._pending, self._fulfilled, self._rejected = (
                types.mutation_pending,
                types.mutation_fulfilled,
                types.mutation_rejected,
            )
        else:
            self._pending, self._fulfilled, self._rejected = (
                types.query_pending,
                types.query_fulfilled,
                types.query_rejected,
            )
        self._uninitialized: Any = (
            MutationState(endpoint_name=name)
            if definition.is_mutation
            else self._uninitialized_entry(None)
        )

    def __repr__(self) -> str:
        return f"<Endpoint {self.name!r} ({self.definition.kind})>"

    def _uninitialized_entry(self, key: str | None) -> QueryState[Any]:
        """The state of a query entry that is not in the cache."""
        if self.definition.is_infinite:
            return InfiniteQueryState(endpoint_name=self.name, query_cache_key=key)
        return QueryState(endpoint_name=self.name, query_cache_key=key)

    def _new_handle(
        self,
        runtime: Runtime,
        arg: Any,
        key: str,
        request_id: str,
        subscribed: bool,
        *,
        running: Running | None = None,
        cached: QueryState[Any] | None = None,
    ) -> QueryHandle[Any]:
        """A handle on the query entry ``key`` (an infinite one pages)."""
        handle_type = InfiniteQueryHandle if self.definition.is_infinite else QueryHandle
        return handle_type(
            runtime, self, arg, key, request_id, subscribed, running=running, cached=cached
        )

    # -- cache keys --------------------------------------------------------------
    def cache_key(self, arg: Any) -> str:
        """The cache key of ``arg`` (``serialize_query_args`` of the endpoint or the api)."""
        serialize = self.definition.serialize_query_args or self.api.serialize_query_args
        if type(arg) is int and serialize is default_serialize_query_args:
            return f"{self.name}({arg})"  # the default key of an int arg, without two calls
        key = serialize(self.name, arg)
        if not isinstance(key, str):
            raise TypeError(
                f"serialize_query_args for endpoint {self.name!r} returned "
                f"{type(key).__name__!r}; it must return the cache key as a str."
            )
        return key

    # -- matchers ----------------------------------------------------------------
    def _matches(self, action_type: str, action: Any) -> bool:
        return (
            isinstance(action, Action)
            and action.type == action_type
            and action.meta.get("endpoint_name") == self.name
        )

    def match_pending(self, action: Any) -> bool:
        """Whether ``action`` is this endpoint's pending action."""
        return self._matches(self._pending, action)

    def match_fulfilled(self, action: Any) -> bool:
        """Whether ``action`` is this endpoint's fulfilled action."""
        return self._matches(self._fulfilled, action)

    def match_rejected(self, action: Any) -> bool:
        """Whether ``action`` is this endpoint's rejected action."""
        return self._matches(self._rejected, action)

    # -- selectors ---------------------------------------------------------------
    def _select(self, arg: Any) -> Callable[[Any], Any]:
        """A memoized selector ``state -> QueryState`` (mutations: ``MutationState``).

        For a query ``arg`` is the query arg (``skip_token`` gives the uninitialized
        state); for a mutation it is the request id or the ``fixed_cache_key``.
        """
        if isinstance(arg, SkipToken):
            uninitialized = self._uninitialized
            return lambda state: uninitialized
        key = arg if self.definition.is_mutation else self.cache_key(arg)
        selector = self._selectors.get(key)
        if selector is None:
            selector = self._make_selector(key)
            self._selectors[key] = selector
        return selector

    def _make_selector(self, key: str) -> Callable[[Any], Any]:
        path = self.api.reducer_path
        table = "mutations" if self.definition.is_mutation else "queries"
        uninitialized = (
            self._uninitialized if self.definition.is_mutation else self._uninitialized_entry(key)
        )
        # (root state, entries table, result), swapped as one tuple so that threads
        # never see a mix. A memo hit is one identity check; a new root state whose table
        # is unchanged costs two lookups.
        memo: tuple[Any, Any, Any] = (None, None, uninitialized)

        def selector(state: Any) -> Any:
            nonlocal memo
            last = memo
            if state is last[0]:
                return last[2]
            try:
                entries = state[path][table]
            except (KeyError, TypeError):
                raise RuntimeError(
                    f"No api state under {path!r}: pass the store's root state, and add "
                    f"api.reducer to the store under {path!r}."
                ) from None
            if entries is last[1]:
                result = last[2]
            else:
                try:
                    result = entries[key]
                except KeyError:
                    result = uninitialized
            memo = (state, entries, result)
            return result

        # It reads state[path] alone: store.watch skips it while that slice is unchanged.
        selector.depends_on = (path,)  # type: ignore[attr-defined]
        return selector

    # -- observers (built by rtkq._observe, through the factories it registers) ------
    def observe(self, store: Any, arg: Any = None, **options: Any) -> QueryObserver[Any]:
        """An observer of ``arg`` in ``store`` (RTK's ``useQuery``); see ``QueryObserver``."""
        observer: QueryObserver[Any] = observer_factory("observe")(self, store, arg, options)
        return observer

    def lazy_observe(self, store: Any, **options: Any) -> LazyQueryObserver[Any]:
        """An observer that fetches on ``trigger(arg)`` (RTK's ``useLazyQuery``)."""
        observer: LazyQueryObserver[Any] = observer_factory("lazy_observe")(self, store, options)
        return observer

    def query_state(self, store: Any, arg: Any = None, **options: Any) -> QueryStateObserver[Any]:
        """A read-only observer of ``arg``'s entry: no subscription, no fetch."""
        observer: QueryStateObserver[Any] = observer_factory("query_state")(
            self, store, arg, options
        )
        return observer

    def mutation_observer(self, store: Any, **options: Any) -> MutationObserver[Any]:
        """An observer of this mutation's last trigger (RTK's ``useMutation``)."""
        observer: MutationObserver[Any] = observer_factory("mutation_observer")(
            self, store, options
        )
        return observer

    # -- initiate ----------------------------------------------------------------
    def _runtime(self, dispatch: Callable[[Any], Any], extra: Any) -> Runtime:
        """The store's runtime, bound to the running loop (checks what a thunk needs)."""
        runtime = self.api.runtime_for(dispatch)
        runtime.extra = extra
        runtime.bind_loop()
        return runtime

    def _initiate(self, arg: Any, **options: Any) -> Thunk[Any]:
        """Return a thunk that starts (or joins, or reuses) a request for ``arg``.

        Queries: ``initiate(arg, subscribe=True, force_refetch=False,
        subscription_options=None)`` -> :class:`QueryHandle`. Mutations:
        ``initiate(arg, fixed_cache_key=None, track=True, scope=None)`` ->
        :class:`MutationHandle`.

        Raises:
            TypeError: unknown options, or an arg that cannot be serialized.
            RuntimeError: (when dispatched) no running event loop, the api reducer or
                middleware is missing from the store.
        """
        if self.definition.is_mutation:
            return self._initiate_mutation(arg, **options)
        if self.definition.is_infinite:
            return self._initiate_infinite(arg, **options)
        return self._initiate_query(arg, **options)

    def _initiate_query(
        self,
        arg: Any,
        *,
        subscribe: bool = True,
        force_refetch: bool | float = False,
        subscription_options: Mapping[str, Any] | None = None,
        initial_page_param: Any = MISSING,
        direction: str | None = None,
    ) -> Thunk[QueryHandle[Any]]:
        if isinstance(arg, SkipToken):
            raise TypeError(
                f"initiate() of endpoint {self.name!r} got skip_token: there is nothing to "
                "fetch. Only select(skip_token) is meaningful; do not dispatch initiate."
            )
        key = self.cache_key(arg)

        def thunk(dispatch: StoreDispatch, get_state: GetState, extra: Any) -> QueryHandle[Any]:
            runtime = self._runtime(dispatch, extra)
            entry = runtime.slice_state()["queries"].get(key)
            # The stored key string: one copy per entry, not one more per subscriber.
            cache_key = (entry.query_cache_key if entry is not None else None) or key
            request_id = new_request_id()
            if subscribe:
                runtime.subscribe(cache_key, request_id, subscription_options)
            plan = None
            joined = runtime.is_running(cache_key)
            if not joined:
                plan = self._plan(runtime, entry, arg, force_refetch, subscribe, direction)
            if plan is not None:
                forced, page_direction = plan
                try:
                    self.start(
                        runtime,
                        arg,
                        cache_key,
                        request_id,
                        forced=forced,
                        direction=page_direction,
                        initial_page_param=initial_page_param,
                        previous=entry,
                    )
                except BaseException:
                    if subscribe:
                        runtime.unsubscribe(cache_key, request_id)
                    raise
            running = runtime.running.get(cache_key) if joined or plan is not None else None
            if running is not None:  # settles with the request it started or joined
                return self._new_handle(
                    runtime, arg, cache_key, request_id, subscribe, running=running
                )
            # A cache hit: the entry as it is now, whatever starts afterwards.
            cached = entry if entry is not None else self._uninitialized_entry(cache_key)
            return self._new_handle(runtime, arg, cache_key, request_id, subscribe, cached=cached)

        return thunk

    def _plan(
        self,
        runtime: Runtime,
        entry: Any,
        arg: Any,
        force_refetch: bool | float,
        subscribe: bool,
        direction: str | None,
    ) -> tuple[bool, str | None] | None:
        """Whether to start a request: ``(forced, page direction)``, or ``None``."""
        if direction is None:
            if self._should_fetch(runtime, entry, arg, force_refetch, subscribe):
                return entry is not None, None
            return None
        if entry is None or entry.data is None:
            return True, None  # nothing cached yet: the first page
        options = self.definition.infinite_query_options
        if next_param(options, direction, entry.data, arg) is None:
            return None  # no page that way: no request, no error
        return True, direction

    def start(
        self,
        runtime: Runtime,
        arg: Any,
        key: str,
        request_id: str,
        *,
        forced: bool,
        direction: str | None = None,
        initial_page_param: Any = MISSING,
        previous: Any = UNKNOWN,
    ) -> Any:
        """Start a request for ``arg`` (no checks: the caller decided it must run).

        ``previous`` is the entry of ``key`` when the caller has just read it.
        """
        extra_meta = None
        if self.definition.is_infinite:
            execute: Any = functools.partial(
                execute_infinite,
                runtime,
                self.definition,
                self.name,
                direction,
                initial_page_param,
            )
            extra_meta = {"infinite": True, "direction": direction}
        else:
            execute = functools.partial(execute_request, runtime, self.definition, self.name)
        return runtime.start_query(
            self.definition,
            self.name,
            arg,
            key,
            request_id,
            forced=forced,
            execute=execute,
            extra_meta=extra_meta,
            previous=previous,
        )

    def _initiate_infinite(
        self,
        arg: Any,
        *,
        direction: str | None = None,
        initial_page_param: Any = MISSING,
        subscribe: bool = True,
        force_refetch: bool | float = False,
        subscription_options: Mapping[str, Any] | None = None,
    ) -> Thunk[QueryHandle[Any]]:
        if direction not in DIRECTIONS:
            raise ValueError(
                f"direction must be None, 'forward' or 'backward', got {direction!r} "
                f"(endpoint {self.name!r})."
            )
        return self._initiate_query(
            arg,
            subscribe=subscribe,
            force_refetch=force_refetch,
            subscription_options=subscription_options,
            initial_page_param=initial_page_param,
            direction=direction,
        )

    def _should_fetch(
        self,
        runtime: Runtime,
        entry: Any,
        arg: Any,
        force_refetch: bool | float,
        subscribe: bool,
    ) -> bool:
        if entry is None or entry.status is QueryStatus.UNINITIALIZED:
            return True
        if entry.fulfilled_at is None:
            return True  # never succeeded (rejected or hydrated pending): try again
        now = runtime.now()
        if _is_stale(entry, force_refetch, now):
            return True
        if subscribe and _is_stale(entry, runtime.api.refetch_on_mount_or_arg_change, now):
            return True
        force = self.definition.force_refetch
        if force is not None:
            return bool(force(arg, entry.original_args, runtime.get_state(), entry))
        return False

    def _initiate_mutation(
        self,
        arg: Any,
        *,
        fixed_cache_key: str | None = None,
        track: bool = True,
        scope: str | None = None,
    ) -> Thunk[MutationHandle[Any]]:
        def thunk(dispatch: StoreDispatch, get_state: GetState, extra: Any) -> MutationHandle[Any]:
            runtime = self._runtime(dispatch, extra)
            runtime.slice_state()
            execute = functools.partial(execute_request, runtime, self.definition, self.name)
            running = runtime.start_mutation(
                self.definition,
                self.name,
                arg,
                new_request_id(),
                track=track,
                fixed_cache_key=fixed_cache_key,
                scope=scope if scope is not None else self.definition.scope,
                execute=execute,
            )
            return MutationHandle(runtime, running, arg, fixed_cache_key)

        return thunk


def _is_stale(entry: Any, setting: bool | float | None, now: float) -> bool:
    if setting is True:
        return True
    if setting is False or setting is None:
        return False
    fulfilled_at = entry.fulfilled_at
    return fulfilled_at is None or now - fulfilled_at >= float(setting)


class UnknownEndpointError(KeyError, AttributeError):
    """An endpoint name that the api does not have (a ``KeyError`` and an ``AttributeError``)."""

    def __str__(self) -> str:
        return str(self.args[0])


class Endpoints:
    """``api.endpoints``: by attribute or by key; unknown names list the known ones.

    Only dunder methods are defined, so that no endpoint name (``items``, ``get``, ...)
    is shadowed by a method. Iterating gives the names.
    """

    def __init__(self) -> None:
        self._by_name: dict[str, Endpoint[Any, Any]] = {}

    def _add(self, endpoint: Endpoint[Any, Any]) -> None:
        self._by_name[endpoint.name] = endpoint

    # Looked up by name, an endpoint's types are unknown: ``Any``, as for the dict builder.
    # The decorators return typed endpoints (``QueryEndpoint[A, R]``, ...).
    def __getitem__(self, name: str) -> Any:
        try:
            return self._by_name[name]
        except KeyError:
            raise UnknownEndpointError(
                f"No endpoint named {name!r}. Known endpoints: {sorted(self._by_name)}."
            ) from None

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return self[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_name)

    def __len__(self) -> int:
        return len(self._by_name)

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def _get(self, name: Any) -> Endpoint[Any, Any] | None:
        return self._by_name.get(name)

    def __repr__(self) -> str:
        return f"<Endpoints {sorted(self._by_name)}>"
