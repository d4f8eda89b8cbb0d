"""The per-store runtime of one api: requests, subscriptions, timers, invalidation.

One :class:`Runtime` exists per store the api middleware is mounted in. Thunks find it
by dispatching a probe action that only the api middleware answers. Nothing here is
observable state: subscriptions, running requests and timers live outside the store.
"""

from __future__ import annotations

import asyncio
import collections
import itertools
import math
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .._exceptions import QueryError
from .._freeze import freeze
from .._store._action import Action
from .._types import AnyMap
from ._lifecycle import (
    CacheEntryRemovedError,
    CacheLifecycleContext,
    QueryLifecycleContext,
    cancel_later,
    run_hook,
    silent_future,
)
from ._paused import PausedMutations
from ._tags import calculate_tags, keys_for_tags, tags_match
from ._types import QueryState, QueryStatus, Tag

if TYPE_CHECKING:
    from ._create_api import Api
    from ._definitions import EndpointDefinition

__all__ = ["ABORTED", "Runtime", "Signal", "serialize_exception"]

ABORTED: AnyMap = freeze({"status": "CUSTOM_ERROR", "error": "Aborted"})
_ids = itertools.count(1)
_seqs = itertools.count(1)
_prefix = uuid.uuid4().hex[:6]


def new_request_id() -> str:
    return f"{_prefix}-{next(_ids)}"


def serialize_exception(exc: BaseException) -> AnyMap:
    """The error payload of a request whose user code raised ``exc``."""
    payload: AnyMap = freeze({"name": type(exc).__name__, "message": str(exc)})
    return payload


def tags_for(
    api: Api, definition: EndpointDefinition, result: Any, error: Any, arg: Any, endpoint_name: str
) -> tuple[Tag, ...]:
    """The tags a query provides (or a mutation invalidates) for one result."""
    tags = calculate_tags(
        definition.provides_tags if definition.is_query else definition.invalidates_tags,
        result,
        error,
        arg,
        api.tag_types,
        f"{'provides_tags' if definition.is_query else 'invalidates_tags'} of endpoint "
        f"{endpoint_name!r}",
    )
    if definition.entities:
        tags = (*tags, *(Tag(entity) for entity in definition.entities))
    return tags


class Signal:
    """Tells a running base query whether its request was aborted."""

    __slots__ = ("aborted",)

    def __init__(self) -> None:
        self.aborted = False


class BaseQueryApi:
    """The ``api`` argument of a base query and of ``query_fn``."""

    __slots__ = ("arg", "dispatch", "endpoint", "extra", "forced", "get_state", "signal", "type")

    def __init__(
        self, runtime: Runtime, endpoint: str, kind: str, forced: bool, arg: Any, signal: Signal
    ) -> None:
        self.signal = signal
        self.dispatch = runtime.dispatch
        self.get_state = runtime.get_state
        self.extra = runtime.extra
        self.endpoint = endpoint
        self.type = kind
        self.forced = forced
        self.arg = arg

    def abort(self) -> None:
        """Ask for this request to stop (the task running it is cancelled)."""
        self.signal.aborted = True


@dataclass(eq=False)
class Running:
    """A request that really started (de-duplicated initiates never make one)."""

    request_id: str
    key: str
    endpoint_name: str
    arg: Any
    future: asyncio.Future[Any]
    signal: Signal = field(default_factory=Signal)
    task: asyncio.Task[Any] | None = None
    is_mutation: bool = False
    started: bool = False
    scope: str | None = None
    drop_layers: list[str] = field(default_factory=list)
    # The entry's arg before this request's pending replaced it (merge's previous_arg).
    previous_arg: Any = None
    seq: int = field(default_factory=lambda: next(_seqs))  # creation (dispatch) order


@dataclass
class _CacheLifecycle:
    data_loaded: asyncio.Future[Any]
    removed: asyncio.Future[Any]
    request_id: str = ""
    task: asyncio.Task[None] | None = None


class Runtime:
    """Everything one api needs per store beyond its observable state."""

    def __init__(self, api: Api, dispatch: Callable[[Any], Any], get_state: Callable[[], Any]):
        self.api = api
        self.types = api.action_types
        self.dispatch = dispatch
        self.get_state = get_state
        self.extra: Any = None
        self.subscriptions: dict[str, dict[str, dict[str, Any]]] = {}
        self.running: dict[str, Running] = {}
        self.running_mutations: dict[str, Running] = {}
        self.gc_timers: dict[str, asyncio.TimerHandle] = {}
        self.polls: dict[str, tuple[float, asyncio.TimerHandle]] = {}
        self.pending_tags: list[Tag] = []
        self.pending_keys: dict[str, None] = {}  # invalidate_queries while delayed
        self.refetch_after_settle: set[str] = set()
        # Tags invalidated while a request ran for a key they did not (yet) hit: checked
        # against what that request provides once it settles.
        self.tags_in_flight: dict[str, list[Tag]] = {}
        self.cache_lifecycles: dict[str, _CacheLifecycle] = {}
        # Mutation cache lifecycles, by fixed_cache_key or request id.
        self.mutation_lifecycles: dict[str, _CacheLifecycle] = {}
        self.hook_tasks: set[asyncio.Task[Any]] = set()
        self.layers_by_mutation: dict[str, list[tuple[str, str]]] = {}
        # Layers of succeeded mutations, dropped when the refetch their own
        # invalidation starts for that entry has landed.
        self.layer_drops: dict[str, list[str]] = {}
        self.loop: asyncio.AbstractEventLoop | None = None
        self._clock_origin = 0.0
        # Mutations that may not send yet: same-scope ones queue in dispatch order.
        self.scopes: dict[str, collections.deque[str]] = {}
        self.waiting: set[str] = set()
        # More conditions a mutation must meet before it sends (e.g. being online).
        self.send_gates: list[Callable[[Running], bool]] = []
        self._gate_changed: asyncio.Future[None] | None = None
        # Offline / network-error pausing and resume (persistence, issue 9).
        self.paused = PausedMutations(self)
        self.send_gates.append(self.paused.gate)
        # Keys whose GC was asked for before any loop ran: scheduled once one does.
        self.gc_deferred: set[str] = set()

    # -- state access ------------------------------------------------------------
    def slice_state(self) -> AnyMap:
        state = self.get_state()
        path = self.api.reducer_path
        try:
            api_state: AnyMap = state[path]
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
        if loop is not self.loop:
            # Timestamps follow the loop clock (contract §6), anchored to the wall clock
            # once, so that fast-forwarded loop time also ages entries.
            self._clock_origin = time.time() - loop.time()
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
        """``time.time()``-like seconds that advance with the running loop's clock."""
        loop = self.loop
        if loop is None:
            return time.time()
        return self._clock_origin + loop.time()

    # -- subscriptions -----------------------------------------------------------
    def subscribe(self, key: str, sub_id: str, options: Mapping[str, Any] | None) -> None:
        subs = self.subscriptions.setdefault(key, {})
        subs[sub_id] = dict(options or {})
        timer = self.gc_timers.pop(key, None)
        if timer is not None:
            timer.cancel()
        self.update_polling(key)

    def unsubscribe(self, key: str, sub_id: str) -> None:
        subs = self.subscriptions.get(key)
        if subs is None or subs.pop(sub_id, None) is None:
            return
        if not subs:
            del self.subscriptions[key]
        self.update_polling(key)
        if not subs:
            self.schedule_gc(key)

    def update_subscription(self, key: str, sub_id: str, options: Mapping[str, Any]) -> None:
        subs = self.subscriptions.get(key)
        if subs is None or sub_id not in subs:
            return
        subs[sub_id] = dict(options)
        self.update_polling(key)

    def is_running(self, key: str) -> bool:
        """Whether a request for ``key`` runs that a new initiate may join.

        An aborted request (removed entry, reset, ``abort()``) still settles, but a new
        initiate starts its own request instead of joining one whose answer is dropped.
        """
        running = self.running.get(key)
        return running is not None and not running.signal.aborted

    def has_subscribers(self, key: str) -> bool:
        return bool(self.subscriptions.get(key))

    # -- cache collection --------------------------------------------------------
    def keep_for(self, endpoint_name: str | None) -> float:
        definition = self.api.definitions.get(endpoint_name) if endpoint_name else None
        if definition is not None and definition.keep_unused_data_for is not None:
            return float(definition.keep_unused_data_for)
        return float(self.api.keep_unused_data_for)

    def schedule_gc(self, key: str) -> None:
        if self.has_subscribers(key) or key in self.gc_timers:
            return
        if self.loop is None:
            self.gc_deferred.add(key)  # e.g. hydrated before any loop ran
            return
        entry = self.entry(key)
        if entry is None:
            return
        delay = self.keep_for(entry.endpoint_name)
        if math.isinf(delay):
            return
        self.gc_timers[key] = self.loop.call_later(delay, self._collect, key)

    def _collect(self, key: str) -> None:
        self.gc_timers.pop(key, None)
        if self.has_subscribers(key):
            return
        self.remove_entry(key)

    def remove_entry(self, key: str) -> None:
        running = self.running.get(key)
        if running is not None:
            self.abort(running)
        self.stop_polling(key)
        self.layer_drops.pop(key, None)
        self.dispatch(Action(self.types.remove_query_result, {"query_cache_key": key}))
        self.end_cache_lifecycle(key)

    # -- polling -----------------------------------------------------------------
    def _poll_options(self, key: str) -> tuple[float, bool]:
        interval = math.inf
        skip_unfocused = False
        for options in self.subscriptions.get(key, {}).values():
            value = options.get("polling_interval") or 0
            if value > 0:
                interval = min(interval, float(value))
            skip_unfocused = skip_unfocused or bool(options.get("skip_polling_if_unfocused"))
        return interval, skip_unfocused

    def update_polling(self, key: str) -> None:
        interval, _ = self._poll_options(key)
        current = self.polls.get(key)
        if math.isinf(interval):
            self.stop_polling(key)
            return
        if current is not None and current[0] == interval:
            return
        self.stop_polling(key)
        self._schedule_poll(key, interval)

    def _schedule_poll(self, key: str, interval: float) -> None:
        if self.loop is None:
            return
        self.polls[key] = (interval, self.loop.call_later(interval, self._poll, key))

    def stop_polling(self, key: str) -> None:
        current = self.polls.pop(key, None)
        if current is not None:
            current[1].cancel()

    def restart_poll(self, key: str) -> None:
        """After a request for ``key`` settled: the next poll counts from now."""
        interval, _ = self._poll_options(key)
        self.stop_polling(key)
        if not math.isinf(interval):
            self._schedule_poll(key, interval)

    def _poll(self, key: str) -> None:
        self.polls.pop(key, None)
        interval, skip_unfocused = self._poll_options(key)
        if math.isinf(interval):
            return
        focused = self.slice_state()["config"].get("focused", True)
        wanted = (focused or not skip_unfocused) and key not in self.running
        if wanted and self.refetch(key):
            return  # restart_poll runs when that request settles
        self._schedule_poll(key, interval)

    # -- starting requests -------------------------------------------------------
    def refetch(self, key: str) -> bool:
        """Refetch the entry ``key`` without subscribing; False when there is nothing to do."""
        entry = self.entry(key)
        if entry is None or entry.status is QueryStatus.UNINITIALIZED:
            return False
        endpoint = self.api.endpoints._get(entry.endpoint_name)
        if endpoint is None:
            return False
        if not self.is_running(key):
            # Straight to the request: no thunk, runtime probe or cache-key serialization
            # per entry, which matters when one invalidation refetches thousands.
            endpoint.start(self, entry.original_args, key, new_request_id(), forced=True)
        return True

    def start_query(
        self,
        definition: EndpointDefinition,
        endpoint_name: str,
        arg: Any,
        key: str,
        request_id: str,
        *,
        forced: bool,
        execute: Callable[[Running, BaseQueryApi], Any],
        extra_meta: Mapping[str, Any] | None = None,
    ) -> Running:
        loop = self.loop or self.bind_loop()
        previous = self.entry(key)
        is_new = previous is None
        running = Running(request_id, key, endpoint_name, arg, silent_future(loop))
        if previous is not None:
            running.previous_arg = previous.original_args
        self.running[key] = running
        meta = {
            "request_id": request_id,
            "arg": arg,
            "endpoint_name": endpoint_name,
            "query_cache_key": key,
            "started_at": self.now(),
            "forced": forced,
            **(extra_meta or {}),
        }
        try:
            self.dispatch(Action(self.types.query_pending, None, meta))
        except BaseException:
            del self.running[key]
            raise
        if is_new and definition.on_cache_entry_added is not None:
            self.start_cache_lifecycle(definition, endpoint_name, arg, key, request_id)
        fulfilled = silent_future(loop)
        if definition.on_query_started is not None:
            ctx = QueryLifecycleContext(
                self, endpoint_name, arg, request_id, fulfilled, key, is_mutation=False
            )
            self._track(
                run_hook(
                    loop,
                    definition.on_query_started,
                    arg,
                    ctx,
                    f"on_query_started of {endpoint_name!r}",
                )
            )
        bq_api = BaseQueryApi(self, endpoint_name, "query", forced, arg, running.signal)
        running.task = loop.create_task(self._run(running, bq_api, execute, fulfilled))
        return running

    async def _run(
        self,
        running: Running,
        bq_api: BaseQueryApi,
        execute: Callable[[Running, BaseQueryApi], Any],
        fulfilled: asyncio.Future[Any],
    ) -> None:
        running.started = True
        outcome: tuple[str, Any, Mapping[str, Any]]
        try:
            if running.signal.aborted:
                raise asyncio.CancelledError
            outcome = await execute(running, bq_api)
        except asyncio.CancelledError:
            outcome = ("rejected", ABORTED, {"aborted": True})
        except Exception as exc:  # defensive: execute reports user errors itself
            outcome = ("rejected", serialize_exception(exc), {})
        kind, payload, meta = outcome
        try:
            if self.running.get(running.key) is running:
                del self.running[running.key]
            base_meta = {
                "request_id": running.request_id,
                "query_cache_key": running.key,
                "endpoint_name": running.endpoint_name,
                "arg": running.arg,
                **meta,
            }
            if kind == "fulfilled":
                base_meta["fulfilled_at"] = self.now()
                self.dispatch(Action(self.types.query_fulfilled, payload, base_meta))
                if not fulfilled.done():
                    fulfilled.set_result({"data": payload, "meta": meta.get("base_query_meta")})
                if running.key in self.cache_lifecycles:  # no entry lookup per request
                    self.resolve_data_loaded(
                        self.cache_lifecycles,
                        running.key,
                        self.select_entry(running.key, running.endpoint_name).data,
                        meta.get("base_query_meta"),
                    )
            else:
                self.dispatch(Action(self.types.query_rejected, payload, base_meta, error=True))
                if not fulfilled.done():
                    fulfilled.set_exception(QueryError(payload, meta.get("base_query_meta")))
        finally:
            for layer_id in running.drop_layers:
                self.drop_layer(running.key, layer_id)
            if not running.future.done():
                # The settled entry, for awaiting handles even if it is collected at once.
                running.future.set_result(self._settled_entry(running.key))
            self.request_settled(running.key)

    def _settled_entry(self, key: str) -> Any:
        try:
            return self.entry(key)
        except RuntimeError:  # the api reducer was removed from the store meanwhile
            return None

    def abort(self, running: Running) -> None:
        running.signal.aborted = True
        # A task cancelled before its first step never runs its body (nor its cleanup):
        # one that has not started sees the aborted signal instead.
        if running.started and running.task is not None and not running.task.done():
            running.task.cancel()

    # -- mutations ---------------------------------------------------------------
    def start_mutation(
        self,
        definition: EndpointDefinition,
        endpoint_name: str,
        arg: Any,
        request_id: str,
        *,
        track: bool,
        fixed_cache_key: str | None,
        scope: str | None,
        execute: Callable[[Running, BaseQueryApi], Any],
        hold: bool = False,
        started_at: float | None = None,
    ) -> Running:
        """Start a mutation; ``hold`` keeps it paused until resumed (hydrated ones)."""
        loop = self.loop or self.bind_loop()
        running = Running(
            request_id,
            fixed_cache_key or request_id,
            endpoint_name,
            arg,
            silent_future(loop),
            is_mutation=True,
        )
        meta = {
            "request_id": request_id,
            "arg": arg,
            "endpoint_name": endpoint_name,
            "fixed_cache_key": fixed_cache_key,
            "track": track,
            "scope": scope,
            "started_at": self.now() if started_at is None else started_at,
        }
        running.scope = scope
        if scope is not None:
            self.scopes.setdefault(scope, collections.deque()).append(request_id)
        if hold:
            self.paused.hold(running)
        meta["is_paused"] = not self.may_send(running)
        self.running_mutations[request_id] = running
        try:
            self.dispatch(Action(self.types.mutation_pending, None, meta))
        except BaseException:
            del self.running_mutations[request_id]
            self._leave_scope(running)
            self.paused.discard(running)
            raise
        if track and definition.on_cache_entry_added is not None:
            self.start_cache_lifecycle(
                definition, endpoint_name, arg, running.key, request_id, mutation=True
            )
        fulfilled = silent_future(loop)
        if definition.on_query_started is not None:
            ctx = QueryLifecycleContext(
                self, endpoint_name, arg, request_id, fulfilled, None, is_mutation=True
            )
            self._track(
                run_hook(
                    loop,
                    definition.on_query_started,
                    arg,
                    ctx,
                    f"on_query_started of {endpoint_name!r}",
                )
            )
        bq_api = BaseQueryApi(self, endpoint_name, "mutation", False, arg, running.signal)
        running.task = loop.create_task(
            self._run_mutation(running, bq_api, execute, fulfilled, meta)
        )
        return running

    async def _run_mutation(
        self,
        running: Running,
        bq_api: BaseQueryApi,
        execute: Callable[[Running, BaseQueryApi], Any],
        fulfilled: asyncio.Future[Any],
        pending_meta: Mapping[str, Any],
    ) -> None:
        running.started = True
        try:
            if running.signal.aborted:
                raise asyncio.CancelledError
            while True:
                await self.wait_to_send(running, pending_meta)
                outcome = await execute(running, bq_api)
                if not self.paused.should_hold_after(running, outcome):
                    break
                # offline_first: a network error pauses it until resumed.
                self.dispatch(Action(self.types.mutation_paused, None, dict(pending_meta)))
        except asyncio.CancelledError:
            outcome = ("rejected", ABORTED, {"aborted": True})
        except Exception as exc:
            outcome = ("rejected", serialize_exception(exc), {})
        kind, payload, meta = outcome
        result: dict[str, Any]
        try:
            self.running_mutations.pop(running.request_id, None)
            self._leave_scope(running)
            action_meta = {**pending_meta, **meta}
            if kind == "fulfilled":
                action_meta["fulfilled_at"] = self.now()
                self.dispatch(Action(self.types.mutation_fulfilled, payload, action_meta))
                result = {"data": payload}
                if not fulfilled.done():
                    fulfilled.set_result({"data": payload, "meta": meta.get("base_query_meta")})
                lifecycle = self.mutation_lifecycles.get(running.key)
                if lifecycle is not None and lifecycle.request_id == running.request_id:
                    self.resolve_data_loaded(
                        self.mutation_lifecycles,
                        running.key,
                        payload,
                        meta.get("base_query_meta"),
                    )
            else:
                self.dispatch(
                    Action(self.types.mutation_rejected, payload, action_meta, error=True)
                )
                result = {"error": payload}
                if not fulfilled.done():
                    fulfilled.set_exception(QueryError(payload, meta.get("base_query_meta")))
            tags = meta.get("invalidated_tags") or ()
            succeeded = kind == "fulfilled"
            self.settle_layers(running.request_id, succeeded, tags)
            if tags:
                self.invalidate(tags)
        finally:
            if not running.future.done():
                running.future.set_result(result if "result" in locals() else {"error": ABORTED})
            self.paused.discard(running)
            self.request_settled(None)

    # -- waiting to send (scopes, offline) ---------------------------------------
    def may_send(self, running: Running) -> bool:
        """Whether a mutation may send its request now."""
        if running.scope is not None:
            queue = self.scopes.get(running.scope)
            if queue and queue[0] != running.request_id:
                return False
        return all(gate(running) for gate in self.send_gates)

    async def wait_to_send(self, running: Running, pending_meta: Mapping[str, Any]) -> None:
        """Wait until ``running`` may send; dispatch ``resumed`` if it had to wait."""
        if self.may_send(running):
            return
        self.waiting.add(running.request_id)
        # It no longer counts as in flight: delayed invalidations may go now.
        self.request_settled(None)
        try:
            while not self.may_send(running):
                if self._gate_changed is None or self._gate_changed.done():
                    assert self.loop is not None
                    self._gate_changed = self.loop.create_future()
                await asyncio.shield(self._gate_changed)
        finally:
            self.waiting.discard(running.request_id)
        self.dispatch(Action(self.types.mutation_resumed, None, dict(pending_meta)))

    def gates_changed(self) -> None:
        """Wake waiting mutations so they check again whether they may send."""
        gate = self._gate_changed
        if gate is not None and not gate.done():
            gate.set_result(None)

    def _leave_scope(self, running: Running) -> None:
        if running.scope is None:
            return
        queue = self.scopes.get(running.scope)
        if queue is None:
            return
        was_head = bool(queue) and queue[0] == running.request_id
        try:
            queue.remove(running.request_id)
        except ValueError:
            return
        if not queue:
            del self.scopes[running.scope]
        if was_head:
            self.gates_changed()

    def requests_in_flight(self) -> bool:
        """Whether a query, or a mutation that is not waiting to send, is running."""
        return bool(self.running) or len(self.running_mutations) > len(self.waiting)

    # -- optimistic layers -------------------------------------------------------
    def add_optimistic_layer(
        self, mutation_request_id: str, endpoint_name: str, arg: Any, recipe: Callable[[Any], Any]
    ) -> Any:
        return self.api.util._add_layer(self, mutation_request_id, endpoint_name, arg, recipe)

    def settle_layers(self, request_id: str, succeeded: bool, tags: Iterable[Tag]) -> None:
        layers = self.layers_by_mutation.pop(request_id, None)
        if not layers:
            return
        refetching: set[str] = set()
        if succeeded and tags:
            refetching = set(keys_for_tags(self.slice_state()["provided"], tags))
        for key, layer_id in layers:
            if key in refetching and self.has_subscribers(key):
                # Dropped when the refetch its own invalidation starts has landed.
                self.layer_drops.setdefault(key, []).append(layer_id)
                continue
            self.drop_layer(key, layer_id)

    def drop_layer(self, key: str, layer_id: str) -> None:
        self.dispatch(
            Action(
                self.types.optimistic_layer_removed, {"query_cache_key": key, "layer_id": layer_id}
            )
        )

    # -- settling and invalidation -----------------------------------------------
    def request_settled(self, key: str | None) -> None:
        if key is not None:
            missed = self.tags_in_flight.pop(key, None)
            if missed and tags_match(missed, self.slice_state()["provided"]["keys"].get(key)):
                self.refetch_after_settle.add(key)
            if key in self.refetch_after_settle:
                self.refetch_after_settle.discard(key)
                self.invalidate_keys([key])
            if self.has_subscribers(key):
                self.restart_poll(key)
            else:
                self.schedule_gc(key)
        if (self.pending_tags or self.pending_keys) and not self.requests_in_flight():
            self.flush_invalidations()

    def flush_invalidations(self, keys: Mapping[str, None] | None = None) -> None:
        """Apply the queued ("delayed") invalidations, with ``keys``, in one pass.

        One pass, so that an entry hit by several of them refetches once.
        """
        tags, self.pending_tags = self.pending_tags, []
        queued, self.pending_keys = self.pending_keys, {}
        if keys:
            queued.update(keys)
        if tags:
            queued.update(keys_for_tags(self.slice_state()["provided"], tags))
        if queued:
            self.invalidate_keys(queued)

    def invalidate(self, tags: Iterable[Tag], *, now: bool = False) -> None:
        """Invalidate entries by tag: refetch the subscribed ones, drop the others.

        In the default "delayed" behaviour the tags wait while any request is running
        and are applied when the last one settles.
        """
        tags = list(tags)
        if not tags:
            return
        delayed = self.api.invalidation_behavior == "delayed"
        if not now and delayed and self.requests_in_flight():
            self.pending_tags.extend(tags)
            return
        keys = keys_for_tags(self.slice_state()["provided"], tags)
        for key in self.running:
            if key not in keys:
                self.tags_in_flight.setdefault(key, []).extend(tags)
        self.flush_invalidations(keys)

    def invalidate_keys(self, keys: Iterable[str], *, now: bool = True) -> None:
        """Invalidate entries by cache key; ``now=False`` honours "delayed" like tags do."""
        if not now and self.api.invalidation_behavior == "delayed":
            if self.requests_in_flight():
                self.pending_keys.update(dict.fromkeys(keys))
            else:
                self.flush_invalidations(dict.fromkeys(keys))
            return
        for key in list(keys):
            if key in self.running:
                # rtkq fix: an invalidation that hits a request in flight is not lost.
                self.refetch_after_settle.add(key)
            elif self.has_subscribers(key) and self.refetch(key):
                drops = self.layer_drops.pop(key, None)
                if drops:
                    running = self.running.get(key)
                    if running is not None:
                        running.drop_layers.extend(drops)
                    else:
                        for layer_id in drops:
                            self.drop_layer(key, layer_id)
            else:
                self.remove_entry(key)

    def provided_for(
        self, definition: EndpointDefinition, result: Any, error: Any, arg: Any, endpoint_name: str
    ) -> tuple[Tag, ...]:
        return tags_for(self.api, definition, result, error, arg, endpoint_name)

    # -- cache entry lifecycle ---------------------------------------------------
    def start_cache_lifecycle(
        self,
        definition: EndpointDefinition,
        endpoint_name: str,
        arg: Any,
        key: str,
        request_id: str,
        *,
        mutation: bool = False,
    ) -> None:
        """Run ``on_cache_entry_added`` for a new entry (a mutation's: by its cache key).

        A mutation that reuses a ``fixed_cache_key`` ends the previous lifecycle of that
        key and starts its own.
        """
        loop = self.loop or self.bind_loop()
        table = self.mutation_lifecycles if mutation else self.cache_lifecycles
        old = table.pop(key, None)
        if old is not None:
            self._finish_lifecycle(old)
        lifecycle = _CacheLifecycle(silent_future(loop), silent_future(loop), request_id)
        table[key] = lifecycle
        ctx = CacheLifecycleContext(
            self,
            endpoint_name,
            arg,
            request_id,
            key,
            lifecycle.data_loaded,
            lifecycle.removed,
            is_mutation=mutation,
        )
        assert definition.on_cache_entry_added is not None
        lifecycle.task = self._track(
            run_hook(
                loop,
                definition.on_cache_entry_added,
                arg,
                ctx,
                f"on_cache_entry_added of {endpoint_name!r}",
            )
        )

    def end_cache_lifecycle(self, key: str, *, mutation: bool = False) -> None:
        table = self.mutation_lifecycles if mutation else self.cache_lifecycles
        lifecycle = table.pop(key, None)
        if lifecycle is not None:
            self._finish_lifecycle(lifecycle)

    @staticmethod
    def resolve_data_loaded(
        table: dict[str, _CacheLifecycle], key: str, data: Any, meta: Any
    ) -> None:
        """The first data of ``key`` arrived: resolve its ``cache_data_loaded``."""
        lifecycle = table.get(key)
        if lifecycle is not None and not lifecycle.data_loaded.done():
            lifecycle.data_loaded.set_result({"data": data, "meta": meta})

    def entries_upserted(self, items: Iterable[Mapping[str, Any]], before: AnyMap) -> None:
        """After ``upsert_query_entries``: lifecycles of new entries, first data, GC."""
        if self.loop is None:
            try:
                self.bind_loop()
            except RuntimeError:
                return  # no loop: nothing can run or expire until one starts
        for item in items:
            key = item["query_cache_key"]
            definition = self.api.definitions.get(item["endpoint_name"])
            if (
                key not in before
                and definition is not None
                and definition.on_cache_entry_added is not None
            ):
                self.start_cache_lifecycle(
                    definition, item["endpoint_name"], item["arg"], key, item["request_id"]
                )
            entry = self.entry(key)
            if entry is not None:
                self.resolve_data_loaded(self.cache_lifecycles, key, entry.data, None)
            if not self.has_subscribers(key):
                self.schedule_gc(key)

    def _finish_lifecycle(self, lifecycle: _CacheLifecycle) -> None:
        if not lifecycle.data_loaded.done():
            lifecycle.data_loaded.set_exception(
                CacheEntryRemovedError("The cache entry was removed before data loaded.")
            )
        if not lifecycle.removed.done():
            lifecycle.removed.set_result(None)
        if self.loop is not None:
            cancel_later(self.loop, lifecycle.task)

    def _track(self, task: asyncio.Task[Any] | None) -> asyncio.Task[Any] | None:
        if task is not None:
            self.hook_tasks.add(task)
            task.add_done_callback(self.hook_tasks.discard)
        return task

    # -- environment and reset ---------------------------------------------------
    def refetch_where(self, option: str, api_default: bool) -> None:
        """On focus or reconnect: refetch subscribed entries that asked for it."""
        for key, subs in list(self.subscriptions.items()):
            wanted = any(options.get(option, api_default) for options in subs.values())
            if wanted and key not in self.running:
                self.refetch(key)

    def reset(self) -> None:
        """Abort every request, stop every timer and end every lifecycle."""
        for running in [*self.running.values(), *self.running_mutations.values()]:
            self.abort(running)
        for timer in self.gc_timers.values():
            timer.cancel()
        for _, handle in self.polls.values():
            handle.cancel()
        self.gc_timers.clear()
        self.polls.clear()
        self.subscriptions.clear()
        self.pending_tags.clear()
        self.pending_keys.clear()
        self.refetch_after_settle.clear()
        self.tags_in_flight.clear()
        self.layer_drops.clear()
        self.layers_by_mutation.clear()
        self.scopes.clear()
        self.gc_deferred.clear()
        self.paused.clear()
        self.gates_changed()
        for key in list(self.cache_lifecycles):
            self.end_cache_lifecycle(key)
        for key in list(self.mutation_lifecycles):
            self.end_cache_lifecycle(key, mutation=True)
        if self.loop is not None:
            for task in list(self.hook_tasks):
                cancel_later(self.loop, task)
