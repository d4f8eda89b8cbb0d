"""Cache-entry lifecycles (``on_cache_entry_added``) and the hook tasks of a runtime."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from .._types import Table
from ._lifecycle import (
    CacheEntryRemovedError,
    CacheLifecycleContext,
    cancel_later,
    fail_silently,
    run_hook,
    silent_future,
)
from ._runtime_base import RuntimeBase

if TYPE_CHECKING:
    from ._definitions import EndpointDefinition
    from ._runtime import Runtime


__all__ = ["CacheLifecycleEntry", "CacheLifecycles"]


@dataclass
class CacheLifecycleEntry:
    data_loaded: asyncio.Future[Any]
    removed: asyncio.Future[Any]
    request_id: str = ""
    task: asyncio.Task[None] | None = None


class CacheLifecycles(RuntimeBase):
    """Cache-entry lifecycles (``on_cache_entry_added``) and the hook tasks of a runtime."""

    def start_cache_lifecycle(
        self,
        definition: EndpointDefinition,
        endpoint_name: str,
        arg: Any,
        key: str,
        request_id: str,
        *,
        mutation: bool = False,
    ) -> None:
        """Run ``on_cache_entry_added`` for a new entry (a mutation's: by its cache key).

        A mutation that reuses a ``fixed_cache_key`` ends the previous lifecycle of that
        key and starts its own.
        """
        loop = self.loop or self.bind_loop()
        table = self.mutation_lifecycles if mutation else self.cache_lifecycles
        old = table.pop(key, None)
        if old is not None:
            self._finish_lifecycle(old)
        lifecycle = CacheLifecycleEntry(silent_future(loop), silent_future(loop), request_id)
        table[key] = lifecycle
        ctx = CacheLifecycleContext(
            cast("Runtime", self),
            endpoint_name,
            arg,
            request_id,
            key,
            lifecycle.data_loaded,
            lifecycle.removed,
            is_mutation=mutation,
        )
        assert definition.on_cache_entry_added is not None
        lifecycle.task = self._track(
            run_hook(
                loop,
                definition.on_cache_entry_added,
                arg,
                ctx,
                f"on_cache_entry_added of {endpoint_name!r}",
            )
        )

    def end_cache_lifecycle(self, key: str, *, mutation: bool = False) -> None:
        table = self.mutation_lifecycles if mutation else self.cache_lifecycles
        lifecycle = table.pop(key, None)
        if lifecycle is not None:
            self._finish_lifecycle(lifecycle)

    @staticmethod
    def resolve_data_loaded(
        table: dict[str, CacheLifecycleEntry], key: str, data: Any, meta: Any
    ) -> None:
        """The first data of ``key`` arrived: resolve its ``cache_data_loaded``."""
        lifecycle = table.get(key)
        if lifecycle is not None and not lifecycle.data_loaded.done():
            lifecycle.data_loaded.set_result({"data": data, "meta": meta})

    def entries_upserted(self, items: Iterable[Mapping[str, Any]], before: Table) -> None:
        """After ``upsert_query_entries``: lifecycles of new entries, first data, GC."""
        if self.loop is None:
            try:
                self.bind_loop()
            except RuntimeError:
                return  # no loop: nothing can run or expire until one starts
        definitions = self.api.definitions
        lifecycles = self.cache_lifecycles
        queries = self.slice_state()["queries"] if lifecycles else None
        for item in items:
            key = item["query_cache_key"]
            definition = definitions.get(item["endpoint_name"])
            if (
                definition is not None
                and definition.on_cache_entry_added is not None
                and key not in before
            ):
                self.start_cache_lifecycle(
                    definition, item["endpoint_name"], item["arg"], key, item["request_id"]
                )
                queries = self.slice_state()["queries"]
            if key in lifecycles and queries is not None:
                entry = queries.get(key)
                if entry is not None:
                    self.resolve_data_loaded(lifecycles, key, entry.data, None)
        self.schedule_gc_many((item["query_cache_key"], item["endpoint_name"]) for item in items)

    def _finish_lifecycle(self, lifecycle: CacheLifecycleEntry) -> None:
        if not lifecycle.data_loaded.done():
            fail_silently(
                lifecycle.data_loaded,
                CacheEntryRemovedError("The cache entry was removed before data loaded."),
            )
        if not lifecycle.removed.done():
            lifecycle.removed.set_result(None)
        if self.loop is not None and not self.closed:  # closing waits for them itself
            cancel_later(self.loop, lifecycle.task)

    def _track(self, task: asyncio.Task[Any] | None) -> asyncio.Task[Any] | None:
        if task is not None:
            self.hook_tasks.add(task)
            task.add_done_callback(self.hook_tasks.discard)
        return task
