"""``create_selector``: memoized selectors, and the state keys a selector depends on."""

from __future__ import annotations

import operator
from collections.abc import Callable, Hashable
from typing import Any

__all__ = ["MemoizedSelector", "create_selector", "dependencies_of"]

Keys = tuple[Hashable, ...]
_DERIVE: Any = object()


def dependencies_of(selector: Any) -> Keys | None:
    """The top-level state keys ``selector`` reads, or ``None`` when unknown.

    A selector declares them with a ``depends_on`` attribute: a tuple (or list) of keys
    of the root state such that the selected value does not change while each
    ``state[key]`` stays the same object. It is a promise the store trusts without
    checking: a selector that reads other keys as well may miss changes. rtkq sets it on
    endpoint selectors and derives it for :class:`MemoizedSelector`;
    ``operator.itemgetter(key, ...)`` needs no declaration. Duplicates are dropped;
    ``()`` means the selector reads nothing from the state.

    Raises:
        TypeError: ``depends_on`` is a string, not a tuple or list, or holds an
            unhashable key.
    """
    if type(selector) is operator.itemgetter:
        keys = selector.__reduce__()[1]
        try:
            hash(keys)
        except TypeError:  # e.g. itemgetter(slice(0, 2)): not a key we can group by
            return None
        return tuple(dict.fromkeys(keys))
    return _checked_keys(getattr(selector, "depends_on", None), selector)


def _checked_keys(declared: Any, owner: Any) -> Keys | None:
    if declared is None:
        return None
    if not isinstance(declared, (tuple, list)):
        raise TypeError(
            f"Expected {owner!r}.depends_on to be a tuple of top-level state keys or "
            f"None, got {type(declared).__name__!r} ({declared!r}). Write e.g. "
            f"depends_on = ({declared!r},) for a single key."
        )
    try:
        return tuple(dict.fromkeys(declared))
    except TypeError:
        raise TypeError(
            f"{owner!r}.depends_on holds an unhashable key ({declared!r}). Use the "
            "keys of the root state the selector reads, e.g. ('todos',)."
        ) from None


class MemoizedSelector:
    """A selector that recomputes only when one of its inputs changed (by identity).

    ``depends_on`` (see :func:`dependencies_of`) is derived from the input selectors:
    the union of theirs when every input declares it, else ``None`` (unknown). Assign
    it to declare the keys yourself; ``None`` restores the derived value.
    """

    __slots__ = (
        "_combiner",
        "_depends_on",
        "_inputs",
        "_last_args",
        "_last_result",
        "_recomputations",
    )

    def __init__(self, inputs: tuple[Callable[..., Any], ...], combiner: Callable[..., Any]):
        self._inputs = inputs
        self._combiner = combiner
        self._last_args: tuple[Any, ...] | None = None
        self._last_result: Any = None
        self._recomputations = 0
        self._depends_on: Any = _DERIVE

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

    @property
    def depends_on(self) -> Keys | None:
        """The top-level state keys this selector reads, or ``None`` when unknown.

        Raises:
            TypeError: an input selector declares a malformed ``depends_on``.
        """
        if self._depends_on is not _DERIVE:
            return self._depends_on  # type: ignore[no-any-return]
        keys: dict[Hashable, None] = {}
        for selector in self._inputs:
            found = dependencies_of(selector)
            if found is None:
                return None
            keys.update(dict.fromkeys(found))
        return tuple(keys)

    @depends_on.setter
    def depends_on(self, keys: Keys | list[Hashable] | None) -> None:
        checked = _checked_keys(keys, self)
        self._depends_on = _DERIVE if checked is None else checked

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

    When every input selector declares the top-level state keys it reads (an endpoint
    selector, ``operator.itemgetter("todos")``, another memoized selector built from
    such inputs, or any function with a ``depends_on`` attribute), the result declares
    their union, and ``store.watch`` skips it for dispatches that leave those keys'
    values untouched (see ``Store.watch``).

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
