"""``apply_patches``: replay JSON-Patch-like patches on frozen data."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pyrsistent import PMap, PSet, PVector, pvector

from .._records import record_kind, replace_record
from ._record_draft import restore_field
from ._values import same_value, settle

__all__ = ["apply_patches"]

_OPS = frozenset({"add", "remove", "replace"})


class _PatchError(Exception):
    """A reason a patch cannot be applied; turned into a ``ValueError`` with context."""


def apply_patches(base: Any, patches: Iterable[Mapping[str, Any]]) -> Any:
    """Apply ``patches`` to ``base`` in order and return the new frozen data.

    Patches are dicts ``{"op": "add" | "remove" | "replace", "path": [...],
    "value": ...}`` as made by :func:`produce_with_patches` (RFC 6902 semantics with
    the path as a list): ``replace`` and ``remove`` need an existing target, ``add`` on
    a list inserts (index ``len`` or ``"-"`` appends) and on a map sets the key, and an
    empty path is the whole value. A typed record's fields are addressed by name and
    can only be replaced (records have fixed fields); the record is copied with the new
    value in the field's original type. Parts of ``base`` the patches do not reach keep their
    identity; ``base`` itself is never changed, so a failing patch leaves nothing
    half-applied.

    Raises:
        ValueError: a patch is malformed, has an unknown op, or its path does not exist;
            the message names the patch index and path.
        TypeError: a patch value cannot be frozen, or a path key is not hashable.
    """
    if isinstance(patches, (str, bytes, Mapping)):
        raise TypeError(
            f"Expected a list of patches, got {type(patches).__name__!r}. Pass the list "
            "that produce_with_patches returned."
        )
    state = settle(base)
    for index, patch in enumerate(patches):
        op, path, value = _parse(index, patch)
        try:
            state = _apply_one(state, op, path, value)
        except _PatchError as exc:
            raise ValueError(
                f"Cannot apply patch {index} ({op!r} at path {list(path)!r}): {exc}. Nothing "
                "was applied; check that the patches were made for this data."
            ) from None
        except TypeError as exc:
            raise TypeError(f"Cannot apply patch {index} at path {list(path)!r}: {exc}") from None
    return state


def _parse(index: int, patch: Any) -> tuple[str, tuple[Any, ...], Any]:
    if not isinstance(patch, Mapping):
        raise ValueError(
            f"Patch {index} is a {type(patch).__name__!r}, not a dict with 'op' and 'path'."
        )
    path = patch.get("path")
    if not isinstance(path, (list, tuple, PVector)):
        raise ValueError(f"Patch {index} has path {path!r}; expected a list of keys and indices.")
    path = tuple(path)
    op = patch.get("op")
    if op not in _OPS:
        raise ValueError(
            f"Patch {index} at path {list(path)!r} has unknown op {op!r}; expected "
            "'add', 'remove' or 'replace'."
        )
    if op == "remove":
        return op, path, None
    if "value" not in patch:
        raise ValueError(f"Patch {index} ({op!r} at path {list(path)!r}) has no 'value'.")
    try:
        value = settle(patch["value"])
    except TypeError as exc:
        raise TypeError(f"Patch {index} at path {list(path)!r}: {exc}") from None
    return op, path, value


def _apply_one(state: Any, op: str, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        if op == "remove":
            raise _PatchError("the whole value cannot be removed, only replaced")
        return value
    nodes = [state]
    for depth, key in enumerate(path[:-1]):
        nodes.append(_child(nodes[-1], key, path[:depth]))
    new = _leaf(nodes[-1], op, path[-1], value, path[:-1])
    for depth in range(len(path) - 2, -1, -1):
        if nodes[depth + 1] is new:
            return state
        parent = nodes[depth]
        key = path[depth]
        kind = record_kind(type(parent))
        if kind is None:
            new = parent.set(key, new)
        else:
            new = kind.replace(parent, {key: restore_field(new, getattr(parent, key))})
    return new


def _where(prefix: tuple[Any, ...]) -> str:
    return f"the value at {list(prefix)!r}"


def _list_index(node: PVector[Any], key: Any, prefix: tuple[Any, ...], *, end: bool) -> int:
    if end and key == "-":
        return len(node)
    if not isinstance(key, int) or isinstance(key, bool):
        raise _PatchError(f"{_where(prefix)} is a list and {key!r} is not an integer index")
    limit = len(node) + (1 if end else 0)
    if not 0 <= key < limit:
        raise _PatchError(f"index {key} is out of range for {_where(prefix)} (length {len(node)})")
    return key


def _child(node: Any, key: Any, prefix: tuple[Any, ...]) -> Any:
    if isinstance(node, PMap):
        if key not in node:
            raise _PatchError(f"key {key!r} does not exist in {_where(prefix)}")
        return node[key]
    if isinstance(node, PVector):
        return node[_list_index(node, key, prefix, end=False)]
    if _record_field(node, key, prefix):
        # A plain container in a field is walked in its frozen form, and given back
        # its original type when the record is copied.
        return settle(getattr(node, key))
    raise _PatchError(f"{_where(prefix)} is a {type(node).__name__!r}, not a map or a list")


def _record_field(node: Any, key: Any, prefix: tuple[Any, ...]) -> bool:
    """Whether ``node`` is a record with the field ``key`` (``False``: not a record)."""
    kind = record_kind(type(node))
    if kind is None:
        return False
    if key not in kind.fields:
        raise _PatchError(
            f"{_where(prefix)} is a {kind.describe()} without the field {key!r} (its "
            f"fields are {sorted(kind.fields)})"
        )
    return True


def _leaf(node: Any, op: str, key: Any, value: Any, prefix: tuple[Any, ...]) -> Any:
    if isinstance(node, PMap):
        if op != "add" and key not in node:
            raise _PatchError(f"key {key!r} does not exist in {_where(prefix)}")
        if op == "remove":
            return node.remove(key)
        if key in node and same_value(node[key], value):
            return node
        return node.set(key, value)
    if isinstance(node, PVector):
        position = _list_index(node, key, prefix, end=op == "add")
        if op == "replace":
            return node if same_value(node[position], value) else node.set(position, value)
        if op == "remove":
            return node.delete(position)
        if position == len(node):
            return node.append(value)
        items = node.tolist()
        items.insert(position, value)
        return pvector(items)
    if isinstance(node, PSet):
        if op == "replace":
            raise _PatchError(
                f"{_where(prefix)} is a set; set members can only be added or removed"
            )
        if op == "remove":
            if key not in node:
                raise _PatchError(f"{key!r} is not a member of the set at {list(prefix)!r}")
            return node.remove(key)
        return node.add(value)
    if _record_field(node, key, prefix):
        if op != "replace":
            raise _PatchError(
                f"{_where(prefix)} is a record; its field {key!r} can only be replaced"
            )
        old = getattr(node, key)
        new = restore_field(value, old)
        if same_value(old, new):
            return node
        return replace_record(node, {key: new})
    raise _PatchError(f"{_where(prefix)} is a {type(node).__name__!r}, not a map, list or set")
