"""``SetDraft``: the copy-on-write proxy of a ``PSet``.

Members are frozen values and never drafts (changing a member would change its hash).
Set patches name the member as the last path element: ``{"op": "add", "path": [...,
member], "value": member}`` and ``{"op": "remove", "path": [..., member]}``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, MutableSet
from typing import Any

from pyrsistent import PSet, pset

from .._freeze import freeze
from ._base import DRAFT_TYPES, Draft, Scope
from ._finish import NO_VALUE, Finished, Finisher, Patch
from ._values import check_storable

__all__ = ["SetDraft"]


def _member(value: Any) -> Any:
    if isinstance(value, Draft):
        raise TypeError(
            f"Set members must be frozen hashable values, got a draft ({type(value).__name__}). "
            "Store a scalar or a tuple instead."
        )
    check_storable(value)
    frozen = freeze(value)
    try:
        hash(frozen)
    except TypeError:
        raise TypeError(
            f"Set members must be hashable; got a value of type {type(value).__name__!r}. "
            "Use a scalar or a tuple of scalars."
        ) from None
    return frozen


class SetDraft(Draft, MutableSet[Any]):
    """A mutable view of a ``PSet`` that records additions and removals."""

    __slots__ = ("_current", "_touched")

    def __init__(self, base: PSet[Any], scope: Scope) -> None:
        self._base = base
        self._scope = scope
        self._current: PSet[Any] = base
        self._touched: dict[Any, None] = {}  # members written, in order

    def __contains__(self, value: object) -> bool:
        self._check()
        return value in self._current

    def __iter__(self) -> Iterator[Any]:
        self._check()
        return iter(self._current)

    def __len__(self) -> int:
        self._check()
        return len(self._current)

    def add(self, value: Any) -> None:
        """Add ``value`` (frozen) to the set."""
        self._check()
        member = _member(value)
        if member not in self._current:
            self._current = self._current.add(member)
            self._touched[member] = None
            self._touch()

    def discard(self, value: Any) -> None:
        """Remove ``value`` if present."""
        self._check()
        if value in self._current:
            self._current = self._current.remove(value)
            self._touched[value] = None
            self._touch()

    def update(self, *others: Iterable[Any]) -> None:
        """Add every member of every iterable."""
        for other in others:
            for value in list(other):
                self.add(value)

    def difference_update(self, *others: Iterable[Any]) -> None:
        """Remove every member of every iterable."""
        for other in others:
            for value in list(other):
                self.discard(value)

    def __repr__(self) -> str:
        if self._scope.done:
            return f"<{type(self).__name__} (finalized)>"
        return f"<{type(self).__name__} {set(self._current)!r}>"

    def _finish(self, fin: Finisher) -> Finished:
        base = self._base
        forward: list[Patch] = []
        inverse: list[Patch] = []
        for member in self._touched:
            was = member in base
            if was == (member in self._current):
                continue
            if was:
                forward.append(("remove", (member,), NO_VALUE))
                inverse.append(("add", (member,), member))
            else:
                forward.append(("add", (member,), member))
                inverse.append(("remove", (member,), NO_VALUE))
        if not forward:
            return Finished(base, [], [])
        return Finished(self._current, forward, inverse)


DRAFT_TYPES[type(pset())] = SetDraft
