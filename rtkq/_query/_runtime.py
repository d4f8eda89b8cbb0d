"""The per-store runtime of one api: requests, subscriptions, timers, invalidation.

One :class:`Runtime` exists per store the api middleware is mounted in. Thunks find it
by dispatching a probe action that only the api middleware answers. Nothing here is
observable state: subscriptions, running requests and timers live outside the store.
"""

from __future__ import annotations

import asyncio
import collections
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from .._exceptions import QueryError
from .._store._action import Action
from ._cache_collection import CacheCollection
from ._clock import epoch_now
from ._hooks import wrap_execute
from ._invalidation import Invalidation
from ._lifecycle import (
    QueryLifecycleContext,
    cancel_later,
    fail_silently,
    run_hook,
    silent_future,
)
from ._lifecycle_tasks import CacheLifecycles
from ._mutation_gates import MutationGates
from ._optimistic import OptimisticLayers
from ._polling import Polling
from ._requests import ABORTED, BaseQueryApi, Running, Signal, new_request_id, serialize_exception
from ._shutdown import closed_error
from ._tags import tags_for
from ._types import QueryStatus

if TYPE_CHECKING:
    from ._definitions import EndpointDefinition


__all__ = [
    "ABORTED",
    "UNKNOWN",
    "BaseQueryApi",
    "Running",
    "Runtime",
    "Signal",
    "new_request_id",
    "serialize_exception",
    "tags_for",
]

UNKNOWN: Any = object()
"""``start_query(previous=...)`` when the caller has not read the entry."""


class Runtime(
    CacheCollection,
    Polling,
    Invalidation,
    CacheLifecycles,
    OptimisticLayers,
    MutationGates,
):
    """Everything one api needs per store beyond its observable state.

    This class starts and settles requests; each other concern is a base class in a
    module of its own.
    """

    def refetch(self, key: str) -> bool:
        """Refetch the entry ``key`` without subscribing; False when there is nothing to do."""
        if self.closed:
            return False
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
        previous: Any = UNKNOWN,
    ) -> Running:
        if self.closed:
            raise closed_error(self.api.reducer_path)
        loop = self.loop or self.bind_loop()
        if previous is UNKNOWN:
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
            "started_at": epoch_now(loop),  # self.now(), one call less per request
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
        fulfilled = (
            None
            if definition.on_query_started is None
            else self._query_started(definition, endpoint_name, arg, request_id, key)
        )
        bq_api = BaseQueryApi(self, endpoint_name, "query", forced, arg, running.signal, key)
        if self.hooks:
            execute = wrap_execute(self.hooks, definition, execute)
        running.task = loop.create_task(self._run(running, bq_api, execute, fulfilled))
        return running

    def _query_started(
        self,
        definition: EndpointDefinition,
        endpoint_name: str,
        arg: Any,
        request_id: str,
        key: str | None,
    ) -> asyncio.Future[Any] | None:
        """Start ``on_query_started``; return its ``query_fulfilled`` future (``None``
        without a hook: nobody could await it, so no future per request)."""
        if definition.on_query_started is None:
            return None
        loop = self.loop or self.bind_loop()
        fulfilled = silent_future(loop)
        ctx = QueryLifecycleContext(
            self, endpoint_name, arg, request_id, fulfilled, key, is_mutation=key is None
        )
        where = f"on_query_started of {endpoint_name!r}"
        self._track(run_hook(loop, definition.on_query_started, arg, ctx, where))
        return fulfilled

    async def _run(
        self,
        running: Running,
        bq_api: BaseQueryApi,
        execute: Callable[[Running, BaseQueryApi], Any],
        fulfilled: asyncio.Future[Any] | None,
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
                if "fulfilled_at" not in base_meta:  # a hook may keep its own
                    base_meta["fulfilled_at"] = epoch_now(self.loop)
                self.dispatch(Action(self.types.query_fulfilled, payload, base_meta))
                if fulfilled is not None and not fulfilled.done():
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
                if fulfilled is not None and not fulfilled.done():
                    fail_silently(fulfilled, QueryError(payload, meta.get("base_query_meta")))
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
        if self.closed:
            raise closed_error(self.api.reducer_path)
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
        fulfilled = self._query_started(definition, endpoint_name, arg, request_id, None)
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
        fulfilled: asyncio.Future[Any] | None,
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
                if fulfilled is not None and not fulfilled.done():
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
                if fulfilled is not None and not fulfilled.done():
                    fail_silently(fulfilled, QueryError(payload, meta.get("base_query_meta")))
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

    def reset(self) -> None:
        """Abort every request, stop every timer and end every lifecycle."""
        for running in [*self.running.values(), *self.running_mutations.values()]:
            self.abort(running)
        for batch in {id(batch): batch for batch in self.gc_timers.values()}.values():
            batch.cancel()
        for _, handle in self.polls.values():
            handle.cancel()
        self.gc_timers.clear()
        self.open_gc_batches.clear()
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
        if self.loop is not None and not self.closed:  # closing waits for them itself
            for task in list(self.hook_tasks):
                cancel_later(self.loop, task)
