"""``fetch_base_query``: RTK Query's ``fetchBaseQuery`` on an ``httpx.AsyncClient``."""

from __future__ import annotations

import asyncio
import json
import re
import sys
import weakref
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any, TypeAlias

import httpx
from typing_extensions import Self

from ._gate import gate_for, one_request_per_connection, private_limits
from ._headers import ACCEPT, PrepareHeaders, PrepareHeadersApi, put_last, request_headers
from ._request_args import (
    ResponseHandler,
    ValidateStatus,
    check_response_handler,
    check_timeout,
    encode_body,
    read_request_args,
)
from ._types import BaseQueryApi, maybe_await
from ._urls import append_params, check_base_url, join_urls

__all__ = ["FetchBaseQuery", "PrepareHeaders", "PrepareHeadersApi", "fetch_base_query"]


_JSON_TYPE = re.compile(r"^\s*application/(?:[\w.+-]*\+)?json\s*(?:;|$)", re.IGNORECASE)
_ABORTED: Mapping[str, Any] = {"status": "CUSTOM_ERROR", "error": "Aborted"}

_Prepared: TypeAlias = tuple[
    str,  # method
    str,  # url
    dict[str, str],  # headers
    bytes | str | None,  # content
    ResponseHandler,
    ValidateStatus | None,
    float | None,  # timeout
]


class FetchBaseQuery:
    """A base query sending requests with one shared ``httpx.AsyncClient``.

    Create it with :func:`fetch_base_query`. Calling it is
    ``await base_query(args, api, extra_options)``; ``api`` may be ``None`` when it is
    called directly. Unless a ``client`` was given, clients are made on first use:

    - for requests of a store (``api.on_close`` is set), one client per store, closed
      by ``await store.aclose()`` (or leaving ``async with store:``);
    - for direct calls, one client per event loop (made again if a later call runs on
      another loop), closed by ``await base_query.aclose()`` or ``async with
      fetch_base_query(...) as bq:`` before the loop ends.

    ``aclose()`` closes every client it made on the running loop; a closed base query
    opens a new client on its next call. A client that was passed in is used as it is
    and never closed here.
    """

    def __init__(
        self,
        base_url: str | None,
        *,
        prepare_headers: PrepareHeaders | None,
        timeout: float | None,
        client: httpx.AsyncClient | None,
        params_serializer: Callable[[dict[str, Any]], str] | None,
        response_handler: ResponseHandler,
        validate_status: ValidateStatus | None,
    ) -> None:
        self.base_url = check_base_url(base_url)
        if client is not None and not isinstance(client, httpx.AsyncClient):
            raise TypeError(
                f"Expected client to be an httpx.AsyncClient, got {type(client).__name__!r}. "
                f"Pass httpx.AsyncClient(...) or leave it out."
            )
        for name, value in (
            ("prepare_headers", prepare_headers),
            ("params_serializer", params_serializer),
            ("validate_status", validate_status),
        ):
            if value is not None and not callable(value):
                raise TypeError(f"Expected {name} to be callable, got {type(value).__name__!r}.")
        self._prepare_headers = prepare_headers
        self._timeout = check_timeout(timeout)
        self._user_client = client
        self._params_serializer = params_serializer
        self._response_handler: ResponseHandler = check_response_handler(response_handler)
        # None: the default, a status of 200-299 (checked inline).
        self._validate_status: ValidateStatus | None = validate_status
        # What the general path adds for a request without headers of its own, built once
        # (passing httpx.Headers also spares httpx normalizing a dict on every request).
        accept = ACCEPT.get(response_handler) if isinstance(response_handler, str) else None
        self._accept = accept
        self._default_headers = None if accept is None else httpx.Headers({"accept": accept})
        self._client: httpx.AsyncClient | None = None
        self._client_loop: asyncio.AbstractEventLoop | None = None
        # Per store, keyed by the store's on_close (one object per store): the entry
        # goes with the store, and the store's close hook closes the client.
        self._store_clients: weakref.WeakKeyDictionary[
            Any, tuple[httpx.AsyncClient, asyncio.AbstractEventLoop]
        ] = weakref.WeakKeyDictionary()

    @property
    def client(self) -> httpx.AsyncClient | None:
        """The client in use: the one passed in, or the one made for the current loop."""
        return self._user_client or self._client

    def _client_for(self, api: Any) -> httpx.AsyncClient:
        if self._user_client is not None:
            return self._user_client
        loop = asyncio.get_running_loop()
        on_close = getattr(api, "on_close", None)
        if on_close is not None:
            return self._store_client(on_close, loop)
        if self._client is None or self._client_loop is not loop or self._client.is_closed:
            # A client's pooled connections belong to the loop that opened them, so a
            # new loop gets a new client.
            self._client = _new_client()
            self._client_loop = loop
        return self._client

    def _store_client(self, on_close: Any, loop: asyncio.AbstractEventLoop) -> httpx.AsyncClient:
        held = self._store_clients.get(on_close)
        if held is not None and held[1] is loop and not held[0].is_closed:
            return held[0]
        client = _new_client()
        if held is None:  # first client for this store: close it with the store

            async def close() -> None:
                current = self._store_clients.pop(on_close, None)
                if current is not None:
                    await _close_on(*current)

            on_close(close)
        self._store_clients[on_close] = (client, loop)
        return client

    async def aclose(self) -> None:
        """Close the clients this base query made (a client passed in stays open)."""
        client, loop = self._client, self._client_loop
        self._client = self._client_loop = None
        if client is not None:
            await _close_on(client, loop)
        for held in list(self._store_clients.values()):
            await _close_on(*held)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def __call__(
        self, args: Any, api: BaseQueryApi | None = None, extra_options: Any = None
    ) -> dict[str, Any]:
        """Send one request and return ``{"data", "meta"}`` or ``{"error", "meta"}``.

        Raises:
            TypeError: ``args`` or one of its fields has the wrong type.
            ValueError: ``args`` has an unknown key, no ``url``, or a ``method`` that is
                not an HTTP method.
        """
        if isinstance(args, str) and self._prepare_headers is None:
            # The common case: a GET of a URL with this base query's settings. It sends
            # exactly what the general path below sends for ``{"url": args}``.
            signal = getattr(api, "signal", None)
            if signal is not None and signal.aborted:
                return {"error": dict(_ABORTED), "meta": {"request": None, "response": None}}
            method = "GET"
            url = join_urls(self.base_url, args)
            headers: httpx.Headers | dict[str, str] | None = self._default_headers
            accept_last = self._accept
            content: bytes | str | None = None
            handler = self._response_handler
            validate_status = self._validate_status
            timeout = self._timeout
        else:
            prepared = await self._prepare(args, api, extra_options)
            if isinstance(prepared, dict):
                return prepared
            method, url, headers, content, handler, validate_status, timeout = prepared
            accept_last = None

        client = self._user_client or self._client_for(api)
        meta: dict[str, Any] = {"request": None, "response": None}
        try:
            if accept_last is not None and not client.cookies:
                # The same request as below, without httpx merging a headers argument.
                request = client.build_request(method, url)
                put_last(request.headers, "accept", accept_last)
            else:
                request = client.build_request(method, url, headers=headers, content=content)
            meta["request"] = request
            # Wait for a free connection here, not in httpx's pool (see _gate); the
            # timeout counts from the send.
            gate = gate_for(client)
            if gate is None:
                response = await _send_within(client, request, timeout)
            else:
                async with gate:
                    response = await _send_within(client, request, timeout)
        except (httpx.TimeoutException, TimeoutError, asyncio.TimeoutError) as exc:
            detail = str(exc) or f"no response within {timeout} s"
            error: dict[str, Any] = {
                "status": "TIMEOUT_ERROR",
                "error": f"{type(exc).__name__}: {detail}",
            }
            return {"error": error, "meta": meta}
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            error = {"status": "FETCH_ERROR", "error": f"{type(exc).__name__}: {exc}"}
            return {"error": error, "meta": meta}
        meta["response"] = response

        try:
            if handler == "json":
                # JSON is UTF-8 on the wire (RFC 8259); json.loads also detects
                # UTF-16/32 from bytes, and skipping the charset lookup of response.text
                # keeps this path cheap.
                body = response.content
                data = json.loads(body) if body else None
            else:
                data = await _read_body(response, handler)
        except Exception as exc:
            error = {
                "status": "PARSING_ERROR",
                "original_status": response.status_code,
                "data": _text_or_empty(response),
                "error": f"{type(exc).__name__}: {exc}",
            }
            return {"error": error, "meta": meta}
        if (
            200 <= response.status_code <= 299
            if validate_status is None
            else validate_status(response, data)
        ):
            return {"data": data, "meta": meta}
        return {"error": {"status": response.status_code, "data": data}, "meta": meta}

    async def _prepare(self, args: Any, api: Any, extra_options: Any) -> _Prepared | dict[str, Any]:
        """Read ``args`` into what to send, or the result to return without sending."""
        request_args = read_request_args(args)
        signal = getattr(api, "signal", None)
        if signal is not None and signal.aborted:
            return {"error": dict(_ABORTED), "meta": {"request": None, "response": None}}
        url = append_params(
            join_urls(self.base_url, request_args.url),
            request_args.params,
            self._params_serializer,
        )
        headers = await request_headers(
            self._prepare_headers, request_args, args, api, extra_options
        )
        handler = request_args.response_handler or self._response_handler
        try:
            content, is_json = encode_body(request_args.body)
        except (TypeError, ValueError) as exc:
            return {
                "error": {
                    "status": "CUSTOM_ERROR",
                    "error": f"Cannot send the request body as JSON: {exc}. Pass JSON-compatible "
                    f"data (dict, list, str, int, float, bool, None) or str/bytes.",
                },
                "meta": {"request": None, "response": None},
            }
        if is_json and "content-type" not in headers:
            headers["content-type"] = "application/json"
        if "accept" not in headers and isinstance(handler, str) and handler in ACCEPT:
            headers["accept"] = ACCEPT[handler]
        return (
            request_args.method,
            url,
            headers,
            content,
            handler,
            request_args.validate_status or self._validate_status,
            request_args.timeout or self._timeout,
        )


def _new_client() -> httpx.AsyncClient:
    # No httpx timeout: ours is a total deadline on the loop clock.
    return one_request_per_connection(
        httpx.AsyncClient(timeout=None, follow_redirects=True, limits=private_limits())
    )


async def _close_on(client: httpx.AsyncClient, loop: asyncio.AbstractEventLoop | None) -> None:
    """Close ``client`` if it belongs to the running loop (others cannot be awaited)."""
    if loop is asyncio.get_running_loop() and not client.is_closed:
        await client.aclose()


if sys.version_info >= (3, 11):

    async def _send_within(
        client: httpx.AsyncClient, request: httpx.Request, timeout: float | None
    ) -> httpx.Response:
        if timeout is None:
            return await client.send(request)
        # A total deadline on the loop clock (connect, send and reading the whole body),
        # like RTK's timeout; cancelling the task still propagates CancelledError.
        async with asyncio.timeout(timeout):
            return await client.send(request)

else:  # pragma: no cover - Python 3.10

    async def _send_within(
        client: httpx.AsyncClient, request: httpx.Request, timeout: float | None
    ) -> httpx.Response:
        if timeout is None:
            return await client.send(request)
        return await asyncio.wait_for(client.send(request), timeout)


async def _read_body(response: httpx.Response, handler: ResponseHandler) -> Any:
    if callable(handler):
        return await maybe_await(handler(response))
    if handler == "content-type":
        handler = "json" if _JSON_TYPE.match(response.headers.get("content-type", "")) else "text"
    if handler == "text":
        return response.text
    # JSON is UTF-8 on the wire (RFC 8259); json.loads also detects UTF-16/32 from bytes,
    # and skipping the charset lookup of response.text keeps this path cheap.
    content = response.content
    return json.loads(content) if content else None


def _text_or_empty(response: httpx.Response) -> str:
    try:
        return response.text
    except Exception:  # undecodable bytes: the parse error already says what went wrong
        return ""


def fetch_base_query(
    base_url: str | None = None,
    *,
    prepare_headers: PrepareHeaders | None = None,
    timeout: float | None = None,
    client: httpx.AsyncClient | None = None,
    params_serializer: Callable[[dict[str, Any]], str] | None = None,
    response_handler: ResponseHandler = "json",
    validate_status: ValidateStatus | None = None,
) -> FetchBaseQuery:
    """Make a base query that sends HTTP requests with httpx.

    Args:
        base_url: ``http(s)://`` URL the request URLs are joined to (the trailing slash
            is optional; absolute request URLs pass through). ``None``: URLs are used as
            they are (or joined by ``client``'s own ``base_url``).
        prepare_headers: ``(headers, api) -> headers`` (may be async), called before
            every request with a mutable ``httpx.Headers`` holding the request's own
            headers and a :class:`PrepareHeadersApi`; return the headers to send
            (returning ``None`` keeps ``headers``).
        timeout: total seconds for one request (connect to last body byte), on the loop
            clock; ``None`` waits forever. A request's own ``timeout`` wins. Waiting
            for a free connection does not count: at most as many requests as the
            client's pool has connections (100 for the client rtkq makes) are sent at
            once, and the others wait their turn, in order.
        client: an ``httpx.AsyncClient`` to use instead of a private one; it is never
            closed by rtkq and its own timeouts, limits and redirect settings apply.
        params_serializer: ``(params) -> query string``, replacing the default encoding;
            it receives a plain dict without the ``None`` values.
        response_handler: ``"json"`` (empty body gives ``None``), ``"text"``,
            ``"content-type"`` (JSON if the response says so, else text) or a callable
            ``(response) -> data`` (may be async).
        validate_status: ``(response, body) -> bool``; default: status 200-299.

    A call takes a URL string or a mapping (plain or frozen) with ``url`` and optional
    ``method`` (``"GET"``), ``params`` (``None`` values dropped, appended after a query
    string already in the URL), ``body`` (str/bytes sent as they are, anything else as
    JSON with ``content-type: application/json`` unless a content type is set),
    ``headers`` (``None`` values dropped), ``response_handler``, ``validate_status`` and
    ``timeout`` (``None`` keeps the base query's setting).

    It returns ``{"data": ..., "meta": ...}`` or ``{"error": ..., "meta": ...}`` where the
    error is ``{"status": <int>, "data": <body>}`` for a failed status,
    ``{"status": "FETCH_ERROR", "error": str}`` when no response came,
    ``{"status": "TIMEOUT_ERROR", "error": str}``, ``{"status": "PARSING_ERROR",
    "original_status": int, "data": <raw text>, "error": str}``, or ``{"status":
    "CUSTOM_ERROR", "error": str}`` for a body JSON cannot encode (nothing is sent).
    ``meta`` is ``{"request": httpx.Request | None, "response": httpx.Response | None}``.
    Cancelling the task that awaits the call cancels the request (``CancelledError``
    propagates). Header values are never logged.

    Raises:
        TypeError: ``base_url`` is not a string, ``client`` is not an
            ``httpx.AsyncClient`` or a callback is not callable.
        ValueError: ``base_url`` is not an ``http(s)://`` URL, ``response_handler`` is
            unknown or ``timeout`` is not positive.
    """
    return FetchBaseQuery(
        base_url,
        prepare_headers=prepare_headers,
        timeout=timeout,
        client=client,
        params_serializer=params_serializer,
        response_handler=response_handler,
        validate_status=validate_status,
    )
