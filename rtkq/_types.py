"""Type aliases and protocols shared across rtkq."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias, TypeVar, overload

from immutables import Map
from pyrsistent import PMap

if TYPE_CHECKING:
    from ._store._action import Action

__all__ = [
    "EMPTY_TABLE",
    "AnyMap",
    "Dispatch",
    "GetState",
    "Listener",
    "Middleware",
    "MiddlewareAPI",
    "Reducer",
    "Selector",
    "StoreDispatch",
    "Table",
    "discard",
    "lookup",
    "new_pmap",
    "new_table",
    "remove",
    "update_table",
]

Reducer: TypeAlias = Callable[[Any, Any], Any]
"""``(state, action) -> new_state``; returns ``state`` itself when nothing changed."""

Dispatch: TypeAlias = Callable[[Any], Any]
GetState: TypeAlias = Callable[[], Any]
Listener: TypeAlias = Callable[[], None]
Selector: TypeAlias = Callable[[Any], Any]

T = TypeVar("T")


class StoreDispatch(Protocol):
    """The type of ``store.dispatch``: an action gives the action, a thunk what it returns.

    Only for type checkers: at run time ``dispatch`` is the plain middleware chain, so
    these overloads cost nothing per dispatch.
    """

    @overload
    def __call__(self, action: Action, /) -> Action: ...

    @overload
    def __call__(self, thunk: Callable[[StoreDispatch, GetState, Any], T], /) -> T: ...

    def __call__(self, action: Any, /) -> Any: ...


class MiddlewareAPI(Protocol):
    """What a middleware receives: the store's ``dispatch``, ``get_state`` and
    ``on_close`` (register ``async def hook() -> None`` to run at ``store.aclose()``;
    returns a function that removes it)."""

    def dispatch(self, action: Any) -> Any: ...

    def get_state(self) -> Any: ...

    def on_close(self, hook: Callable[[], Any]) -> Callable[[], None]: ...


Middleware: TypeAlias = Callable[[Any], Callable[[Dispatch], Dispatch]]
"""Redux middleware: ``lambda api: lambda next_: lambda action: ...``."""


if TYPE_CHECKING:
    AnyMap: TypeAlias = PMap[Any, Any]
else:
    AnyMap = PMap


# -- the api slice's tables --------------------------------------------------------
# The api slice keeps its tables (entries by cache key, the provided-tags index, the
# optimistic layers, the slice itself) in ``immutables.Map``: a hash array mapped trie
# in C (the one CPython's contextvars use), where a lookup or a one-key change costs a
# fraction of a microsecond at any size, against one to two for a ``PMap``, whose
# buckets are a Python-level hash table over a vector (issue 18's figures are in
# benchmarks/README.md). Entry data stays pyrsistent (``freeze``). The helpers below
# also take a ``PMap`` or a dict, so a preloaded state built by hand keeps working.

Table: TypeAlias = "Map[Any, Any]"
"""A table of the api slice (``immutables.Map``): read it as any ``Mapping``."""

EMPTY_TABLE: Table = Map()

new_table: Callable[..., Table] = Map
"""``Map(items)``: a table from a dict or an iterable of pairs (a ``PMap`` gives its
``.items()``)."""


def discard(table: Any, key: Any) -> Table:
    """``table`` without ``key`` (the same table when ``key`` is absent)."""
    # a PMap or a dict comes from a preloaded state built by hand
    found: Table = table if type(table) is Map else Map(table.items())
    return found.delete(key) if key in found else found


def remove(table: Any, key: Any) -> Table:
    """``table`` without ``key``; ``KeyError`` when it is absent."""
    if key not in table:
        raise KeyError(key)
    return discard(table, key)


def update_table(base: Any, updates: dict[Any, Any], removals: Iterable[Any] = ()) -> Table:
    """``base`` with many keys set (and some removed) at once: O(k log n) for k keys.

    A batch as large as a quarter of ``base`` builds the table from a dict (in C);
    a smaller one is one ``Map.update`` (in C too: 0.5 us for one key, where a
    ``mutate()`` block costs 0.8).
    """
    table: Table = base if type(base) is Map else Map(base.items())
    gone = [key for key in removals if key in table] if removals else None
    if not gone:
        if not updates:
            return table
        if len(updates) * 4 >= len(table):
            return Map({**table, **updates} if len(table) else updates)
        return table.update(updates)
    with table.mutate() as mutation:
        for key, value in updates.items():
            mutation[key] = value
        for key in gone:
            if key not in updates:
                del mutation[key]
        result: Table = mutation.finish()
    return result


def _lookup_any(table: Any, key: Any) -> Any:
    return table[key] if key in table else None  # noqa: SIM401 (cheaper on a PMap miss)


def _lookup_fast(table: Any, key: Any) -> Any:
    if type(table) is Map:
        return table.get(key)
    if type(table) is not PMap:
        return _lookup_any(table, key)
    # One hash and one bucket scan (PMap's own __contains__ + __getitem__ do two, in
    # several Python calls each). Same result.
    buckets = table._buckets
    bucket = buckets[hash(key) % len(buckets)]
    if bucket:
        for k, v in bucket:
            if k == key:
                return v
    return None


_alloc: Any = object.__new__


def new_pmap(size: int, buckets: Any) -> Any:
    """``PMap(size, buckets)`` (pyrsistent's ``__new__``) at half the cost: a PMap is its
    two slots (``_cached_hash`` stays unset until ``hash`` fills it)."""
    table: Any = _alloc(PMap)
    table._size = size
    table._buckets = buckets
    return table


def _fast_paths_hold() -> bool:
    """Whether this pyrsistent still has the layout ``_lookup_fast`` reads."""
    from pyrsistent import pmap

    try:
        probe = pmap({"a": 1, "b": 2, "c": 3}).set("d", 4)
        return (
            _lookup_fast(probe, "d") == 4
            and _lookup_fast(probe, "a") == 1
            and _lookup_fast(probe, "z") is None
        )
    except (AttributeError, TypeError):  # pragma: no cover - another pyrsistent layout
        return False


_FAST = _fast_paths_hold()
lookup: Callable[[Any, Any], Any] = _lookup_fast if _FAST else _lookup_any
"""``table[key]``, or ``None`` when the key is absent, for a table, a ``PMap`` (the root
state; one bucket scan where PMap's ``get`` raises and catches inside) or a dict."""
