"""The subscribers of one cache key: ``{request_id: options}`` in a few bytes.

Nearly every cache key has exactly one subscriber, and a ``dict`` of one item costs about
200 bytes (a third of a small entry). :class:`Subscribers` keeps one subscriber in two
slots and moves to a ``dict`` only when a second one comes; it reads as a mapping
(``len``, iteration, ``items()``, ``[request_id]``), so the runtime's
``subscriptions[key]`` is still ``{request_id: options}`` to everything that reads it.
"""

from __future__ import annotations

import types
from collections.abc import Iterator, Mapping
from typing import Any

__all__ = ["NO_OPTIONS", "Subscribers"]

NO_OPTIONS: Mapping[str, Any] = types.MappingProxyType({})
"""The options of a subscription made without any (shared, read-only)."""

_NONE: Any = object()  # "no single subscriber" (request ids are strings)


class Subscribers(Mapping[str, Mapping[str, Any]]):
    """``{request_id: options}`` of one cache key, in insertion order."""

    __slots__ = ("_id", "_many", "_options")

    def __init__(self, sub_id: str, options: Mapping[str, Any]) -> None:
        self._id: Any = sub_id
        self._options = options
        self._many: dict[str, Mapping[str, Any]] | None = None

    def __getitem__(self, sub_id: str) -> Mapping[str, Any]:
        if self._many is not None:
            return self._many[sub_id]
        if sub_id == self._id:
            return self._options
        raise KeyError(sub_id)

    def __contains__(self, sub_id: object) -> bool:
        many = self._many
        return sub_id in many if many is not None else sub_id == self._id

    def __iter__(self) -> Iterator[str]:
        if self._many is not None:
            return iter(list(self._many))
        return iter(() if self._id is _NONE else (self._id,))

    def __len__(self) -> int:
        many = self._many
        return len(many) if many is not None else int(self._id is not _NONE)

    def __repr__(self) -> str:
        return f"Subscribers({dict(self.items())!r})"

    def options(self) -> tuple[Mapping[str, Any], ...]:
        """Every subscriber's options (cheaper than ``values()`` on the hot path)."""
        many = self._many
        if many is not None:
            return tuple(many.values())
        return () if self._id is _NONE else (self._options,)

    def set(self, sub_id: str, options: Mapping[str, Any]) -> None:
        """Add ``sub_id`` or replace its options."""
        many = self._many
        if many is None:
            if self._id is _NONE or sub_id == self._id:
                self._id, self._options = sub_id, options
                return
            many = self._many = {self._id: self._options}
            self._id, self._options = _NONE, NO_OPTIONS
        many[sub_id] = options

    def discard(self, sub_id: str) -> bool:
        """Remove ``sub_id``; whether it was there."""
        many = self._many
        if many is not None:
            return many.pop(sub_id, _NONE) is not _NONE
        if sub_id != self._id:
            return False
        self._id, self._options = _NONE, NO_OPTIONS
        return True
