"""What a listener effect receives: the effect ``api``, cancellation signals, forks."""

from __future__ import annotations

import asyncio
import inspect
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from ._action import Action

if TYPE_CHECKING:
    from ._listener_middleware import ListenerEntry, ListenerMiddleware

__all__ = [
    "CancelSignal",
    "ForkApi",
    "ForkResult",
    "ForkedTask",
    "ListenerApi",
    "Predicate",
    "as_predicate",
    "call_on_loop",
]

Predicate = Callable[[Any, Any, Any], bool]
"""``(action, current_state, original_state) -> bool``."""

T = TypeVar("T")


def as_predicate(target: Any, what: str = "predicate") -> Predicate:
    """Turn an action creator, a type string, a matcher or a predicate into a predicate.

    A function taking one positional argument is a matcher (``action -> bool``, such
    as ``creator.match``); otherwise it is called as ``(action, current_state,
    original_state)``.

    Raises:
        TypeError: ``target`` is none of those.
    """
    if isinstance(target, str):
        return lambda action, current, original: action.type == target
    match = getattr(target, "match", None)
    if callable(match):
        return lambda action, current, original: bool(match(action))
    if callable(target):
        if _takes_one_argument(target):  # a matcher such as creator.match
            return lambda action, current, original: bool(target(action))
        return target  # type: ignore[no-any-return]
    raise TypeError(
        f"Expected the {what} to be an action creator, a type string or a function "
        f"(action, current_state, original_state) -> bool, got {type(target).__name__!r} "
        f"({target!r})."
    )


def _takes_one_argument(fn: Callable[..., Any]) -> bool:
    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):  # some builtins have no signature
        return False
    positional = [
        p
        for p in parameters
        if p.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    ]
    if any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in parameters):
        return False
    return len(positional) == 1


def call_on_loop(loop: asyncio.AbstractEventLoop, fn: Callable[[], Any]) -> None:
    """Run ``fn`` on ``loop``'s thread: now if we are on it, else as soon as possible."""
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is loop:
        fn()
    elif not loop.is_closed():
        loop.call_soon_threadsafe(fn)


class CancelSignal:
    """A cancellation flag, like an ``AbortSignal``: ``cancelled`` and ``reason``.

    Reasons: ``"listener-cancelled"`` (``cancel_active_listeners``, ``cancel``,
    ``clear_listeners``, ``stop_listening(cancel_active=True)``),
    ``"listener-completed"`` (the effect returned), ``"task-cancelled"`` (a fork's
    ``cancel()``).
    """

    __slots__ = ("_lock", "cancelled", "reason")

    def __init__(self) -> None:
        self.cancelled = False
        self.reason: str | None = None
        self._lock = threading.Lock()

    def cancel(self, reason: str) -> bool:
        """Set the flag; return whether it was not set before."""
        with self._lock:
            if self.cancelled:
                return False
            self.cancelled = True
            self.reason = reason
            return True

    def __repr__(self) -> str:
        return f"<CancelSignal cancelled={self.cancelled} reason={self.reason!r}>"


def _raise_if_cancelled(signal: CancelSignal) -> None:
    if signal.cancelled:
        raise asyncio.CancelledError(signal.reason)


@dataclass(frozen=True)
class ForkResult:
    """How a forked task ended: ``status`` is ``"ok"``, ``"rejected"`` or ``"cancelled"``."""

    status: Literal["ok", "rejected", "cancelled"]
    value: Any = None
    error: BaseException | None = None


class ForkApi:
    """What a forked task's function receives: ``signal``, ``delay`` and ``pause``."""

    __slots__ = ("signal",)

    def __init__(self, signal: CancelSignal) -> None:
        self.signal = signal

    async def delay(self, seconds: float) -> None:
        """Sleep on the loop clock; raises ``CancelledError`` if the task is cancelled."""
        _raise_if_cancelled(self.signal)
        await asyncio.sleep(seconds)
        _raise_if_cancelled(self.signal)

    async def pause(self, awaitable: Awaitable[T]) -> T:
        """Await ``awaitable``, then raise ``CancelledError`` if cancelled meanwhile."""
        _raise_if_cancelled(self.signal)
        result = await awaitable
        _raise_if_cancelled(self.signal)
        return result


class ForkedTask:
    """A child task started by ``api.fork``: ``cancel()`` and ``await result()``."""

    __slots__ = ("_loop", "_task", "signal")

    def __init__(
        self, task: asyncio.Task[Any], signal: CancelSignal, loop: asyncio.AbstractEventLoop
    ) -> None:
        self._task = task
        self._loop = loop
        self.signal = signal

    def cancel(self, reason: str = "task-cancelled") -> None:
        """Cancel the task (harmless once it ended)."""
        if self.signal.cancel(reason):
            call_on_loop(self._loop, self._task.cancel)

    def done(self) -> bool:
        return self._task.done()

    async def result(self) -> ForkResult:
        """Wait for the task and tell how it ended; never raises its error."""
        await asyncio.wait([self._task])
        if self._task.cancelled():
            return ForkResult("cancelled")
        error = self._task.exception()
        if error is not None:
            if isinstance(error, asyncio.CancelledError):
                return ForkResult("cancelled", error=error)
            return ForkResult("rejected", error=error)
        return ForkResult("ok", self._task.result())


class Instance:
    """One run of an effect: its signal, its task (for async effects) and its forks."""

    __slots__ = ("forks", "joins", "loop", "seq", "signal", "task")

    def __init__(self, seq: int) -> None:
        self.seq = seq
        self.signal = CancelSignal()
        self.task: asyncio.Task[None] | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.forks: list[ForkedTask] = []
        self.joins: list[ForkedTask] = []

    def cancel(self, reason: str) -> None:
        if not self.signal.cancel(reason):
            return
        for fork in self.forks:
            fork.cancel(reason)
        if self.task is not None and self.loop is not None:
            call_on_loop(self.loop, self.task.cancel)


class ListenerApi:
    """The ``api`` an effect receives as its second argument.

    Attributes:
        dispatch: the store's ``dispatch``.
        get_state: the store's ``get_state`` (the state now).
        signal: this run's :class:`CancelSignal`.
        extra: the store's ``extra_argument``.
    """

    __slots__ = (
        "_entry",
        "_instance",
        "_middleware",
        "_original",
        "_store_api",
        "dispatch",
        "get_state",
    )

    def __init__(
        self,
        middleware: ListenerMiddleware,
        entry: ListenerEntry,
        instance: Instance,
        store_api: Any,
        original_state: Any,
    ) -> None:
        self._middleware = middleware
        self._entry = entry
        self._instance = instance
        self._original = original_state
        self._store_api = store_api
        self.dispatch: Callable[[Any], Any] = store_api.dispatch
        self.get_state: Callable[[], Any] = store_api.get_state

    @property
    def signal(self) -> CancelSignal:
        return self._instance.signal

    @property
    def extra(self) -> Any:
        """The store's ``extra_argument`` (what thunks get as their third argument)."""
        return getattr(self._store_api, "extra_argument", None)

    def get_original_state(self) -> Any:
        """The state just before the action that started this effect."""
        return self._original

    def throw_if_cancelled(self) -> None:
        """Raise ``asyncio.CancelledError`` if this run has been cancelled."""
        _raise_if_cancelled(self._instance.signal)

    async def take(
        self, predicate: Any, timeout: float | None = None
    ) -> tuple[Action, Any, Any] | None:
        """Wait for the next action matching ``predicate``.

        ``predicate`` is ``(action, current_state, original_state) -> bool``, a
        matcher ``action -> bool`` (e.g. ``creator.match``), an action creator or a
        type string. Only actions dispatched after the call count.

        Returns:
            ``(action, current_state, original_state)``, or ``None`` when ``timeout``
            seconds (loop clock) passed first.

        Raises:
            TypeError: ``predicate`` is none of the accepted kinds.
            asyncio.CancelledError: this run was cancelled.
        """
        matches = as_predicate(predicate)
        self.throw_if_cancelled()
        return await self._middleware.wait_for_action(matches, timeout)

    async def condition(self, predicate: Any, timeout: float | None = None) -> bool:
        """Like :meth:`take`, but return ``True`` on a match and ``False`` on timeout."""
        return await self.take(predicate, timeout) is not None

    async def delay(self, seconds: float) -> None:
        """Sleep on the loop clock; raises ``CancelledError`` if this run is cancelled."""
        self.throw_if_cancelled()
        await asyncio.sleep(seconds)
        self.throw_if_cancelled()

    async def pause(self, awaitable: Awaitable[T]) -> T:
        """Await ``awaitable``, then raise ``CancelledError`` if cancelled meanwhile."""
        self.throw_if_cancelled()
        result = await awaitable
        self.throw_if_cancelled()
        return result

    def fork(self, fn: Callable[[ForkApi], Any], *, auto_join: bool = False) -> ForkedTask:
        """Start ``fn(fork_api)`` (sync or async) as a child task on the running loop.

        The child is cancelled when this run is cancelled or completes, unless
        ``auto_join`` is true: then the run waits for it before completing.

        Raises:
            TypeError: ``fn`` is not callable.
            RuntimeError: no running event loop.
        """
        if not callable(fn):
            raise TypeError(
                f"Expected fork's argument to be a function taking the fork api, got "
                f"{type(fn).__name__!r}."
            )
        loop = asyncio.get_running_loop()
        signal = CancelSignal()
        fork_api = ForkApi(signal)

        async def run() -> Any:
            result = fn(fork_api)
            if asyncio.iscoroutine(result) or isinstance(result, asyncio.Future):
                result = await result
            return result

        task = loop.create_task(run())
        # Retrieve the outcome so an error nobody awaits is not logged as lost.
        task.add_done_callback(lambda t: t.cancelled() or t.exception())
        forked = ForkedTask(task, signal, loop)
        self._instance.forks.append(forked)
        if auto_join:
            self._instance.joins.append(forked)
        if self._instance.signal.cancelled:
            forked.cancel(self._instance.signal.reason or "listener-cancelled")
        return forked

    def cancel_active_listeners(self) -> None:
        """Cancel every other running instance of this same listener.

        The "latest wins" building block (debounce, search-as-you-type): called first
        thing in an effect, it cancels the older runs.
        """
        self._middleware.cancel_running(self._entry, keep=self._instance)

    def cancel(self) -> None:
        """Cancel this run."""
        self._instance.cancel("listener-cancelled")

    def unsubscribe(self) -> None:
        """Remove this listener; runs under way go on."""
        self._middleware.remove_entry(self._entry)

    def subscribe(self) -> None:
        """Add this listener again after :meth:`unsubscribe`."""
        self._middleware.add_entry(self._entry)
