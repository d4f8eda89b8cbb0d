"""``NOTHING``: what a recipe returns to replace the value by ``None``."""

from __future__ import annotations

from typing import Final, final

__all__ = ["NOTHING", "Nothing"]


@final
class Nothing:
    """The type of :data:`NOTHING` (immer's ``nothing``); it has one instance."""

    __slots__ = ()
    _instance: Nothing | None = None

    def __new__(cls) -> Nothing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NOTHING"

    def __reduce__(self) -> str:
        return "NOTHING"  # pickles as the module attribute: stays the one instance


NOTHING: Final = Nothing()
"""Return it from a recipe to replace the value by ``None``.

A recipe that returns ``None`` keeps what it wrote to its draft, so ``None`` cannot
itself be a replacement: ``produce(state, lambda draft: NOTHING)`` is ``None``.
"""
