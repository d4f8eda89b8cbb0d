"""Small frozen dicts in a third of the memory: a ``PMap`` with one tuple bucket.

A ``pmap`` of a few keys keeps a ``PVector`` of ``2 * len`` buckets, and every
``PVector`` holds a 32-slot node: a two-key payload costs about 640 bytes, most of the
memory of a small cache entry. Payloads are mostly small dicts, so :func:`small_pmap`
builds the same ``PMap`` type with its bucket vector as a tuple holding one bucket of
``(key, value)`` pairs (about 300 bytes for two keys).

Everything of pyrsistent's reads such a map as it reads any other (``PMap`` only
indexes its bucket vector, takes its length and iterates it), and each write goes
through ``evolver()`` or ``set()``, which :class:`_Buckets` answers with an ordinary
``PVector``: the first change of a small map gives an ordinary one. Lookups scan at
most ``SMALL`` pairs. Equality, hashing, pickling and ``thaw`` are unchanged
(``tests/store/test_small_map.py`` checks them, and every operation, against ``pmap``).
If pyrsistent's layout ever differs from what this relies on, :func:`small_pmap` is
plain ``pmap``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pyrsistent import PMap, pmap, pvector

__all__ = ["SMALL", "small_pmap", "small_pmap_of_pairs"]

SMALL = 8
"""The most keys a map gets the one-bucket layout for."""


class _Buckets(tuple):  # type: ignore[type-arg]
    """The bucket vector of a small map: a tuple with the two ``PVector`` methods
    ``PMap`` calls to change its buckets."""

    __slots__ = ()

    def evolver(self) -> Any:
        return pvector(self).evolver()

    def set(self, index: int, value: Any) -> Any:
        return pvector(self).set(index, value)


def _small_pmap(items: Mapping[Any, Any]) -> Any:
    size = len(items)
    if not size or size > SMALL:
        return pmap(items)
    table = _alloc(PMap)  # what ``new_pmap`` does, inline: every payload comes here
    table._size = size
    table._buckets = _new_buckets(_Buckets, (tuple(items.items()),))
    return table


def _small_pmap_of_pairs(pairs: tuple[tuple[Any, Any], ...]) -> Any:
    # ``_small_pmap`` for 1 to SMALL pairs with distinct keys, built by the caller (no
    # dict in between: from_json and freeze make the pairs as they convert the values).
    table = _alloc(PMap)
    table._size = len(pairs)
    table._buckets = _new_buckets(_Buckets, (pairs,))
    return table


_alloc: Any = object.__new__
_new_buckets: Any = tuple.__new__


def _layout_holds() -> bool:
    """Whether this pyrsistent reads and writes a one-bucket map like any other."""
    try:
        probe = _small_pmap({"a": 1, "b": 2})
        grown = probe.set("c", 3).set("a", 0)
        return (
            probe == pmap({"a": 1, "b": 2})
            and probe["b"] == 2
            and "z" not in probe
            and grown == pmap({"a": 0, "b": 2, "c": 3})
            and probe.discard("a") == pmap({"b": 2})
            and hash(probe) == hash(pmap({"b": 2, "a": 1}))
        )
    except (AttributeError, TypeError, KeyError):  # pragma: no cover - another layout
        return False


_HOLDS = _layout_holds()
small_pmap: Any = _small_pmap if _HOLDS else pmap
"""``pmap(items)`` for a dict whose keys are all distinct (a ``dict``'s are)."""
small_pmap_of_pairs: Any = _small_pmap_of_pairs if _HOLDS else (lambda pairs: pmap(dict(pairs)))
"""``pmap(dict(pairs))`` for a tuple of 1 to ``SMALL`` pairs of distinct keys."""
