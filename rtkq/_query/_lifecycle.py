"""Lifecycle contexts: ``on_query_started`` and ``on_cache_entry_added``.

Each hook runs as its own asyncio task. An exception it raises is reported with
``warnings.warn`` and never breaks the request or the store.

Ending rule: when a cache entry is removed (garbage collection, invalidation without
subscribers, ``reset()`` of a mutation, ``reset_api_state``), ``cache_entry_removed``
resolves at once and ``cache_data_loaded`` (if still waiting) raises
:class:`CacheEntryRemovedError`. The ``on_cache_entry_added`` hook then has
``CLEANUP_GRACE`` seconds of loop time to finish its cleanup; if it is still running
after that it is cancelled (its ``finally`` blocks run). ``reset_api_state`` applies
the same rule to ``on_query_started`` hooks still running.
"""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from .._exceptions import QueryError

if TYPE_CHECKING:
    from ._runtime import Runtime

__all__ = [
    "CLEANUP_GRACE",
    "CacheEntryRemovedError",
    "CacheLifecycleContext",
    "QueryLifecycleContext",
    "cancel_later",
    "fail_silently",
    "run_hook",
    "silent_future",
]

#: Seconds (loop time) a lifecycle hook may keep running after its entry was removed.
CLEANUP_GRACE = 1.0


class CacheEntryRemovedError(Exception):
    """``cache_data_loaded`` failed: the entry was removed before any data arrived."""


def silent_future(loop: asyncio.AbstractEventLoop) -> asyncio.Future[Any]:
    """A future that rtkq settles and nobody has to await: its exceptions are set with
    :func:`fail_silently`, so none triggers "exception was never retrieved" (no done
    callback per future, which would cost a loop turn per request)."""
    return loop.create_future()


def fail_silently(future: asyncio.Future[Any], exc: BaseException) -> None:
    """Set ``exc`` on a :func:`silent_future` and mark it retrieved."""
    future.set_exception(exc)
    future.exception()


class _BaseContext:
    def __init__(self, runtime: Runtime, endpoint_name: str, arg: Any, request_id: str):
        self._runtime = runtime
        self.endpoint_name = endpoint_name
        self.arg = arg
        self.request_id = request_id

    @property
    def dispatch(self) -> Callable[[Any], Any]:
        return self._runtime.dispatch

    @property
    def get_state(self) -> Callable[[], Any]:
        return self._runtime.get_state

    @property
    def extra(self) -> Any:
        return self._runtime.extra


class _CacheEntryMixin(_BaseContext):
    query_cache_key: str

    def get_cache_entry(self) -> Any:
        """The current :class:`QueryState` of this entry."""
        return self._runtime.select_entry(self.query_cache_key, self.endpoint_name)

    def update_cached_data(self, recipe: Callable[[Any], Any]) -> Any:
        """Run ``recipe`` on a draft of this entry's data; returns the ``PatchCollection``."""
        return self.dispatch(
            self._runtime.api.util.update_query_data(self.endpoint_name, self.arg, recipe)
        )


class QueryLifecycleContext(_CacheEntryMixin):
    """The ``ctx`` of ``on_query_started`` for a query or a mutation."""

    def __init__(
        self,
        runtime: Runtime,
        endpoint_name: str,
        arg: Any,
        request_id: str,
        query_fulfilled: asyncio.Future[Any],
        query_cache_key: str | None,
        is_mutation: bool,
    ) -> None:
        super().__init__(runtime, endpoint_name, arg, request_id)
        self.query_fulfilled = query_fulfilled
        self.query_cache_key = query_cache_key or ""
        self._is_mutation = is_mutation

    def get_cache_entry(self) -> Any:
        if self._is_mutation:
            return self._runtime.select_mutation_by_request(self.request_id)
        return super().get_cache_entry()

    def update_cached_data(self, recipe: Callable[[Any], Any]) -> Any:
        if self._is_mutation:
            raise RuntimeError(
                "update_cached_data is only for query lifecycles; in a mutation use "
                "ctx.dispatch(api.util.update_query_data(...)) or ctx.optimistic(...)."
            )
        return super().update_cached_data(recipe)

    def optimistic(self, endpoint_name: str, arg: Any, recipe: Callable[[Any], Any]) -> Any:
        """Apply ``recipe`` to a cached entry as an optimistic layer (mutations only).

        Raises:
            RuntimeError: called from a query's lifecycle.
        """
        if not self._is_mutation:
            raise RuntimeError(
                "ctx.optimistic is only available in a mutation's on_query_started: only "
                "mutations have optimistic layers. Use ctx.update_cached_data in a query."
            )
        return self._runtime.add_optimistic_layer(self.request_id, endpoint_name, arg, recipe)


class CacheLifecycleContext(_CacheEntryMixin):
    """The ``ctx`` of ``on_cache_entry_added``."""

    def __init__(
        self,
        runtime: Runtime,
        endpoint_name: str,
        arg: Any,
        request_id: str,
        query_cache_key: str,
        cache_data_loaded: asyncio.Future[Any],
        cache_entry_removed: asyncio.Future[Any],
        is_mutation: bool = False,
    ) -> None:
        super().__init__(runtime, endpoint_name, arg, request_id)
        self.query_cache_key = query_cache_key
        self.cache_data_loaded = cache_data_loaded
        self.cache_entry_removed = cache_entry_removed
        self._is_mutation = is_mutation

    def get_cache_entry(self) -> Any:
        """The entry's current state (a ``MutationState`` for a mutation, keyed by its
        request id or ``fixed_cache_key``)."""
        if self._is_mutation:
            return self._runtime.api.endpoints[self.endpoint_name]._select(self.query_cache_key)(
                self.get_state()
            )
        return super().get_cache_entry()

    def update_cached_data(self, recipe: Callable[[Any], Any]) -> Any:
        """Run ``recipe`` on a draft of this entry's data; returns the ``PatchCollection``.

        Raises:
            RuntimeError: in a mutation's cache lifecycle (mutations have no cached data).
        """
        if self._is_mutation:
            raise RuntimeError(
                "update_cached_data is only for query cache lifecycles: a mutation has no "
                "cached data to update. Use ctx.dispatch(api.util.update_query_data(...))."
            )
        return super().update_cached_data(recipe)


def cancel_later(loop: asyncio.AbstractEventLoop, task: asyncio.Task[Any] | None) -> None:
    """Cancel ``task`` if it is still running ``CLEANUP_GRACE`` seconds from now."""
    if task is not None and not task.done():
        loop.call_later(CLEANUP_GRACE, task.cancel)


def run_hook(
    loop: asyncio.AbstractEventLoop,
    hook: Callable[[Any, Any], Any],
    arg: Any,
    ctx: Any,
    where: str,
) -> asyncio.Task[None] | None:
    """Start a lifecycle hook as a task; report (never raise) what it raises."""

    async def guarded() -> None:
        try:
            result = hook(arg, ctx)
            if asyncio.iscoroutine(result) or isinstance(result, asyncio.Future):
                await result
        except (CacheEntryRemovedError, QueryError):
            pass  # the awaited request failed or the entry went away: expected endings
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            warnings.warn(
                f"{where} raised {type(exc).__name__}: {exc}",
                RuntimeWarning,
                stacklevel=1,
            )

    coro: Coroutine[Any, Any, None] = guarded()
    return loop.create_task(coro)
