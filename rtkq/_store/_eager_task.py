"""Start a coroutine as a task whose first step runs at once, like JavaScript's async.

A listener effect must run synchronously up to its first ``await`` inside ``dispatch``
(as in Redux Toolkit), so that ``take``/``condition`` called there see the very next
action and ``cancel_active_listeners`` sees every older run. Python 3.12 has this as
``Task(eager_start=True)``; on 3.10 and 3.11 the first step is run here, with the new
task set as the current task, and the task then carries the suspended coroutine on.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Coroutine, Generator
from typing import Any

__all__ = ["start_eager_task"]


def start_eager_task(
    loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, Any]
) -> asyncio.Task[Any]:
    """Return a task running ``coro``; its first step has run when this returns.

    Must be called on ``loop``'s thread while ``loop`` runs.
    """
    if sys.version_info >= (3, 12):  # pragma: no cover - the venv runs 3.11
        return asyncio.Task(coro, loop=loop, eager_start=True)  # type: ignore[call-arg,unused-ignore]
    return _start_eager_task_backport(loop, coro)


class _FirstStep:
    __slots__ = ("carried", "done", "error", "result", "yielded")

    def __init__(self) -> None:
        self.carried = False
        self.done = False
        self.yielded: Any = None
        self.result: Any = None
        self.error: BaseException | None = None


def _start_eager_task_backport(
    loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, Any]
) -> asyncio.Task[Any]:
    first = _FirstStep()
    task = loop.create_task(_carry_on(coro, first))
    previous = asyncio.current_task(loop)
    if previous is not None:
        asyncio.tasks._leave_task(loop, previous)
    asyncio.tasks._enter_task(loop, task)
    try:
        first.yielded = coro.send(None)
    except StopIteration as stop:
        first.done, first.result = True, stop.value
    except BaseException as exc:  # handed to the task, which raises it
        first.done, first.error = True, exc
    finally:
        asyncio.tasks._leave_task(loop, task)
        if previous is not None:
            asyncio.tasks._enter_task(loop, previous)
    if not first.done:
        task.add_done_callback(lambda _: _cancel_if_never_carried(coro, first))
    return task


def _cancel_if_never_carried(coro: Coroutine[Any, Any, Any], first: _FirstStep) -> None:
    # A task cancelled before its first step never resumes the suspended coroutine:
    # deliver the cancellation to it here so that its handlers and finally blocks run.
    if first.carried:
        return
    try:
        coro.throw(asyncio.CancelledError())
    except BaseException:
        return
    coro.close()  # it awaited again while being cancelled: close it for good


async def _carry_on(coro: Coroutine[Any, Any, Any], first: _FirstStep) -> Any:
    first.carried = True
    if first.done:
        if first.error is not None:
            raise first.error
        return first.result
    return await _Resume(coro, first.yielded)


class _Resume:
    """Awaitable that goes on driving a coroutine already suspended at ``yielded``."""

    __slots__ = ("_coro", "_yielded")

    def __init__(self, coro: Coroutine[Any, Any, Any], yielded: Any) -> None:
        self._coro = coro
        self._yielded = yielded

    def __await__(self) -> Generator[Any, Any, Any]:
        coro, yielded = self._coro, self._yielded
        while True:
            try:
                sent = yield yielded
            except GeneratorExit:
                coro.close()
                raise
            except BaseException as exc:
                try:
                    yielded = coro.throw(exc)
                except StopIteration as stop:
                    return stop.value
            else:
                try:
                    yielded = coro.send(sent)
                except StopIteration as stop:
                    return stop.value
