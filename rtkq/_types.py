"""Type aliases and protocols shared across rtkq."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias, TypeVar, overload

from pyrsistent import PMap

if TYPE_CHECKING:
    from ._store._action import Action

__all__ = [
    "AnyMap",
    "Dispatch",
    "GetState",
    "Listener",
    "Middleware",
    "MiddlewareAPI",
    "Reducer",
    "Selector",
    "StoreDispatch",
    "lookup",
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


def lookup(table: Any, key: Any) -> Any:
    """``table[key]``, or ``None`` when the key is absent.

    For a ``PMap`` this is about 2.5x cheaper on a miss than ``table.get(key)``, which
    raises and catches a ``KeyError`` inside pyrsistent. Cache tables miss on every new
    entry, so the hot paths use this.
    """
    return table[key] if key in table else None  # noqa: SIM401 (the point of this helper)
