"""The posts server over real HTTP: routes, validation, counters and injected faults."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from posts_server import LISTENING_PREFIX, create_app

from .conftest import EXAMPLES, PostsServer, run_live_server


def test_lists_the_seeded_posts(posts_server: PostsServer) -> None:
    posts = posts_server.http.get(f"{posts_server.url}/posts").json()
    assert [p["id"] for p in posts] == [1, 2, 3]
    assert posts[0] == {
        "id": 1,
        "title": "Hello, rtkq",
        "body": "A first post, served from SQLite.",
        "published": True,
    }


def test_post_crud(posts_server: PostsServer) -> None:
    url = posts_server.url
    created = posts_server.http.post(f"{url}/posts", json={"title": "  New  ", "published": True})
    assert created.status_code == 201
    post = created.json()
    assert post == {"id": 4, "title": "New", "body": "", "published": True}
    assert posts_server.http.get(f"{url}/posts/4").json() == post
    patched = posts_server.http.patch(f"{url}/posts/4", json={"body": "text", "published": False})
    assert patched.json() == {"id": 4, "title": "New", "body": "text", "published": False}
    assert posts_server.http.delete(f"{url}/posts/4").json() == {"id": 4}
    assert posts_server.http.get(f"{url}/posts/4").status_code == 404
    assert posts_server.http.patch(f"{url}/posts/4", json={"title": "x"}).status_code == 404
    missing = posts_server.http.delete(f"{url}/posts/4")
    assert (missing.status_code, missing.json()) == (404, {"error": "Post 4 does not exist"})


def test_comments(posts_server: PostsServer) -> None:
    url = posts_server.url
    assert [c["body"] for c in posts_server.http.get(f"{url}/posts/1/comments").json()] == [
        "Nice to meet you.",
        "Welcome!",
    ]
    added = posts_server.http.post(f"{url}/posts/3/comments", json={"body": "First!"})
    assert (added.status_code, added.json()) == (201, {"id": 4, "post_id": 3, "body": "First!"})
    assert posts_server.http.delete(f"{url}/comments/4").json() == {"id": 4}
    assert posts_server.http.get(f"{url}/posts/3/comments").json() == []
    assert posts_server.http.get(f"{url}/posts/9/comments").status_code == 404
    assert posts_server.http.post(f"{url}/posts/9/comments", json={"body": "x"}).status_code == 404
    # Deleting a post deletes its comments.
    posts_server.http.delete(f"{url}/posts/1")
    assert posts_server.state.query("SELECT id FROM comments WHERE post_id = 1") == []


@pytest.mark.parametrize(
    ("method", "path", "body", "field", "message"),
    [
        ("POST", "/posts", {"title": ""}, "title", "must not be empty"),
        ("POST", "/posts", {"body": "no title"}, "title", "is required"),
        ("POST", "/posts", {"title": 5}, "title", "must be a string"),
        ("POST", "/posts", {"title": "x" * 201}, "title", "must be at most 200 characters"),
        (
            "POST",
            "/posts",
            {"title": "t", "published": "yes"},
            "published",
            "must be true or false",
        ),
        ("POST", "/posts", {"title": "t", "author": "me"}, "author", "is not a known field"),
        ("POST", "/posts", [1, 2], "body", "must be a JSON object"),
        ("PATCH", "/posts/1", {}, "body", "must change at least one field"),
        ("PATCH", "/posts/1", {"title": "   "}, "title", "must not be empty"),
        ("POST", "/posts/1/comments", {"body": ""}, "body", "must not be empty"),
        ("POST", "/admin/fail-next", {"count": -1}, "count", "must be an integer from 0 to 1000"),
        (
            "POST",
            "/admin/fail-next",
            {"scope": "some"},
            "scope",
            "must be one of writes, reads, all",
        ),
        (
            "POST",
            "/admin/fail-next",
            {"status": 404},
            "status",
            "must be an integer from 500 to 599",
        ),
    ],
)
def test_bad_input_is_a_422_with_a_json_error(
    posts_server: PostsServer, method: str, path: str, body: Any, field: str, message: str
) -> None:
    response = posts_server.http.request(method, f"{posts_server.url}{path}", json=body)
    assert response.status_code == 422
    assert response.json() == {
        "error": "Invalid input",
        "detail": [{"field": field, "message": message}],
    }
    assert posts_server.http.get(f"{posts_server.url}/posts/1").json()["title"] == "Hello, rtkq"


def test_invalid_json_is_a_422(posts_server: PostsServer) -> None:
    response = posts_server.http.post(f"{posts_server.url}/posts", content=b"{nope")
    assert response.status_code == 422
    assert response.json()["detail"] == [{"field": "body", "message": "is not valid JSON"}]


def test_stats_count_requests_per_route(posts_server: PostsServer) -> None:
    url = posts_server.url
    for _ in range(3):
        posts_server.http.get(f"{url}/posts")
    posts_server.http.get(f"{url}/posts/1")
    posts_server.http.get(f"{url}/posts/2")
    posts_server.http.post(f"{url}/posts", json={"title": ""})  # counted even when invalid
    assert posts_server.http.get(f"{url}/stats").json() == {
        "routes": {"GET /posts": 3, "GET /posts/{id}": 2, "POST /posts": 1},
        "total": 6,
    }
    assert posts_server.http.post(f"{url}/admin/reset-stats").json() == {"routes": {}, "total": 0}
    assert posts_server.stats() == {}


def test_fail_next_fails_exactly_the_next_writes(posts_server: PostsServer) -> None:
    url = posts_server.url
    posts_server.fail_next(2, status=503)
    assert posts_server.http.get(f"{url}/posts").status_code == 200  # reads are not affected
    first = posts_server.http.patch(f"{url}/posts/1", json={"title": "a"})
    assert first.status_code == 503
    assert first.json() == {"error": "Injected failure (/admin/fail-next) for PATCH /posts/{id}"}
    assert posts_server.http.post(f"{url}/posts", json={"title": "b"}).status_code == 503
    assert posts_server.http.patch(f"{url}/posts/1", json={"title": "c"}).json()["title"] == "c"
    assert posts_server.stats() == {"GET /posts": 1, "PATCH /posts/{id}": 2, "POST /posts": 1}


def test_fail_next_reads_and_all(posts_server: PostsServer) -> None:
    url = posts_server.url
    posts_server.fail_next(1, scope="reads")
    assert posts_server.http.post(f"{url}/posts", json={"title": "ok"}).status_code == 201
    assert posts_server.http.get(f"{url}/posts/1").status_code == 500
    assert posts_server.http.get(f"{url}/posts/1").status_code == 200
    posts_server.fail_next(2, scope="all")
    assert posts_server.http.delete(f"{url}/posts/4").status_code == 500
    assert posts_server.http.get(f"{url}/posts").status_code == 500
    assert posts_server.http.delete(f"{url}/posts/4").status_code == 200


def test_fail_rate_and_latency(tmp_path: Path) -> None:
    app = create_app(tmp_path / "db.sqlite3", latency=0.03, fail_rate=1.0)
    with run_live_server(app) as url:
        started = time.monotonic()
        response = httpx.get(f"{url}/posts")
        assert time.monotonic() - started >= 0.03
        assert response.status_code == 503
        assert response.json() == {"error": "Random failure (--fail-rate) for GET /posts"}
        assert httpx.get(f"{url}/stats").json()["total"] == 1  # admin routes never fail
    app.state.server.close()


def test_latency_can_change_at_runtime(posts_server: PostsServer) -> None:
    url = posts_server.url
    answer = posts_server.http.post(f"{url}/admin/latency", json={"seconds": 0.03})
    assert answer.json() == {"seconds": 0.03, "previous": 0.0}
    started = time.monotonic()
    posts_server.http.get(f"{url}/posts/1")
    assert time.monotonic() - started >= 0.03
    posts_server.http.post(f"{url}/admin/latency", json={"seconds": 0})
    assert posts_server.state.latency == 0.0


def test_a_forced_failure_goes_to_the_first_request_to_arrive(
    posts_server: PostsServer,
) -> None:
    url = posts_server.url
    posts_server.http.post(f"{url}/admin/latency", json={"seconds": 0.2})
    results: list[int] = []
    slow = threading.Thread(
        target=lambda: results.append(
            posts_server.http.patch(f"{url}/posts/1", json={"title": "first"}).status_code
        )
    )
    slow.start()
    while posts_server.stats().get("PATCH /posts/{id}") != 1:
        time.sleep(0.005)
    posts_server.fail_next(1)  # armed after the first request arrived: not its failure
    posts_server.http.post(f"{url}/admin/latency", json={"seconds": 0})
    assert posts_server.http.patch(f"{url}/posts/1", json={"title": "second"}).status_code == 500
    slow.join(timeout=5)
    assert results == [200]


@pytest.mark.parametrize(("latency", "fail_rate"), [(-1.0, 0.0), (0.0, 1.5)])
def test_bad_fault_settings(tmp_path: Path, latency: float, fail_rate: float) -> None:
    with pytest.raises(ValueError, match="Expected"):
        create_app(tmp_path / "db.sqlite3", latency=latency, fail_rate=fail_rate)


def test_db_file_keeps_data_between_apps(tmp_path: Path) -> None:
    first = create_app(tmp_path / "kept.sqlite3").state.server
    first.write("INSERT INTO posts (title) VALUES (?)", ("kept",))
    first.close()
    second = create_app(tmp_path / "kept.sqlite3").state.server
    assert [p["title"] for p in second.query("SELECT title FROM posts")][-1] == "kept"
    assert len(second.query("SELECT id FROM posts")) == 4  # not seeded twice
    second.close()


def test_a_database_of_its_own_goes_with_the_server() -> None:
    state = create_app(None).state.server
    owned = state.owned_dir
    assert owned is not None and (owned / "posts.sqlite3").is_file()
    assert len(state.query("SELECT id FROM posts")) == 3  # seeded
    state.close()
    assert not owned.exists()


def test_a_database_given_stays(tmp_path: Path) -> None:
    state = create_app(tmp_path / "given.sqlite3").state.server
    assert state.owned_dir is None
    state.close()
    assert (tmp_path / "given.sqlite3").is_file()


def _script(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, str(EXAMPLES / "posts_server.py"), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def test_script_prints_its_url_and_serves(tmp_path: Path) -> None:
    process = _script("--port", "0", "--db", str(tmp_path / "script.sqlite3"))
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith(LISTENING_PREFIX), line
        url = line[len(LISTENING_PREFIX) :].strip()
        assert len(httpx.get(f"{url}/posts", timeout=5).json()) == 3
    finally:
        process.terminate()
        process.communicate(timeout=10)
    assert (tmp_path / "script.sqlite3").exists()


def test_script_reports_a_port_it_cannot_bind() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        process = _script("--port", str(port))
        _, err = process.communicate(timeout=20)
    assert process.returncode == 2
    assert f"cannot bind 127.0.0.1:{port}" in err
    assert "--port 0" in err


def test_the_listening_socket_turns_nagle_off_for_accepted_connections() -> None:
    # Without TCP_NODELAY each response written in two parts waited for a delayed ACK
    # (~40 ms): one request at a time took ~48 ms against this server.
    from posts_server import bind_socket

    sock = bind_socket("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
    finally:
        sock.close()
