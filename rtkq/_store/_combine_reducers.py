"""``combine_reducers``: one reducer per key of a ``PMap`` state."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pyrsistent import PMap, pmap

from .._types import Reducer, new_pmap

__all__ = ["combine_reducers"]


def combine_reducers(reducers: Mapping[str, Reducer]) -> Reducer:
    """Return a reducer whose state is a ``PMap`` with one entry per reducer.

    Each slice reducer gets its own part of the state (``None`` on the first call, so
    it returns its initial state). When no slice changed (by identity) the combined
    reducer returns the very state object it was given. Keys of a preloaded state that
    no reducer owns are kept as they are.

    Raises:
        TypeError: ``reducers`` is not a mapping, or a value is not callable; (when the
            reducer runs) the state is not a mapping.
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
    funcs = tuple(reducers.values())
    indices = range(len(keys))
    # The last state this reducer returned, with its slice values in key order. In the
    # common case (the state is what we returned last time) no PMap lookup is needed,
    # and that state is known to hold every key.
    cache: list[Any] = [None, ()]

    def combination(state: Any, action: Any) -> Any:
        cached_state, values = cache
        complete = state is cached_state and state is not None
        if not complete:
            values = _slice_values(state, keys)
        changed: list[int] | None = None
        new_values: list[Any] | None = None
        for index in indices:
            previous = values[index]
            nxt = funcs[index](previous, action)
            if nxt is previous and nxt is not None:
                continue
            if nxt is None:
                raise ValueError(
                    f"The slice reducer for key {keys[index]!r} returned None for action "
                    f"{getattr(action, 'type', action)!r}. Return the initial state "
                    "when given None, and the given state for an action it ignores."
                )
            if changed is None:
                changed = []
                new_values = list(values)
            changed.append(index)
            new_values[index] = nxt  # type: ignore[index]
        if changed is None:
            if complete:
                return state
            if isinstance(state, PMap) and all(key in state for key in keys):
                cache[0], cache[1] = state, values
                return state
            new_values = list(values)
            changed = []
        assert new_values is not None
        if complete and len(changed) == 1:
            index = changed[0]
            result = _replace(state, keys[index], new_values[index])
        else:
            base = state if isinstance(state, PMap) else pmap(state or {})
            evolver = base.evolver()
            for index in indices:
                key = keys[index]
                if index in changed or key not in base:
                    evolver[key] = new_values[index]
            result = evolver.persistent()
        cache[0], cache[1] = result, tuple(new_values)
        return result

    return combination


def _replace_fast(state: Any, key: str, value: Any) -> Any:
    # ``state.set`` goes through an evolver; replacing the value of a key the map is
    # known to hold needs one bucket copy and one (C) vector set. Same result.
    buckets = state._buckets
    index = hash(key) % len(buckets)
    bucket = [(k, value) if k == key else (k, v) for k, v in buckets[index]]
    return new_pmap(state._size, buckets.set(index, bucket))


def _replace_slow(state: Any, key: str, value: Any) -> Any:
    return state.set(key, value)


_probe = pmap({"a": 1})
_replace = (
    _replace_fast
    if hasattr(_probe, "_buckets") and _replace_fast(_probe, "a", 2) == pmap({"a": 2})
    else _replace_slow
)


def _slice_values(state: Any, keys: tuple[str, ...]) -> tuple[Any, ...]:
    if state is None:
        return (None,) * len(keys)
    if not isinstance(state, Mapping):
        raise TypeError(
            f"combine_reducers expected the state to be a mapping, got "
            f"{type(state).__name__!r}. Preload a dict keyed by {list(keys)}."
        )
    return tuple(state.get(key) for key in keys)
