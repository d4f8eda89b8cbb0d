"""redis-py, imported politely, and Redis URLs shown without their password."""

from __future__ import annotations

import urllib.parse
from typing import Any

try:
    import redis
    import redis.asyncio as redis_asyncio
    import redis.asyncio.retry as redis_asyncio_retry
except ImportError as exc:  # pragma: no cover - the dev extra installs redis
    raise ImportError(
        'rtkq.redis needs redis-py, which is not installed. Install it with: pip install "rtkq[redis]"'
    ) from exc

__all__ = [
    "REDIS_ERRORS",
    "check_url",
    "redact",
    "redact_url",
    "redis",
    "redis_asyncio",
    "redis_asyncio_retry",
]

# What an unreachable, restarting or misbehaving server raises (OSError: sockets).
REDIS_ERRORS: tuple[type[BaseException], ...] = (redis.RedisError, OSError)

_SCHEMES = ("redis", "rediss", "unix")


def check_url(url: Any) -> str:
    """Return ``url`` if it is a Redis URL.

    Raises:
        TypeError: ``url`` is not a str.
        ValueError: its scheme is not redis://, rediss:// or unix://.
    """
    if not isinstance(url, str):
        raise TypeError(
            f"url must be a Redis URL str such as 'redis://127.0.0.1:6379/0', got "
            f"{type(url).__name__!r}."
        )
    scheme = urllib.parse.urlsplit(url).scheme
    if scheme not in _SCHEMES:
        raise ValueError(
            f"url must start with redis://, rediss:// (TLS) or unix://, got "
            f"{redact_url(url)!r}. Write e.g. 'redis://:password@host:6379/0'."
        )
    return url


def redact_url(url: str) -> str:
    """``url`` with any password replaced by ``***`` (for reprs, warnings and logs)."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return "<unparsable Redis URL>"
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    if any(name == "password" for name, _ in query):
        query = [(name, "***" if name == "password" else value) for name, value in query]
        parts = parts._replace(query=urllib.parse.urlencode(query, safe="*"))
    if parts.password is None:
        return urllib.parse.urlunsplit(parts)
    user = parts.username or ""
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{user}:***@{host}" + (f":{parts.port}" if parts.port is not None else "")
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


def _secrets(url: str) -> list[str]:
    parts = urllib.parse.urlsplit(url)
    found = [] if parts.password is None else [parts.password]
    if parts.password is not None:
        found.append(urllib.parse.unquote(parts.password))
    found += [v for k, v in urllib.parse.parse_qsl(parts.query) if k == "password"]
    return [secret for secret in found if secret]


def redact(text: str, url: str) -> str:
    """``text`` (an error message, say) with the password of ``url`` replaced by ``***``."""
    for secret in sorted(_secrets(url), key=len, reverse=True):
        text = text.replace(secret, "***")
    return text
