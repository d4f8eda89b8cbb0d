"""``RedisPersister``: one snapshot under one Redis key, replaced atomically.

The value is a JSON envelope ``{"format": 1, "sha256": ..., "saved_at": ...,
"body": "<the snapshot as JSON text>"}`` written with a single ``SET``, so a reader sees
either the previous snapshot or the new one, never a mix. Only JSON is written or read.

It uses redis-py's blocking client, not the asyncio one: ``persist_store`` calls a
persister synchronously (``load()`` while restoring, ``flush()``/``close()`` on the
caller's thread) and from a worker thread (throttled saves), where no event loop of
the caller can be awaited. The blocking client is thread-safe (a connection pool).
"""

from __future__ import annotations

import json
from typing import Any

from .._persist._snapshot import decode_snapshot, encode_snapshot
from ._client import REDIS_ERRORS, check_url, redact, redact_url, redis

__all__ = ["RedisPersister"]


class RedisPersister:
    """Saves and loads one snapshot (a JSON-compatible dict) under a Redis key.

    Usable by ``rtkq.persist.persist_store`` like ``SQLitePersister``. The key has no
    TTL: like a file, the snapshot stays until ``clear()`` (or a newer save).
    """

    def __init__(self, url: str, *, key: str = "rtkq:snapshot") -> None:
        """Use ``key`` on the Redis server at ``url`` (connects on first use).

        Raises:
            TypeError: ``url`` or ``key`` is not a str.
            ValueError: ``url`` is not a redis://, rediss:// or unix:// URL, or
                ``key`` is empty.
        """
        self._url = check_url(url)
        if not isinstance(key, str):
            raise TypeError(f"key must be a str, got {type(key).__name__!r}.")
        if not key:
            raise ValueError("key must be a non-empty str, e.g. 'myapp:rtkq:snapshot'.")
        self.key = key
        self._client: Any = redis.Redis.from_url(
            url, socket_connect_timeout=5.0, socket_timeout=10.0
        )

    def __repr__(self) -> str:
        return f"<RedisPersister {redact_url(self._url)!r} key={self.key!r}>"

    def close(self) -> None:
        """Close the connections this persister opened."""
        self._client.close()

    def _call(self, method: str, *args: Any) -> Any:
        try:
            return getattr(self._client, method)(*args)
        except REDIS_ERRORS as exc:
            # redis-py's messages never hold the password; redact() makes sure.
            message = redact(f"{type(exc).__name__}: {exc}", self._url)
            raise ConnectionError(
                f"{method.upper()} of {self.key!r} on {redact_url(self._url)} failed ({message})."
            ) from None

    def _unreadable(self, problem: object) -> ValueError:
        return ValueError(
            f"The snapshot under Redis key {self.key!r} is corrupted or not an rtkq "
            f"snapshot ({problem}). Call clear() to start over."
        )

    def save(self, dehydrated: dict[str, Any]) -> None:
        """Replace the stored snapshot with ``dehydrated``, atomically (one ``SET``).

        Raises:
            TypeError: ``dehydrated`` is not a dict of JSON-compatible data.
            ConnectionError: Redis could not be reached.
        """
        body, meta = encode_snapshot(dehydrated)
        envelope = json.dumps({**meta, "body": body}, ensure_ascii=False)
        self._call("set", self.key, envelope.encode("utf-8"))

    def load(self) -> dict[str, Any] | None:
        """The stored snapshot, exactly as saved; ``None`` when there is none.

        Raises:
            ValueError: the value is corrupted or holds something else.
            ConnectionError: Redis could not be reached.
        """
        raw = self._call("get", self.key)
        if raw is None:
            return None
        try:
            envelope = json.loads(raw)
        except (TypeError, ValueError) as exc:  # UnicodeDecodeError is a ValueError
            raise self._unreadable(f"invalid JSON: {exc}") from exc
        if not isinstance(envelope, dict):
            raise self._unreadable("unknown storage format")
        return decode_snapshot(envelope.get("body"), envelope, self._unreadable)

    def clear(self) -> None:
        """Forget the stored snapshot.

        Raises:
            ConnectionError: Redis could not be reached.
        """
        self._call("delete", self.key)
