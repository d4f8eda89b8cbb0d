"""The snapshot format every persister stores: JSON text plus its format and checksum.

``encode_snapshot`` checks and serializes what ``dehydrate()`` returned; ``decode_snapshot``
verifies the checksum and gives back exactly that dict. Persisters only decide where the
two strings live (SQLite rows, one Redis value) and how a failure is worded.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from typing import Any

from .._gc import collector_paused

__all__ = ["FORMAT", "decode_snapshot", "encode_snapshot"]

FORMAT = 1


def _checksum(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def encode_snapshot(dehydrated: Any) -> tuple[str, dict[str, Any]]:
    """Return ``(body, meta)``: the snapshot as JSON text and its format and checksum.

    Raises:
        TypeError: ``dehydrated`` is not a dict of JSON-compatible data.
    """
    if not isinstance(dehydrated, dict):
        raise TypeError(
            f"save() takes the dict dehydrate() returns, got {type(dehydrated).__name__!r}."
        )
    try:
        # check_circular=False: no id() bookkeeping per container; a cycle then ends
        # in RecursionError, refused below like every other non-JSON input.
        body = json.dumps(
            dehydrated,
            ensure_ascii=False,
            allow_nan=False,
            check_circular=False,
            separators=(",", ":"),
        )
    except (TypeError, ValueError, RecursionError) as exc:
        raise TypeError(
            f"save() writes JSON only, and this snapshot is not JSON-compatible ({exc}). "
            "Pass what dehydrate() returns."
        ) from exc
    return body, {"format": FORMAT, "sha256": _checksum(body), "saved_at": time.time()}


def decode_snapshot(
    body: object, meta: object, unreadable: Callable[[object], ValueError]
) -> dict[str, Any]:
    """The dict ``encode_snapshot`` was given, after checking format and checksum.

    Raises:
        ValueError: built by ``unreadable(problem)`` when anything does not match.
    """
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise unreadable("unknown storage format")
    if not isinstance(body, str) or _checksum(body) != meta.get("sha256"):
        raise unreadable("the checksum does not match the stored snapshot")
    try:
        with collector_paused():  # see rtkq._gc
            snapshot = json.loads(body)
    except ValueError as exc:
        raise unreadable(f"invalid JSON: {exc}") from exc
    if not isinstance(snapshot, dict):
        raise unreadable(f"the snapshot is a {type(snapshot).__name__!r}, not a dict")
    return snapshot
