"""``persist_store``: restore an api's cache at start, save it (throttled) as it changes.

Saves run off the loop thread: the state is captured on the loop (it is immutable, so
the capture is free) and dehydrated and written in a worker thread. Snapshots are
written in the order they were captured; an older one never overwrites a newer one.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import threading
import time
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from ._dehydrate import dehydrate

if TYPE_CHECKING:
    from .._query._create_api import Api
    from .._query._types import QueryState

__all__ = ["Persister", "StorePersistence", "persist_store"]


class Persister(Protocol):
    """Where snapshots go: ``SQLitePersister`` or anything with these three methods."""

    def save(self, dehydrated: dict[str, Any]) -> None: ...

    def load(self) -> dict[str, Any] | None: ...

    def clear(self) -> None: ...


class StorePersistence:
    """What :func:`persist_store` returns: ``flush()``, ``await aflush()``, ``close()``."""

    def __init__(
        self,
        store: Any,
        api: Api,
        persister: Persister,
        throttle: float,
        should_dehydrate_query: Callable[[QueryState], bool] | None,
        buster: str,
    ) -> None:
        self._store = store
        self._api = api
        self._persister = persister
        self._throttle = throttle
        self._should_dehydrate_query = should_dehydrate_query
        self._buster = buster
        self._lock = threading.Lock()  # one write at a time, in capture order
        self._captures = itertools.count(1)
        self._written_seq = 0
        self._written_slice: Any = None
        self._timer: asyncio.TimerHandle | None = None
        self._in_flight: asyncio.Future[None] | None = None
        self._dirty = False
        self._closed = False
        self._last_sync_save = -math.inf
        self._unwatch: Callable[[], None] | None = None
        self._remove_close_hook: Callable[[], None] | None = None

    def __repr__(self) -> str:
        return f"<StorePersistence {self._persister!r} throttle={self._throttle}>"

    # -- wiring ------------------------------------------------------------------
    def _start(self) -> None:
        path = self._api.reducer_path
        self._written_slice = self._slice(self._store.get_state())
        self._unwatch = self._store.watch(lambda state: state[path], self._changed)
        on_close = getattr(self._store, "on_close", None)
        if on_close is not None:  # store.aclose() makes the final save
            self._remove_close_hook = on_close(self.aclose)

    def _slice(self, state: Any) -> Any:
        return state[self._api.reducer_path]

    def _changed(self, new: Any, old: Any) -> None:
        if self._closed:
            return
        self._dirty = True
        if self._timer is not None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            # No loop: save on this thread, at most once per throttle; flush() or
            # close() writes what came after.
            now = time.monotonic()
            if now - self._last_sync_save >= self._throttle:
                self._last_sync_save = now
                self.flush()
            return
        self._timer = loop.call_later(self._throttle, self._on_timer, loop)

    def _on_timer(self, loop: asyncio.AbstractEventLoop) -> None:
        self._timer = None
        if self._closed or not self._dirty:
            return
        if self._in_flight is not None and not self._in_flight.done():
            return  # _saved() schedules the next save when this one ends
        self._dirty = False
        state = self._store.get_state()
        self._in_flight = loop.run_in_executor(None, self._write, state, next(self._captures))
        self._in_flight.add_done_callback(lambda future: self._saved(future, loop))

    def _saved(self, future: asyncio.Future[None], loop: asyncio.AbstractEventLoop) -> None:
        if not future.cancelled() and future.exception() is not None:
            exc = future.exception()
            warnings.warn(
                f"Saving the cache to {self._persister!r} failed ({type(exc).__name__}: "
                f"{exc}); the next change tries again.",
                RuntimeWarning,
                stacklevel=1,
            )
        if self._dirty and not self._closed and self._timer is None and not loop.is_closed():
            self._timer = loop.call_later(self._throttle, self._on_timer, loop)

    def _write(self, state: Any, seq: int) -> None:
        """Dehydrate and save ``state`` (captured as number ``seq``); any thread."""
        api_slice = self._slice(state)
        with self._lock:
            if seq < self._written_seq or api_slice is self._written_slice:
                return  # a newer snapshot is already written, or nothing changed
            snapshot = dehydrate(
                state,
                self._api,
                should_dehydrate_query=self._should_dehydrate_query,
                buster=self._buster,
            )
            self._persister.save(snapshot)
            self._written_seq = seq
            self._written_slice = api_slice

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _stop(self) -> None:
        self._closed = True
        self._cancel_timer()
        if self._unwatch is not None:
            self._unwatch()
        if self._remove_close_hook is not None:
            self._remove_close_hook()

    # -- public ------------------------------------------------------------------
    def flush(self) -> None:
        """Save the current cache now, on this thread (it blocks until written).

        Raises:
            TypeError, ValueError: the persister refused the snapshot.
        """
        self._cancel_timer()
        self._dirty = False
        self._write(self._store.get_state(), next(self._captures))

    async def aflush(self) -> None:
        """Save the current cache now, in a worker thread, and wait until written."""
        self._cancel_timer()
        self._dirty = False
        state = self._store.get_state()
        await asyncio.get_running_loop().run_in_executor(
            None, self._write, state, next(self._captures)
        )

    def close(self) -> None:
        """Stop watching the store and save what is left (a final flush)."""
        if self._closed:
            return
        self._stop()
        self.flush()

    async def aclose(self) -> None:
        """Like :meth:`close`, writing the final snapshot in a worker thread."""
        if self._closed:
            return
        self._stop()
        await self.aflush()


def _restore(store: Any, api: Api, persister: Persister, *, max_age: float, buster: str) -> None:
    try:
        snapshot = persister.load()
    except ValueError as exc:
        warnings.warn(
            f"The persisted cache could not be read, so the cache starts empty: {exc}",
            RuntimeWarning,
            stacklevel=3,
        )
        persister.clear()
        return
    if snapshot is None:
        return
    try:
        action = api.util.hydrate(snapshot, max_age=max_age, buster=buster)
    except ValueError as exc:
        warnings.warn(
            f"The persisted cache was refused, so the cache starts empty: {exc}",
            RuntimeWarning,
            stacklevel=3,
        )
        return
    store.dispatch(action)


def persist_store(
    store: Any,
    api: Api,
    persister: Persister,
    throttle: float = 1.0,
    *,
    max_age: float = 86400.0,
    buster: str = "",
    should_dehydrate_query: Callable[[QueryState], bool] | None = None,
) -> StorePersistence:
    """Restore ``api``'s cache from ``persister`` now, then keep saving it.

    When this returns the cache is restored (paused mutations included, waiting for
    ``api.util.resume_paused_mutations()``). A snapshot that cannot be read or is
    refused (corrupted, malformed, unknown version) gives a ``RuntimeWarning`` and an
    empty cache; a corrupted file is cleared. Afterwards every change of the api's
    state is saved at most once per ``throttle`` seconds (loop clock), in a worker
    thread; without a running loop, saves run on the dispatching thread. ``close()``
    (or ``await aclose()``) saves one last time; so does ``await store.aclose()``, which
    closes the persistence before the api's requests are aborted.

    Args:
        store: the store the api is mounted in.
        api: the api whose cache to persist.
        persister: e.g. ``SQLitePersister(path)``.
        throttle: the least number of seconds between two saves.
        max_age, buster: passed to ``api.util.hydrate`` (and ``buster`` to ``dehydrate``).
        should_dehydrate_query: passed to ``dehydrate``.

    Raises:
        TypeError: ``throttle`` is not a number, or the persister lacks a method.
        ValueError: ``throttle`` is negative.
    """
    if not isinstance(throttle, (int, float)) or isinstance(throttle, bool):
        raise TypeError(f"throttle must be seconds (a number), got {throttle!r}.")
    if throttle < 0 or math.isnan(throttle):
        raise ValueError(f"throttle must be >= 0 seconds, got {throttle!r}.")
    for method in ("save", "load", "clear"):
        if not callable(getattr(persister, method, None)):
            raise TypeError(
                f"persister must have save(), load() and clear() (e.g. SQLitePersister(path)); "
                f"{type(persister).__name__!r} has no {method}()."
            )
    _restore(store, api, persister, max_age=max_age, buster=buster)
    persistence = StorePersistence(
        store, api, persister, float(throttle), should_dehydrate_query, buster
    )
    persistence._start()
    return persistence
