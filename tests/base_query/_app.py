"""The Starlette app the base-query tests talk to over real HTTP."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


class ServerState:
    """What the server saw, shared with the test thread. Keys are chosen per test."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.hits: Counter[str] = Counter()
        self._events: dict[str, threading.Event] = {}

    def hit(self, key: str) -> int:
        with self._lock:
            self.hits[key] += 1
            return self.hits[key]

    def event(self, name: str) -> threading.Event:
        with self._lock:
            return self._events.setdefault(name, threading.Event())


state = ServerState()


async def echo(request: Request) -> Response:
    body = await request.body()
    state.hit(f"echo:{request.url.path}")
    return JSONResponse(
        {
            "method": request.method,
            "path": request.url.path,
            "query": [list(pair) for pair in request.query_params.multi_items()],
            "headers": {name: value for name, value in request.headers.items()},
            "body": body.decode("utf-8"),
        }
    )


async def status(request: Request) -> Response:
    code = int(request.path_params["code"])
    return JSONResponse({"code": code, "detail": "as requested"}, status_code=code)


async def text(request: Request) -> Response:
    return PlainTextResponse("hello, world")


async def invalid_json(request: Request) -> Response:
    return Response(b"{not json", media_type="application/json")


async def html_error(request: Request) -> Response:
    return Response(b"<h1>Not Found</h1>", status_code=404, media_type="text/html")


async def vendor_json(request: Request) -> Response:
    return Response(b'{"vendor": true}', media_type="application/vnd.api+json")


async def empty(request: Request) -> Response:
    return Response(b"", status_code=int(request.query_params.get("code", "200")))


async def redirect(request: Request) -> Response:
    return RedirectResponse("/status/200", status_code=302)


async def flaky(request: Request) -> Response:
    """Fails with 500 ``fail`` times per key, then succeeds."""
    key = request.path_params["key"]
    attempt = state.hit(f"flaky:{key}")
    if attempt <= int(request.query_params.get("fail", "2")):
        return JSONResponse({"attempt": attempt, "error": "try again"}, status_code=500)
    return JSONResponse({"attempt": attempt})


async def slow(request: Request) -> Response:
    """Answers after ``seconds``, or stops early when the client disconnects."""
    key = request.query_params["key"]
    seconds = float(request.query_params.get("seconds", "5"))
    state.event(f"started:{key}").set()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while loop.time() < deadline:
        if await request.is_disconnected():
            state.event(f"disconnected:{key}").set()
            return Response(status_code=499)
        await asyncio.sleep(0.005)
    return JSONResponse({"slow": True})


app = Starlette(
    routes=[
        Route("/echo", echo, methods=ALL_METHODS),
        Route("/api/v1/echo", echo, methods=ALL_METHODS),
        Route("/status/{code:int}", status, methods=ALL_METHODS),
        Route("/text", text),
        Route("/invalid-json", invalid_json),
        Route("/html-error", html_error),
        Route("/vendor-json", vendor_json),
        Route("/empty", empty, methods=ALL_METHODS),
        Route("/redirect", redirect),
        Route("/flaky/{key}", flaky),
        Route("/slow", slow),
    ]
)
