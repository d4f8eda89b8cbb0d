"""``PatchCollection``: what a cache update returns, with ``undo()``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["PatchCollection"]


class PatchCollection:
    """The patches a cache update applied, their inverses, and ``undo()``.

    ``undo()`` is idempotent: only the first call has an effect.
    """

    __slots__ = ("_undo", "inverse_patches", "patches")

    def __init__(
        self,
        patches: list[dict[str, Any]],
        inverse_patches: list[dict[str, Any]],
        undo: Callable[[], Any] | None = None,
    ) -> None:
        self.patches = patches
        self.inverse_patches = inverse_patches
        self._undo = undo

    def undo(self) -> None:
        """Revert this update (apply the inverse patches, or drop the optimistic layer)."""
        undo, self._undo = self._undo, None
        if undo is not None:
            undo()

    def __repr__(self) -> str:
        return f"<PatchCollection patches={self.patches!r}>"
