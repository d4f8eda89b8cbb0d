"""Reading the ``args`` a ``fetch_base_query`` call receives into one checked record."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias

import httpx

from .._freeze import thaw
from .._records import record_to_builtins

__all__ = [
    "HTTP_METHODS",
    "RequestArgs",
    "ResponseHandler",
    "ValidateStatus",
    "check_response_handler",
    "check_timeout",
    "encode_body",
    "read_request_args",
]

ResponseHandler: TypeAlias = (
    Literal["json", "text", "content-type"] | Callable[[httpx.Response], Any | Awaitable[Any]]
)
"""How to read a response body: a name, or ``(response) -> data`` (may be async)."""

ValidateStatus: TypeAlias = Callable[[httpx.Response, Any], bool]
"""``(response, parsed_body) -> bool``: whether the response counts as a success."""

HTTP_METHODS = frozenset(
    {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"}
)
_ARG_KEYS = frozenset(
    {"url", "method", "params", "body", "headers", "response_handler", "validate_status", "timeout"}
)
_HANDLER_NAMES = ("json", "text", "content-type")


@dataclass(frozen=True)
class RequestArgs:
    """One request as the caller described it; ``None`` means "the base query's default"."""

    url: str
    method: str = "GET"
    params: Mapping[str, Any] | None = None
    body: Any = field(default=None, repr=False)
    headers: Mapping[str, Any] | None = field(default=None, repr=False)  # may hold secrets
    response_handler: ResponseHandler | None = None
    validate_status: ValidateStatus | None = None
    timeout: float | None = None


def read_request_args(args: Any) -> RequestArgs:
    """Turn a URL string or an args mapping (plain or frozen) into :class:`RequestArgs`.

    Raises:
        TypeError: ``args`` is neither a string nor a mapping, or a field has the wrong
            type.
        ValueError: a key is unknown, ``url`` is missing, ``method`` is not an HTTP
            method, ``response_handler`` is not a known handler or ``timeout`` is not
            positive.
    """
    if isinstance(args, str):
        return RequestArgs(url=args)
    if not isinstance(args, Mapping):
        raise TypeError(
            f"Expected fetch_base_query args to be a URL string or a mapping with 'url', "
            f"got {type(args).__name__!r}. Return e.g. 'posts/1' or "
            f"{{'url': 'posts', 'method': 'POST', 'body': {{...}}}} from query()."
        )
    unknown = sorted(str(key) for key in args if key not in _ARG_KEYS)
    if unknown:
        raise ValueError(
            f"Unknown fetch_base_query args key(s) {unknown}. "
            f"Use only: {', '.join(sorted(_ARG_KEYS))}."
        )
    url = args.get("url")
    if not isinstance(url, str):
        raise ValueError(
            f"Expected fetch_base_query args to hold 'url' as a string, got {url!r}. "
            f"Add e.g. 'url': 'posts'."
        )
    method = args.get("method") or "GET"
    if not isinstance(method, str) or method.upper() not in HTTP_METHODS:
        raise ValueError(
            f"Expected 'method' to be an HTTP method, got {method!r}. "
            f"Use one of: {', '.join(sorted(HTTP_METHODS))}."
        )
    headers = args.get("headers")
    if headers is not None and not isinstance(headers, Mapping):
        raise TypeError(
            f"Expected 'headers' to be a mapping of header names to values, got "
            f"{type(headers).__name__!r}."
        )
    validate_status = args.get("validate_status")
    if validate_status is not None and not callable(validate_status):
        raise TypeError(
            f"Expected 'validate_status' to be a callable (response, body) -> bool, got "
            f"{type(validate_status).__name__!r}."
        )
    return RequestArgs(
        url=url,
        method=method.upper(),
        params=args.get("params"),
        body=args.get("body"),
        headers=headers,
        response_handler=check_response_handler(args.get("response_handler"), optional=True),
        validate_status=validate_status,
        timeout=check_timeout(args.get("timeout")),
    )


def check_response_handler(handler: Any, *, optional: bool = False) -> Any:
    """Return ``handler`` if it is ``"json"``, ``"text"``, ``"content-type"`` or callable.

    Raises:
        ValueError: anything else (``None`` is accepted when ``optional``).
    """
    if handler is None and optional:
        return None
    if callable(handler) or handler in _HANDLER_NAMES:
        return handler
    raise ValueError(
        f"Expected response_handler to be 'json', 'text', 'content-type' or a callable "
        f"(response) -> data, got {handler!r}."
    )


def check_timeout(timeout: Any) -> float | None:
    """Return ``timeout`` in seconds, or ``None`` for no timeout.

    Raises:
        ValueError: ``timeout`` is not a positive number.
    """
    if timeout is None:
        return None
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise ValueError(
            f"Expected timeout to be a positive number of seconds or None, got {timeout!r}."
        )
    return float(timeout)


def encode_body(body: Any) -> tuple[bytes | str | None, bool]:
    """Return ``(content, is_json)`` for a request body.

    ``None`` sends nothing; ``str`` and bytes-like bodies are sent as they are; anything
    else (dicts, lists, frozen ``PMap``/``PVector``, numbers, typed records, ...) is
    encoded as compact UTF-8 JSON.

    Raises:
        TypeError: the body holds a value JSON cannot encode (the message names its type).
        ValueError: the body holds ``nan`` or an infinite float.
    """
    if body is None:
        return None, False
    if isinstance(body, str):
        return body, False
    if isinstance(body, (bytes, bytearray, memoryview)):
        return bytes(body), False
    text = json.dumps(
        thaw(body),
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
        default=record_to_builtins,
    )
    return text.encode("utf-8"), True
