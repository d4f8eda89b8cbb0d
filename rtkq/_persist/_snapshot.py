"""The snapshot format every persister stores: JSON text plus its format and checksum.

``encode_snapshot`` checks and serializes what ``dehydrate()`` returned; ``decode_snapshot``
verifies the checksum and gives back exactly that dict. Persisters only decide where the
two strings live (SQLite rows, one Redis value) and how a failure is worded.
"""

from __future__ import annotations

import functools
import hashlib
import json
import time
from collections.abc import Callable
from typing import Any

from .._gc import collector_paused

__all__ = ["FORMAT", "decode_snapshot", "encode_snapshot"]

FORMAT = 1


@functools.cache
def _fast_decoder() -> Callable[[str], Any] | None:
    """msgspec's JSON decoder when the ``msgspec`` extra is installed (imported on the
    first load, never by ``import rtkq``), else ``None``."""
    try:
        import msgspec.json
    except ImportError:
        return None
    decode: Callable[[str], Any] = msgspec.json.decode
    return decode


def _loads(body: str) -> Any:
    """``json.loads(body)``, about 1.6x faster through msgspec when it is installed.

    For the strict JSON ``encode_snapshot`` writes both give equal results; what msgspec
    refuses (lone surrogates, numbers beyond a float, ``NaN`` in a hand-made file) goes
    to ``json.loads``, which decides as it always did.
    """
    decode = _fast_decoder()
    if decode is not None:
        try:
            return decode(body)
        except Exception:  # msgspec.DecodeError and friends
            pass
    return json.loads(body)


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
    try:
        checksum = _checksum(body)
    except UnicodeEncodeError as exc:
        raise TypeError(
            f"save() writes UTF-8 JSON, and this snapshot holds a str with a lone surrogate "
            f"({exc.object[exc.start : exc.end]!r} at position {exc.start} of the JSON text), "
            "which has no UTF-8 form. Clean such strings before they are cached, e.g. "
            "text.encode('utf-8', 'replace').decode()."
        ) from exc
    return body, {"format": FORMAT, "sha256": checksum, "saved_at": time.time()}


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
            snapshot = _loads(body)
    except ValueError as exc:
        raise unreadable(f"invalid JSON: {exc}") from exc
    if not isinstance(snapshot, dict):
        raise unreadable(f"the snapshot is a {type(snapshot).__name__!r}, not a dict")
    return snapshot
