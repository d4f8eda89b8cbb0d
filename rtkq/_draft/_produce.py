"""``produce`` and ``produce_with_patches``: write to frozen data through a draft."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any

from ._base import DRAFT_TYPES, Draft, Scope
from ._finish import NO_VALUE, Finisher, Patch
from ._nothing import NOTHING
from ._values import same_value, settle

__all__ = ["produce", "produce_with_patches"]

Recipe = Callable[[Any], Any]
PatchDict = dict[str, Any]


def produce(base: Any, recipe: Recipe) -> Any:
    """Return ``base`` changed by ``recipe``, with untouched parts shared.

    ``recipe(draft)`` mutates a draft of ``base`` like a dict, list or set (nested
    containers are drafts too), or returns a replacement value. It returns ``None``
    (or the draft) to keep what it wrote; it returns :data:`~rtkq.NOTHING` to replace
    the value by ``None``. When nothing changed, ``base`` itself is returned. When
    ``base`` is not a container (a number, a string, ``None``), the recipe gets the
    value itself and what it returns (other than ``None``) replaces it.

    A plain ``dict``/``list``/``set`` base is frozen first, so the result is always
    frozen. Values written into the draft are frozen when the recipe returns; see
    ``rtkq._draft._values`` for the values that cannot be stored.

    Raises:
        ValueError: the recipe returned a replacement after writing to its draft.
        TypeError: the recipe is a coroutine function, or wrote a value that cannot be
            frozen or a key that is not hashable.
        RuntimeError: a draft is used after its recipe returned.
    """
    return _run(base, recipe)[0]


def produce_with_patches(base: Any, recipe: Recipe) -> tuple[Any, list[PatchDict], list[PatchDict]]:
    """Like :func:`produce`, and also return the patches and inverse patches.

    Returns ``(new_state, patches, inverse_patches)``. Patches are JSON-Patch-like
    dicts ``{"op": "add" | "remove" | "replace", "path": [key_or_index, ...],
    "value": ...}`` (no ``"value"`` for ``remove``); ``apply_patches(base, patches)``
    gives ``new_state`` and ``apply_patches(new_state, inverse_patches)`` gives
    ``base``. A replacement of the whole value is ``{"op": "replace", "path": []}``.

    Raises:
        ValueError: the recipe returned a replacement after writing to its draft.
        TypeError: the recipe is a coroutine function, or wrote a value that cannot be
            frozen or a key that is not hashable.
        RuntimeError: a draft is used after its recipe returned.
    """
    new, forward, inverse = _run(base, recipe)
    inverse.reverse()
    return new, [_as_dict(p) for p in forward], [_as_dict(p) for p in inverse]


def _as_dict(patch: Patch) -> PatchDict:
    op, path, value = patch
    if value is NO_VALUE:
        return {"op": op, "path": list(path)}
    return {"op": op, "path": list(path), "value": value}


def _check_result(result: Any) -> None:
    if inspect.isawaitable(result):
        if inspect.iscoroutine(result):
            result.close()
        raise TypeError(
            "The recipe returned an awaitable: recipes must be plain functions that "
            "change the draft synchronously. Await the data first, then produce."
        )


def _replaced(base: Any, new: Any) -> tuple[Any, list[Patch], list[Patch]]:
    if same_value(base, new):
        return base, [], []
    return new, [("replace", (), new)], [("replace", (), base)]


def _run(base: Any, recipe: Recipe) -> tuple[Any, list[Patch], list[Patch]]:
    if isinstance(base, Draft):
        raise TypeError(
            f"produce() needs frozen data as its base, got a draft ({type(base).__name__}). "
            "Change the draft directly inside its own recipe instead."
        )
    if isinstance(base, (dict, list, tuple, set, frozenset)) or (
        isinstance(base, Mapping) and DRAFT_TYPES[type(base)] is None
    ):
        base = settle(base)
    make = DRAFT_TYPES[type(base)]
    if make is None:
        result = recipe(base)
        _check_result(result)
        if result is None:
            return base, [], []
        if result is NOTHING:
            return _replaced(base, None)
        return _replaced(base, settle(result))
    scope = Scope()
    root = make(base, scope)
    try:
        result = recipe(root)
        _check_result(result)
        fin = Finisher(scope)
        if result is None or result is root:
            done = fin.finish(root)
            return done.value, done.forward, done.inverse
        if scope.modified:
            raise ValueError(
                "The recipe both changed its draft and returned a different value "
                f"({type(result).__name__}). Either change the draft and return None, or "
                "return a replacement without touching the draft."
            )
        if result is NOTHING:
            return _replaced(base, None)
        return _replaced(base, fin.value(result))
    finally:
        scope.done = True
