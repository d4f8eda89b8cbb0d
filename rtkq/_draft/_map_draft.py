"""``MapDraft``: the copy-on-write proxy of a ``PMap``."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, MutableMapping
from typing import Any

from pyrsistent import PMap, pmap

from ._base import DRAFT_TYPES, Draft, Scope
from ._finish import NO_VALUE, Finished, Finisher, Patch, prefixed
from ._values import check_storable, same_value

__all__ = ["MapDraft"]

_MISSING: Any = object()
_DELETED: Any = object()


def _check_key(key: Any) -> None:
    try:
        hash(key)
    except TypeError:
        raise TypeError(
            f"Draft keys must be hashable; got a key of type {type(key).__name__!r}. "
            "Use a str, int or tuple key."
        ) from None


class MapDraft(Draft, MutableMapping[Any, Any]):
    """A mutable view of a ``PMap`` that records writes instead of making them.

    Reading a key that holds a frozen container returns a draft of it (made once, on
    first read). Writes go to an override table; the base map is never changed.
    """

    __slots__ = ("_overrides", "_size")

    def __init__(self, base: PMap[Any, Any], scope: Scope) -> None:
        self._base = base
        self._scope = scope
        # key -> stored value, a child draft, or _DELETED (only for keys of the base)
        self._overrides: dict[Any, Any] = {}
        self._size = len(base)

    # -- reading -------------------------------------------------------------------

    def _raw(self, key: Any) -> Any:
        slot = self._overrides.get(key, _MISSING) if self._overrides else _MISSING
        if slot is _MISSING:
            slot = self._base.get(key, _MISSING)
        return _MISSING if slot is _DELETED else slot

    def __getitem__(self, key: Any) -> Any:
        self._check()
        slot = self._raw(key)
        if slot is _MISSING:
            raise KeyError(key)
        make = DRAFT_TYPES[type(slot)]
        if make is None:
            return slot
        child = make(slot, self._scope)
        self._overrides[key] = child
        return child

    def __contains__(self, key: object) -> bool:
        self._check()
        return self._raw(key) is not _MISSING

    def __len__(self) -> int:
        self._check()
        return self._size

    def __iter__(self) -> Iterator[Any]:
        self._check()
        overrides = self._overrides
        base = self._base
        for key in base:
            if overrides.get(key, _MISSING) is not _DELETED:
                yield key
        for key in list(overrides):
            if key not in base and overrides.get(key, _DELETED) is not _DELETED:
                yield key

    def get(self, key: Any, default: Any = None) -> Any:
        """``draft[key]`` (a draft for containers), or ``default`` when absent."""
        self._check()
        if self._raw(key) is _MISSING:
            return default
        return self[key]

    # -- writing -------------------------------------------------------------------

    def __setitem__(self, key: Any, value: Any) -> None:
        self._check()
        _check_key(key)
        check_storable(value)
        current = self._raw(key)
        if current is not _MISSING and same_value(current, value):
            return
        if current is _MISSING:
            self._size += 1
        self._overrides[key] = value
        self._touch()

    def __delitem__(self, key: Any) -> None:
        self._check()
        if self._raw(key) is _MISSING:
            raise KeyError(key)
        if key in self._base:
            self._overrides[key] = _DELETED
        else:
            del self._overrides[key]
        self._size -= 1
        self._touch()

    def clear(self) -> None:
        """Remove every key."""
        for key in list(self):
            del self[key]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Mapping):
            return NotImplemented
        self._check()
        if len(other) != self._size:
            return False
        return all(key in other and bool(self._raw(key) == other[key]) for key in self)

    def __repr__(self) -> str:
        if self._scope.done:
            return f"<{type(self).__name__} (finalized)>"
        items = ", ".join(f"{key!r}: {self._raw(key)!r}" for key in self)
        return f"<{type(self).__name__} {{{items}}}>"

    # -- finishing -----------------------------------------------------------------

    def _finish(self, fin: Finisher) -> Finished:
        base = self._base
        if not self._overrides:
            return Finished(base, [], [])
        changes: list[tuple[Any, Any]] = []
        forward: list[Patch] = []
        inverse: list[Patch] = []
        for key, slot in self._overrides.items():
            old = base.get(key, _MISSING)
            if slot is _DELETED:
                changes.append((key, _DELETED))
                forward.append(("remove", (key,), NO_VALUE))
                inverse.append(("add", (key,), old))
                continue
            if fin.owns(slot):
                done = fin.finish(slot)
                new = done.value
                if new is old:
                    continue
                if old is slot._base:
                    changes.append((key, new))
                    forward.extend(prefixed(key, done.forward))
                    inverse.extend(prefixed(key, done.inverse))
                    continue
            else:
                new = fin.value(slot)
            if old is not _MISSING and same_value(old, new):
                continue
            changes.append((key, new))
            if old is _MISSING:
                forward.append(("add", (key,), new))
                inverse.append(("remove", (key,), NO_VALUE))
            else:
                forward.append(("replace", (key,), new))
                inverse.append(("replace", (key,), old))
        if not changes:
            return Finished(base, [], [])
        return Finished(_apply_changes(base, changes), forward, inverse)


def _apply_changes(base: PMap[Any, Any], changes: list[tuple[Any, Any]]) -> PMap[Any, Any]:
    if len(changes) == 1:  # the common optimistic update: one field
        key, value = changes[0]
        return base.remove(key) if value is _DELETED else base.set(key, value)
    evolver = base.evolver()
    for key, value in changes:
        if value is _DELETED:
            evolver.remove(key)
        else:
            evolver[key] = value
    return evolver.persistent()


DRAFT_TYPES[type(pmap())] = MapDraft
