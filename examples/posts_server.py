"""A small posts-and-comments REST server for the rtkq examples (Starlette on uvicorn).

Data lives in SQLite: a file in a fresh temporary directory by default, or ``--db PATH``
to keep it between runs. A new database is seeded with three posts and a few comments.

Routes (JSON in, JSON out)::

    GET    /posts                      list posts
    POST   /posts                      create {"title", "body"?, "published"?} -> 201
    GET    /posts/{id}                 one post (404 when missing)
    PATCH  /posts/{id}                 change some of title, body, published
    DELETE /posts/{id}                 delete a post and its comments
    GET    /posts/{id}/comments        the comments of a post
    POST   /posts/{id}/comments        add {"body"} -> 201
    DELETE /comments/{id}              delete a comment

    GET    /stats                      {"routes": {"GET /posts": 3, ...}, "total": n}
    POST   /admin/reset-stats          zero the counters
    POST   /admin/fail-next            {"count": n, "scope": "writes"|"reads"|"all",
                                        "status": 500}: the next n matching requests fail
    POST   /admin/latency              {"seconds": s}: the latency from now on (0-10 s);
                                        answers {"seconds": s, "previous": old}

Bad input is answered with 422 and ``{"error": "...", "detail": [{"field", "message"}]}``.
Failures (``--fail-rate`` or ``/admin/fail-next``) are answered with a 5xx status and a
JSON ``{"error": "..."}`` body. Every request to a posts/comments route is counted
before latency and failures apply, so ``/stats`` shows what clients really sent;
``/stats`` and ``/admin/*`` are neither counted, delayed nor failed.

Run it::

    python examples/posts_server.py --port 0 --latency 0.2 --fail-rate 0.1

It prints ``rtkq-posts-server listening on http://127.0.0.1:PORT`` once it accepts
connections (``--port 0`` picks a free port). In-process::

    app = create_app(db_path, latency=0.0, fail_rate=0.0)
    with running_server(app) as base_url: ...
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import shutil
import socket
import sqlite3
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

__all__ = ["LISTENING_PREFIX", "ServerState", "create_app", "main", "running_server"]

LISTENING_PREFIX = "rtkq-posts-server listening on "
"""The start of the line the script prints once it serves; the URL follows."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS posts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    body TEXT NOT NULL DEFAULT '',
    published INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS comments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    post_id INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    body TEXT NOT NULL
);
"""

_SEED_POSTS = [
    ("Hello, rtkq", "A first post, served from SQLite.", 1),
    ("Caching server state", "Queries are cached by endpoint and argument.", 1),
    ("Optimistic updates", "Show the change now, confirm it later.", 0),
]
_SEED_COMMENTS = [(1, "Nice to meet you."), (1, "Welcome!"), (2, "What about invalidation?")]

_MAX_TITLE = 200
_MAX_BODY = 10_000
_WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_FAIL_SCOPES = ("writes", "reads", "all")

Handler = Callable[[Request], Awaitable[Response]]


class _ValidationError(Exception):
    def __init__(self, detail: list[dict[str, str]]) -> None:
        super().__init__("; ".join(f"{d['field']}: {d['message']}" for d in detail))
        self.detail = detail


class ServerState:
    """What the app shares between requests: the database, counters and fault settings.

    The app created by :func:`create_app` exposes it as ``app.state.server``.
    """

    def __init__(
        self, db_path: str | Path, *, latency: float, fail_rate: float, seed: int | None
    ) -> None:
        if latency < 0:
            raise ValueError(f"Expected latency >= 0 seconds, got {latency!r}.")
        if not 0.0 <= fail_rate <= 1.0:
            raise ValueError(f"Expected fail_rate between 0 and 1, got {fail_rate!r}.")
        self.latency = latency
        self.fail_rate = fail_rate
        self.random = random.Random(seed)
        self.counts: Counter[str] = Counter()
        self.fail_next: list[tuple[str, int]] = []  # (scope, status) per forced failure
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(db_path), check_same_thread=False)
        self._db.row_factory = sqlite3.Row
        with self._lock, self._db:
            self._db.execute("PRAGMA foreign_keys = ON")
            self._db.executescript(_SCHEMA)
            if self._db.execute("SELECT COUNT(*) FROM posts").fetchone()[0] == 0:
                self._db.executemany(
                    "INSERT INTO posts (title, body, published) VALUES (?, ?, ?)", _SEED_POSTS
                )
                self._db.executemany(
                    "INSERT INTO comments (post_id, body) VALUES (?, ?)", _SEED_COMMENTS
                )

    # -- faults ------------------------------------------------------------------
    def take_forced_failure(self, method: str) -> int | None:
        """The status to fail this request with when a forced failure matches it."""
        is_write = method in _WRITE_METHODS
        with self._lock:
            for index, (scope, status) in enumerate(self.fail_next):
                if scope == "all" or (scope == "writes") == is_write:
                    del self.fail_next[index]
                    return status
        return None

    # -- database ----------------------------------------------------------------
    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._db.execute(sql, params).fetchall()
        return [_row(row) for row in rows]

    def write(self, sql: str, params: tuple[Any, ...] = ()) -> tuple[int, int]:
        """Run one statement in a transaction; returns (lastrowid, rowcount)."""
        with self._lock, self._db:
            cursor = self._db.execute(sql, params)
            return cursor.lastrowid or 0, cursor.rowcount

    #: A temporary directory of the database that ``close()`` removes (create_app's own).
    owned_dir: Path | None = None

    def close(self) -> None:
        with self._lock:
            self._db.close()
        if self.owned_dir is not None:
            shutil.rmtree(self.owned_dir, ignore_errors=True)
            self.owned_dir = None


def _row(row: sqlite3.Row) -> dict[str, Any]:
    data = dict(row)
    if "published" in data:
        data["published"] = bool(data["published"])
    return data


# -- validation ------------------------------------------------------------------
async def _json_object(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise _ValidationError([{"field": "body", "message": "is not valid JSON"}]) from None
    if not isinstance(body, dict):
        raise _ValidationError([{"field": "body", "message": "must be a JSON object"}])
    return body


def _check_fields(
    body: dict[str, Any], *, required: tuple[str, ...], allowed: dict[str, type]
) -> dict[str, Any]:
    detail: list[dict[str, str]] = []
    for name in body:
        if name not in allowed:
            detail.append({"field": name, "message": "is not a known field"})
    for name in required:
        if name not in body:
            detail.append({"field": name, "message": "is required"})
    for name, kind in allowed.items():
        if name not in body:
            continue
        value = body[name]
        if kind is bool:
            if not isinstance(value, bool):
                detail.append({"field": name, "message": "must be true or false"})
        elif not isinstance(value, str):
            detail.append({"field": name, "message": "must be a string"})
        elif name == "title" and not value.strip():
            detail.append({"field": name, "message": "must not be empty"})
        elif name == "title" and len(value) > _MAX_TITLE:
            detail.append({"field": name, "message": f"must be at most {_MAX_TITLE} characters"})
        elif name == "body" and len(value) > _MAX_BODY:
            detail.append({"field": name, "message": f"must be at most {_MAX_BODY} characters"})
        elif name == "body" and not value.strip() and "title" not in allowed:
            detail.append({"field": name, "message": "must not be empty"})
    if not detail and not body and not required:
        detail.append({"field": "body", "message": "must change at least one field"})
    if detail:
        raise _ValidationError(detail)
    return body


def _path_id(request: Request) -> int:
    value: int = request.path_params["id"]
    return value


def _not_found(kind: str, ident: int) -> JSONResponse:
    return JSONResponse({"error": f"{kind} {ident} does not exist"}, status_code=404)


# -- handlers --------------------------------------------------------------------
_POST_FIELDS: dict[str, type] = {"title": str, "body": str, "published": bool}
_POST_COLUMNS = "id, title, body, published"


async def list_posts(request: Request) -> Response:
    db: ServerState = request.app.state.server
    rows = await run_in_threadpool(db.query, f"SELECT {_POST_COLUMNS} FROM posts ORDER BY id")
    return JSONResponse(rows)


async def get_post(request: Request) -> Response:
    db: ServerState = request.app.state.server
    ident = _path_id(request)
    rows = await run_in_threadpool(
        db.query, f"SELECT {_POST_COLUMNS} FROM posts WHERE id = ?", (ident,)
    )
    return JSONResponse(rows[0]) if rows else _not_found("Post", ident)


async def add_post(request: Request) -> Response:
    db: ServerState = request.app.state.server
    body = _check_fields(await _json_object(request), required=("title",), allowed=_POST_FIELDS)
    values = (body["title"].strip(), body.get("body", ""), int(body.get("published", False)))
    row_id, _ = await run_in_threadpool(
        db.write, "INSERT INTO posts (title, body, published) VALUES (?, ?, ?)", values
    )
    rows = await run_in_threadpool(
        db.query, f"SELECT {_POST_COLUMNS} FROM posts WHERE id = ?", (row_id,)
    )
    return JSONResponse(rows[0], status_code=201)


async def update_post(request: Request) -> Response:
    db: ServerState = request.app.state.server
    ident = _path_id(request)
    body = _check_fields(await _json_object(request), required=(), allowed=_POST_FIELDS)
    if "title" in body:
        body["title"] = body["title"].strip()
    assignments = ", ".join(f"{name} = ?" for name in body)
    params = (*(int(v) if isinstance(v, bool) else v for v in body.values()), ident)
    _, changed = await run_in_threadpool(
        db.write, f"UPDATE posts SET {assignments} WHERE id = ?", params
    )
    if not changed:
        return _not_found("Post", ident)
    rows = await run_in_threadpool(
        db.query, f"SELECT {_POST_COLUMNS} FROM posts WHERE id = ?", (ident,)
    )
    return JSONResponse(rows[0])


async def delete_post(request: Request) -> Response:
    db: ServerState = request.app.state.server
    ident = _path_id(request)
    _, deleted = await run_in_threadpool(db.write, "DELETE FROM posts WHERE id = ?", (ident,))
    return JSONResponse({"id": ident}) if deleted else _not_found("Post", ident)


async def list_comments(request: Request) -> Response:
    db: ServerState = request.app.state.server
    ident = _path_id(request)
    if not await run_in_threadpool(db.query, "SELECT id FROM posts WHERE id = ?", (ident,)):
        return _not_found("Post", ident)
    rows = await run_in_threadpool(
        db.query, "SELECT id, post_id, body FROM comments WHERE post_id = ? ORDER BY id", (ident,)
    )
    return JSONResponse(rows)


async def add_comment(request: Request) -> Response:
    db: ServerState = request.app.state.server
    ident = _path_id(request)
    body = _check_fields(await _json_object(request), required=("body",), allowed={"body": str})
    if not await run_in_threadpool(db.query, "SELECT id FROM posts WHERE id = ?", (ident,)):
        return _not_found("Post", ident)
    row_id, _ = await run_in_threadpool(
        db.write, "INSERT INTO comments (post_id, body) VALUES (?, ?)", (ident, body["body"])
    )
    return JSONResponse({"id": row_id, "post_id": ident, "body": body["body"]}, status_code=201)


async def delete_comment(request: Request) -> Response:
    db: ServerState = request.app.state.server
    ident = _path_id(request)
    _, deleted = await run_in_threadpool(db.write, "DELETE FROM comments WHERE id = ?", (ident,))
    return JSONResponse({"id": ident}) if deleted else _not_found("Comment", ident)


async def stats(request: Request) -> Response:
    db: ServerState = request.app.state.server
    counts = dict(sorted(db.counts.items()))
    return JSONResponse({"routes": counts, "total": sum(counts.values())})


async def reset_stats(request: Request) -> Response:
    db: ServerState = request.app.state.server
    db.counts.clear()
    return JSONResponse({"routes": {}, "total": 0})


async def fail_next(request: Request) -> Response:
    db: ServerState = request.app.state.server
    body = await _json_object(request)
    count, scope, status = (
        body.get("count", 1),
        body.get("scope", "writes"),
        body.get("status", 500),
    )
    detail = []
    if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= 1000:
        detail.append({"field": "count", "message": "must be an integer from 0 to 1000"})
    if scope not in _FAIL_SCOPES:
        detail.append({"field": "scope", "message": f"must be one of {', '.join(_FAIL_SCOPES)}"})
    if isinstance(status, bool) or not isinstance(status, int) or not 500 <= status <= 599:
        detail.append({"field": "status", "message": "must be an integer from 500 to 599"})
    unknown = set(body) - {"count", "scope", "status"}
    detail += [{"field": name, "message": "is not a known field"} for name in sorted(unknown)]
    if detail:
        raise _ValidationError(detail)
    db.fail_next.extend([(scope, status)] * count)
    return JSONResponse({"pending_failures": len(db.fail_next)})


async def set_latency(request: Request) -> Response:
    db: ServerState = request.app.state.server
    seconds = (await _json_object(request)).get("seconds")
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not 0 <= seconds <= 10:
        raise _ValidationError([{"field": "seconds", "message": "must be a number from 0 to 10"}])
    previous, db.latency = db.latency, float(seconds)
    return JSONResponse({"seconds": db.latency, "previous": previous})


# -- faults and counting ---------------------------------------------------------
def _served(label: str, handler: Handler) -> Handler:
    """Count, delay and maybe fail a request before ``handler`` runs."""

    async def serve(request: Request) -> Response:
        db: ServerState = request.app.state.server
        db.counts[label] += 1
        # A forced failure belongs to the request that arrives next, however long the
        # latency: requests sent one after the other fail in the order they were sent.
        forced = db.take_forced_failure(request.method)
        if db.latency:
            await asyncio.sleep(db.latency)
        if forced is not None:
            return JSONResponse(
                {"error": f"Injected failure (/admin/fail-next) for {label}"}, status_code=forced
            )
        if db.fail_rate and db.random.random() < db.fail_rate:
            return JSONResponse({"error": f"Random failure (--fail-rate) for {label}"}, 503)
        return await _validated(handler, request)

    return serve


async def _validated(handler: Handler, request: Request) -> Response:
    try:
        return await handler(request)
    except _ValidationError as exc:
        return JSONResponse({"error": "Invalid input", "detail": exc.detail}, status_code=422)


def _route(method: str, path: str, handler: Handler) -> Route:
    label = f"{method} {path.replace(':int', '')}"  # "GET /posts/{id}"
    return Route(path, _served(label, handler), methods=[method])


def _admin(method: str, path: str, handler: Handler) -> Route:
    async def serve(request: Request) -> Response:
        return await _validated(handler, request)

    return Route(path, serve, methods=[method])


def create_app(
    db_path: str | Path | None = None,
    latency: float = 0.0,
    fail_rate: float = 0.0,
    *,
    seed: int | None = None,
) -> Starlette:
    """The posts server as an ASGI app.

    Args:
        db_path: the SQLite file (created and seeded when new); ``None`` makes one in a
            new temporary directory.
        latency: seconds every counted request waits before it is answered.
        fail_rate: the probability (0 to 1) that a counted request fails with 503.
        seed: seeds the random failures, for reproducible runs.

    Raises:
        ValueError: ``latency`` is negative or ``fail_rate`` is outside 0..1.
    """
    owned_dir = None
    if db_path is None:
        owned_dir = Path(tempfile.mkdtemp(prefix="rtkq-posts-"))
        db_path = owned_dir / "posts.sqlite3"
    routes = [
        _route("GET", "/posts", list_posts),
        _route("POST", "/posts", add_post),
        _route("GET", "/posts/{id:int}", get_post),
        _route("PATCH", "/posts/{id:int}", update_post),
        _route("DELETE", "/posts/{id:int}", delete_post),
        _route("GET", "/posts/{id:int}/comments", list_comments),
        _route("POST", "/posts/{id:int}/comments", add_comment),
        _route("DELETE", "/comments/{id:int}", delete_comment),
        _admin("GET", "/stats", stats),
        _admin("POST", "/admin/reset-stats", reset_stats),
        _admin("POST", "/admin/fail-next", fail_next),
        _admin("POST", "/admin/latency", set_latency),
    ]
    app = Starlette(routes=routes)
    app.state.server = ServerState(db_path, latency=latency, fail_rate=fail_rate, seed=seed)
    app.state.server.owned_dir = owned_dir  # removed by app.state.server.close()
    return app


# -- serving ---------------------------------------------------------------------
def bind_socket(host: str, port: int) -> socket.socket:
    """A listening-ready TCP socket on ``host:port`` (0 picks a free port).

    Raises:
        OSError: the address cannot be bound (in use, not permitted, unknown host).
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP: asyncio turns Nagle off (TCP_NODELAY) only on accepted sockets
    # whose proto says TCP; with Nagle on, each response uvicorn writes in two parts
    # waits ~40 ms for a delayed ACK (one request at a time took ~48 ms).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def _server(app: Starlette) -> uvicorn.Server:
    config = uvicorn.Config(
        app, log_level="warning", access_log=False, lifespan="off", http="h11", ws="none"
    )
    return uvicorn.Server(config)


def _url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


@contextlib.contextmanager
def running_server(
    app: Starlette, host: str = "127.0.0.1", port: int = 0, *, startup_timeout: float = 10.0
) -> Iterator[str]:
    """Serve ``app`` from a background thread until the ``with`` block ends.

    Yields:
        The base URL, e.g. ``"http://127.0.0.1:54321"``.

    Raises:
        OSError: the port cannot be bound.
        RuntimeError: the server did not start within ``startup_timeout`` seconds.
    """
    sock = bind_socket(host, port)
    server = _server(app)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + startup_timeout
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"The posts server on {_url(sock)} did not start.")
            time.sleep(0.005)
        yield _url(sock)
    finally:
        server.should_exit = True
        thread.join(timeout=startup_timeout)
        sock.close()


def main(argv: list[str] | None = None) -> int:
    """Run the server until interrupted; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000, help="0 picks a free port")
    parser.add_argument("--db", type=Path, default=None, help="SQLite file to keep the data in")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added per request")
    parser.add_argument("--fail-rate", type=float, default=0.0, help="0..1, random 503s")
    parser.add_argument("--seed", type=int, default=None, help="seed for --fail-rate")
    args = parser.parse_args(argv)
    try:
        app = create_app(args.db, args.latency, args.fail_rate, seed=args.seed)
    except ValueError as exc:
        parser.error(str(exc))
    try:
        sock = bind_socket(args.host, args.port)
    except OSError as exc:
        app.state.server.close()
        print(
            f"error: cannot bind {args.host}:{args.port} ({exc.strerror or exc}). "
            f"Pick another --port, or --port 0 for a free one.",
            file=sys.stderr,
        )
        return 2
    server = _server(app)
    # uvicorn sets ``started`` once it accepts connections; announce the URL then.
    announce = threading.Thread(target=_announce, args=(server, _url(sock)), daemon=True)
    announce.start()
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
        app.state.server.close()  # and its temporary directory, unless --db was given
    return 0


def _announce(server: uvicorn.Server, url: str) -> None:
    while not server.started and not server.should_exit:
        time.sleep(0.005)
    if server.started:
        print(f"{LISTENING_PREFIX}{url}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
