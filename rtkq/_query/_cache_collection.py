"""Subscriptions (reference-counted per cache key) and removal of unused entries."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from .._store._action import Action
from ._runtime_base import RuntimeBase

__all__ = ["CacheCollection"]


class CacheCollection(RuntimeBase):
    """Subscriptions (reference-counted per cache key) and removal of unused entries."""

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
