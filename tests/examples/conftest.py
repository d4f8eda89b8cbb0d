"""Fixtures for the example tests: the examples on ``sys.path`` and a fresh posts server."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
if str(EXAMPLES) not in sys.path:
    sys.path.insert(0, str(EXAMPLES))  # the examples import each other by module name

from posts_server import create_app  # noqa: E402

try:
    from tests._live_server import run_live_server
except ImportError:  # only ``tests/`` on sys.path
    from _live_server import run_live_server  # type: ignore[no-redef]


@dataclass
class PostsServer:
    """A running posts server: its URL, its shared state, and admin helpers."""

    url: str
    app: Any
    http: httpx.Client

    @property
    def state(self) -> Any:
        return self.app.state.server

    def stats(self) -> dict[str, int]:
        routes: dict[str, int] = self.http.get(f"{self.url}/stats").json()["routes"]
        return routes

    def fail_next(self, count: int = 1, scope: str = "writes", status: int = 500) -> None:
        body = {"count": count, "scope": scope, "status": status}
        self.http.post(f"{self.url}/admin/fail-next", json=body).raise_for_status()


def _serve(tmp_path: Path, **options: Any) -> Iterator[PostsServer]:
    app = create_app(tmp_path / "posts.sqlite3", **options)
    try:
        with run_live_server(app) as url, httpx.Client(timeout=10.0) as http:
            yield PostsServer(url, app, http)
    finally:
        app.state.server.close()


@pytest.fixture
def posts_server(tmp_path: Path) -> Iterator[PostsServer]:
    """A fresh posts server (seeded SQLite file in ``tmp_path``), no latency."""
    yield from _serve(tmp_path)


@pytest.fixture
def slow_posts_server(tmp_path: Path) -> Iterator[PostsServer]:
    """A fresh posts server answering after 50 ms, so pending states can be observed."""
    yield from _serve(tmp_path, latency=0.05)
