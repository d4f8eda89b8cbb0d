"""What every observer shares: callbacks, ``changes()``, closing, context managers."""

from __future__ import annotations

import asyncio
import operator
import weakref
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from .._store._watch import Changes
from ._hub import hub_for
from ._options import check_store

if TYPE_CHECKING:
    from typing_extensions import Self

    from .._query._endpoints import Endpoint
    from .._query._runtime import Runtime

__all__ = ["ObserverBase"]

T = TypeVar("T")
_UNSET: Any = object()


def running_loop(what: str) -> asyncio.AbstractEventLoop:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        raise RuntimeError(
            f"{what} needs a running asyncio event loop (observers subscribe, fetch and "
            "call back on it). Create it from a coroutine, e.g. inside asyncio.run(main())."
        ) from None


class ObserverBase(Generic[T]):
    """Callbacks, ``changes()``, ``close()`` and ``with``/``async with`` of an observer.

    Subclasses keep ``_result`` current (``_publish``) and release what they hold in
    ``_release``.
    """

    _result: T

    def __init__(
        self,
        what: str,
        endpoint: Endpoint,
        store: Any,
        select_from_result: Callable[[Any], Any] | None,
    ) -> None:
        check_store(what, store)
        self._loop = running_loop(what)
        self._what = what
        self._endpoint = endpoint
        self._store = store
        self._runtime: Runtime = endpoint.api.runtime_for(store.dispatch)
        self._hub = hub_for(self._runtime)
        self._select = select_from_result
        self._callbacks: tuple[Callable[[Any], Any], ...] = ()
        self._iterators: weakref.WeakSet[Changes] = weakref.WeakSet()
        self._closed = False
        self._result = _UNSET
        # Last, so that nothing above leaves a hook behind when it raises.
        on_close = getattr(store, "on_close", None)  # the store's shutdown registry
        self._remove_close_hook: Callable[[], Any] | None = (
            on_close(self.close) if callable(on_close) else None
        )

    # -- results -------------------------------------------------------------------
    def _publish(self, full: Any) -> None:
        """Show ``full`` (through ``select_from_result``); call back if it changed."""
        selected = full
        if self._select is not None:
            try:
                selected = self._select(full)
            except Exception as exc:
                self._report(exc, "select_from_result")
                return
        old = self._result
        if selected is old or (old is not _UNSET and _equal(selected, old)):
            return
        self._result = selected
        if old is _UNSET:
            return  # the first result: nothing changed yet
        for callback in self._callbacks:
            try:
                callback(selected)
            except Exception as exc:
                self._report(exc, callback)

    def _report(self, exc: Exception, where: Any) -> None:
        """An error in user code never breaks the dispatch that ran it: the loop hears."""
        self._loop.call_exception_handler(
            {
                "message": f"{where!r} of {self!r} raised {type(exc).__name__}: {exc}",
                "exception": exc,
                "observer": self,
            }
        )

    # -- subscribing -----------------------------------------------------------------
    def subscribe(self, callback: Callable[[T], Any]) -> Callable[[], None]:
        """Call ``callback(result)`` after each dispatch that changed the result.

        The result is compared with ``==`` (with ``select_from_result``, its output is
        the result). Callbacks run on the dispatching thread right after the dispatch;
        one that raises does not stop the others or the dispatch: its exception goes to
        the loop's exception handler.

        Returns:
            A function that unsubscribes; calling it more than once is harmless.

        Raises:
            TypeError: ``callback`` is not callable.
            RuntimeError: the observer is closed.
        """
        if not callable(callback):
            raise TypeError(
                f"subscribe() expected a function result -> None, got "
                f"{type(callback).__name__!r} ({callback!r})."
            )
        self._check_open("subscribe")
        self._callbacks = (*self._callbacks, callback)

        def unsubscribe() -> None:
            callbacks = list(self._callbacks)
            if callback in callbacks:
                callbacks.remove(callback)
                self._callbacks = tuple(callbacks)

        return unsubscribe

    def changes(self) -> Changes:
        """Iterate asynchronously over the results: the current one, then each change.

        A consumer slower than the changes sees the latest result (one is buffered at
        most). Iteration ends when the observer is closed; breaking out of the loop
        stops it.

        Raises:
            RuntimeError: the observer is closed.
        """
        self._check_open("changes")

        def subscribe(on_change: Callable[[Any, Any], None]) -> tuple[Callable[[], None], Any]:
            return self.subscribe(lambda result: on_change(result, None)), self.result

        iterator = Changes(subscribe, self._loop, operator.eq)
        self._iterators.add(iterator)
        return iterator

    @property
    def result(self) -> T:
        return self._result

    # -- closing -------------------------------------------------------------------
    @property
    def closed(self) -> bool:
        """Whether :meth:`close` ran."""
        return self._closed

    def _check_open(self, method: str) -> None:
        if self._closed:
            raise RuntimeError(
                f"{method}() on a closed {type(self).__name__} of {self._endpoint.name!r}. "
                "Create a new observer."
            )

    def _release(self) -> None:
        """Drop subscriptions and hub entries (subclasses)."""

    def close(self) -> None:
        """Unsubscribe and stop calling back; ``changes()`` iterators end. Idempotent."""
        if self._closed:
            return
        self._closed = True
        try:
            self._release()
        finally:
            self._callbacks = ()
            for iterator in list(self._iterators):
                iterator.close()
            remove, self._remove_close_hook = self._remove_close_hook, None
            if remove is not None:
                remove()

    async def aclose(self) -> None:
        """Async alias of :meth:`close`."""
        self.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        state = " closed" if self._closed else ""
        return f"<{type(self).__name__} {self._endpoint.name!r}{state}>"


def _equal(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except Exception:  # values that refuse comparison count as changed
        return False
