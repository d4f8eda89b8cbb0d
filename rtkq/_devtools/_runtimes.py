"""Finding the api runtimes of a store, whose subscriptions the DevTools show."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._query._action_types import ActionTypes
from .._query._runtime import Runtime
from .._store._action import Action
from ._messages import is_api_slice

if TYPE_CHECKING:
    from .._store._create_store import Store

__all__ = ["find_runtimes"]


def find_runtimes(store: Store) -> dict[str, Runtime]:
    """``{reducer_path: runtime}`` for each api slice at the top of the store's state.

    Each candidate is confirmed with its api's runtime probe, answered by the api
    middleware (a slice whose middleware is missing has no runtime and is skipped).
    """
    state: Any = store.get_state()
    if not isinstance(state, Mapping):
        return {}
    found: dict[str, Runtime] = {}
    for key, value in state.items():
        if isinstance(key, str) and is_api_slice(value):
            probe = Action(ActionTypes.for_path(key).runtime_probe)
            runtime = store.dispatch(probe)
            if isinstance(runtime, Runtime):
                found[key] = runtime
    return found
