"""What the layers above ``_query`` plug in, so that ``_query`` never imports them.

Imports point one way (store -> draft -> query -> the layers built on it). The few
``_query`` methods that hand work to a layer above (``Endpoint.observe`` and its
siblings) call a factory that layer registered here when it was imported; ``import
rtkq`` imports every such layer that is not an optional extra.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["observer_factory", "register_observer_factories"]

_OBSERVERS: dict[str, Callable[..., Any]] = {}


def register_observer_factories(**factories: Callable[..., Any]) -> None:
    """Called by ``rtkq._observe`` on import: ``observe``, ``lazy_observe``, ..."""
    _OBSERVERS.update(factories)


def observer_factory(name: str) -> Callable[..., Any]:
    """The registered factory ``name``.

    Raises:
        RuntimeError: nothing registered it (``rtkq._observe`` was never imported,
            which ``import rtkq`` does).
    """
    factory = _OBSERVERS.get(name)
    if factory is None:
        raise RuntimeError(
            f"No observer factory {name!r} is registered: import rtkq (it loads the "
            "observer layer, rtkq._observe) before creating observers."
        )
    return factory
