"""Helpers shared by the draft tests."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from typing import Any

from rtkq import apply_patches, produce_with_patches
from rtkq._freeze import is_frozen


def plain(value: Any) -> Any:
    """Plain dicts/lists/sets from frozen data, drafts or plain data."""
    if isinstance(value, Mapping):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, AbstractSet):
        return {plain(item) for item in value}
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        return [plain(item) for item in value]
    return value


def canon(value: Any) -> str:
    """A type-sensitive canonical text of data (``True`` is not ``1``, order-free maps)."""
    if isinstance(value, Mapping):
        items = sorted(f"{canon(key)}: {canon(item)}" for key, item in value.items())
        return "{" + ", ".join(items) + "}"
    if isinstance(value, AbstractSet):
        return "set(" + ", ".join(sorted(canon(item) for item in value)) + ")"
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        return "[" + ", ".join(canon(item) for item in value) + "]"
    return f"{type(value).__name__}:{value!r}"


def round_trip(base: Any, recipe: Callable[[Any], Any]) -> tuple[Any, list[Any], list[Any]]:
    """Run ``produce_with_patches`` and check that its patches replay and undo."""
    new, patches, inverse = produce_with_patches(base, recipe)
    assert canon(apply_patches(base, patches)) == canon(new)
    assert canon(apply_patches(new, inverse)) == canon(base)
    assert is_frozen(new)
    return new, patches, inverse
