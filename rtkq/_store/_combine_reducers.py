"""``combine_reducers``: one reducer per key of a ``PMap`` state."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pyrsistent import PMap, pmap

from .._types import Reducer

__all__ = ["combine_reducers"]


def combine_reducers(reducers: Mapping[str, Reducer]) -> Reducer:
    """Return a reducer whose state is a ``PMap`` with one entry per reducer.

    Each slice reducer gets its own part of the state (``None`` on the first call, so
    it returns its initial state). When no slice changed (by identity) the combined
    reducer returns the very state object it was given.

    Raises:
        TypeError: ``reducers`` is not a mapping, or a value is not callable.
        ValueError: (when the reducer runs) a slice reducer returned ``None``.
    """
    if not isinstance(reducers, Mapping):
        raise TypeError(
            f"Expected a mapping of key -> reducer, got {type(reducers).__name__!r}. "
            "Pass a dict such as {'todos': todos_reducer}."
        )
    for key, reducer in reducers.items():
        if not callable(reducer):
            raise TypeError(
                f"The reducer for key {key!r} is not callable (got "
                f"{type(reducer).__name__!r}). Pass a function (state, action) -> state."
            )
    keys = tuple(reducers)
    pairs = tuple(reducers.items())
    # The last state this reducer returned with its slice values in key order: the
    # common case (state is what we returned last time) then needs no PMap lookups.
    cache: list[Any] = [None, ()]

    def combination(state: Any, action: Any) -> Any:
        cached_state, cached_values = cache
        if state is not None and state is cached_state:
            values = cached_values
        elif state is None:
            values = (None,) * len(keys)
        else:
            if not isinstance(state, (PMap, Mapping)):
                raise TypeError(
                    f"combine_reducers expected the state to be a mapping, got "
                    f"{type(state).__name__!r}. Preload a dict keyed by {list(keys)}."
                )
            values = tuple(state.get(key) for key in keys)
        changed: list[tuple[str, Any]] | None = None
        index = 0
        for key, reducer in pairs:
            previous = values[index]
            index += 1
            nxt = reducer(previous, action)
            if nxt is previous:
                continue
            if nxt is None:
                raise ValueError(
                    f"The slice reducer for key {key!r} returned None for action "
                    f"{getattr(action, 'type', action)!r}. Return the initial state "
                    "for an unknown state, and the given state for an unknown action."
                )
            if changed is None:
                changed = []
            changed.append((key, nxt))
        if changed is None and state is not None:
            if state is cached_state:
                return state
            if isinstance(state, PMap) and all(key in state for key in keys):
                cache[0], cache[1] = state, values
                return state
        base = state if isinstance(state, PMap) else pmap(state or {})
        evolver = base.evolver()
        new_values = list(values)
        for key, nxt in changed or ():
            evolver[key] = nxt
            new_values[keys.index(key)] = nxt
        for key, value in zip(keys, new_values):
            if key not in base:
                evolver[key] = value
        result = evolver.persistent()
        cache[0], cache[1] = result, tuple(new_values)
        return result

    return combination
