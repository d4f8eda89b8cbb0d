"""``configure_store``: a store with the thunk middleware and sensible defaults."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .._types import Dispatch, Middleware, Reducer
from ._action import ActionCreator
from ._apply_middleware import MiddlewareAPI, apply_middleware
from ._combine_reducers import combine_reducers
from ._create_store import Store, create_store

__all__ = ["configure_store", "thunk_middleware"]


def thunk_middleware(extra_argument: Any = None) -> Middleware:
    """Middleware that calls dispatched callables as ``thunk(dispatch, get_state, extra)``.

    The thunk's return value is what ``dispatch`` returns. Dispatching an action
    creator without calling it is refused with a ``TypeError``.
    """

    def middleware(api: MiddlewareAPI) -> Callable[[Dispatch], Dispatch]:
        dispatch = api.dispatch
        get_state = api.get_state

        def wrap(next_: Dispatch) -> Dispatch:
            def handle(action: Any) -> Any:
                if callable(action):
                    if isinstance(action, ActionCreator):
                        return next_(action)  # the store explains the mistake
                    return action(dispatch, get_state, extra_argument)
                return next_(action)

            return handle

        return wrap

    return middleware


def configure_store(
    reducer: Reducer | Mapping[str, Reducer],
    *,
    middleware: Sequence[Middleware] | None = None,
    preloaded_state: Any = None,
    extra_argument: Any = None,
) -> Store:
    """Create a store the Redux Toolkit way.

    Args:
        reducer: a root reducer, or a dict of slice reducers (combined with
            :func:`combine_reducers`).
        middleware: middleware to install after the thunk middleware, in order.
        preloaded_state: initial state.
        extra_argument: the third argument every thunk receives.

    Raises:
        TypeError: ``reducer`` is neither callable nor a dict, or ``middleware`` is not
            a list of middleware.
    """
    if isinstance(reducer, Mapping):
        root = combine_reducers(reducer)
    elif callable(reducer):
        root = reducer
    else:
        raise TypeError(
            f"Expected reducer to be a function or a dict of slice reducers, got "
            f"{type(reducer).__name__!r}. Pass e.g. {{'counter': counter_slice.reducer}}."
        )
    if middleware is None:
        extra: Sequence[Middleware] = ()
    elif isinstance(middleware, (list, tuple)):
        extra = middleware
    else:
        raise TypeError(
            f"Expected middleware to be a list, got {type(middleware).__name__!r}. "
            "Pass [api.middleware, ...]; the thunk middleware is always installed first."
        )
    enhancer = apply_middleware(thunk_middleware(extra_argument), *extra)
    store = create_store(root, preloaded_state, enhancer)
    store.extra_argument = extra_argument
    return store
