"""Invalidation by tags and keys, delayed while requests run, and refetch on focus/reconnect."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ._runtime_base import RuntimeBase
from ._tags import keys_for_tags, tags_for, tags_match
from ._types import Tag

if TYPE_CHECKING:
    from ._definitions import EndpointDefinition


__all__ = ["Invalidation"]


class Invalidation(RuntimeBase):
    """Invalidation by tags and keys, delayed while requests run, and refetch on focus/reconnect."""

    def request_settled(self, key: str | None) -> None:
        if key is not None:
            missed = self.tags_in_flight.pop(key, None)
            if missed and tags_match(missed, self.slice_state()["provided"]["keys"].get(key)):
                self.refetch_after_settle.add(key)
            if key in self.refetch_after_settle:
                self.refetch_after_settle.discard(key)
                self.invalidate_keys([key])
            subscriptions = self.subscriptions
            subscribed = subscriptions.keys()  # the table's own view: a C-level ``in``
            if key in subscribed:
                # No poll to restart for a plain subscriber when none is running.
                if key in self.polls or not subscriptions.plain(key):
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

    def invalidate(self, tags: Iterable[Tag], *, now: bool = False, broadcast: bool = True) -> None:
        """Invalidate entries by tag: refetch the subscribed ones, drop the others.

        In the default "delayed" behaviour the tags wait while any request is running
        and are applied when the last one settles. Registered hooks hear of the tags
        (``tags_invalidated``) unless ``broadcast`` is False: a layer applying an
        invalidation that came from elsewhere passes False so it is not sent on again.
        """
        tags = list(tags)
        if not tags:
            return
        if broadcast:
            for hook in self.hooks:
                hook.tags_invalidated(tuple(tags))
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

    def refetch_where(self, option: str, api_default: bool) -> None:
        """On focus or reconnect: refetch subscribed entries that asked for it."""
        subscriptions = self.subscriptions
        for key in list(subscriptions):
            wanted = any(options.get(option, api_default) for options in subscriptions.options(key))
            if wanted and key not in self.running:
                self.refetch(key)
