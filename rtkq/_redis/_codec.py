"""What rtkq writes to Redis and reads back: shared entries and bus messages, JSON only.

A shared entry is a hash ``{"f": fulfilled_at, "v": JSON}`` whose JSON is
``{"v": 1, "endpoint_name", "original_args", "data", "fulfilled_at",
"provided_tags": [[type, id], ...]}``. A bus message is JSON
``{"v": 1, "o": origin id, "k": kind, ...}``: ``"inv"`` carries ``"tags"``, ``"done"``
carries ``"key"`` and ``"ok"`` (``True``: look again, ``False``: ``"error"`` is the
result, ``None``: nothing to take, fetch yourself). Anything else is malformed: a
``ValueError`` that the caller reports and ignores.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from typing import Any

from .._freeze import freeze
from .._json import to_json
from .._query._types import Tag

__all__ = [
    "FORMAT",
    "decode_entry",
    "decode_message",
    "decode_tags",
    "encode_entry",
    "encode_message",
    "tag_id_text",
]

FORMAT = 1


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def tag_id_text(tag_id: Any) -> str:
    """The canonical JSON of a tag id, as it appears in the tag index keys.

    Raises:
        TypeError: the id is not JSON (``NotJSONError``).
    """
    return json.dumps(to_json(tag_id), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _tag_pairs(tags: Iterable[Tag]) -> list[list[Any]]:
    return [[tag.type, to_json(tag.id)] for tag in tags]


def decode_tags(raw: Any, tag_types: frozenset[str]) -> tuple[Tag, ...]:
    """``[[type, id], ...]`` as tags of known types (unknown types are dropped).

    Raises:
        ValueError: ``raw`` is not a list of ``[str, id]`` pairs.
    """
    if not isinstance(raw, list):
        raise ValueError(f"tags must be a list of [type, id] pairs, got {type(raw).__name__}")
    tags = []
    for pair in raw:
        if not isinstance(pair, list) or len(pair) != 2 or not isinstance(pair[0], str):
            raise ValueError(f"a tag must be a [type, id] pair, got {pair!r:.80}")
        if pair[0] in tag_types:
            tags.append(Tag(pair[0], freeze(pair[1])))
    return tuple(tags)


def encode_entry(
    endpoint_name: str, original_args: Any, data: Any, fulfilled_at: float, tags: Iterable[Tag]
) -> str:
    """A shared entry's JSON.

    Raises:
        TypeError: something in it is not JSON (``NotJSONError``).
    """
    return _dumps(
        {
            "v": FORMAT,
            "endpoint_name": endpoint_name,
            "original_args": to_json(original_args),
            "data": to_json(data),
            "fulfilled_at": fulfilled_at,
            "provided_tags": _tag_pairs(tags),
        }
    )


def _load(raw: Any) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"not JSON ({exc})") from None
    if not isinstance(value, dict) or value.get("v") != FORMAT:
        raise ValueError(f"not an rtkq format {FORMAT} object: {raw!r:.80}")
    return value


def decode_entry(raw: Any, tag_types: frozenset[str]) -> dict[str, Any]:
    """A shared entry read back: ``endpoint_name``, ``data`` (plain JSON),
    ``fulfilled_at``, ``provided_tags`` (tags).

    Raises:
        ValueError: malformed.
    """
    entry = _load(raw)
    name = entry.get("endpoint_name")
    fulfilled_at = entry.get("fulfilled_at")
    if not isinstance(name, str) or "data" not in entry:
        raise ValueError(f"an entry needs endpoint_name and data: {raw!r:.80}")
    if not isinstance(fulfilled_at, (int, float)) or isinstance(fulfilled_at, bool):
        raise ValueError(f"fulfilled_at must be a number, got {fulfilled_at!r:.40}")
    if not math.isfinite(fulfilled_at):
        raise ValueError(f"fulfilled_at must be finite, got {fulfilled_at!r}")
    return {
        "endpoint_name": name,
        "data": entry["data"],
        "fulfilled_at": float(fulfilled_at),
        "provided_tags": decode_tags(entry.get("provided_tags"), tag_types),
    }


def encode_message(kind: str, origin: str, **fields: Any) -> str:
    """A bus message (fields must already be JSON values)."""
    return _dumps({"v": FORMAT, "o": origin, "k": kind, **fields})


def decode_message(raw: Any) -> dict[str, Any]:
    """A bus message read back, checked for its kind's fields.

    Raises:
        ValueError: malformed.
    """
    message = _load(raw)
    kind = message.get("k")
    if not isinstance(message.get("o"), str):
        raise ValueError(f"a message needs its origin: {raw!r:.80}")
    if kind == "inv":
        if not isinstance(message.get("tags"), list):
            raise ValueError(f"an invalidation needs a list of tags: {raw!r:.80}")
    elif kind == "done":
        if not isinstance(message.get("key"), str) or message.get("ok") not in (True, False, None):
            raise ValueError(f"a done message needs key and ok: {raw!r:.80}")
    else:
        raise ValueError(f"unknown message kind {kind!r:.40}")
    return message
