"""Which values can live in frozen data, and how values are compared for "no change".

rtkq stores only immutable data. ``freeze`` (``rtkq._freeze``) turns dicts, lists,
tuples and sets into pyrsistent containers and keeps every other object as it is. A few
objects would slip through that way while still being mutable containers, so drafts
and ``apply_patches`` refuse them with a ``TypeError``: these are the *non-freezable*
values:

- ``bytearray``, ``memoryview``, ``array.array`` and ``collections.deque``;
- any other ``MutableSequence`` or ``MutableSet`` that is not a ``list`` or ``set``
  (``UserList``, custom mutable containers).

Other mappings (``UserDict``, ...) are frozen to ``PMap`` like dicts. Arbitrary objects
(dataclasses, datetimes, ...) are kept as they are: they are the caller's
responsibility. pyrsistent containers are trusted to be frozen all the way down and are
never walked, which keeps writing a large frozen value into a draft O(1).
"""

from __future__ import annotations

import array
from collections import deque
from collections.abc import Mapping, MutableSequence, MutableSet
from typing import Any

from pyrsistent import PMap, PSet, PVector, pmap, pset, pvector

from .._records import check_record
from ._base import Draft

__all__ = [
    "SETTLED_TYPES",
    "check_storable",
    "is_frozen_container",
    "needs_finish",
    "same_value",
    "settle",
]

_PMAP_TYPE: type = type(pmap())
_PVECTOR_TYPE: type = type(pvector())
_PSET_TYPE: type = type(pset())

_EQ_SCALARS: frozenset[type] = frozenset({str, int, bool, bytes, type(None)})

#: Exact types that are immutable as they stand: returned as they are, never walked.
SETTLED_TYPES: frozenset[type] = frozenset(
    {str, int, float, bool, bytes, complex, type(None), _PMAP_TYPE, _PVECTOR_TYPE, _PSET_TYPE}
)


def is_frozen_container(value: Any) -> bool:
    """Whether ``value`` is a pyrsistent map, vector or set (subclasses included)."""
    return isinstance(value, (PMap, PVector, PSet))


def _is_non_freezable(value: Any) -> bool:
    if isinstance(value, (bytearray, memoryview, array.array, deque)):
        return True
    return isinstance(value, (MutableSequence, MutableSet)) and not isinstance(
        value, (list, set, Draft)
    )


def _non_freezable_error(value: Any) -> TypeError:
    name = type(value).__name__
    return TypeError(
        f"Cannot store a value of type {name!r} in frozen data: it is a mutable container "
        "that rtkq cannot freeze. Convert it first (for example bytes(value), "
        "list(value) or tuple(value))."
    )


def check_storable(value: Any) -> None:
    """Refuse a value that could never be frozen, at the moment it is written.

    Only the value itself is looked at; what is inside a plain container is checked
    when the draft is finished.

    Raises:
        TypeError: ``value`` is non-freezable (see the module docstring).
    """
    if type(value) not in SETTLED_TYPES and _is_non_freezable(value):
        raise _non_freezable_error(value)


def needs_finish(value: Any) -> bool:
    """Whether a stored value must be walked when the draft is finished."""
    if type(value) in SETTLED_TYPES or is_frozen_container(value):
        return False
    return isinstance(value, (Draft, dict, list, tuple, set, frozenset, Mapping))


def same_value(old: Any, new: Any) -> bool:
    """Whether writing ``new`` over ``old`` changes nothing.

    Identity, or equal scalars of the same type (``str``, ``int``, ``bool``, ``bytes``,
    ``None``): ``d["n"] = 1000`` over an equal 1000 is no change. Containers compare by
    identity only, so equal-but-different containers are stored as given.
    """
    if old is new:
        return True
    kind = type(old)
    return kind is type(new) and kind in _EQ_SCALARS and bool(old == new)


def settle(value: Any, on_draft: Any = None) -> Any:
    """Return ``value`` frozen the way ``freeze`` does, without walking frozen data.

    ``on_draft(draft)`` supplies the value of any draft met inside plain containers;
    without it a draft is an error.

    Raises:
        TypeError: a non-freezable value, or a draft where none is expected.
    """
    kind = type(value)
    if kind in SETTLED_TYPES or is_frozen_container(value):
        return value
    if isinstance(value, Draft):
        if on_draft is None:
            raise TypeError(
                f"Expected frozen or plain data, got a draft ({kind.__name__}). Drafts only "
                "live inside their recipe: return it from the recipe or pass frozen data."
            )
        return on_draft(value)
    if isinstance(value, Mapping):
        return pmap({key: settle(item, on_draft) for key, item in value.items()})
    if isinstance(value, (list, tuple)):
        return pvector([settle(item, on_draft) for item in value])
    if isinstance(value, (set, frozenset)):
        return pset(settle(item, on_draft) for item in value)
    if _is_non_freezable(value):
        raise _non_freezable_error(value)
    check_record(value)
    return value
