"""``create_listener_middleware``: run side effects in response to actions."""

from __future__ import annotations

import asyncio
import itertools
import threading
import warnings
from collections.abc import Callable
from typing import Any

from .._types import Dispatch, Middleware
from ._action import Action
from ._eager_task import start_eager_task
from ._listener_api import Instance, ListenerApi, Predicate, as_predicate, call_on_loop

__all__ = ["ListenerEntry", "ListenerMiddleware", "create_listener_middleware"]

Effect = Callable[[Any, ListenerApi], Any]
OnError = Callable[[BaseException, dict[str, str]], Any]


def _warn(error: BaseException, info: dict[str, str]) -> None:
    warnings.warn(
        f"A listener {info['raised_by']} raised {type(error).__name__}: {error}. Pass "
        "create_listener_middleware(on_error=...) to handle such errors.",
        RuntimeWarning,
        stacklevel=2,
    )


class ListenerEntry:
    """One ``start_listening`` registration."""

    __slots__ = ("effect", "key", "predicate", "running")

    def __init__(self, key: tuple[Any, ...], predicate: Predicate, effect: Effect) -> None:
        self.key = key
        self.predicate = predicate
        self.effect = effect
        self.running: dict[int, Instance] = {}


def _settle(future: asyncio.Future[Any], value: Any) -> None:
    if not future.done():
        future.set_result(value)


class _Waiter:
    __slots__ = ("future", "loop", "predicate")

    def __init__(
        self, predicate: Predicate, future: asyncio.Future[Any], loop: asyncio.AbstractEventLoop
    ) -> None:
        self.predicate = predicate
        self.future = future
        self.loop = loop

    def resolve(self, value: Any) -> None:
        future = self.future
        call_on_loop(self.loop, lambda: _settle(future, value))


class ListenerMiddleware:
    """What :func:`create_listener_middleware` returns; see there."""

    def __init__(self, on_error: OnError) -> None:
        self._on_error = on_error
        self._entries: tuple[ListenerEntry, ...] = ()
        self._waiters: tuple[_Waiter, ...] = ()
        self._lock = threading.Lock()
        self._seq = itertools.count()
        # Every effect still running, listener removed or not (RTK 2's executing
        # listeners), with the middleware API of the store it runs for.
        self._executing: dict[int, tuple[Instance, Any]] = {}
        self.middleware: Middleware = self._build_middleware()

    # -- registration ----------------------------------------------------------
    def start_listening(
        self,
        *,
        action_creator: Any = None,
        type: str | None = None,
        matcher: Callable[[Any], bool] | None = None,
        predicate: Predicate | None = None,
        effect: Effect,
    ) -> Callable[[], None]:
        """Run ``effect(action, api)`` after each action that matches.

        Give exactly one of ``action_creator`` (matched with its ``.match``), ``type``
        (an action type string), ``matcher`` (``action -> bool``, e.g. an endpoint's
        ``match_fulfilled``) or ``predicate`` (``(action, current_state,
        original_state) -> bool``; a one-argument function counts as a matcher). The
        effect runs after the reducer; an async effect runs as a task on the running
        loop, its first step inside ``dispatch``. Starting the same listener twice
        keeps one.

        Returns:
            A function that stops this listener (running effects go on).

        Raises:
            ValueError: none or several of the four matching options were given.
            TypeError: ``effect`` or the matching option has the wrong type.
        """
        entry = self._make_entry(action_creator, type, matcher, predicate, effect)
        entry = self.add_entry(entry)
        return lambda: self.remove_entry(entry)

    def stop_listening(
        self,
        *,
        action_creator: Any = None,
        type: str | None = None,
        matcher: Callable[[Any], bool] | None = None,
        predicate: Predicate | None = None,
        effect: Effect,
        cancel_active: bool = False,
    ) -> bool:
        """Remove the listener started with the same options; return whether it existed.

        With ``cancel_active=True`` its running effects are cancelled too.

        Raises:
            ValueError: none or several of the four matching options were given.
            TypeError: ``effect`` or the matching option has the wrong type.
        """
        probe = self._make_entry(action_creator, type, matcher, predicate, effect)
        with self._lock:
            entry = next((e for e in self._entries if e.key == probe.key), None)
        if entry is None:
            return False
        self.remove_entry(entry)
        if cancel_active:
            self.cancel_running(entry)
        return True

    def clear_listeners(self) -> None:
        """Remove every listener and cancel every running effect.

        Effects of listeners that already unsubscribed themselves are cancelled too.
        """
        with self._lock:
            self._entries = ()
            doomed = [instance for instance, _ in self._executing.values()]
        for instance in doomed:
            instance.cancel("listener-cancelled")

    async def _close_store(self, store_api: Any) -> None:
        """The store closes: cancel the effects running for it and wait for them."""
        with self._lock:
            doomed = [inst for inst, api in self._executing.values() if api is store_api]
        for instance in doomed:
            instance.cancel("listener-cancelled")
        tasks = [inst.task for inst in doomed if inst.task is not None and not inst.task.done()]
        if tasks:
            await asyncio.wait(tasks)

    # -- used by ListenerApi ---------------------------------------------------
    def add_entry(self, entry: ListenerEntry) -> ListenerEntry:
        with self._lock:
            for existing in self._entries:
                if existing.key == entry.key:
                    return existing
            self._entries = (*self._entries, entry)
        return entry

    def remove_entry(self, entry: ListenerEntry) -> None:
        with self._lock:
            self._entries = tuple(e for e in self._entries if e is not entry)

    def cancel_running(self, entry: ListenerEntry, keep: Instance | None = None) -> None:
        with self._lock:
            doomed = [instance for instance in entry.running.values() if instance is not keep]
        for instance in doomed:
            instance.cancel("listener-cancelled")

    async def wait_for_action(
        self, predicate: Predicate, timeout: float | None
    ) -> tuple[Action, Any, Any] | None:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        waiter = _Waiter(predicate, future, loop)
        with self._lock:
            self._waiters = (*self._waiters, waiter)
        timer = None
        if timeout is not None:
            timer = loop.call_later(timeout, _settle, future, None)
        try:
            return await future  # type: ignore[no-any-return]
        finally:
            if timer is not None:
                timer.cancel()
            self._drop_waiter(waiter)

    def _drop_waiter(self, waiter: _Waiter) -> None:
        with self._lock:
            self._waiters = tuple(w for w in self._waiters if w is not waiter)

    # -- dispatch path ---------------------------------------------------------
    def _build_middleware(self) -> Middleware:
        def middleware(api: Any) -> Callable[[Dispatch], Dispatch]:
            get_state = api.get_state
            on_close = getattr(api, "on_close", None)
            if on_close is not None:  # store.aclose() cancels this store's effects
                on_close(lambda: self._close_store(api))

            def wrap(next_: Dispatch) -> Dispatch:
                def handle(action: Any) -> Any:
                    if not (self._entries or self._waiters) or not isinstance(action, Action):
                        return next_(action)
                    original = get_state()
                    result = next_(action)
                    self._notify(action, get_state(), original, api)
                    return result

                return handle

            return wrap

        return middleware

    def _notify(self, action: Action, current: Any, original: Any, api: Any) -> None:
        for waiter in self._waiters:
            if waiter.future.done() or not self._matches(
                waiter.predicate, action, current, original
            ):
                continue
            self._drop_waiter(waiter)
            waiter.resolve((action, current, original))
        for entry in self._entries:
            if self._matches(entry.predicate, action, current, original):
                self._run(entry, action, api, original)

    def _matches(self, predicate: Predicate, action: Action, current: Any, original: Any) -> bool:
        try:
            return bool(predicate(action, current, original))
        except Exception as exc:
            self._report(exc, "predicate")
            return False

    def _run(self, entry: ListenerEntry, action: Action, store_api: Any, original: Any) -> None:
        instance = Instance(next(self._seq))
        api = ListenerApi(self, entry, instance, store_api, original)
        try:
            outcome = entry.effect(action, api)
        except Exception as exc:
            instance.signal.cancel("listener-completed")
            self._report(exc, "effect")
            return
        if not asyncio.iscoroutine(outcome):
            instance.signal.cancel("listener-completed")
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            outcome.close()
            self._report(
                RuntimeError(
                    f"The async effect {getattr(entry.effect, '__name__', entry.effect)!r} "
                    f"matched {action.type!r} but there is no running event loop to run "
                    "it on. Dispatch from inside the loop, or make the effect synchronous."
                ),
                "effect",
            )
            return
        instance.loop = loop
        with self._lock:
            entry.running[instance.seq] = instance
            self._executing[instance.seq] = (instance, store_api)
        # The effect runs up to its first await right now, inside dispatch, as in
        # Redux Toolkit: a take() there sees the very next action.
        task = start_eager_task(loop, self._drive(entry, instance, outcome))
        instance.task = task
        if instance.signal.cancelled and not task.done():
            task.cancel()  # it cancelled itself before the task existed

    async def _drive(self, entry: ListenerEntry, instance: Instance, coro: Any) -> None:
        try:
            await coro
            for fork in instance.joins:
                await fork.result()
        except asyncio.CancelledError:
            if not instance.signal.cancelled:
                raise
        except Exception as exc:
            self._report(exc, "effect")
        finally:
            coro.close()  # a run cancelled before its first step never started it
            with self._lock:
                entry.running.pop(instance.seq, None)
                self._executing.pop(instance.seq, None)
            instance.signal.cancel("listener-completed")
            for fork in instance.forks:
                fork.cancel("listener-completed")

    def _report(self, error: BaseException, raised_by: str) -> None:
        try:
            self._on_error(error, {"raised_by": raised_by})
        except Exception as exc:
            _warn(exc, {"raised_by": "on_error handler"})

    # -- validation ------------------------------------------------------------
    @staticmethod
    def _make_entry(
        action_creator: Any, type_: Any, matcher: Any, predicate: Any, effect: Any
    ) -> ListenerEntry:
        given = {
            name: value
            for name, value in (
                ("action_creator", action_creator),
                ("type", type_),
                ("matcher", matcher),
                ("predicate", predicate),
            )
            if value is not None
        }
        if len(given) != 1:
            raise ValueError(
                "Give exactly one of action_creator, type, matcher or predicate to say "
                f"which actions the listener reacts to; got {sorted(given) or 'none'}."
            )
        if not callable(effect):
            raise TypeError(
                f"Expected effect to be a function (action, api) -> None (sync or async), "
                f"got {type(effect).__name__!r} ({effect!r})."
            )
        kind, target = next(iter(given.items()))
        test: Predicate
        if kind == "action_creator":
            if not callable(getattr(target, "match", None)):
                raise TypeError(
                    f"Expected action_creator to have a .match method (such as "
                    f"create_action(...) returns), got {type(target).__name__!r}."
                )
            test = as_predicate(target)
        elif kind == "type":
            if not isinstance(target, str):
                raise TypeError(
                    f"Expected type to be an action type string, got "
                    f"{type(target).__name__!r} ({target!r})."
                )
            test = as_predicate(target)
        elif not callable(target):
            raise TypeError(
                f"Expected {kind} to be a function, got {type(target).__name__!r} ({target!r})."
            )
        elif kind == "matcher":
            test = lambda action, current, original: target(action)  # noqa: E731
        else:
            test = as_predicate(target)
        return ListenerEntry((kind, target, effect), test, effect)


def create_listener_middleware(*, on_error: OnError | None = None) -> ListenerMiddleware:
    """Create a listener middleware (Redux Toolkit's ``createListenerMiddleware``).

    Add ``.middleware`` to the store (``configure_store(..., middleware=[lm.middleware])``)
    and register effects with ``.start_listening(...)``. An effect is ``effect(action,
    api)``, sync or async; ``api`` is a :class:`ListenerApi` with ``dispatch``,
    ``get_state``, ``get_original_state``, ``take``, ``condition``, ``delay``,
    ``pause``, ``fork``, ``cancel_active_listeners``, ``cancel``, ``signal``,
    ``throw_if_cancelled``, ``unsubscribe``, ``subscribe`` and ``extra``.

    Effects run after the reducer, in the order the listeners were started. An async
    effect becomes a task on the running loop whose first step runs at once, inside
    ``dispatch`` (as in JavaScript): a ``take`` or ``condition`` reached before the
    first real suspension sees the very next action. Dispatching an action that an
    async effect listens to needs a running loop on the dispatching thread; without
    one the effect is reported to ``on_error`` as a ``RuntimeError``.

    Args:
        on_error: ``on_error(error, {"raised_by": "effect" | "predicate"})`` for
            exceptions raised by effects and predicates; they never reach
            ``dispatch``. The default issues a ``RuntimeWarning``. Cancellation is not
            an error.

    Raises:
        TypeError: ``on_error`` is not callable.
    """
    if on_error is None:
        on_error = _warn
    elif not callable(on_error):
        raise TypeError(
            f"Expected on_error to be a function (error, info) -> None, got "
            f"{type(on_error).__name__!r}."
        )
    return ListenerMiddleware(on_error)
