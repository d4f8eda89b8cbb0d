"""Polling: the lowest interval among a key's subscribers, counted from each settle."""

from __future__ import annotations

import math

from ._runtime_base import RuntimeBase

__all__ = ["Polling"]


class Polling(RuntimeBase):
    """Polling: the lowest interval among a key's subscribers, counted from each settle."""

    def _poll_options(self, key: str) -> tuple[float, bool]:
        interval = math.inf
        skip_unfocused = False
        for options in self.subscriptions.options(key):
            if not options:
                continue
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
        if self.loop is None or self.closed:
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
