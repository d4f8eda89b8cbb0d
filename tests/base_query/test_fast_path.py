"""The fast path of ``fetch_base_query`` (a URL string, no ``prepare_headers``) against the
general one: the same request, header for header and in the same order."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rtkq import fetch_base_query
from rtkq._base_query import _fetch_base_query

from ._fakes import make_api

HANDLERS: dict[str, Any] = {
    "json": "json",
    "text": "text",
    "content-type": "content-type",
    "callable": lambda response: response.json(),
}


@pytest.fixture
def fast_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Records each request the fast path built (to show it was taken)."""
    calls: list[str] = []
    real = _fetch_base_query.put_last

    def spy(headers: httpx.Headers, name: str, value: str) -> None:
        calls.append(value)
        real(headers, name, value)

    monkeypatch.setattr(_fetch_base_query, "put_last", spy)
    yield calls


def _noop_prepare_headers(headers: httpx.Headers, api: Any) -> None:
    return None


async def _three_ways(
    base_url: str | None, url: str, handler: Any, client: httpx.AsyncClient | None
) -> list[dict[str, Any]]:
    """The same GET sent as a URL string (fast path), as ``{"url": ...}`` and through a
    ``prepare_headers`` that changes nothing (both general)."""
    plain = fetch_base_query(base_url, client=client, response_handler=handler)
    prepared = fetch_base_query(
        base_url,
        client=client,
        response_handler=handler,
        prepare_headers=_noop_prepare_headers,
    )
    async with plain, prepared:
        return [
            await plain(url, make_api()),
            await plain({"url": url}, make_api()),
            await prepared(url, make_api()),
        ]


def _echoed(result: dict[str, Any]) -> Any:
    data = result["data"]
    return json.loads(data) if isinstance(data, str) else data  # the text handler


def _sent(result: dict[str, Any]) -> tuple[str, str, list[tuple[bytes, bytes]], bytes]:
    request: httpx.Request = result["meta"]["request"]
    return request.method, str(request.url), request.headers.raw, request.content


@pytest.mark.parametrize("handler", list(HANDLERS))
@pytest.mark.parametrize(
    "client_options",
    [
        None,  # the base query's own client
        {"headers": {"x-client": "mine"}},
        {"headers": {"Accept": "text/csv", "X-Z": "last"}},
        {"headers": {"accept": "application/json"}},
    ],
)
async def test_the_server_sees_the_same_request_either_way(
    base_url: str,
    handler: str,
    client_options: dict[str, Any] | None,
    fast_calls: list[str],
) -> None:
    client = None if client_options is None else httpx.AsyncClient(**client_options)
    try:
        fast, by_mapping, prepared = await _three_ways(base_url, "echo", HANDLERS[handler], client)
    finally:
        if client is not None:
            await client.aclose()
    # What the server read off the wire, in order (the echo keeps the header order).
    seen = [list(_echoed(result)["headers"].items()) for result in (fast, by_mapping, prepared)]
    assert seen[0] == seen[1] == seen[2]
    assert _sent(fast) == _sent(by_mapping) == _sent(prepared)
    assert _echoed(fast)["path"] == "/echo"
    accept = {"json": "application/json", "text": "text/plain, text/html, */*"}.get(handler)
    assert fast_calls == ([] if accept is None else [accept])
    if accept is not None:
        assert dict(seen[0])["accept"] == accept


async def test_with_client_cookies_the_general_path_keeps_the_cookie_last(
    base_url: str, fast_calls: list[str]
) -> None:
    async with httpx.AsyncClient(cookies={"session": "s1"}) as client:
        fast, by_mapping, prepared = await _three_ways(base_url, "echo", "json", client)
    assert _sent(fast) == _sent(by_mapping) == _sent(prepared)
    assert fast["data"]["headers"]["cookie"] == "session=s1"
    assert [name for name, _ in _sent(fast)[2]][-2:] == [b"accept", b"Cookie"]
    assert fast_calls == []  # the cookie would land before accept on the fast path


def _echo(request: httpx.Request) -> httpx.Response:
    raw = [[name.decode("latin-1"), value.decode("latin-1")] for name, value in request.headers.raw]
    return httpx.Response(200, json={"url": str(request.url), "headers": raw})


_NAMES = st.sampled_from(["Accept", "accept", "ACCEPT", "X-A", "x-b", "User-Agent", "Cookie"])
_VALUES = st.one_of(
    st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=8),
    st.binary(max_size=6).filter(lambda b: b"\r" not in b and b"\n" not in b),
)


@settings(max_examples=150, deadline=None)
@given(
    client_headers=st.lists(st.tuples(_NAMES, _VALUES), max_size=5),
    drop_client_accept=st.booleans(),
    cookies=st.booleans(),
    handler=st.sampled_from(list(HANDLERS)),
    url=st.sampled_from(["items/1", "/items/2?x=1", "", "?page=2", "http://other.test/p"]),
    base_url=st.sampled_from(["http://mock.test", "http://mock.test/api/", None]),
)
def test_any_client_gets_the_same_request_either_way(
    client_headers: list[tuple[str, str | bytes]],
    drop_client_accept: bool,
    cookies: bool,
    handler: str,
    url: str,
    base_url: str | None,
) -> None:
    if base_url is None and not url.startswith("http"):
        url = f"http://mock.test/{url}"

    async def go() -> list[dict[str, Any]]:
        async with httpx.AsyncClient(
            transport=httpx.MockTransport(_echo), cookies={"c": "1"} if cookies else None
        ) as client:
            if drop_client_accept:
                del client.headers["accept"]
            # As AsyncClient(headers=...) would, after the deletion (whose lookup would
            # trip over httpx's cached "ascii" encoding with non-ASCII values).
            client.headers.update(client_headers)
            return await _three_ways(base_url, url, HANDLERS[handler], client)

    loop = asyncio.new_event_loop()
    try:
        fast, by_mapping, prepared = loop.run_until_complete(go())
    finally:
        loop.close()
    assert _sent(fast) == _sent(by_mapping) == _sent(prepared)
    assert fast["data"] == by_mapping["data"] == prepared["data"]
    assert _echoed(fast)["headers"] == [
        [name.decode("latin-1"), value.decode("latin-1")] for name, value in _sent(fast)[2]
    ]


def test_put_last_moves_the_header_to_the_end() -> None:
    headers = httpx.Headers([("Accept", "*/*"), ("x-a", "1"), ("ACCEPT", "b")])
    _fetch_base_query.put_last(headers, "accept", "application/json")
    assert headers.raw == [(b"x-a", b"1"), (b"accept", b"application/json")]
    empty = httpx.Headers()
    _fetch_base_query.put_last(empty, "accept", "text/plain")
    assert empty.raw == [(b"accept", b"text/plain")]
