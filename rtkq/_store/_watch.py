"""Selector subscriptions: the machinery behind ``Store.watch`` and ``Store.changes``.

Watchers are grouped by the top-level state keys their selectors declare they read
(:func:`~rtkq._store._selector.dependencies_of`). After a dispatch, a group whose keys
all still hold the same objects is skipped without calling its selectors, so watchers
on untouched slices cost one identity check per group, not one call per watcher.
Watchers whose dependencies are unknown form one group that runs on every new root
state.
"""

from __future__ import annotations

import asyncio
import contextlib
import operator
import threading
import weakref
from collections.abc import Callable, Hashable
from typing import Any

from .._types import Selector
from ._selector import Keys, dependencies_of

__all__ = ["Changes", "WatchRegistry", "Watcher", "check_selector"]

Equals = Callable[[Any, Any], bool]
Change = tuple["Watcher", Any, Any]
Seen = tuple[tuple[Hashable, Any], ...]
_NOTHING: Any = object()
_UNSEEN: Any = object()
_is = operator.is_


def check_selector(selector: Any, what: str) -> None:
    if not callable(selector):
        raise TypeError(
            f"Expected {what} to be a function, got {type(selector).__name__!r} "
            f"({selector!r}). Pass a callable state -> value."
        )


class Watcher:
    """One ``store.watch`` registration: a selector, its last value and a callback."""

    __slots__ = ("active", "callback", "equals", "group", "selector", "value")

    def __init__(
        self,
        selector: Selector,
        callback: Callable[[Any, Any], Any],
        equals: Equals,
        value: Any,
        group: _Group,
    ) -> None:
        self.selector = selector
        self.callback = callback
        self.equals = equals
        self.value = value
        self.group = group
        self.active = True


class _Group:
    """Watchers whose selectors depend on the same keys (``None``: on anything).

    ``seen`` holds ``(key, state[key])`` for each key of the state the watchers'
    values were selected from; ``None`` means unknown: the group runs on the next
    change.
    """

    __slots__ = ("keys", "seen", "watchers")

    def __init__(self, keys: Keys | None, seen: Seen | None) -> None:
        self.keys = keys
        self.seen = seen
        self.watchers: tuple[Watcher, ...] = ()


def _seen_at(state: Any, keys: Keys | None) -> Seen | None:
    if keys is None:
        return None
    try:
        return tuple([(key, state[key]) for key in keys])
    except Exception:  # a missing key, a state that is not a mapping: run every time
        return None


def _same(a: Seen | None, b: Seen | None) -> bool:
    if a is None or b is None:
        return False
    return all(x[1] is y[1] for x, y in zip(a, b, strict=True))


class WatchRegistry:
    """The watchers of one store, in registration order and grouped by dependencies.

    ``state`` is the root state the watchers last selected from: while the store's
    state is that object, nothing can have changed. All bookkeeping happens under a
    re-entrant lock (a selector that wrongly dispatches must not deadlock).
    """

    __slots__ = ("_group_list", "_groups", "_lock", "_read_state", "state", "watchers")

    def __init__(self, read_state: Callable[[], Any]) -> None:
        self._read_state = read_state
        self._lock = threading.RLock()
        self.watchers: tuple[Watcher, ...] = ()
        self._groups: dict[frozenset[Hashable] | None, _Group] = {}
        self._group_list: tuple[_Group, ...] = ()
        self.state: Any = _UNSEEN

    def add(
        self, selector: Selector, callback: Callable[[Any, Any], Any], equals: Equals
    ) -> tuple[Callable[[], None], Any]:
        """Register a watcher; return its unsubscribe function and its current value."""
        keys = dependencies_of(selector)
        group_id = None if keys is None else frozenset(keys)
        with self._lock:
            state = self._read_state()
            value = selector(state)
            if not self.watchers:
                self.state = state  # every watcher's value now comes from this state
            group = self._groups.get(group_id)
            if group is None:
                group = self._groups[group_id] = _Group(keys, _seen_at(state, keys))
                self._group_list = (*self._group_list, group)
            elif not _same(group.seen, _seen_at(state, group.keys)):
                # The others selected from another state (a dispatch is under way: we
                # run in a listener, or on another thread): the next change runs them all.
                group.seen = None
            watcher = Watcher(selector, callback, equals, value, group)
            group.watchers = (*group.watchers, watcher)
            self.watchers = (*self.watchers, watcher)

        def unsubscribe() -> None:
            with self._lock:
                if not watcher.active:
                    return
                watcher.active = False
                self.watchers = tuple(w for w in self.watchers if w is not watcher)
                group.watchers = tuple(w for w in group.watchers if w is not watcher)
                if not group.watchers:
                    del self._groups[group_id]
                    self._group_list = tuple(g for g in self._group_list if g is not group)

        return unsubscribe, value

    def select_changes(self, errors: list[Exception]) -> list[Change]:
        """Run the selectors that may see a change; return ``(watcher, new, old)``.

        Values are recorded before returning, under the lock, so that every change is
        reported once even when several threads dispatch; callers run the callbacks
        outside the lock, so they may dispatch. Selector errors go to ``errors``.
        """
        changed: list[Change] = []
        with self._lock:
            state = self._read_state()
            if state is self.state:
                return changed
            self.state = state
            groups = self._group_list
            stale: list[_Group] = []
            for group in groups:
                seen = group.seen
                if seen is not None:
                    try:
                        for key, value in seen:
                            if state[key] is not value:
                                break
                        else:
                            continue  # every key holds the same object: skip the group
                    except Exception:  # the key is gone, or the state is no mapping
                        pass
                stale.append(group)
            if not stale:
                return changed
            watchers: tuple[Watcher, ...] | list[Watcher]
            if len(stale) == 1:
                watchers = stale[0].watchers
            elif len(stale) == len(groups):
                watchers = self.watchers
            else:  # keep registration order across groups
                running = set(stale)
                watchers = [w for w in self.watchers if w.group in running]
            for group in stale:
                group.seen = _seen_at(state, group.keys)
            for watcher in watchers:
                try:
                    new = watcher.selector(state)
                    old = watcher.value
                    if new is old or (watcher.equals is not _is and watcher.equals(new, old)):
                        continue
                except Exception as exc:
                    errors.append(exc)
                    watcher.group.seen = None  # run it again next time, as before
                    continue
                watcher.value = new
                changed.append((watcher, new, old))
        return changed


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
