"""Fixtures: a real redis-server for the session, flushed before each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis

from ._server import RedisServer


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    with RedisServer() as server:
        yield server


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The session server's URL, with an empty database."""
    client = redis.Redis.from_url(redis_server.url)
    try:
        client.flushall()
    finally:
        client.close()
    return redis_server.url


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    """A redis-server of this test alone (fault tests stop and restart it)."""
    with RedisServer() as server:
        yield server
