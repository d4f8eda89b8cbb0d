"""Typed records: frozen dataclasses, pydantic models and msgspec structs in the store.

A record is stored as it is and treated as immutable; drafts change it by writing a
copy with new field values (``rtkq._draft._record_draft``). This module only
recognises record types, lists their fields, copies them and turns them into JSON
data. It duck-types each library (``model_copy``/``model_fields``,
``dataclasses.is_dataclass``, ``__struct_fields__``) so that neither pydantic nor
msgspec is ever imported here: a struct or a model exists only once its library has
been imported by the user.

A record type that is not frozen can be changed behind the store's back; the first
time one is stored, rtkq warns once for that type with a ``RuntimeWarning``.
"""

from __future__ import annotations

import dataclasses
import sys
import warnings
from collections.abc import Mapping
from typing import Any

__all__ = [
    "RecordKind",
    "check_record",
    "record_kind",
    "record_to_builtins",
    "replace_record",
]


class RecordKind:
    """How to read, copy and serialise the records of one type."""

    __slots__ = ("fields", "frozen", "library", "type")

    def __init__(self, kind: type, library: str, fields: tuple[str, ...], frozen: bool) -> None:
        self.type = kind
        self.library = library
        self.fields = frozenset(fields)
        self.frozen = frozen

    def replace(self, record: Any, changes: Mapping[str, Any]) -> Any:
        """A copy of ``record`` with ``changes`` applied (fields not validated again)."""
        if self.library == "pydantic":
            return record.model_copy(update=changes)
        if self.library == "msgspec":
            return sys.modules["msgspec"].structs.replace(record, **changes)
        return dataclasses.replace(record, **changes)

    def to_builtins(self, record: Any) -> Any:
        """``record`` as dicts, lists and scalars (field names, or the aliases a model's
        validation expects, so that ``response_schema`` reads it back)."""
        if self.library == "pydantic":
            return record.model_dump(mode="json", by_alias=True)
        if self.library == "msgspec":
            return sys.modules["msgspec"].to_builtins(record)
        return {name: _plain(getattr(record, name)) for name in self.fields}

    def describe(self) -> str:
        return f"{self.type.__qualname__!r} ({self.library} record)"


def _plain(value: Any) -> Any:
    # A dataclass may hold frozen containers; JSON needs dicts and lists.
    from ._freeze import thaw  # _freeze imports this module

    return thaw(value)


_KINDS: dict[type, RecordKind | None] = {}
_WARNED: set[type] = set()


def record_kind(kind: type) -> RecordKind | None:
    """The :class:`RecordKind` of ``kind``, or ``None`` when it is not a record type."""
    try:
        return _KINDS[kind]
    except KeyError:
        pass
    found = _classify(kind)
    _KINDS[kind] = found
    return found


def _classify(kind: type) -> RecordKind | None:
    struct_fields = getattr(kind, "__struct_fields__", None)
    config = getattr(kind, "__struct_config__", None)
    if isinstance(struct_fields, tuple) and config is not None:
        return RecordKind(kind, "msgspec", struct_fields, bool(getattr(config, "frozen", False)))
    model_fields = getattr(kind, "model_fields", None)
    if isinstance(model_fields, Mapping) and hasattr(kind, "model_copy"):
        model_config = getattr(kind, "model_config", {})
        return RecordKind(kind, "pydantic", tuple(model_fields), bool(model_config.get("frozen")))
    if dataclasses.is_dataclass(kind):
        params = getattr(kind, "__dataclass_params__", None)
        names = tuple(field.name for field in dataclasses.fields(kind) if field.init)
        return RecordKind(kind, "dataclass", names, bool(getattr(params, "frozen", False)))
    return None


def check_record(value: Any) -> None:
    """Warn once per record type that is not frozen (called when a value is stored)."""
    kind = type(value)
    if kind in _WARNED:
        return
    found = record_kind(kind)
    if found is None or found.frozen:
        return
    _WARNED.add(kind)
    how = {
        "pydantic": "model_config = ConfigDict(frozen=True)",
        "msgspec": "class ...(msgspec.Struct, frozen=True)",
        "dataclass": "@dataclass(frozen=True)",
    }[found.library]
    warnings.warn(
        f"{found.describe()} is not frozen: a record stored in the cache is shared, and "
        f"changing it in place bypasses the store (no patches, no listeners). Declare it "
        f"frozen ({how}) and change cached records with update_query_data.",
        RuntimeWarning,
        stacklevel=3,
    )


def record_to_builtins(value: Any) -> Any:
    """``value`` as builtins if it is a record; raise ``TypeError`` otherwise.

    Raises:
        TypeError: ``value`` is not a record (the ``default`` hook of ``json.dumps``).
    """
    found = record_kind(type(value))
    if found is None:
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")
    return found.to_builtins(value)


def replace_record(record: Any, changes: Mapping[str, Any]) -> Any:
    """A copy of ``record`` with ``changes`` (``record`` must be a record)."""
    found = record_kind(type(record))
    assert found is not None
    return found.replace(record, changes)
