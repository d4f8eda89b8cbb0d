"""Selector subscriptions: the machinery behind ``Store.watch`` and ``Store.changes``."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import weakref
from collections.abc import Callable
from typing import Any

from .._types import Selector

__all__ = ["Changes", "Watcher", "check_selector"]

Equals = Callable[[Any, Any], bool]
_NOTHING: Any = object()


def check_selector(selector: Any, what: str) -> None:
    if not callable(selector):
        raise TypeError(
            f"Expected {what} to be a function, got {type(selector).__name__!r} "
            f"({selector!r}). Pass a callable state -> value."
        )


class Watcher:
    """One ``store.watch`` registration: a selector, its last value and a callback."""

    __slots__ = ("active", "callback", "equals", "selector", "value")

    def __init__(
        self, selector: Selector, callback: Callable[[Any, Any], Any], equals: Equals, value: Any
    ) -> None:
        self.selector = selector
        self.callback = callback
        self.equals = equals
        self.value = value
        self.active = True


class Changes:
    """Async iterator over the values a selector takes; see ``Store.changes``.

    It holds one slot, the latest selected value: a slow consumer skips intermediate
    values instead of accumulating a backlog. Values may be produced on any thread; the
    consumer is woken on its own loop with ``call_soon_threadsafe``.
    """

    def __init__(
        self,
        subscribe: Callable[[Callable[[Any, Any], None]], tuple[Callable[[], None], Any]],
        loop: asyncio.AbstractEventLoop,
        equals: Equals,
    ) -> None:
        self._loop = loop
        self._loop_thread = threading.get_ident()
        self._equals = equals
        self._lock = threading.Lock()
        self._waiter: asyncio.Future[None] | None = None
        self._wake_scheduled = False
        self._closed = False
        self._last: Any = _NOTHING
        ref = weakref.ref(self)

        # The store keeps this callback; it must not keep the iterator alive, so that a
        # consumer breaking out of ``async for`` drops the subscription at once.
        def on_change(new: Any, old: Any) -> None:
            changes = ref()
            if changes is not None:
                changes._push(new)

        self._latest: Any = _NOTHING
        self._dirty = False
        self._unsubscribe, current = subscribe(on_change)
        with self._lock:
            if not self._dirty:  # else a newer value arrived meanwhile (another thread)
                self._latest = current
                self._dirty = True

    @property
    def pending(self) -> int:
        """How many values wait for the consumer: 0 or 1, never more."""
        return 1 if self._dirty and not self._closed else 0

    def _push(self, value: Any) -> None:
        with self._lock:
            self._latest = value
            self._dirty = True
            if self._waiter is None or self._wake_scheduled:
                return
            self._wake_scheduled = True
        if threading.get_ident() == self._loop_thread:
            self._wake()
        else:
            try:
                self._loop.call_soon_threadsafe(self._wake)
            except RuntimeError:  # the loop is closed: nobody will consume
                self.close()

    def _wake(self) -> None:
        with self._lock:
            self._wake_scheduled = False
            waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def __aiter__(self) -> Changes:
        return self

    async def __anext__(self) -> Any:
        try:
            while not self._closed:
                with self._lock:
                    if self._dirty:
                        self._dirty = False
                        value = self._latest
                    else:
                        value = _NOTHING
                        self._waiter = self._loop.create_future()
                if value is not _NOTHING:
                    if self._last is _NOTHING or not self._equals(value, self._last):
                        self._last = value
                        return value
                    continue
                try:
                    await self._waiter  # type: ignore[misc]
                finally:
                    with self._lock:
                        self._waiter = None
        except BaseException:
            self.close()
            raise
        raise StopAsyncIteration

    def close(self) -> None:
        """Stop iterating and unsubscribe; calling it again is harmless."""
        self._closed = True
        self._unsubscribe()
        with self._lock:
            waiter = self._waiter
        if waiter is None:
            return
        if threading.get_ident() == self._loop_thread:
            self._wake()
        else:
            # A closed loop raises RuntimeError: then nothing waits any more.
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._wake)

    async def aclose(self) -> None:
        """Async alias of :meth:`close`, like an async generator's."""
        self.close()

    def __del__(self) -> None:
        unsubscribe = getattr(self, "_unsubscribe", None)
        if unsubscribe is not None:
            unsubscribe()
