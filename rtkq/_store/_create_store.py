"""``create_store``: the Redux store."""

from __future__ import annotations

import asyncio
import operator
import threading
import uuid
from collections.abc import Callable
from types import TracebackType
from typing import Any

from typing_extensions import Self

from .._types import Listener, Reducer, Selector, StoreDispatch
from ._action import Action, ActionCreator
from ._close_hooks import CloseHook, CloseHooks
from ._watch import Change, Changes, Equals, WatchRegistry, check_selector

__all__ = ["INIT", "REPLACE", "Store", "create_store"]

_suffix = uuid.uuid4().hex[:8]
INIT = f"@@rtkq/INIT.{_suffix}"
REPLACE = f"@@rtkq/REPLACE.{_suffix}"

Enhancer = Callable[[Callable[..., "Store"]], Callable[..., "Store"]]


def _check_reducer(reducer: Any) -> None:
    if not callable(reducer):
        raise TypeError(
            f"Expected the root reducer to be a function, got {type(reducer).__name__!r} "
            f"({reducer!r}). Pass a callable (state, action) -> state, or a dict of them "
            "to configure_store."
        )


class Store:
    """A Redux store: holds the state tree, runs the reducer and notifies listeners.

    Created by :func:`create_store` or :func:`configure_store`; do not instantiate it
    directly. ``dispatch`` is an instance attribute so that middleware can wrap it.

    Listeners are called once after every dispatch that reached the reducer. They see a
    snapshot of the listener list taken when the reducer finished, so listeners added
    or removed while a dispatch runs take effect from the next dispatch. A listener that
    raises does not stop the others: every listener (and watcher) runs, then the first
    exception is re-raised from ``dispatch``. The state change itself has already
    happened, so the store stays consistent; only the caller of ``dispatch`` sees the
    error.

    Watchers (:meth:`watch`) run after the listeners, and only when the root state is
    a different object than when they last ran: selectors must be pure functions of the
    state, so an unchanged state cannot change a selected value. Selectors that declare
    the top-level keys they read (``depends_on``) are not even called while those keys
    hold the same objects.

    ``dispatch`` may be called from several threads; reducer runs are serialized by a
    lock, listeners and watcher callbacks run on the dispatching thread outside that
    lock (callbacks of dispatches from different threads may interleave).

    Work that outlives a dispatch (requests, timers, polling, lifecycle tasks, HTTP
    clients) belongs to layers that register with :meth:`on_close`; ``await
    store.aclose()``, or leaving ``async with store:``, stops all of it.
    """

    # Typed with overloads (an Action gives the Action, a thunk gives what it returns);
    # the run-time value is the middleware chain, which these types do not slow down.
    dispatch: StoreDispatch
    extra_argument: Any = None

    def __init__(self, reducer: Reducer, preloaded_state: Any = None) -> None:
        _check_reducer(reducer)
        self._reducer = reducer
        # What dispatch runs: the reducer, or an instrument around it (see _instrument).
        self._reduce: Reducer = reducer
        self._lift: Callable[[Reducer], Reducer] | None = None
        self._state = preloaded_state
        self._listeners: tuple[Listener, ...] = ()
        self._lock = threading.Lock()
        self._listeners_lock = threading.Lock()
        self._watches = WatchRegistry(lambda: self._state)
        # The thread currently running the reducer, to refuse re-entrant dispatch.
        self._reducing: int | None = None
        self._close_hooks = CloseHooks()
        self.dispatch = self._dispatch

    # -- reading ---------------------------------------------------------------
    def get_state(self) -> Any:
        """Return the current state tree.

        Raises:
            RuntimeError: called from inside a reducer.
        """
        if self._reducing is not None and self._reducing == threading.get_ident():
            raise RuntimeError(
                "get_state() was called while the reducer is executing. The reducer has "
                "already received the state as an argument; use that instead."
            )
        return self._state

    # -- dispatching -----------------------------------------------------------
    def _dispatch(self, action: Any) -> Any:
        if type(action) is not Action and not isinstance(action, Action):
            raise TypeError(_not_an_action(action))
        ident = threading.get_ident()
        if self._reducing == ident:
            raise RuntimeError(
                f"Cannot dispatch {action.type!r} from inside a reducer. Reducers must be "
                "pure; dispatch follow-up actions from a thunk, middleware or listener."
            )
        with self._lock:
            self._reducing = ident
            try:
                self._state = self._reduce(self._state, action)
            finally:
                self._reducing = None
        listeners = self._listeners
        watches = self._watches
        if listeners or (watches.watchers and self._state is not watches.state):
            self._notify(listeners)
        return action

    def _notify(self, listeners: tuple[Listener, ...]) -> None:
        errors: list[Exception] = []
        for listener in listeners:
            try:
                listener()
            except Exception as exc:
                errors.append(exc)
        watches = self._watches
        if watches.watchers and self._state is not watches.state:
            changes: list[Change] = watches.select_changes(errors)
            for watcher, new, old in changes:
                if not watcher.active:
                    continue
                try:
                    watcher.callback(new, old)
                except Exception as exc:
                    errors.append(exc)
        if errors:
            raise errors[0]

    # -- subscribing -----------------------------------------------------------
    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener()`` after every dispatch; return a function that unsubscribes.

        Calling the returned function more than once is harmless.

        Raises:
            TypeError: ``listener`` is not callable.
        """
        if not callable(listener):
            raise TypeError(
                f"Expected the listener to be a function, got {type(listener).__name__!r}. "
                "Pass a callable that takes no arguments."
            )
        with self._listeners_lock:
            self._listeners = (*self._listeners, listener)
        subscribed = True

        def unsubscribe() -> None:
            nonlocal subscribed
            with self._listeners_lock:
                if not subscribed:
                    return
                subscribed = False
                # The same function subscribed twice has two entries: drop one of them.
                listeners = list(self._listeners)
                listeners.remove(listener)
                self._listeners = tuple(listeners)

        return unsubscribe

    def watch(
        self,
        selector: Selector,
        callback: Callable[[Any, Any], Any],
        *,
        equals: Equals = operator.is_,
    ) -> Callable[[], None]:
        """Call ``callback(new_value, old_value)`` whenever ``selector(state)`` changes.

        The selector runs once now (to learn the current value) and then after each
        dispatch that produced a new root state object; the callback runs only when
        ``equals(new, old)`` is false. Callbacks run in the order the watchers were
        added. Selectors must be pure. Errors raised by the selector or the callback
        are handled like a listener's (see the class docstring). An unsubscribed
        watcher is not called again, even by a dispatch already under way.

        A selector that declares the top-level state keys it reads, as a
        ``depends_on`` tuple, is not called after a dispatch that left each
        ``state[key]`` the same object: watchers on untouched slices then cost
        nothing per watcher. Endpoint selectors (``api.endpoints.x.select(arg)``)
        and ``operator.itemgetter("key")`` declare it already, and
        :func:`create_selector` derives it when all its inputs declare theirs;
        a plain function may set ``selector.depends_on = ("todos",)``. The
        declaration is trusted: a selector that also reads other keys will miss
        their changes. Selectors without it run on every new root state (memoized
        ones then cost one call each). The declaration is read once, here.

        Args:
            selector: ``state -> value``; must be pure.
            callback: ``(new_value, old_value) -> None``.
            equals: when two selected values count as the same; identity by default.

        Returns:
            A function that unsubscribes; calling it more than once is harmless.

        Raises:
            TypeError: ``selector``, ``callback`` or ``equals`` is not callable, or
                the selector's ``depends_on`` is not a tuple (or list) of hashable
                keys.
        """
        check_selector(selector, "the selector")
        check_selector(callback, "the callback")
        check_selector(equals, "equals")
        return self._watches.add(selector, callback, equals)[0]

    def changes(self, selector: Selector, *, equals: Equals = operator.is_) -> Changes:
        """Iterate asynchronously over the values ``selector(state)`` takes.

        Yields the current value first, then each new value (compared with
        ``equals``). A consumer slower than the dispatches sees the latest value, not
        every intermediate one: at most one value is ever buffered. Dispatching from
        another thread is safe. Breaking out of ``async for`` (or calling
        ``close()``) unsubscribes. A selector's ``depends_on`` is honoured as in
        :meth:`watch`.

        Raises:
            TypeError: ``selector`` or ``equals`` is not callable, or the selector's
                ``depends_on`` is malformed.
            RuntimeError: called with no running asyncio event loop.
        """
        check_selector(selector, "the selector")
        check_selector(equals, "equals")
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            raise RuntimeError(
                "store.changes() needs a running asyncio event loop to deliver values "
                "on. Call it from a coroutine, e.g. inside asyncio.run(...); from "
                "synchronous code use store.watch(selector, callback)."
            ) from None
        return Changes(
            lambda on_change: self._watches.add(selector, on_change, equals), loop, equals
        )

    # -- closing -----------------------------------------------------------------
    def on_close(self, hook: CloseHook) -> Callable[[], None]:
        """Run ``hook`` when the store is closed; return a function that removes it.

        ``hook`` is an ``async def hook() -> None`` (a plain function works too).
        :meth:`aclose` awaits the hooks one at a time, last registered first (like
        nested ``async with`` blocks), so a layer started on top of another is stopped
        before it. A layer that stops on its own removes its hook; removing twice is
        harmless. Middleware reach this through ``api.on_close``.

        Raises:
            TypeError: ``hook`` is not callable.
            RuntimeError: the store is already closed (or closing).
        """
        return self._close_hooks.add(hook)

    @property
    def closed(self) -> bool:
        """Whether :meth:`aclose` was called (it may still be running)."""
        return self._close_hooks.closed

    async def aclose(self) -> None:
        """Stop everything that runs for this store; return when it has stopped.

        Awaits every :meth:`on_close` hook, last registered first. For an api
        middleware that means: running requests are aborted (their entries settle as
        rejected, ``await handle`` returns), retries, polling, garbage-collection timers
        and lifecycle tasks are cancelled (``cache_entry_removed`` resolves first and
        the hooks get up to ``CLEANUP_GRACE`` seconds to clean up), and the HTTP clients
        that ``fetch_base_query`` made for this store are closed (a client passed in is
        never closed). Afterwards dispatching an api thunk (``initiate``, ``prefetch``
        ...) raises ``RuntimeError``; the state stays readable and plain actions still
        reach the reducer.

        Calling it again, or leaving ``async with store:``, is harmless: a call made
        while closing is under way waits for it; one made after returns at once.

        Raises:
            Exception: the first exception a hook raised, after every other hook ran.
        """
        await self._close_hooks.run()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def replace_reducer(self, reducer: Reducer) -> None:
        """Swap the root reducer and dispatch a replace action so new slices initialize.

        Raises:
            TypeError: ``reducer`` is not callable.
        """
        _check_reducer(reducer)
        self._reducer = reducer
        self._reduce = reducer if self._lift is None else self._lift(reducer)
        self.dispatch(Action(REPLACE))

    def _instrument(self, lift: Callable[[Reducer], Reducer] | None) -> None:
        """Reduce every action through ``lift(reducer)`` from now on (``None``: stop).

        For tools that record or rewrite the history (the Redux DevTools): the lifted
        reducer sees each action the store reduces, under the store's lock, and may
        return a state other than the reducer's (time travel). ``replace_reducer``
        lifts the new reducer too. One instrument at a time.

        Raises:
            RuntimeError: another instrument is installed.
        """
        with self._lock:
            if lift is not None and self._lift is not None:
                raise RuntimeError(
                    "This store is already instrumented (e.g. connected to the Redux "
                    "DevTools). Close that link first: await link.aclose()."
                )
            self._lift = lift
            self._reduce = self._reducer if lift is None else lift(self._reducer)


def _not_an_action(action: Any) -> str:
    if isinstance(action, ActionCreator):
        return (
            f"Expected an Action, got the action creator {action.type!r}. "
            f"Call it first: dispatch({action.type.rsplit('/', 1)[-1]}(...))."
        )
    return (
        f"Expected an Action, got {type(action).__name__!r} ({action!r}). Dispatch an "
        "rtkq.Action, or add middleware (such as the thunk middleware of "
        "configure_store) that handles this kind of value."
    )


def create_store(
    reducer: Reducer, preloaded_state: Any = None, enhancer: Enhancer | None = None
) -> Store:
    """Create a Redux store.

    Args:
        reducer: ``(state, action) -> new_state``.
        preloaded_state: the initial state; ``None`` lets the reducer provide it.
        enhancer: a store enhancer such as ``apply_middleware(...)``.

    Raises:
        TypeError: ``reducer`` or ``enhancer`` is not callable.
    """
    if enhancer is not None:
        if not callable(enhancer):
            raise TypeError(
                f"Expected the enhancer to be a function, got {type(enhancer).__name__!r}. "
                "Pass apply_middleware(...) or another store enhancer."
            )
        return enhancer(create_store)(reducer, preloaded_state)
    store = Store(reducer, preloaded_state)
    store.dispatch(Action(INIT))
    return store
