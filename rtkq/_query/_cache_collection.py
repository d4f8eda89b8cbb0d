"""Subscriptions (reference-counted per cache key) and removal of unused entries."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Iterable, Mapping
from typing import Any

from .._store._action import Action
from ._runtime_base import RuntimeBase
from ._subscribers import NO_OPTIONS

__all__ = ["NO_OPTIONS", "CacheCollection", "GcBatch"]


class GcBatch:
    """One loop timer for every key that started waiting for removal in the same loop
    turn with the same delay (a bulk upsert or hydrate schedules thousands at once).

    A key leaves the batch by leaving ``gc_timers``; when the timer fires, only keys
    still mapped to this batch are collected. ``live`` counts the keys still mapped:
    a closed batch (past its loop turn) that has none left is cancelled at once.
    """

    __slots__ = ("delay", "handle", "keys", "live")

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.keys: list[str] = []
        self.live = 0
        self.handle: asyncio.TimerHandle | None = None

    def add(self, key: str) -> None:
        self.keys.append(key)
        self.live += 1

    def cancel(self) -> None:
        """Stop the timer of the whole batch (used when the runtime resets)."""
        if self.handle is not None:
            self.handle.cancel()


class CacheCollection(RuntimeBase):
    """Subscriptions (reference-counted per cache key) and removal of unused entries."""

    def subscribe(self, key: str, sub_id: str, options: Mapping[str, Any] | None) -> None:
        # No options (the common case): one shared empty mapping, never mutated.
        options = dict(options) if options else NO_OPTIONS
        self._cancel_gc(key)  # its batch now skips it
        if not self.subscriptions.add(key, sub_id, options) and options is NO_OPTIONS:
            return  # the only subscriber, and it does not poll
        self.update_polling(key)

    def unsubscribe(self, key: str, sub_id: str) -> None:
        subscriptions = self.subscriptions
        if not subscriptions.discard(key, sub_id):
            return
        self.update_polling(key)
        if key not in subscriptions:
            self.schedule_gc(key)

    def update_subscription(self, key: str, sub_id: str, options: Mapping[str, Any]) -> None:
        if not self.subscriptions.has(key, sub_id):
            return
        self.subscriptions.add(key, sub_id, dict(options) if options else NO_OPTIONS)
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
        batch.add(key)
        self.gc_timers[key] = batch

    def _batch(self, loop: asyncio.AbstractEventLoop, delay: float) -> GcBatch:
        """The open GC batch of ``delay`` (keys scheduled in one loop turn share a timer)."""
        batch = self.open_gc_batches.get(delay)
        if batch is None:
            batch = GcBatch(delay)
            batch.handle = loop.call_later(delay, self._collect_batch, batch)
            if not self.open_gc_batches:
                loop.call_soon(self._close_gc_batches)  # batches last one turn
            self.open_gc_batches[delay] = batch
        return batch

    def schedule_gc_many(self, pairs: Iterable[tuple[str, str | None]]) -> None:
        """:meth:`schedule_gc` for many existing entries: ``(cache key, endpoint name)``.

        One delay per endpoint and one timer per delay for the whole batch (bulk
        upserts, hydrate); the work per key is two dict lookups and an append.
        """
        if self.closed:
            return
        subscriptions = self.subscriptions.keys()
        if self.loop is None:
            self.gc_deferred.update(key for key, _ in pairs if key not in subscriptions)
            return
        timers = self.gc_timers
        batches: dict[str | None, GcBatch | None] = {}
        for key, endpoint_name in pairs:
            if key in timers or key in subscriptions:
                continue
            if endpoint_name in batches:
                batch = batches[endpoint_name]
            else:
                delay = self.keep_for(endpoint_name)
                batch = None if math.isinf(delay) else self._batch(self.loop, delay)
                batches[endpoint_name] = batch
            if batch is not None:
                batch.keys.append(key)  # GcBatch.add, inline: once per key of a bulk write
                batch.live += 1
                timers[key] = batch

    def _collect_batch(self, batch: GcBatch) -> None:
        for key in batch.keys:
            if self.gc_timers.get(key) is batch:
                self._collect(key)

    def _close_gc_batches(self) -> None:
        for batch in self.open_gc_batches.values():
            if not batch.live:  # every key got a subscriber in the same turn
                batch.cancel()
                batch.keys = []
        self.open_gc_batches.clear()

    def _cancel_gc(self, key: str) -> None:
        timers = self.gc_timers
        batch = timers.pop(key, None)
        if batch is None:
            return
        batch.live -= 1
        if not batch.live and self.open_gc_batches.get(batch.delay) is not batch:
            batch.cancel()  # nothing left to collect, and no key can join it any more
            batch.keys = []
        if not timers:
            # A dict keeps its table when emptied: after a bulk write whose entries all
            # got subscribers, that would be ~20 bytes per entry, kept for good.
            self.gc_timers = {}

    def _collect(self, key: str) -> None:
        self._cancel_gc(key)
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
