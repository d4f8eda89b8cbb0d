"""Tags: normalizing what users write, and the provided-tags index in the slice state.

The index lives at ``state[reducer_path]["provided"]``::

    {"tags": {type: {id: holders}},           # id None: provided without an id
     "keys": {cache_key: tuple[Tag, ...]}}    # what each entry provides, for replacement

so that an invalidation costs what it matches, never the number of cached entries.
``holders`` (the cache keys providing one tag) is a sorted tuple while it has at most
``SMALL_HOLDERS`` keys (most tags: one entry each; a tuple is ~10x cheaper to build and
keep than a PSet) and a PSet beyond, so adding or removing a key stays O(log n); equal
sets of keys always get equal holders.
"""

from __future__ import annotations

import contextlib
import functools
import warnings
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from pyrsistent import pset

from .._types import EMPTY_TABLE, Table, discard, new_table, update_table
from ._types import Tag

if TYPE_CHECKING:
    from ._create_api import Api
    from ._definitions import EndpointDefinition

__all__ = [
    "EMPTY_PROVIDED",
    "TagSpec",
    "calculate_tags",
    "keys_for_tags",
    "normalize_tag",
    "provided_tags_of",
    "replace_provided",
    "replace_provided_many",
    "tags_for",
    "tags_match",
]

TagSpec = Any  # list of tags, or callable(result, error, arg) -> list of tags

_PLAIN_IDS = frozenset({int, str, type(None)})

EMPTY_PROVIDED: Table = new_table({"tags": EMPTY_TABLE, "keys": EMPTY_TABLE})


def normalize_tag(tag: Any, tag_types: Collection[str], where: str) -> Tag:
    """Turn ``"Post"``, ``{"type": "Post", "id": 1}`` or ``Tag("Post", 1)`` into a :class:`Tag`.

    Raises:
        TypeError: ``tag`` is none of those shapes, or its id is unhashable.
        ValueError: the tag's type is not one of ``tag_types``.
    """
    if isinstance(tag, Tag):
        result = tag
    elif isinstance(tag, str):
        result = Tag(tag)
    elif isinstance(tag, Mapping):
        if "type" not in tag:
            raise TypeError(
                f"Tag {dict(tag)!r} in {where} has no 'type'. Write {{'type': 'Post', "
                "'id': 1}, 'Post' or Tag('Post', 1)."
            )
        result = Tag(tag["type"], tag.get("id"))
    else:
        raise TypeError(
            f"A tag must be a str, a dict with 'type' (and 'id') or a Tag; {where} gave "
            f"{type(tag).__name__!r} ({tag!r})."
        )
    if result.type not in tag_types:
        raise ValueError(
            f"Tag type {result.type!r} (tag {tag!r} in {where}) is not in tag_types "
            f"{sorted(tag_types)!r}. Add it to create_api(tag_types=[...])."
        )
    try:
        hash(result.id)
    except TypeError:
        raise TypeError(
            f"Tag id {result.id!r} in {where} is not hashable; use a str, int or tuple id."
        ) from None
    return result


def calculate_tags(
    spec: TagSpec,
    result: Any,
    error: Any,
    arg: Any,
    tag_types: Collection[str],
    where: str,
) -> tuple[Tag, ...]:
    """Evaluate ``provides_tags``/``invalidates_tags`` for one request.

    A callable that raises is reported with ``warnings.warn`` and provides nothing; the
    request itself is unaffected. ``None`` entries are skipped. A tag of an unknown type
    is reported the same way (the request still settles).
    """
    if spec is None:
        return ()
    if callable(spec):
        try:
            spec = spec(result, error, arg)
        except Exception as exc:
            _warn_raised(where, exc)
            return ()
    return _normalize(spec, tag_types, where)


def _warn_raised(where: str, exc: Exception) -> None:
    warnings.warn(
        f"{where} raised {type(exc).__name__}: {exc}; no tags were used for this request.",
        RuntimeWarning,
        stacklevel=3,  # the caller of calculate_tags (or of a provided_tags_of function)
    )


def _normalize(spec: Any, tag_types: Collection[str], where: str) -> tuple[Tag, ...]:
    """The tags of what a tag option gave: a list of tags, one tag alone, or ``None``."""
    if spec is None:
        return ()
    if type(spec) is not list and isinstance(spec, (str, Tag, Mapping)):
        spec = [spec]  # one tag given alone
    try:
        tags = []
        for tag in spec:
            # The common shape (a Tag of a known type with an int or str id) needs no
            # conversion and no hashability check.
            if type(tag) is Tag and tag[0] in tag_types and type(tag[1]) in _PLAIN_IDS:
                tags.append(tag)
            elif tag is not None:
                tags.append(normalize_tag(tag, tag_types, where))
        return tuple(tags)
    except (TypeError, ValueError) as exc:
        warnings.warn(f"{exc} No tags were used for this request.", RuntimeWarning, stacklevel=3)
        return ()


SMALL_HOLDERS = 8


def _holders(keys: Iterable[str]) -> Any:
    """The canonical holders of a set of keys: a sorted tuple when small, else a PSet."""
    if type(keys) in (list, tuple) and len(keys) == 1:  # type: ignore[arg-type]
        return tuple(keys)  # most tags: one entry (no set, no sort)
    unique = set(keys)
    return tuple(sorted(unique)) if len(unique) <= SMALL_HOLDERS else pset(unique)


def new_holders(keys: Iterable[str]) -> Any:
    """The holders of a tag id not in the index yet (``keys`` may repeat)."""
    return _holders(keys)


def change_holders(holders: Any, gone: Iterable[str], new: Iterable[str]) -> Any:
    """``holders`` without ``gone`` and with ``new`` (``()`` when none is left).

    Small holders are rebuilt (at most ``SMALL_HOLDERS`` keys); a PSet changes through
    its evolver, O(log n) per key, and turns back into a tuple when it gets small.
    """
    if isinstance(holders, tuple):
        drop = set(gone)
        return _holders([*(key for key in holders if key not in drop), *new])
    evolver = holders.evolver()
    for key in gone:
        with contextlib.suppress(KeyError):
            evolver.remove(key)
    for key in new:
        evolver.add(key)
    result = evolver.persistent()
    return result if len(result) > SMALL_HOLDERS else _holders(result)


def replace_provided(provided: Table, key: str, tags: Iterable[Tag]) -> Table:
    """Return ``provided`` with the tags of ``key`` replaced by ``tags``.

    Cost is proportional to the number of old and new tags of that one entry.
    """
    new_tags = tags if type(tags) is tuple and len(tags) < 2 else tuple(dict.fromkeys(tags))
    keys_index: Table = provided["keys"]
    old_tags = keys_index.get(key) or ()
    if old_tags == new_tags or tuple(old_tags) == new_tags:
        return provided
    index: Table = provided["tags"]
    for tag in old_tags:
        by_id = index.get(tag.type)
        if by_id is None:
            continue
        holders = by_id.get(tag.id)
        if holders is None or key not in holders:
            continue
        holders = change_holders(holders, (key,), ())
        by_id = by_id.set(tag.id, holders) if holders else discard(by_id, tag.id)
        index = index.set(tag.type, by_id) if by_id else discard(index, tag.type)
    for tag in new_tags:
        by_id = index.get(tag.type)
        if by_id is None:
            by_id = EMPTY_TABLE
            holders = None
        else:
            holders = by_id.get(tag.id)
        holders = (key,) if holders is None else change_holders(holders, (), (key,))
        index = index.set(tag.type, by_id.set(tag.id, holders))
    keys_index = keys_index.set(key, new_tags) if new_tags else discard(keys_index, key)
    return provided.set("tags", index).set("keys", keys_index)


def _add_holder(by_id: dict[Hashable, Any], tag_id: Hashable, key: str) -> None:
    """Note that ``key`` adds the tag ``tag_id``: a 1-tuple for the first key (what
    ``new_holders`` makes of one key, so it is used as it is), a list from the second."""
    holders = by_id.get(tag_id)
    if holders is None:
        by_id[tag_id] = (key,)
    elif type(holders) is tuple:
        by_id[tag_id] = [*holders, key]
    else:
        holders.append(key)


def replace_provided_many(provided: Table, pairs: Iterable[tuple[str, Iterable[Tag]]]) -> Table:
    """:func:`replace_provided` for many entries at once (bulk upserts, hydrate).

    Builds each changed map once instead of one persistent update per tag; cost is
    proportional to the old and new tags of the given entries.
    """
    final: dict[str, tuple[Tag, ...]] = {}
    for key, tags in pairs:
        # the last write of a key wins; one tag needs no de-duplication
        final[key] = tags if type(tags) is tuple and len(tags) < 2 else tuple(dict.fromkeys(tags))
    original: Table = provided["keys"]
    key_updates: dict[str, Any] = {}
    key_removals: list[str] = []
    removed: dict[str, dict[Hashable, list[str]]] = {}
    # The keys adding each tag (see _add_holder).
    added: dict[str, dict[Hashable, Any]] = {}
    nothing_yet = not len(original)  # nothing provided yet: no lookups
    for key, new_tags in final.items():
        known = None if nothing_yet else original.get(key)
        if known is None:  # a new entry (the common case of a bulk write)
            if new_tags:
                for tag_type, tag_id in new_tags:
                    # get before setdefault: no new dict and list per tag when known
                    by_type = added.get(tag_type)
                    if by_type is None:
                        by_type = added[tag_type] = {}
                    if tag_id in by_type:
                        _add_holder(by_type, tag_id, key)
                    else:  # the first key of this id (what _add_holder does, inline)
                        by_type[tag_id] = (key,)
                key_updates[key] = new_tags
            continue
        old_tags = tuple(known)
        if old_tags == new_tags:
            continue
        old_set, new_set = set(old_tags), set(new_tags)
        for tag in old_tags:
            if tag not in new_set:
                removed.setdefault(tag.type, {}).setdefault(tag.id, []).append(key)
        for tag in new_tags:
            if tag not in old_set:
                _add_holder(added.setdefault(tag.type, {}), tag.id, key)
        if new_tags:
            key_updates[key] = new_tags
        else:
            key_removals.append(key)
    if not key_updates and not key_removals:
        return provided
    index: Table = provided["tags"]
    type_updates: dict[str, Any] = {}
    type_removals: list[str] = []
    for tag_type in {*removed, *added}:
        by_id: Table = index.get(tag_type) or EMPTY_TABLE
        gone = removed.get(tag_type, {})
        new = added.get(tag_type, {})
        id_updates: dict[Hashable, Any]
        id_removals: list[Hashable] = []
        if not gone and not len(by_id):  # a type new to the index (a first load)
            id_updates = {
                tag_id: keys if type(keys) is tuple else new_holders(keys)
                for tag_id, keys in new.items()
            }
        else:
            id_updates = {}
            for tag_id in {*gone, *new} if gone else new:
                holders = by_id.get(tag_id)
                if holders is None:  # a new id: nothing to remove
                    keys = new[tag_id]
                    id_updates[tag_id] = keys if type(keys) is tuple else new_holders(keys)
                    continue
                result = change_holders(holders, gone.get(tag_id, ()), new.get(tag_id, ()))
                if result:
                    id_updates[tag_id] = result
                else:
                    id_removals.append(tag_id)
        new_by_id = update_table(by_id, id_updates, id_removals)
        if new_by_id:
            type_updates[tag_type] = new_by_id
        else:
            type_removals.append(tag_type)
    provided = provided.set("tags", update_table(index, type_updates, type_removals))
    return provided.set("keys", update_table(original, key_updates, key_removals))


def keys_for_tags(provided: Table, tags: Iterable[Tag]) -> dict[str, None]:
    """The cache keys matched by ``tags``, in a stable order (a dict used as a set).

    ``Tag(type)`` matches every entry that provided that type, with or without an id;
    ``Tag(type, id)`` matches the entries that provided exactly that id.
    """
    index: Table = provided["tags"]
    found: dict[str, None] = {}
    for tag in tags:
        by_id = index.get(tag.type)
        if by_id is None:
            continue
        if tag.id is None:
            for holders in by_id.values():
                found.update(dict.fromkeys(holders))
        else:
            holders = by_id.get(tag.id)
            if holders:
                found.update(dict.fromkeys(holders))
    return found


def tags_match(invalidated: Iterable[Tag], provided: Iterable[Tag] | None) -> bool:
    """Whether any of ``invalidated`` would hit an entry providing ``provided``."""
    if not provided:
        return False
    types = set()
    exact = set()
    for tag in provided:
        types.add(tag.type)
        exact.add(tag)
    return any((tag.type in types) if tag.id is None else (tag in exact) for tag in invalidated)


@functools.lru_cache(maxsize=1024)
def _where(is_query: bool, endpoint_name: str) -> str:
    """How errors name the tag option of an endpoint (built once per endpoint)."""
    option = "provides_tags" if is_query else "invalidates_tags"
    return f"{option} of endpoint {endpoint_name!r}"


def tags_for(
    api: Api, definition: EndpointDefinition, result: Any, error: Any, arg: Any, endpoint_name: str
) -> tuple[Tag, ...]:
    """The tags a query provides (or a mutation invalidates) for one result."""
    tags = calculate_tags(
        definition.provides_tags if definition.is_query else definition.invalidates_tags,
        result,
        error,
        arg,
        api.tag_types,
        _where(definition.is_query, endpoint_name),
    )
    if definition.entities:
        tags = (*tags, *(Tag(entity) for entity in definition.entities))
    return tags


def provided_tags_of(
    api: Api, definition: EndpointDefinition, endpoint_name: str
) -> Callable[[Any, Any], tuple[Tag, ...]]:
    """``lambda result, arg: tags_for(api, definition, result, None, arg, endpoint_name)``
    with what ``tags_for`` reads looked up once (bulk writes call it for every entry).

    The usual ``provides_tags`` (a function giving a list of one plain ``Tag``) takes a
    short path; anything else goes through :func:`calculate_tags`'s own steps.
    """
    spec = definition.provides_tags if definition.is_query else definition.invalidates_tags
    tag_types = api.tag_types
    where = _where(definition.is_query, endpoint_name)
    entities = tuple(Tag(entity) for entity in definition.entities)
    if not callable(spec) or entities:

        def general(result: Any, arg: Any) -> tuple[Tag, ...]:
            tags = calculate_tags(spec, result, None, arg, tag_types, where)
            return (*tags, *entities) if entities else tags

        return general

    def from_function(result: Any, arg: Any) -> tuple[Tag, ...]:
        try:
            tags = spec(result, None, arg)
        except Exception as exc:
            _warn_raised(where, exc)
            return ()
        if type(tags) is list and len(tags) == 1:
            tag = tags[0]
            if type(tag) is Tag and tag[0] in tag_types and type(tag[1]) in _PLAIN_IDS:
                return (tag,)
        return _normalize(tags, tag_types, where)

    return from_function
