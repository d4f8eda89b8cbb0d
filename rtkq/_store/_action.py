"""Actions and action creators."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["Action", "ActionCreator", "create_action"]


@dataclass(frozen=True, slots=True)
class Action:
    """A plain description of something that happened.

    Frozen and slotted; hashable when its fields are. ``type`` is a string such as
    ``"counter/increment"``; ``payload``, ``meta`` and ``error`` are free-form.
    """

    type: str
    payload: Any = None
    meta: Any = None
    error: Any = None


class ActionCreator:
    """Callable that builds actions of one type; see :func:`create_action`."""

    __slots__ = ("_prepare", "type")

    def __init__(self, type: str, prepare: Callable[..., Any] | None = None) -> None:
        if not isinstance(type, str) or not type:
            raise TypeError(
                f"Expected the action type to be a non-empty str, got {type!r}. "
                "Pass a name such as 'todos/added'."
            )
        if prepare is not None and not callable(prepare):
            raise TypeError(
                f"Expected prepare to be callable, got {prepare!r}. "
                "Pass a function returning {'payload': ..., 'meta': ...}."
            )
        self.type = type
        self._prepare = prepare

    def __call__(self, *args: Any, **kwargs: Any) -> Action:
        if self._prepare is None:
            if kwargs or len(args) > 1:
                raise TypeError(
                    f"Action creator {self.type!r} takes at most one positional payload; "
                    "give it a prepare function to accept more arguments."
                )
            return Action(self.type, args[0] if args else None)
        prepared = self._prepare(*args, **kwargs)
        if not isinstance(prepared, dict) or "payload" not in prepared:
            raise TypeError(
                f"prepare for {self.type!r} must return a dict with a 'payload' key, "
                f"got {prepared!r}."
            )
        return Action(self.type, prepared["payload"], prepared.get("meta"), prepared.get("error"))

    def match(self, action: Any) -> bool:
        """Whether ``action`` is an :class:`Action` of this creator's type."""
        return isinstance(action, Action) and action.type == self.type

    def __str__(self) -> str:
        return self.type

    def __repr__(self) -> str:
        return f"<ActionCreator {self.type!r}>"


def create_action(type: str, prepare: Callable[..., Any] | None = None) -> ActionCreator:
    """Return an action creator for ``type``.

    Args:
        type: the action type string.
        prepare: optional ``prepare(*args, **kwargs)`` returning a dict with
            ``"payload"`` and optionally ``"meta"`` and ``"error"``.

    Raises:
        TypeError: ``type`` is not a non-empty string or ``prepare`` is not callable.
    """
    return ActionCreator(type, prepare)
