"""fetch_base_query against a real uvicorn server (tests/base_query/_app.py)."""

from __future__ import annotations

import asyncio
import json
import socket
import time
import uuid
from collections.abc import Coroutine
from typing import Any

import httpx
import pytest

from rtkq import fetch_base_query, freeze
from rtkq._base_query import FetchBaseQuery, PrepareHeadersApi

from ._app import state
from ._fakes import make_api


async def test_get_string_args_returns_json_data_and_meta(bq: FetchBaseQuery) -> None:
    result = await bq("echo", make_api())
    assert set(result) == {"data", "meta"}
    assert result["data"]["method"] == "GET"
    assert result["data"]["path"] == "/echo"
    assert result["data"]["headers"]["accept"] == "application/json"
    assert isinstance(result["meta"]["request"], httpx.Request)
    assert isinstance(result["meta"]["response"], httpx.Response)
    assert result["meta"]["response"].status_code == 200


async def test_dict_body_is_sent_as_json(bq: FetchBaseQuery) -> None:
    body = {"title": "héllo", "tags": ["a", "b"], "n": None}
    result = await bq({"url": "/echo", "method": "post", "body": body}, make_api())
    seen = result["data"]
    assert seen["method"] == "POST"
    assert seen["headers"]["content-type"] == "application/json"
    assert json.loads(seen["body"]) == body


async def test_frozen_args_and_body_work(bq: FetchBaseQuery) -> None:
    args = freeze(
        {
            "url": "echo",
            "method": "PUT",
            "params": {"ids": [1, 2]},
            "body": {"nested": {"list": [1, {"x": (1, 2)}]}},
            "headers": {"x-frozen": "yes"},
        }
    )
    result = await bq(args, make_api())
    seen = result["data"]
    assert seen["method"] == "PUT"
    assert seen["query"] == [["ids", "1"], ["ids", "2"]]
    assert seen["headers"]["x-frozen"] == "yes"
    assert json.loads(seen["body"]) == {"nested": {"list": [1, {"x": [1, 2]}]}}


async def test_str_and_bytes_bodies_are_sent_as_they_are(bq: FetchBaseQuery) -> None:
    text = await bq({"url": "echo", "method": "POST", "body": "a=1&b=2"}, make_api())
    raw = await bq({"url": "echo", "method": "POST", "body": b"\x00\x01"}, make_api())
    assert text["data"]["body"] == "a=1&b=2"
    assert "content-type" not in text["data"]["headers"]
    assert raw["data"]["body"] == "\x00\x01"


async def test_a_content_type_given_by_the_caller_is_kept(bq: FetchBaseQuery) -> None:
    args = {
        "url": "echo",
        "method": "POST",
        "body": {"a": 1},
        "headers": {"Content-Type": "application/merge-patch+json"},
    }
    result = await bq(args, make_api())
    assert result["data"]["headers"]["content-type"] == "application/merge-patch+json"
    assert json.loads(result["data"]["body"]) == {"a": 1}


async def test_params_merge_with_the_url_query_and_drop_none(bq: FetchBaseQuery) -> None:
    args = {
        "url": "echo?a=1",
        "params": {"b": 2, "skip": None, "d": [3, 4], "flag": True, "q": "x y&z"},
    }
    result = await bq(args, make_api())
    assert result["data"]["query"] == [
        ["a", "1"],
        ["b", "2"],
        ["d", "3"],
        ["d", "4"],
        ["flag", "true"],
        ["q", "x y&z"],
    ]


async def test_only_none_params_leave_the_url_alone(bq: FetchBaseQuery) -> None:
    result = await bq({"url": "echo", "params": {"x": None}}, make_api())
    assert result["data"]["query"] == []
    assert str(result["meta"]["request"].url).endswith("/echo")


async def test_params_serializer_builds_the_query_string(base_url: str) -> None:
    seen: list[dict[str, Any]] = []

    def serializer(params: dict[str, Any]) -> str:
        seen.append(params)
        return "&".join(f"{k}={v}" for k, v in sorted(params.items()))

    async with fetch_base_query(base_url, params_serializer=serializer) as bq:
        result = await bq({"url": "echo?z=0", "params": {"b": 2, "a": 1, "n": None}}, make_api())
    assert seen == [{"b": 2, "a": 1}]
    assert result["data"]["query"] == [["z", "0"], ["a", "1"], ["b", "2"]]


async def test_prepare_headers_gets_the_request_context(base_url: str) -> None:
    calls: list[PrepareHeadersApi] = []

    def prepare_headers(headers: httpx.Headers, api: PrepareHeadersApi) -> httpx.Headers:
        calls.append(api)
        assert headers["x-from-args"] == "1"
        headers["authorization"] = f"Bearer {api.get_state()['auth']['token']}"
        return headers

    async with fetch_base_query(base_url, prepare_headers=prepare_headers) as bq:
        args = {"url": "echo", "headers": {"X-From-Args": "1", "X-Dropped": None}}
        api = make_api(endpoint="get_me", type="mutation", forced=True, arg={"id": 1})
        result = await bq(args, api, {"max_retries": 2})
    headers = result["data"]["headers"]
    assert headers["authorization"] == "Bearer t0k3n"
    assert headers["x-from-args"] == "1"
    assert "x-dropped" not in headers
    [info] = calls
    assert (info.endpoint, info.type, info.forced, info.arg) == (
        "get_me",
        "mutation",
        True,
        {"id": 1},
    )
    assert info.extra == {"tenant": "acme"}
    assert info.extra_options == {"max_retries": 2}


async def test_async_prepare_headers_may_return_a_new_mapping(base_url: str) -> None:
    async def prepare_headers(headers: httpx.Headers, api: PrepareHeadersApi) -> dict[str, str]:
        await asyncio.sleep(0)
        return {"x-tenant": api.extra["tenant"]}

    async with fetch_base_query(base_url, prepare_headers=prepare_headers) as bq:
        result = await bq({"url": "echo", "headers": {"x-gone": "1"}}, make_api())
    assert result["data"]["headers"]["x-tenant"] == "acme"
    assert "x-gone" not in result["data"]["headers"]


async def test_prepare_headers_returning_none_keeps_the_mutated_headers(base_url: str) -> None:
    def prepare_headers(headers: httpx.Headers, api: PrepareHeadersApi) -> None:
        headers["x-set"] = "yes"

    async with fetch_base_query(base_url, prepare_headers=prepare_headers) as bq:
        result = await bq("echo", None)
    assert result["data"]["headers"]["x-set"] == "yes"


@pytest.mark.parametrize("code", [400, 404, 500, 503])
async def test_non_2xx_gives_status_and_parsed_body(bq: FetchBaseQuery, code: int) -> None:
    result = await bq(f"status/{code}", make_api())
    assert result["error"] == {"status": code, "data": {"code": code, "detail": "as requested"}}
    assert result["meta"]["response"].status_code == code


async def test_invalid_json_is_a_parsing_error(bq: FetchBaseQuery) -> None:
    result = await bq("invalid-json", make_api())
    error = result["error"]
    assert error["status"] == "PARSING_ERROR"
    assert error["original_status"] == 200
    assert error["data"] == "{not json"
    assert error["error"].startswith("JSONDecodeError: ")
    assert result["meta"]["response"].status_code == 200


async def test_html_error_page_with_json_handler_is_a_parsing_error(bq: FetchBaseQuery) -> None:
    result = await bq("html-error", make_api())
    assert result["error"]["status"] == "PARSING_ERROR"
    assert result["error"]["original_status"] == 404
    assert result["error"]["data"] == "<h1>Not Found</h1>"


async def test_empty_body_gives_none_for_json_and_empty_text(bq: FetchBaseQuery) -> None:
    assert (await bq("empty", make_api()))["data"] is None
    assert (await bq({"url": "empty", "response_handler": "text"}, make_api()))["data"] == ""
    not_found = await bq("empty?code=404", make_api())
    assert not_found["error"] == {"status": 404, "data": None}


async def test_text_handler_per_request_and_per_base_query(base_url: str) -> None:
    async with fetch_base_query(base_url, response_handler="text") as bq:
        result = await bq("text", make_api())
        json_result = await bq({"url": "status/200", "response_handler": "json"}, make_api())
    assert result["data"] == "hello, world"
    assert result["meta"]["request"].headers["accept"] == "text/plain, text/html, */*"
    assert json_result["data"] == {"code": 200, "detail": "as requested"}


async def test_content_type_handler_follows_the_response(base_url: str) -> None:
    async with fetch_base_query(base_url, response_handler="content-type") as bq:
        as_json = await bq("status/200", make_api())
        vendor = await bq("vendor-json", make_api())
        as_text = await bq("text", make_api())
        html = await bq("html-error", make_api())
    assert as_json["data"] == {"code": 200, "detail": "as requested"}
    assert vendor["data"] == {"vendor": True}
    assert as_text["data"] == "hello, world"
    assert html["error"] == {"status": 404, "data": "<h1>Not Found</h1>"}
    assert as_json["meta"]["request"].headers["accept"] == "*/*"  # httpx default


async def test_callable_response_handlers_sync_and_async(bq: FetchBaseQuery) -> None:
    async def read_upper(response: httpx.Response) -> str:
        await asyncio.sleep(0)
        return response.text.upper()

    sync = await bq({"url": "text", "response_handler": lambda r: len(r.content)}, make_api())
    async_ = await bq({"url": "text", "response_handler": read_upper}, make_api())
    assert sync["data"] == len("hello, world")
    assert async_["data"] == "HELLO, WORLD"


async def test_a_failing_response_handler_is_a_parsing_error(bq: FetchBaseQuery) -> None:
    def explode(response: httpx.Response) -> Any:
        raise LookupError("no such field")

    result = await bq({"url": "text", "response_handler": explode}, make_api())
    assert result["error"] == {
        "status": "PARSING_ERROR",
        "original_status": 200,
        "data": "hello, world",
        "error": "LookupError: no such field",
    }


async def test_validate_status_decides_success(base_url: str) -> None:
    def body_says_ok(response: httpx.Response, body: Any) -> bool:
        return isinstance(body, dict) and body.get("code") == 404

    async with fetch_base_query(base_url, validate_status=body_says_ok) as bq:
        accepted = await bq("status/404", make_api())
        rejected = await bq("status/200", make_api())
        per_request = await bq(
            {"url": "status/200", "validate_status": lambda r, b: r.status_code == 200},
            make_api(),
        )
    assert accepted["data"] == {"code": 404, "detail": "as requested"}
    assert rejected["error"] == {"status": 200, "data": {"code": 200, "detail": "as requested"}}
    assert per_request["data"]["code"] == 200


async def test_redirects_are_followed(bq: FetchBaseQuery) -> None:
    result = await bq("redirect", make_api())
    assert result["data"] == {"code": 200, "detail": "as requested"}
    assert str(result["meta"]["response"].url).endswith("/status/200")


async def test_base_url_with_a_path_joins_like_rtk(base_url: str) -> None:
    for base, url in [(f"{base_url}/api/v1", "echo"), (f"{base_url}/api/v1/", "/echo")]:
        async with fetch_base_query(base) as bq:
            result = await bq(url, make_api())
        assert result["data"]["path"] == "/api/v1/echo"


async def test_absolute_urls_pass_through(bq: FetchBaseQuery, base_url: str) -> None:
    result = await bq(f"{base_url}/status/201", make_api())
    assert result["data"] == {"code": 201, "detail": "as requested"}


async def test_timeout_gives_timeout_error(base_url: str) -> None:
    # Real network and real time: no looptime here; 0.2 s keeps the test short.
    key = uuid.uuid4().hex
    async with fetch_base_query(base_url, timeout=0.2) as bq:
        started = time.monotonic()
        result = await bq(f"slow?key={key}&seconds=5", make_api())
        elapsed = time.monotonic() - started
    assert result["error"]["status"] == "TIMEOUT_ERROR"
    assert "0.2" in result["error"]["error"]
    assert result["meta"]["request"] is not None
    assert result["meta"]["response"] is None
    assert 0.15 < elapsed < 2.0


async def test_a_request_timeout_overrides_the_base_query_timeout(bq: FetchBaseQuery) -> None:
    key = uuid.uuid4().hex
    result = await bq({"url": f"slow?key={key}&seconds=5", "timeout": 0.05}, make_api())
    assert result["error"]["status"] == "TIMEOUT_ERROR"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def test_connection_refused_is_a_fetch_error() -> None:
    async with fetch_base_query(f"http://127.0.0.1:{_closed_port()}/") as bq:
        result = await bq("anything", make_api())
    assert result["error"]["status"] == "FETCH_ERROR"
    assert result["error"]["error"].startswith("ConnectError")
    assert isinstance(result["meta"]["request"], httpx.Request)
    assert result["meta"]["response"] is None


async def test_cancelling_the_task_cancels_the_request(bq: FetchBaseQuery) -> None:
    key = uuid.uuid4().hex
    task = asyncio.ensure_future(bq(f"slow?key={key}&seconds=5", make_api()))
    started = state.event(f"started:{key}")
    for _ in range(1000):
        if started.is_set():
            break
        await asyncio.sleep(0.002)
    assert started.is_set(), "the server never saw the request"
    begin = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert time.monotonic() - begin < 0.5
    disconnected = state.event(f"disconnected:{key}")
    for _ in range(1000):
        if disconnected.is_set():
            break
        await asyncio.sleep(0.002)
    assert disconnected.is_set(), "the server did not see the client go away"


async def test_an_already_aborted_request_sends_nothing(bq: FetchBaseQuery) -> None:
    before = state.hits["echo:/echo"]
    api = make_api(signal=type("S", (), {"aborted": True})())
    result = await bq("echo", api)
    assert result["error"] == {"status": "CUSTOM_ERROR", "error": "Aborted"}
    assert state.hits["echo:/echo"] == before


async def test_an_unencodable_body_is_a_custom_error_and_sends_nothing() -> None:
    sent: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200)

    transport = httpx.MockTransport(record)
    async with httpx.AsyncClient(transport=transport) as client:
        bq = fetch_base_query("http://example.test", client=client)
        result = await bq({"url": "x", "method": "POST", "body": {"when": object()}}, make_api())
        nan = await bq({"url": "x", "method": "POST", "body": [float("nan")]}, make_api())
    assert result["error"]["status"] == "CUSTOM_ERROR"
    assert "object" in result["error"]["error"]
    assert "Out of range float" in nan["error"]["error"]
    assert result["meta"] == {"request": None, "response": None}
    assert sent == []


async def test_a_broken_transport_is_a_fetch_error() -> None:
    # A fault the real server cannot produce on demand: the transport raises mid-read.
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.RemoteProtocolError("peer closed connection", request=request)

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        result = await fetch_base_query("http://example.test", client=client)("x", make_api())
    assert result["error"] == {
        "status": "FETCH_ERROR",
        "error": "RemoteProtocolError: peer closed connection",
    }


async def test_a_given_client_is_used_and_never_closed(base_url: str) -> None:
    async with httpx.AsyncClient(headers={"x-client": "mine"}) as client:
        async with fetch_base_query(base_url, client=client) as bq:
            result = await bq("echo", make_api())
            assert bq.client is client
        assert not client.is_closed
    assert result["data"]["headers"]["x-client"] == "mine"


async def test_one_pooled_client_is_made_lazily_and_closed(base_url: str) -> None:
    bq = fetch_base_query(base_url)
    assert bq.client is None
    await bq("echo", make_api())
    client = bq.client
    assert client is not None
    await asyncio.gather(*(bq(f"status/{200 + i}", make_api()) for i in range(5)))
    assert bq.client is client
    await bq.aclose()
    assert client.is_closed
    assert bq.client is None
    again = await bq("echo", make_api())  # a closed base query reopens on demand
    assert again["data"]["path"] == "/echo"
    assert bq.client is not client
    await bq.aclose()


def _run_on_a_new_loop(coro: Coroutine[Any, Any, Any]) -> Any:
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coro)
    finally:
        loop.close()


def test_a_new_event_loop_gets_a_new_client(base_url: str) -> None:
    bq = fetch_base_query(base_url)
    clients: list[httpx.AsyncClient | None] = []
    refused = f"http://127.0.0.1:{_closed_port()}/x"

    async def call(url: str, *, close: bool) -> Any:
        result = await bq(url, make_api())
        clients.append(bq.client)
        if close:
            await bq.aclose()
        return result

    # A refused connection leaves no pooled socket behind, so the first client can be
    # left open when its loop ends: the next loop must still not reuse it.
    first = _run_on_a_new_loop(call(refused, close=False))
    second = _run_on_a_new_loop(call("status/200", close=True))
    assert first["error"]["status"] == "FETCH_ERROR"
    assert second["data"]["code"] == 200
    assert clients[0] is not None and clients[1] is not None
    assert clients[0] is not clients[1]
    assert not clients[0].is_closed
    assert clients[1].is_closed


def test_base_url_must_be_http() -> None:
    with pytest.raises(ValueError, match=r"base_url .* 'ftp://x'"):
        fetch_base_query("ftp://x")
    with pytest.raises(ValueError, match="http:// or https://"):
        fetch_base_query("localhost:8000")
    with pytest.raises(TypeError, match="'bytes'"):
        fetch_base_query(b"http://x")  # type: ignore[arg-type]


def test_constructor_options_are_checked() -> None:
    with pytest.raises(ValueError, match=r"response_handler .* 'xml'"):
        fetch_base_query("http://x", response_handler="xml")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"timeout .* -1"):
        fetch_base_query("http://x", timeout=-1)
    with pytest.raises(TypeError, match=r"httpx.AsyncClient"):
        fetch_base_query("http://x", client=httpx.Client())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="prepare_headers"):
        fetch_base_query("http://x", prepare_headers="nope")  # type: ignore[arg-type]


async def test_bad_args_raise_from_the_call(bq: FetchBaseQuery) -> None:
    with pytest.raises(ValueError, match="'FETCH'"):
        await bq({"url": "echo", "method": "FETCH"}, make_api())
    with pytest.raises(ValueError, match=r"\['param'\]"):
        await bq({"url": "echo", "param": {"a": 1}}, make_api())
    with pytest.raises(ValueError, match="'url'"):
        await bq({"method": "GET"}, make_api())
    with pytest.raises(TypeError, match="'int'"):
        await bq(42, make_api())
    with pytest.raises(TypeError, match="params"):
        await bq({"url": "echo", "params": [("a", 1)]}, make_api())
