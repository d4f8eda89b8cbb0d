"""The reusable live-server helper (tests/_live_server.py) starts, serves and stops."""

from __future__ import annotations

import socket
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

try:
    from tests._live_server import LiveServerPool, run_live_server
except ImportError:  # pragma: no cover - tests/ itself on sys.path
    from _live_server import LiveServerPool, run_live_server  # type: ignore[no-redef]


async def _pong(request: Request) -> PlainTextResponse:
    return PlainTextResponse("pong")


def _app() -> Starlette:
    return Starlette(routes=[Route("/ping", _pong)])


def _port_is_open(url: str) -> bool:
    parts = urlsplit(url)
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((parts.hostname or "", parts.port or 0)) == 0


def test_run_live_server_serves_then_stops() -> None:
    with run_live_server(_app()) as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        assert httpx.get(f"{base_url}/ping").text == "pong"
    assert not _port_is_open(base_url)


def test_a_pool_starts_each_app_once_and_closes_all() -> None:
    pool = LiveServerPool()
    first, second = _app(), _app()
    try:
        url = pool(first)
        assert pool(first) == url
        other = pool(second)
        assert other != url
        assert httpx.get(f"{other}/ping").text == "pong"
    finally:
        pool.close()
    assert not _port_is_open(url)
    assert not _port_is_open(other)


def test_the_session_fixture_hands_out_base_urls(live_server: Any) -> None:
    app = _app()
    assert live_server(app) == live_server(app)
    assert httpx.get(f"{live_server(app)}/ping").text == "pong"


def test_a_server_that_cannot_start_is_reported() -> None:
    with pytest.raises(RuntimeError, match="did not start"), run_live_server("not an app"):
        pass
