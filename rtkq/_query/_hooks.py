"""The interface through which layers built on the runtime take part in its work.

A layer (the Redis shared cache, say) registers an object with ``runtime.add_hooks``;
the runtime then calls it at two points and emits nothing else:

- ``run_query(running, bq_api, definition=..., proceed=...)`` wraps every query
  request. It may return an outcome of its own (serve the entry from elsewhere,
  or take another process's result) or ``await proceed(running, bq_api)`` (the base
  query, with transforms and tags) and look at what it returned (the "fulfilled"
  event). It runs inside the request task: an abort cancels it like the base query.
- ``tags_invalidated(tags)`` after tags were invalidated in this store by its own
  code (a mutation's ``invalidates_tags``, ``util.invalidate_tags``). Invalidations a
  layer applies itself with ``runtime.invalidate(tags, broadcast=False)`` do not come
  back here, so a layer that relays invalidations never echoes them.

Hooks see the runtime's private types; they are an internal interface, not a public
one, and change with the runtime.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from ._definitions import EndpointDefinition
    from ._requests import BaseQueryApi, Running
    from ._types import Tag

__all__ = ["Execute", "Outcome", "RuntimeHooks", "wrap_execute"]

Outcome = tuple[str, Any, Mapping[str, Any]]
"""``("fulfilled" | "rejected", data or error, meta)``; meta may set ``fulfilled_at``."""

Execute = Callable[["Running", "BaseQueryApi"], Awaitable[Outcome]]


class RuntimeHooks(Protocol):
    """What a layer registered with ``runtime.add_hooks`` implements."""

    async def run_query(
        self,
        running: Running,
        bq_api: BaseQueryApi,
        *,
        definition: EndpointDefinition,
        proceed: Execute,
    ) -> Outcome:
        """Run one query request: ``await proceed(running, bq_api)`` or answer it."""
        ...

    def tags_invalidated(self, tags: tuple[Tag, ...]) -> None:
        """Tags invalidated by this store's own code (never by ``broadcast=False``)."""
        ...


def wrap_execute(
    hooks: tuple[RuntimeHooks, ...], definition: EndpointDefinition, execute: Execute
) -> Execute:
    """``execute`` wrapped by each hook's ``run_query``, the first registered outermost."""
    for hook in reversed(hooks):
        execute = functools.partial(hook.run_query, definition=definition, proceed=execute)
    return execute
