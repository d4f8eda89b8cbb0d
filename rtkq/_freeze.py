"""Converting between plain Python containers and frozen pyrsistent ones."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from immutables import Map
from pyrsistent import PMap, PSet, PVector, pmap, pset, pvector

from ._records import check_record
from ._small_map import SMALL, small_pmap, small_pmap_of_pairs

__all__ = ["freeze", "is_frozen", "thaw"]

_SCALARS = (str, int, float, bool, bytes, type(None))
_SCALAR_TYPES = frozenset(_SCALARS)


def freeze(obj: Any) -> Any:
    """Return an immutable version of ``obj``.

    Dicts become ``PMap``, lists and tuples become ``PVector``, sets and frozensets
    become ``PSet``, recursively. Values that are already frozen are returned as they
    are when everything inside them is frozen too, so freezing is cheap for data that
    came out of the store. Other objects (numbers, strings, dataclasses, ...) are kept
    as they are: they are the caller's responsibility. Typed records (frozen
    dataclasses, pydantic models, msgspec structs) pass through; a record type that is
    not frozen is warned about once (``RuntimeWarning``).
    """
    if type(obj) is dict:
        # The common payload: a plain dict, often of scalars only (then built straight
        # from it: ``small_pmap`` and ``pmap`` copy what they keep); small ones get the
        # compact layout (``_small_map``).
        for value in obj.values():
            if type(value) not in _SCALAR_TYPES:
                if len(obj) <= SMALL:  # the pairs of the compact layout, no dict between
                    return small_pmap_of_pairs(
                        tuple(
                            [
                                (key, item if type(item) in _SCALAR_TYPES else freeze(item))
                                for key, item in obj.items()
                            ]
                        )
                    )
                return small_pmap(
                    {
                        key: value if type(value) in _SCALAR_TYPES else freeze(value)
                        for key, value in obj.items()
                    }
                )
        return small_pmap(obj)
    if isinstance(obj, _SCALARS):
        return obj
    if isinstance(obj, PMap):
        changed = False
        evolver = obj.evolver()
        for key, value in obj.items():
            frozen = freeze(value)
            if frozen is not value:
                evolver[key] = frozen
                changed = True
        return evolver.persistent() if changed else obj
    if isinstance(obj, PVector):
        changed = False
        vec_evolver = obj.evolver()
        for index, value in enumerate(obj):
            frozen = freeze(value)
            if frozen is not value:
                vec_evolver[index] = frozen
                changed = True
        return vec_evolver.persistent() if changed else obj
    if isinstance(obj, PSet):
        return obj
    if type(obj) is Map:  # a table of the api slice (rtkq._types.Table)
        refrozen = {
            key: frozen for key, value in obj.items() if (frozen := freeze(value)) is not value
        }
        return obj.update(refrozen) if refrozen else obj
    if isinstance(obj, dict):
        return small_pmap({key: freeze(value) for key, value in obj.items()})
    if isinstance(obj, (list, tuple)):
        return pvector([freeze(value) for value in obj])
    if isinstance(obj, (set, frozenset)):
        return pset(freeze(value) for value in obj)
    if isinstance(obj, Mapping):
        return pmap({key: freeze(value) for key, value in obj.items()})
    check_record(obj)
    return obj


def thaw(obj: Any) -> Any:
    """Return a plain, mutable copy of frozen data: the inverse of :func:`freeze`.

    ``PMap`` (and a table of the api slice, an ``immutables.Map``) becomes ``dict``,
    ``PVector`` becomes ``list`` and ``PSet`` becomes ``set``, recursively. Plain
    containers are walked too, so the result never holds a pyrsistent structure.
    """
    if isinstance(obj, _SCALARS):
        return obj
    if isinstance(obj, (PMap, dict, Map)):
        return {key: thaw(value) for key, value in obj.items()}
    if isinstance(obj, (PVector, list, tuple)):
        return [thaw(value) for value in obj]
    if isinstance(obj, (PSet, set, frozenset)):
        return {thaw(value) for value in obj}
    return obj


def is_frozen(obj: Any) -> bool:
    """Whether ``obj`` holds no mutable container (dict, list, set) at any depth."""
    return freeze(obj) is obj
