"""Several real worker processes, each with its own store, sharing one cache through a
real redis-server, against one real posts server that counts requests."""

from __future__ import annotations

import os
from typing import Any

import pytest
import shared_workers
from shared_workers import Workers, redis_server

from .conftest import PostsServer


def test_three_processes_send_one_request_per_key_and_share_a_mutation(
    slow_posts_server: PostsServer,
) -> None:
    server = slow_posts_server
    with redis_server() as redis_url, Workers(3, server.url, redis_url) as workers:
        answers = workers.ask_all({"cmd": "fetch", "ids": [1, 2, 3]})
        assert answers[0]["titles"] == {
            "1": "Hello, rtkq",
            "2": "Caching server state",
            "3": "Optimistic updates",
        }
        assert answers[1] == answers[2] == answers[0]
        assert server.stats() == {"GET /posts/{id}": 3}  # not 9
        for index in (1, 2):
            assert workers.ask(index, {"cmd": "arm", "id": 1}) == {"armed": True}
        sent = workers.ask(0, {"cmd": "update", "id": 1, "title": "From worker 1"})
        fired = [workers.ask(index, {"cmd": "fired"}) for index in (1, 2)]
        # Each refetch starts after the update settled (2 ms of slack for the two
        # processes' epoch clocks; a stamp taken after unwrap() once read up to -0.7 ms).
        assert all(answer["at"] >= sent["at"] - 0.002 for answer in fired), (sent, fired)
        seen = workers.ask_all({"cmd": "wait_title", "id": 1, "title": "From worker 1"})
        assert all(answer["ok"] for answer in seen), seen
        assert server.stats() == {"GET /posts/{id}": 4, "PATCH /posts/{id}": 1}


def test_without_redis_each_process_fetches_for_itself(posts_server: PostsServer) -> None:
    with Workers(2, posts_server.url, None) as workers:
        workers.ask_all({"cmd": "fetch", "ids": [1, 2]})
        assert posts_server.stats() == {"GET /posts/{id}": 4}
        workers.ask(0, {"cmd": "update", "id": 2, "title": "Only here"})
        answer = workers.ask(
            1, {"cmd": "wait_title", "id": 2, "title": "Only here", "timeout": 0.3}
        )
        assert answer["ok"] is False  # nothing told worker 2


def test_the_redis_server_directory_goes_with_it(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[str] = []
    real_mkdtemp = shared_workers.tempfile.mkdtemp

    def recording(**options: Any) -> str:
        made.append(real_mkdtemp(**options))
        return made[-1]

    monkeypatch.setattr(shared_workers.tempfile, "mkdtemp", recording)
    with redis_server() as url:
        assert url.startswith("redis://127.0.0.1:")
        assert len(made) == 1 and os.path.isdir(made[0])
    assert not os.path.exists(made[0])
