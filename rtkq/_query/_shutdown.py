"""Closing one api's runtime when its store closes (``store.aclose()``)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from ._lifecycle import CLEANUP_GRACE

if TYPE_CHECKING:
    from ._runtime import Runtime

__all__ = ["close_runtime", "closed_error"]


def closed_error(reducer_path: str) -> RuntimeError:
    """The error an api thunk raises once its store is closed."""
    return RuntimeError(
        f"The store of api {reducer_path!r} is closed (store.aclose() was called): it "
        "starts no more requests. Its state stays readable; create a new store to fetch "
        "again."
    )


async def close_runtime(runtime: Runtime) -> None:
    """Stop all the work of ``runtime`` and wait until it has stopped.

    Aborts running requests (they settle as rejected, so awaiting handles return),
    cancels polling and garbage-collection timers, resolves ``cache_entry_removed``
    of every cache lifecycle and gives lifecycle hooks ``CLEANUP_GRACE`` seconds to
    finish before cancelling them. From the start, ``runtime.closed`` makes thunks
    raise and stops refetches from starting.
    """
    if runtime.closed:
        return
    runtime.closed = True
    requests = [
        running.task
        for running in (*runtime.running.values(), *runtime.running_mutations.values())
        if running.task is not None
    ]
    runtime.reset()  # aborts, cancels timers, ends lifecycles (cache_entry_removed)
    await _settle(requests)
    resuming = runtime.paused.resuming
    if resuming is not None:
        resuming.cancel()
        await _settle([resuming])
    hooks = list(runtime.hook_tasks)
    if hooks:
        # Lifecycle hooks usually return right after cache_entry_removed resolves; give
        # those still cleaning up (closing a socket ...) the grace a removed entry gets.
        _, late = await asyncio.wait(hooks, timeout=CLEANUP_GRACE)
        for task in late:
            task.cancel()
        await _settle(list(late))


async def _settle(tasks: list[asyncio.Task[Any]]) -> None:
    """Wait for ``tasks`` to finish, whatever they end with (their owners report it)."""
    pending = [task for task in tasks if not task.done()]
    if pending:
        await asyncio.wait(pending)
