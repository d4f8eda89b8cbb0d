"""``CloseHooks``: what a store runs when it is closed (``store.on_close``)."""

from __future__ import annotations

import asyncio
import inspect
import threading
from collections.abc import Awaitable, Callable
from typing import Any, TypeAlias

__all__ = ["CloseHook", "CloseHooks"]

CloseHook: TypeAlias = Callable[[], "Awaitable[None] | None"]
"""``async def hook() -> None`` (a plain function is fine too)."""


class CloseHooks:
    """The close hooks of one store, run last-registered first by :meth:`run`.

    Layers that start work outside the state (the api runtime, observers, persistence,
    links to other processes) register a hook when they start and remove it when they
    stop on their own; ``store.aclose()`` then stops them in the reverse order of
    their start, like nested ``async with`` blocks.
    """

    __slots__ = ("_closing", "_hooks", "_lock", "_next_id", "closed")

    def __init__(self) -> None:
        # Insertion-ordered: the ids only grow, so reversed() is LIFO.
        self._hooks: dict[int, CloseHook] = {}
        self._next_id = 0
        self._lock = threading.Lock()
        self._closing: asyncio.Future[None] | None = None
        self.closed = False

    def add(self, hook: CloseHook) -> Callable[[], None]:
        """Register ``hook``; return a function that removes it (twice is harmless).

        Raises:
            TypeError: ``hook`` is not callable.
            RuntimeError: the store is closed or closing.
        """
        if not callable(hook):
            raise TypeError(
                f"Expected the close hook to be a function, got {type(hook).__name__!r} "
                f"({hook!r}). Pass an async def hook() -> None (or a plain function)."
            )
        with self._lock:
            if self.closed:
                raise RuntimeError(
                    "This store is closed (store.aclose() was called), so nothing can be "
                    "registered to run at its close. Create a new store."
                )
            hook_id = self._next_id
            self._next_id += 1
            self._hooks[hook_id] = hook

        def remove() -> None:
            with self._lock:
                self._hooks.pop(hook_id, None)

        return remove

    async def run(self) -> None:
        """Run every hook once, last registered first; see ``Store.aclose``."""
        with self._lock:
            closing = self._closing
            if closing is None:
                self.closed = True
                hooks = list(reversed(self._hooks.values()))
                self._hooks.clear()
                closing = self._closing = asyncio.get_running_loop().create_future()
                first = True
            else:
                first = False
        if not first:
            if not closing.done():
                await asyncio.shield(closing)  # a caller arriving mid-close waits for it
            return
        errors: list[Exception] = []
        try:
            for hook in hooks:
                try:
                    result: Any = hook()
                    if inspect.isawaitable(result):
                        await result
                except Exception as exc:
                    errors.append(exc)
        finally:
            if errors:
                closing.set_exception(errors[0])
                closing.exception()  # retrieved: the first caller raises it below
            else:
                closing.set_result(None)
        if errors:
            raise errors[0]
