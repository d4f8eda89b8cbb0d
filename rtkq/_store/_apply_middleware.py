"""``apply_middleware`` and ``compose``."""

from __future__ import annotations

from collections.abc import Callable
from functools import reduce
from typing import Any

from .._types import Middleware, Reducer
from ._create_store import Store

__all__ = ["MiddlewareAPI", "apply_middleware", "compose"]


def compose(*funcs: Callable[[Any], Any]) -> Callable[..., Any]:
    """Compose single-argument functions right to left: ``compose(f, g)(x) == f(g(x))``.

    With no functions it returns the identity; the rightmost may take any arguments.
    """
    if not funcs:
        return lambda arg: arg
    if len(funcs) == 1:
        return funcs[0]
    return reduce(lambda f, g: lambda *a, **kw: f(g(*a, **kw)), funcs)


class MiddlewareAPI:
    """The ``api`` a middleware receives: ``dispatch`` (the whole chain), ``get_state``
    and ``on_close`` (:meth:`Store.on_close`: run a hook when the store is closed)."""

    __slots__ = ("_store", "get_state", "on_close")

    def __init__(self, store: Store) -> None:
        self._store = store
        self.get_state = store.get_state
        self.on_close = store.on_close

    def dispatch(self, action: Any) -> Any:
        return self._store.dispatch(action)

    @property
    def extra_argument(self) -> Any:
        """``configure_store``'s ``extra_argument`` (``None`` for other stores)."""
        return self._store.extra_argument


def apply_middleware(*middlewares: Middleware) -> Callable[..., Any]:
    """Return a store enhancer that runs each dispatch through ``middlewares`` in order.

    A middleware has the Redux shape ``lambda api: lambda next_: lambda action: ...``;
    ``api.dispatch`` runs the whole chain again, ``next_`` passes the action on.

    Raises:
        TypeError: a middleware is not callable.
        RuntimeError: a middleware dispatches while the chain is being built.
    """
    for middleware in middlewares:
        if not callable(middleware):
            raise TypeError(
                f"Expected each middleware to be a function, got "
                f"{type(middleware).__name__!r}. A middleware is "
                "lambda api: lambda next_: lambda action: ..."
            )

    def enhancer(create: Callable[..., Store]) -> Callable[..., Store]:
        def create_enhanced(reducer: Reducer, preloaded_state: Any = None) -> Store:
            store = create(reducer, preloaded_state)

            def dispatch_while_building(action: Any) -> Any:
                raise RuntimeError(
                    "A middleware dispatched while the middleware chain was being built. "
                    "Dispatch from inside the action handler instead."
                )

            store.dispatch = dispatch_while_building
            api = MiddlewareAPI(store)
            chain = [middleware(api) for middleware in middlewares]
            store.dispatch = compose(*chain)(store._dispatch)
            return store

        return create_enhanced

    return enhancer
