"""The pieces every draft shares: the recipe scope and the ``Draft`` base class.

A scope is one run of a recipe. Every draft made during that run points at it, so
finishing the run (``scope.done = True``) retires all of them at once, and any write
anywhere flags ``scope.modified``, which is how ``produce`` knows whether a recipe that
returned a replacement had also touched its draft.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._finish import Finished, Finisher

__all__ = ["DRAFT_TYPES", "Draft", "Scope"]


class Scope:
    """The state shared by all drafts of one recipe run."""

    __slots__ = ("done", "modified")

    def __init__(self) -> None:
        self.done = False
        self.modified = False


class Draft:
    """Base class of the copy-on-write proxies handed to recipes.

    A draft reads through to its frozen ``_base`` until it is written; writes are
    recorded and turned into a new frozen value (and patches) when the recipe returns.
    """

    __slots__ = ("_base", "_scope")
    __hash__ = None  # type: ignore[assignment]  # drafts are mutable

    _base: Any
    _scope: Scope

    def _check(self) -> None:
        """Raise if the recipe this draft belongs to has returned.

        Raises:
            RuntimeError: the draft is finalized.
        """
        if self._scope.done:
            raise RuntimeError(
                f"This {type(self).__name__} cannot be used: the draft is finalized because "
                "the recipe it was made for has returned. Use the value produce() returned "
                "instead, or do the work inside the recipe."
            )

    def _touch(self) -> None:
        """Record that the scope has been written to."""
        self._scope.modified = True

    def _finish(self, fin: Finisher) -> Finished:
        """Build the frozen result and the patches relative to this draft."""
        raise NotImplementedError


DraftFactory = Callable[[Any, Scope], Draft]


class DraftTypes(dict[type, "DraftFactory | None"]):
    """Exact type -> the draft class that proxies its values, or ``None`` (not drafted).

    The container drafts register their pyrsistent types when imported; any other type
    is classified the first time it is met, by ``classify`` (typed records get a
    ``RecordDraft``), and the answer is kept, so a lookup stays one dict access.
    """

    classify: Callable[[type], DraftFactory | None] = staticmethod(lambda kind: None)

    def __missing__(self, kind: type) -> DraftFactory | None:
        found = self.classify(kind)
        self[kind] = found
        return found


#: Maps the exact type of a value to the draft class that proxies it (or ``None``).
DRAFT_TYPES = DraftTypes()
