"""``ListDraft``: the copy-on-write proxy of a ``PVector``.

The draft keeps the current contents as a ``PVector`` of *slots* (stored values or
child drafts), so writing one element costs one O(log n) ``PVector.set`` and nothing
is ever copied whole for a single-element write. Structural changes are logged as they
happen, which is what makes list patches index-correct: ``insert(i, v)`` is an ``add``
at ``i`` and ``pop(i)`` a ``remove`` at ``i``, in the order the recipe made them.
Operations that rewrite the whole list (sort, reverse, slice assignment, clear) are
logged as one ``replace`` of the list. Child drafts are patched last, at the index
where they ended up.

pyrsistent cannot insert into or delete from a ``PVector`` without copying it, so
``insert`` (except at the end), ``pop``/``del`` (also at the end) and ``remove`` are
O(n).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Iterator, MutableSequence, Sequence
from typing import Any, SupportsIndex, overload

from pyrsistent import PVector, pvector

from ._base import DRAFT_TYPES, Draft, Scope
from ._finish import NO_VALUE, Finished, Finisher, Patch, prefixed
from ._values import check_storable, needs_finish, same_value

__all__ = ["ListDraft"]

# Log entries: ("replace", i, new, old), ("add", i, new), ("remove", i, old),
# ("reset", new_vector, new_dirty, old_vector, old_dirty).
_Entry = tuple[Any, ...]


class ListDraft(Draft, MutableSequence[Any]):
    """A mutable view of a ``PVector`` that records writes instead of making them."""

    __slots__ = ("_current", "_dirty", "_log")

    def __init__(self, base: PVector[Any], scope: Scope) -> None:
        self._base = base
        self._scope = scope
        self._current: PVector[Any] = base
        # indices whose slot holds a draft or a plain container to freeze at the end
        self._dirty: set[int] = set()
        self._log: list[_Entry] = []

    # -- helpers -------------------------------------------------------------------

    def _index(self, index: SupportsIndex) -> int:
        if isinstance(index, bool) or not hasattr(index, "__index__"):
            raise TypeError(
                f"List draft indices must be integers or slices, not {type(index).__name__!r}."
            )
        size = len(self._current)
        position = operator.index(index)
        if position < 0:
            position += size
        if not 0 <= position < size:
            raise IndexError(f"List draft index {index} is out of range for length {size}.")
        return position

    def _slot_draft(self, position: int) -> Any:
        slot = self._current[position]
        make = DRAFT_TYPES[type(slot)]
        if make is None:
            return slot
        child = make(slot, self._scope)
        self._current = self._current.set(position, child)
        self._dirty.add(position)
        return child

    def _note(self, position: int, value: Any) -> None:
        if needs_finish(value):
            self._dirty.add(position)
        else:
            self._dirty.discard(position)

    def _shift(self, start: int, by: int) -> None:
        if self._dirty:
            self._dirty = {i if i < start else i + by for i in self._dirty}

    def _remove_at(self, position: int) -> Any:
        old = self._current[position]
        self._current = self._current.delete(position)
        self._dirty.discard(position)
        self._shift(position, -1)
        self._log.append(("remove", position, old))
        self._touch()
        return old

    def _reset(self, new: PVector[Any]) -> None:
        dirty = {i for i, slot in enumerate(new) if needs_finish(slot)}
        self._log.append(("reset", new, frozenset(dirty), self._current, frozenset(self._dirty)))
        self._current = new
        self._dirty = dirty
        self._touch()

    def _raw_items(self, values: Iterable[Any]) -> list[Any]:
        items = self._current.tolist() if values is self else list(values)
        for item in items:
            check_storable(item)
        return items

    # -- reading -------------------------------------------------------------------

    @overload
    def __getitem__(self, index: SupportsIndex) -> Any: ...
    @overload
    def __getitem__(self, index: slice) -> list[Any]: ...
    def __getitem__(self, index: SupportsIndex | slice) -> Any:
        self._check()
        if isinstance(index, slice):
            return [self._slot_draft(i) for i in range(*index.indices(len(self._current)))]
        return self._slot_draft(self._index(index))

    def __len__(self) -> int:
        self._check()
        return len(self._current)

    def __iter__(self) -> Iterator[Any]:
        position = 0
        while True:
            self._check()
            if position >= len(self._current):
                return
            yield self._slot_draft(position)
            position += 1

    def __reversed__(self) -> Iterator[Any]:
        self._check()
        for position in range(len(self._current) - 1, -1, -1):
            yield self[position]

    def __contains__(self, value: object) -> bool:
        self._check()
        return any(slot is value or slot == value for slot in self._current)

    def index(self, value: Any, start: int = 0, stop: int | None = None) -> int:
        """Index of the first slot equal to ``value``.

        Raises:
            ValueError: no slot is equal to ``value``.
        """
        self._check()
        size = len(self._current)
        begin, end, _ = slice(start, stop).indices(size)
        for position in range(begin, end):
            slot = self._current[position]
            if slot is value or slot == value:
                return position
        raise ValueError(f"{value!r} is not in the list draft.")

    def count(self, value: Any) -> int:
        """How many slots are equal to ``value``."""
        self._check()
        return sum(1 for slot in self._current if slot is value or slot == value)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, (str, bytes, bytearray)):
            return NotImplemented
        self._check()
        if len(other) != len(self._current):
            return False
        return all(bool(mine == theirs) for mine, theirs in zip(self._current, other, strict=True))

    def __repr__(self) -> str:
        if self._scope.done:
            return f"<{type(self).__name__} (finalized)>"
        return f"<{type(self).__name__} {self._current.tolist()!r}>"

    # -- writing -------------------------------------------------------------------

    @overload
    def __setitem__(self, index: SupportsIndex, value: Any) -> None: ...
    @overload
    def __setitem__(self, index: slice, value: Iterable[Any]) -> None: ...
    def __setitem__(self, index: SupportsIndex | slice, value: Any) -> None:
        self._check()
        if isinstance(index, slice):
            items = self._current.tolist()
            new_items = self._raw_items(value)
            items[index] = new_items
            if len(items) != len(self._current) or any(
                a is not b for a, b in zip(items, self._current, strict=True)
            ):
                self._reset(pvector(items))
            return
        position = self._index(index)
        check_storable(value)
        old = self._current[position]
        if same_value(old, value):
            return
        self._current = self._current.set(position, value)
        self._note(position, value)
        self._log.append(("replace", position, value, old))
        self._touch()

    @overload
    def __delitem__(self, index: SupportsIndex) -> None: ...
    @overload
    def __delitem__(self, index: slice) -> None: ...
    def __delitem__(self, index: SupportsIndex | slice) -> None:
        self._check()
        if isinstance(index, slice):
            items = self._current.tolist()
            del items[index]
            if len(items) != len(self._current):
                self._reset(pvector(items))
            return
        self._remove_at(self._index(index))

    def append(self, value: Any) -> None:
        """Add ``value`` at the end: an ``add`` patch at index ``len``. O(log n)."""
        self._check()
        check_storable(value)
        position = len(self._current)
        self._current = self._current.append(value)
        self._note(position, value)
        self._log.append(("add", position, value))
        self._touch()

    def extend(self, values: Iterable[Any]) -> None:
        """Append every item of ``values`` (one ``add`` patch each)."""
        self._check()
        for item in self._raw_items(values):
            self.append(item)

    def __iadd__(self, values: Iterable[Any]) -> ListDraft:
        self.extend(values)
        return self

    def insert(self, index: SupportsIndex, value: Any) -> None:
        """Insert ``value`` before ``index`` (clamped like ``list.insert``). O(n)."""
        self._check()
        check_storable(value)
        size = len(self._current)
        position = operator.index(index)
        position = max(0, position + size) if position < 0 else min(position, size)
        if position == size:
            self.append(value)
            return
        items = self._current.tolist()
        items.insert(position, value)
        self._current = pvector(items)
        self._shift(position, 1)
        self._note(position, value)
        self._log.append(("add", position, value))
        self._touch()

    def pop(self, index: SupportsIndex = -1) -> Any:
        """Remove and return the item at ``index``: a ``remove`` patch there.

        Raises:
            IndexError: the list is empty or ``index`` is out of range.
        """
        self._check()
        if not self._current:
            raise IndexError("pop from an empty list draft.")
        return self._remove_at(self._index(index))

    def remove(self, value: Any) -> None:
        """Remove the first item equal to ``value``.

        Raises:
            ValueError: no item is equal to ``value``.
        """
        self._remove_at(self.index(value))

    def clear(self) -> None:
        """Remove every item (one ``replace`` of the whole list)."""
        self._check()
        if self._current:
            self._reset(pvector())

    def reverse(self) -> None:
        """Reverse in place (one ``replace`` of the whole list)."""
        self._check()
        if len(self._current) > 1:
            self._reset(pvector(self._current.tolist()[::-1]))

    def sort(self, *, key: Callable[[Any], Any] | None = None, reverse: bool = False) -> None:
        """Sort in place, stably (one ``replace`` of the whole list).

        ``key`` receives the stored items: frozen values, or drafts for items the recipe
        has already read.
        """
        self._check()
        items = self._current.tolist()
        ordered = sorted(items, key=key, reverse=reverse)
        if any(a is not b for a, b in zip(items, ordered, strict=True)):
            self._reset(pvector(ordered))

    # -- finishing -----------------------------------------------------------------

    def _finish(self, fin: Finisher) -> Finished:
        base = self._base
        if not self._log and not self._dirty:
            return Finished(base, [], [])
        current = self._current
        nested_forward: list[Patch] = []
        nested_inverse: list[Patch] = []
        if self._dirty:
            evolver = current.evolver()
            for position in sorted(self._dirty):
                slot = current[position]
                if fin.owns(slot):
                    done = fin.finish(slot)
                    evolver[position] = done.value
                    if done.value is not slot._base:
                        nested_forward.extend(prefixed(position, done.forward))
                        nested_inverse.extend(prefixed(position, done.inverse))
                else:
                    evolver[position] = fin.value(slot)
            new = evolver.persistent()
        else:
            new = current
        if not self._log and not nested_forward:
            return Finished(base, [], [])
        forward, inverse = self._structural_patches(fin)
        forward.extend(nested_forward)
        inverse.extend(nested_inverse)
        return Finished(new, forward, inverse)

    def _structural_patches(self, fin: Finisher) -> tuple[list[Patch], list[Patch]]:
        forward: list[Patch] = []
        inverse: list[Patch] = []
        replay = fin.replay
        for entry in self._log:
            kind = entry[0]
            if kind == "replace":
                forward.append(("replace", (entry[1],), replay(entry[2])))
                inverse.append(("replace", (entry[1],), replay(entry[3])))
            elif kind == "add":
                forward.append(("add", (entry[1],), replay(entry[2])))
                inverse.append(("remove", (entry[1],), NO_VALUE))
            elif kind == "remove":
                forward.append(("remove", (entry[1],), NO_VALUE))
                inverse.append(("add", (entry[1],), replay(entry[2])))
            else:
                forward.append(("replace", (), _replay_vector(fin, entry[1], entry[2])))
                inverse.append(("replace", (), _replay_vector(fin, entry[3], entry[4])))
        return forward, inverse


def _replay_vector(fin: Finisher, vector: PVector[Any], dirty: frozenset[int]) -> Any:
    if not dirty:
        return vector
    evolver = vector.evolver()
    for position in dirty:
        evolver[position] = fin.replay(vector[position])
    return evolver.persistent()


DRAFT_TYPES[type(pvector())] = ListDraft
