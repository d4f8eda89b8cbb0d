"""Type aliases and protocols shared across rtkq."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias

from pyrsistent import PMap

__all__ = [
    "AnyMap",
    "Dispatch",
    "GetState",
    "Listener",
    "Middleware",
    "MiddlewareAPI",
    "Reducer",
    "Selector",
]

Reducer: TypeAlias = Callable[[Any, Any], Any]
"""``(state, action) -> new_state``; returns ``state`` itself when nothing changed."""

Dispatch: TypeAlias = Callable[[Any], Any]
GetState: TypeAlias = Callable[[], Any]
Listener: TypeAlias = Callable[[], None]
Selector: TypeAlias = Callable[[Any], Any]


class MiddlewareAPI(Protocol):
    """What a middleware receives: the store's ``dispatch`` and ``get_state``."""

    def dispatch(self, action: Any) -> Any: ...

    def get_state(self) -> Any: ...


Middleware: TypeAlias = Callable[[Any], Callable[[Dispatch], Dispatch]]
"""Redux middleware: ``lambda api: lambda next_: lambda action: ...``."""


if TYPE_CHECKING:
    AnyMap: TypeAlias = PMap[Any, Any]
else:
    AnyMap = PMap
