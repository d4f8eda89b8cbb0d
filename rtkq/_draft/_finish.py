"""Turning a finished recipe's drafts into frozen values and patches.

Patches are built here in an internal form, ``(op, path_tuple, value)``, with paths
relative to the draft that made them; a parent prefixes its key. ``inverse[k]`` undoes
``forward[k]`` in the state right after ``forward[k]`` was applied, so the caller gets a
valid undo list by reversing the whole inverse list once, at the root.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from ._base import Draft, Scope
from ._values import settle

__all__ = ["NO_VALUE", "Finished", "Finisher", "Patch", "prefixed"]

#: The value slot of a ``remove`` patch.
NO_VALUE: Any = object()

Patch = tuple[str, tuple[Any, ...], Any]


class Finished(NamedTuple):
    """The frozen value of a draft and its patches (paths relative to the draft)."""

    value: Any
    forward: list[Patch]
    inverse: list[Patch]


def prefixed(key: Any, patches: list[Patch]) -> list[Patch]:
    """Return ``patches`` with ``key`` put in front of every path."""
    return [(op, (key, *path), value) for op, path, value in patches]


class Finisher:
    """Finishes the drafts of one scope, each at most once."""

    __slots__ = ("_active", "_done", "scope")

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self._done: dict[int, tuple[Draft, Finished]] = {}
        self._active: set[int] = set()

    def finish(self, draft: Draft) -> Finished:
        """The frozen value and relative patches of a draft of this scope.

        Raises:
            ValueError: the draft contains itself.
        """
        key = id(draft)
        hit = self._done.get(key)
        if hit is not None:
            return hit[1]
        if key in self._active:
            raise ValueError(
                "A draft cannot contain itself: the recipe stored a draft inside its own "
                "subtree. Store a copy of the data instead."
            )
        self._active.add(key)
        try:
            result = draft._finish(self)
        finally:
            self._active.discard(key)
        self._done[key] = (draft, result)
        return result

    def owns(self, value: Any) -> bool:
        """Whether ``value`` is a draft of this scope."""
        return isinstance(value, Draft) and value._scope is self.scope

    def value(self, value: Any) -> Any:
        """The frozen form of a stored value; drafts inside are finished."""
        return settle(value, self._draft_value)

    def replay(self, slot: Any) -> Any:
        """What a slot holds while patches are replayed: a draft stands for its base."""
        if self.owns(slot):
            return slot._base
        return self.value(slot)

    def _draft_value(self, draft: Draft) -> Any:
        if draft._scope is self.scope:
            return self.finish(draft).value
        # A draft of another, still running recipe: take a snapshot of it.
        draft._check()
        return Finisher(draft._scope).finish(draft).value
