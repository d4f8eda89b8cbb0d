"""The Starlette app the schema tests talk to over real HTTP.

``/posts`` and ``/posts/{id}`` serve well-formed posts; ``/canned/{key}`` answers with
whatever the test stored under ``key`` (``canned[key] = (status, body)``), which is how
a test makes the server change its JSON shape. ``hits`` counts requests per path.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

POSTS = [
    {"id": 1, "title": "First", "tags": ["a"]},
    {"id": 2, "title": "Second", "tags": []},
    {"id": 3, "title": "Third", "tags": ["b", "c"]},
]

_lock = threading.Lock()
hits: Counter[str] = Counter()
canned: dict[str, tuple[int, Any]] = {}


def _hit(request: Request) -> None:
    with _lock:
        hits[request.url.path] += 1


async def posts(request: Request) -> Response:
    _hit(request)
    start = int(request.query_params.get("start", "0"))
    size = int(request.query_params.get("size", str(len(POSTS))))
    return JSONResponse(POSTS[start : start + size], headers={"x-total": str(len(POSTS))})


async def post(request: Request) -> Response:
    _hit(request)
    post_id = int(request.path_params["id"])
    for item in POSTS:
        if item["id"] == post_id:
            return JSONResponse(item)
    return JSONResponse({"detail": f"post {post_id} not found"}, status_code=404)


async def canned_response(request: Request) -> Response:
    _hit(request)
    status, body = canned[request.path_params["key"]]
    return JSONResponse(body, status_code=status)


async def echo(request: Request) -> Response:
    _hit(request)
    body = await request.body()
    return JSONResponse(
        {"content_type": request.headers.get("content-type"), "json": json.loads(body or b"null")}
    )


app = Starlette(
    routes=[
        Route("/posts", posts),
        Route("/posts/{id:int}", post),
        Route("/canned/{key}", canned_response),
        Route("/echo", echo, methods=["POST", "PUT", "PATCH"]),
    ]
)
