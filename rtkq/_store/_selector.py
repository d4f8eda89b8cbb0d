"""``create_selector``: memoized selectors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["MemoizedSelector", "create_selector"]


class MemoizedSelector:
    """A selector that recomputes only when one of its inputs changed (by identity)."""

    __slots__ = ("_combiner", "_inputs", "_last_args", "_last_result", "_recomputations")

    def __init__(self, inputs: tuple[Callable[..., Any], ...], combiner: Callable[..., Any]):
        self._inputs = inputs
        self._combiner = combiner
        self._last_args: tuple[Any, ...] | None = None
        self._last_result: Any = None
        self._recomputations = 0

    def __call__(self, state: Any, *args: Any) -> Any:
        inputs = self._inputs
        last = self._last_args
        if len(inputs) == 1:  # the common case, without building a tuple first
            value = inputs[0](state, *args)
            if last is not None and last[0] is value:
                return self._last_result
            values: tuple[Any, ...] = (value,)
        else:
            values = tuple([selector(state, *args) for selector in inputs])
            if last is not None:
                for old, new in zip(last, values, strict=True):
                    if old is not new:
                        break
                else:
                    return self._last_result
        result = self._combiner(*values)
        self._last_args = values
        self._last_result = result
        self._recomputations += 1
        return result

    def recomputations(self) -> int:
        """How many times the combiner has run."""
        return self._recomputations

    def reset_recomputations(self) -> None:
        self._recomputations = 0


def create_selector(*args: Callable[..., Any]) -> MemoizedSelector:
    """Create a memoized selector: ``create_selector(*input_selectors, combiner)``.

    Input selectors receive the state (and any extra arguments the selector is called
    with); the combiner receives their results. The combiner runs again only when an
    input result is not the same object as last time.

    Raises:
        TypeError: fewer than two arguments, or an argument that is not callable.
    """
    if len(args) == 2 and isinstance(args[0], (list, tuple)):
        args = (*args[0], args[1])  # reselect's create_selector([a, b], combiner)
    if len(args) < 2:
        raise TypeError(
            f"create_selector needs at least one input selector and a combiner, got "
            f"{len(args)} argument(s)."
        )
    for arg in args:
        if not callable(arg):
            raise TypeError(
                f"Every argument of create_selector must be callable, got "
                f"{type(arg).__name__!r} ({arg!r})."
            )
    *inputs, combiner = args
    return MemoizedSelector(tuple(inputs), combiner)
