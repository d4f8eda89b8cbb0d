"""Every cache key's subscribers, ``{cache_key: {request_id: options}}``, in few bytes.

Nearly every cache key has exactly one subscriber, without options: it is stored as its
request id alone (the string the handle already holds), so a subscription costs one dict
slot and no object of its own. A key with options or several subscribers holds a
``{request_id: options}`` dict. Reading (``subscriptions[key]``, ``items()``, ``==``)
gives read-only ``{request_id: options}`` mappings, so the DevTools and tests see one
shape; the runtime's hot paths call the methods, which never build one.
"""

from __future__ import annotations

import types
from collections.abc import Iterator, KeysView, Mapping
from typing import Any, TypeAlias

__all__ = ["NO_OPTIONS", "Subscriptions"]

NO_OPTIONS: Mapping[str, Any] = types.MappingProxyType({})
"""The options of a subscription made without any (shared, read-only)."""

Options: TypeAlias = Mapping[str, Any]
_Held: TypeAlias = "str | dict[str, Options]"


def _as_dict(held: _Held) -> dict[str, Options]:
    return {held: NO_OPTIONS} if type(held) is str else held  # type: ignore[return-value]


class Subscriptions(Mapping[str, Mapping[str, Options]]):
    """``{cache_key: {request_id: options}}``, each key's subscribers in insertion order."""

    __slots__ = ("_held",)

    def __init__(self) -> None:
        self._held: dict[str, _Held] = {}

    # -- reading, as a mapping -----------------------------------------------------
    def __getitem__(self, key: str) -> Mapping[str, Options]:
        return types.MappingProxyType(_as_dict(self._held[key]))

    def __iter__(self) -> Iterator[str]:
        return iter(self._held)

    def __len__(self) -> int:
        return len(self._held)

    def __contains__(self, key: object) -> bool:
        return key in self._held

    def keys(self) -> KeysView[str]:
        """The subscribed cache keys (the table's own view: ``in`` costs no Python call)."""
        return self._held.keys()

    def __repr__(self) -> str:
        return f"Subscriptions({ {key: _as_dict(held) for key, held in self._held.items()}!r})"

    def options(self, key: str) -> tuple[Options, ...]:
        """The options of every subscriber of ``key`` (``()`` when it has none)."""
        held = self._held.get(key)
        if held is None:
            return ()
        return (NO_OPTIONS,) if type(held) is str else tuple(held.values())  # type: ignore[union-attr]

    def plain(self, key: str) -> bool:
        """Whether ``key`` has exactly one subscriber, without options."""
        return type(self._held.get(key)) is str

    def has(self, key: str, sub_id: str) -> bool:
        """Whether ``sub_id`` subscribes to ``key``."""
        held = self._held.get(key)
        return held is not None and (held == sub_id if type(held) is str else sub_id in held)

    # -- changing ------------------------------------------------------------------
    def add(self, key: str, sub_id: str, options: Options) -> bool:
        """Subscribe ``sub_id`` to ``key`` (or replace its options); whether ``key``
        already had subscribers."""
        held = self._held.get(key)
        if held is None:
            self._held[key] = sub_id if options is NO_OPTIONS else {sub_id: options}
            return False
        if type(held) is str:
            if held == sub_id and options is NO_OPTIONS:
                return True
            held = self._held[key] = {held: NO_OPTIONS}
        held[sub_id] = options  # type: ignore[index]
        return True

    def discard(self, key: str, sub_id: str) -> bool:
        """Unsubscribe ``sub_id`` from ``key``; whether it was subscribed. A key left
        without subscribers is removed."""
        held = self._held.get(key)
        if held is None:
            return False
        if type(held) is str:
            if held != sub_id:
                return False
            del self._held[key]
            return True
        if held.pop(sub_id, None) is None:  # type: ignore[union-attr]
            return False
        if not held:
            del self._held[key]
        return True

    def clear(self) -> None:
        self._held.clear()
