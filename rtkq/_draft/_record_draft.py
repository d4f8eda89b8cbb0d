"""``RecordDraft``: the copy-on-write proxy of a typed record.

A record (frozen dataclass, pydantic model, msgspec struct; see ``rtkq._records``) is
edited by attribute: ``draft.title = "x"``. Reading a field that holds a container
(list, tuple, dict, set, or a nested record) gives a draft of it, so
``draft.tags.append("a")`` works on a list *or a tuple* field. When the recipe returns,
the changed fields are written back into a copy (``model_copy``,
``dataclasses.replace``, ``msgspec.structs.replace``) and each field keeps its original
type: a tuple field stays a tuple, a dict stays a dict, elements the recipe did not
touch are the original objects.

Patches address fields by name and replace a changed field whole:
``{"op": "replace", "path": [0, "title"], "value": "x"}``. Assigning a name that is not
a field raises ``AttributeError`` and changes nothing.
"""

from __future__ import annotations

from typing import Any

from pyrsistent import PMap, PSet, PVector

from .._freeze import thaw
from .._records import RecordKind, record_kind
from ._base import DRAFT_TYPES, Draft, Scope
from ._finish import Finished, Finisher, Patch
from ._values import check_storable, same_value, settle

__all__ = ["RecordDraft", "restore_field"]

_MISSING: Any = object()
_PLAIN = (list, tuple, dict, set, frozenset)
_FROZEN = (PMap, PVector, PSet)


class RecordDraft(Draft):
    """A mutable view of a record that records field writes instead of making them."""

    __slots__ = ("_kind", "_originals", "_overrides")

    _kind: RecordKind
    _overrides: dict[str, Any]
    _originals: dict[str, dict[int, Any]]

    def __init__(self, base: Any, scope: Scope) -> None:
        kind = record_kind(type(base))
        assert kind is not None
        init = object.__setattr__
        init(self, "_base", base)
        init(self, "_scope", scope)
        init(self, "_kind", kind)
        # field -> written value or child draft; for drafts of plain containers, the
        # original elements by the id of their frozen copy (to give them back as they were)
        init(self, "_overrides", {})
        init(self, "_originals", {})

    def _field(self, name: str) -> None:
        if name not in self._kind.fields:
            raise AttributeError(
                f"{self._kind.describe()} has no field {name!r}; its fields are "
                f"{sorted(self._kind.fields)}. Nothing was changed."
            )

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        self._check()
        self._field(name)
        slot = self._overrides.get(name, _MISSING)
        if slot is not _MISSING:
            return slot
        value = getattr(self._base, name)
        child = self._child(name, value)
        if child is None:
            return value
        self._overrides[name] = child
        return child

    def _child(self, name: str, value: Any) -> Draft | None:
        plain = type(value) in _PLAIN
        frozen = settle(value) if plain else value
        make = DRAFT_TYPES[type(frozen)]
        if make is None:
            return None
        if plain and not isinstance(value, (set, frozenset)):
            items = value.items() if isinstance(value, dict) else enumerate(value)
            self._originals[name] = {
                id(frozen[key]): item for key, item in items if frozen[key] is not item
            }
        return make(frozen, self._scope)

    def __setattr__(self, name: str, value: Any) -> None:
        self._check()
        self._field(name)
        check_storable(value)
        current = self._overrides.get(name, _MISSING)
        if current is _MISSING:
            current = getattr(self._base, name)
        if same_value(current, value):
            return
        self._overrides[name] = value
        self._originals.pop(name, None)
        self._touch()

    def __delattr__(self, name: str) -> None:
        raise AttributeError(
            f"Cannot delete field {name!r} of {self._kind.describe()}: records have fixed "
            "fields. Assign a new value (e.g. None) instead."
        )

    def __repr__(self) -> str:
        if self._scope.done:
            return f"<{type(self).__name__} (finalized)>"
        return f"<{type(self).__name__} of {self._base!r}>"

    def _finish(self, fin: Finisher) -> Finished:
        base = self._base
        if not self._overrides:
            return Finished(base, [], [])
        changes: dict[str, Any] = {}
        forward: list[Patch] = []
        inverse: list[Patch] = []
        for name, slot in self._overrides.items():
            old = getattr(base, name)
            if fin.owns(slot):
                done = fin.finish(slot)
                if done.value is slot._base:
                    continue
                new = restore_field(done.value, old, self._originals.get(name))
            else:
                new = restore_field(fin.value(slot), old)
            if same_value(old, new):
                continue
            changes[name] = new
            forward.append(("replace", (name,), new))
            inverse.append(("replace", (name,), old))
        if not changes:
            return Finished(base, [], [])
        return Finished(self._kind.replace(base, changes), forward, inverse)


def restore_field(new: Any, original: Any, originals: dict[int, Any] | None = None) -> Any:
    """The value to store in a record field: ``new`` in the field's original shape.

    A frozen container becomes the plain type the field held (a tuple stays a tuple);
    ``originals`` maps the id of a frozen element to the element it was made from, so
    untouched elements come back as the very same objects.
    """
    if not isinstance(new, _FROZEN) or isinstance(original, _FROZEN):
        return new
    known = originals or {}
    kind = type(original)

    def back(item: Any) -> Any:
        found = known.get(id(item), _MISSING)
        return thaw(item) if found is _MISSING else found

    if kind in (list, tuple) and isinstance(new, PVector):
        return kind(back(item) for item in new)
    if kind is dict and isinstance(new, PMap):
        return {key: back(item) for key, item in new.items()}
    if kind in (set, frozenset) and isinstance(new, PSet):
        return kind(thaw(item) for item in new)
    return thaw(new)


def make_record_draft(kind: type) -> Any:
    """The draft factory for ``kind`` if it is a record type, else ``None``."""
    return RecordDraft if record_kind(kind) is not None else None


DRAFT_TYPES.classify = make_record_draft
