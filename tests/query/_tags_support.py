"""Helpers for the tag tests: counting query functions, release gates and a posts backend."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from typing import Any

from rtkq import Api, Store, Tag, configure_store, create_api

DELAY = 0.01
"""Loop seconds every counted request takes (fast-forwarded under looptime)."""

SETTLE = 1.0
"""Loop seconds after which every request of a test has settled."""


def make_store(api: Api) -> Store:
    """A store with ``api`` mounted under its reducer path."""
    return configure_store({api.reducer_path: api.reducer}, middleware=[api.middleware])


def queries(store: Store, api: Api) -> Any:
    """The ``queries`` table of the api state."""
    return store.get_state()[api.reducer_path]["queries"]


class Counting:
    """Makes ``query_fn``s that count their calls by name and take :data:`DELAY`."""

    def __init__(self, delay: float = DELAY) -> None:
        self.calls: Counter[str] = Counter()
        self.delay = delay

    def fn(self, name: str, answer: Callable[[Any], Any] | None = None) -> Callable[..., Any]:
        """A ``query_fn`` counted under ``name``; ``answer(arg)`` is its result dict."""
        respond = answer or (lambda arg: {"data": {"name": name, "arg": arg}})

        async def query_fn(arg: Any, api: Any, extra_options: Any, base_query: Any) -> Any:
            self.calls[name] += 1
            await asyncio.sleep(self.delay)
            return respond(arg)

        return query_fn


class Gate:
    """Requests that wait until the test releases them, oldest first."""

    def __init__(self) -> None:
        self.waiting: list[asyncio.Future[None]] = []
        self.started = 0

    async def wait(self) -> None:
        self.started += 1
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.waiting.append(future)
        await future

    async def release(self) -> None:
        """Let the oldest waiting request go on (letting just-created tasks reach the gate)."""
        for _ in range(10):
            if self.waiting:
                break
            await asyncio.sleep(0)
        assert self.waiting, "no request is waiting at this gate"
        self.waiting.pop(0).set_result(None)


class PostsBackend:
    """An in-memory posts server counting calls per endpoint (the RTK mutations guide)."""

    def __init__(self) -> None:
        self.posts: dict[int, dict[str, Any]] = {
            1: {"id": 1, "title": "one"},
            2: {"id": 2, "title": "two"},
        }
        self.calls: Counter[str] = Counter()
        self.next_id = 3

    def api(self, **options: Any) -> Api:
        """The posts api of the guide, every endpoint a counted ``query_fn``."""

        async def get_posts(arg: Any, api: Any, extra: Any, bq: Any) -> Any:
            self.calls["get_posts"] += 1
            await asyncio.sleep(DELAY)
            return {"data": [dict(post) for post in self.posts.values()]}

        async def get_post(post_id: Any, api: Any, extra: Any, bq: Any) -> Any:
            self.calls[f"get_post({post_id})"] += 1
            await asyncio.sleep(DELAY)
            post = self.posts.get(post_id)
            return {"data": dict(post)} if post else {"error": {"status": 404}}

        async def add_post(body: Any, api: Any, extra: Any, bq: Any) -> Any:
            await asyncio.sleep(DELAY)
            post = {"id": self.next_id, **body}
            self.posts[self.next_id] = post
            self.next_id += 1
            return {"data": dict(post)}

        async def update_post(body: Any, api: Any, extra: Any, bq: Any) -> Any:
            await asyncio.sleep(DELAY)
            self.posts[body["id"]] = {**self.posts[body["id"]], **body}
            return {"data": dict(self.posts[body["id"]])}

        async def delete_post(post_id: Any, api: Any, extra: Any, bq: Any) -> Any:
            await asyncio.sleep(DELAY)
            self.posts.pop(post_id, None)
            return {"data": post_id}

        def list_tags(result: Any, error: Any, arg: Any) -> list[Any]:
            if result is None:
                return [{"type": "Post", "id": "LIST"}]
            return [*(Tag("Post", p["id"]) for p in result), {"type": "Post", "id": "LIST"}]

        return create_api(
            tag_types=["Post"],
            endpoints=lambda build: {
                "get_posts": build.query(query_fn=get_posts, provides_tags=list_tags),
                "get_post": build.query(
                    query_fn=get_post, provides_tags=lambda r, e, post_id: [Tag("Post", post_id)]
                ),
                "add_post": build.mutation(
                    query_fn=add_post, invalidates_tags=[{"type": "Post", "id": "LIST"}]
                ),
                "update_post": build.mutation(
                    query_fn=update_post,
                    invalidates_tags=lambda r, e, body: [{"type": "Post", "id": body["id"]}],
                ),
                "delete_post": build.mutation(
                    query_fn=delete_post,
                    invalidates_tags=lambda r, e, post_id: [{"type": "Post", "id": post_id}],
                ),
            },
            **options,
        )
