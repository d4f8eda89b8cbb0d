"""``create_store``: the Redux store."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any

from .._types import Listener, Reducer
from ._action import Action, ActionCreator

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
    raises does not stop the others: every listener runs, then the first exception is
    re-raised from ``dispatch`` (the state change itself has already happened).

    ``dispatch`` may be called from several threads; reducer runs are serialized by a
    lock, listeners run on the dispatching thread outside that lock.
    """

    dispatch: Callable[[Any], Any]
    extra_argument: Any = None

    def __init__(self, reducer: Reducer, preloaded_state: Any = None) -> None:
        _check_reducer(reducer)
        self._reducer = reducer
        self._state = preloaded_state
        self._listeners: tuple[Listener, ...] = ()
        self._lock = threading.Lock()
        self._listeners_lock = threading.Lock()
        # The thread currently running the reducer, to refuse re-entrant dispatch.
        self._reducing: int | None = None
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
                self._state = self._reducer(self._state, action)
            finally:
                self._reducing = None
        listeners = self._listeners
        if listeners:
            self._notify(listeners)
        return action

    @staticmethod
    def _notify(listeners: tuple[Listener, ...]) -> None:
        first_error: BaseException | None = None
        for listener in listeners:
            try:
                listener()
            except Exception as exc:
                if first_error is None:
                    first_error = exc
        if first_error is not None:
            raise first_error

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

    def replace_reducer(self, reducer: Reducer) -> None:
        """Swap the root reducer and dispatch a replace action so new slices initialize.

        Raises:
            TypeError: ``reducer`` is not callable.
        """
        _check_reducer(reducer)
        self._reducer = reducer
        self.dispatch(Action(REPLACE))


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
