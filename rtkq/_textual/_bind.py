"""``bind``: an observer (or any stream of results) tied to a Textual widget's lifetime."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

from textual.dom import DOMNode

__all__ = ["WORKER_GROUP", "bind"]

#: The worker group of every binding (``node.workers`` lists them under it).
WORKER_GROUP = "rtkq-observers"

S = TypeVar("S")


def _stream(source: Any) -> tuple[AsyncIterator[Any], Callable[[], Any]]:
    """The results to follow and how to close the source."""
    changes = getattr(source, "changes", None)
    if callable(changes) and callable(getattr(source, "close", None)):
        return changes(), source.close  # an observer
    if hasattr(source, "__anext__"):  # an async iterator, e.g. store.changes(selector)
        close = getattr(source, "aclose", None) or getattr(source, "close", None)
        return source, close if callable(close) else (lambda: None)
    raise TypeError(
        f"bind() expected an observer (endpoint.observe(...) and the like) or an async "
        f"iterator such as store.changes(selector), got {type(source).__name__!r} "
        f"({source!r})."
    )


def bind(node: DOMNode, source: S, callback: Callable[[Any], Any] | None = None) -> S:
    """Tie ``source`` to ``node``'s lifetime; call ``callback(result)`` on the app's loop.

    ``source`` is an observer (``endpoint.observe(...)``, ``lazy_observe``,
    ``mutation_observer``, ``query_state``) or an async iterator with a close method
    such as ``store.changes(selector)``. A worker of ``node`` follows it: ``callback``
    gets the current result at once (on the next turn of the app's loop), then each
    change (a slow widget sees the latest result, never a backlog). A callback may be
    ``async``. When ``node`` unmounts (or the app exits) the worker is cancelled and
    ``source`` is closed: nothing is left to unsubscribe by hand. Call it from
    ``on_mount`` or later (the worker needs the running app).

    Args:
        node: the widget (or screen, or app) that owns the observer.
        source: what to follow.
        callback: ``result -> None`` (or a coroutine function); ``None`` only ties the
            lifetime.

    Returns:
        ``source``, so that ``self.post = bind(self, endpoint.observe(...), ...)`` reads
        as one step.

    Raises:
        TypeError: ``source`` is neither an observer nor an async iterator, or
            ``callback`` is not callable.
    """
    if callback is not None and not callable(callback):
        raise TypeError(
            f"bind() expected callback to be a function result -> None, got "
            f"{type(callback).__name__!r} ({callback!r})."
        )
    results, close = _stream(source)

    async def follow() -> None:
        try:
            async for result in results:
                if callback is not None:
                    outcome = callback(result)
                    if inspect.isawaitable(outcome):
                        await outcome
        finally:
            outcome = close()
            if inspect.isawaitable(outcome):
                await outcome

    node.run_worker(follow(), name=f"rtkq: {source!r}", group=WORKER_GROUP)
    return source
