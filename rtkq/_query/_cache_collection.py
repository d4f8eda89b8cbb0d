"""Subscriptions (reference-counted per cache key) and removal of unused entries."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Iterable, Mapping
from typing import Any

from .._store._action import Action
from ._runtime_base import RuntimeBase
from ._subscribers import NO_OPTIONS, Subscribers

__all__ = ["NO_OPTIONS", "CacheCollection", "GcBatch"]


class GcBatch:
    """One loop timer for every key that started waiting for removal in the same loop
    turn with the same delay (a bulk upsert or hydrate schedules thousands at once).

    A key leaves the batch by leaving ``gc_timers``; when the timer fires, only keys
    still mapped to this batch are collected.
    """

    __slots__ = ("handle", "keys")

    def __init__(self) -> None:
        self.keys: list[str] = []
        self.handle: asyncio.TimerHandle | None = None

    def cancel(self) -> None:
        """Stop the timer of the whole batch (used when the runtime resets)."""
        if self.handle is not None:
            self.handle.cancel()


class CacheCollection(RuntimeBase):
    """Subscriptions (reference-counted per cache key) and removal of unused entries."""

    def subscribe(self, key: str, sub_id: str, options: Mapping[str, Any] | None) -> None:
        # No options (the common case): one shared empty mapping, never mutated.
        options = dict(options) if options else NO_OPTIONS
        subs = self.subscriptions.get(key)
        self.gc_timers.pop(key, None)  # its batch now skips it
        if subs is None:
            self.subscriptions[key] = Subscribers(sub_id, options)
            if not options:
                return  # the only subscriber, and it does not poll
        else:
            subs.set(sub_id, options)
        self.update_polling(key)

    def unsubscribe(self, key: str, sub_id: str) -> None:
        subs = self.subscriptions.get(key)
        if subs is None or not subs.discard(sub_id):
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
        subs.set(sub_id, dict(options))
        self.update_polling(key)

    def keep_for(self, endpoint_name: str | None) -> float:
        definition = self.api.definitions.get(endpoint_name) if endpoint_name else None
        if definition is not None and definition.keep_unused_data_for is not None:
            return float(definition.keep_unused_data_for)
        return float(self.api.keep_unused_data_for)

    def schedule_gc(self, key: str, entry: Any = None) -> None:
        """Remove ``key`` after its ``keep_unused_data_for`` unless it gets a subscriber.

        ``entry`` (its current state) saves a lookup when the caller has it.
        """
        if self.has_subscribers(key) or key in self.gc_timers or self.closed:
            return
        if self.loop is None:
            self.gc_deferred.add(key)  # e.g. hydrated before any loop ran
            return
        if entry is None:
            entry = self.entry(key)
        if entry is None:
            return
        delay = self.keep_for(entry.endpoint_name)
        if math.isinf(delay):
            return
        batch = self._batch(self.loop, delay)
        batch.keys.append(key)
        self.gc_timers[key] = batch

    def _batch(self, loop: asyncio.AbstractEventLoop, delay: float) -> GcBatch:
        """The open GC batch of ``delay`` (keys scheduled in one loop turn share a timer)."""
        batch = self.open_gc_batches.get(delay)
        if batch is None:
            batch = GcBatch()
            batch.handle = loop.call_later(delay, self._collect_batch, batch)
            if not self.open_gc_batches:
                loop.call_soon(self.open_gc_batches.clear)  # batches last one turn
            self.open_gc_batches[delay] = batch
        return batch

    def schedule_gc_many(self, pairs: Iterable[tuple[str, str | None]]) -> None:
        """:meth:`schedule_gc` for many existing entries: ``(cache key, endpoint name)``.

        One delay per endpoint and one timer per delay for the whole batch (bulk
        upserts, hydrate); the work per key is two dict lookups and an append.
        """
        if self.closed:
            return
        subscriptions = self.subscriptions
        if self.loop is None:
            self.gc_deferred.update(key for key, _ in pairs if not subscriptions.get(key))
            return
        timers = self.gc_timers
        batches: dict[str | None, GcBatch | None] = {}
        for key, endpoint_name in pairs:
            if key in timers or subscriptions.get(key):
                continue
            if endpoint_name in batches:
                batch = batches[endpoint_name]
            else:
                delay = self.keep_for(endpoint_name)
                batch = None if math.isinf(delay) else self._batch(self.loop, delay)
                batches[endpoint_name] = batch
            if batch is not None:
                batch.keys.append(key)
                timers[key] = batch

    def _collect_batch(self, batch: GcBatch) -> None:
        for key in batch.keys:
            if self.gc_timers.get(key) is batch:
                self._collect(key)

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
