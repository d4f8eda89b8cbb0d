"""URL joining and query strings for ``fetch_base_query``."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from .._freeze import thaw

__all__ = ["append_params", "check_base_url", "join_urls"]

# RFC 3986 scheme followed by "//", or a protocol-relative "//host".
_ABSOLUTE = re.compile(r"^(?:[a-z][a-z\d+\-.]*:)?//", re.IGNORECASE)
_HTTP = re.compile(r"^https?://[^/?#]", re.IGNORECASE)


def check_base_url(base_url: object) -> str | None:
    """Validate ``fetch_base_query``'s ``base_url``.

    Raises:
        TypeError: ``base_url`` is neither a string nor ``None``.
        ValueError: ``base_url`` is not an ``http://`` or ``https://`` URL with a host.
    """
    if base_url is None:
        return None
    if not isinstance(base_url, str):
        raise TypeError(
            f"Expected base_url to be a string such as 'https://api.example.com/', "
            f"got {type(base_url).__name__!r}. Pass an http(s) URL or None."
        )
    if not _HTTP.match(base_url):
        raise ValueError(
            f"Expected base_url to be an http:// or https:// URL with a host, got "
            f"{base_url!r}. Pass e.g. 'https://api.example.com/v1/'."
        )
    return base_url


def join_urls(base: str | None, url: str) -> str:
    """Join ``base`` and ``url`` the way RTK Query's ``joinUrls`` does.

    The trailing slash of ``base`` and the leading slash of ``url`` are optional (one
    slash separates them); an absolute ``url`` is returned as is; a ``url`` starting
    with ``?`` is appended to ``base`` directly.
    """
    if not base:
        return url
    if not url:
        return base
    if _ABSOLUTE.match(url):
        return url
    delimiter = "/" if base.endswith("/") or not url.startswith("?") else ""
    return f"{base.removesuffix('/')}{delimiter}{url.removeprefix('/')}"


def append_params(
    url: str,
    params: Mapping[str, Any] | None,
    serializer: Callable[[dict[str, Any]], str] | None,
) -> str:
    """Append ``params`` to ``url``, after any query string already in it.

    ``None`` values are dropped first; list values repeat the key. ``serializer``, when
    given, receives the remaining params as a plain dict and returns the query string.

    Raises:
        TypeError: ``params`` is not a mapping.
    """
    if params is None:
        return url
    if not isinstance(params, Mapping):
        raise TypeError(
            f"Expected params to be a mapping of names to values, got "
            f"{type(params).__name__!r}. Pass e.g. {{'page': 2}}."
        )
    kept = {str(key): thaw(value) for key, value in params.items() if value is not None}
    query = serializer(kept) if serializer is not None else str(httpx.QueryParams(kept))
    if not query:
        return url
    fragment = ""
    if "#" in url:
        url, hash_, rest = url.partition("#")
        fragment = hash_ + rest
    separator = "" if url.endswith(("?", "&")) else "&" if "?" in url else "?"
    return f"{url}{separator}{query.removeprefix('?')}{fragment}"
