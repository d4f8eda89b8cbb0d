"""The posts api of the examples: every endpoint of ``posts_server.py`` in one module.

It shows the patterns an rtkq app is built from:

- **Tags, with the LIST pattern.** ``get_posts`` provides one ``Post`` tag per post plus
  ``Post/LIST``; ``add_post`` invalidates ``Post/LIST`` (the list must grow), while
  ``update_post`` invalidates only ``Post/<id>``, which refetches that post *and* the
  list (the list provides the id too). Comments do the same per post.
- **An optimistic update with layers.** ``update_post``'s ``on_query_started`` calls
  ``ctx.optimistic(...)`` for the cached post and the cached list: the change shows at
  once and stays a layer over the server data while the request runs. When the request
  fails, the layer is dropped and the entries return to the server data (other pending
  layers survive); when it succeeds, the layer goes when the refetch lands.
- **Retry on the base query.** Reads (GET, idempotent) are sent again on 5xx and
  network errors with a short backoff; writes are never retried, so a failed write
  fails once and visibly, and 4xx answers (404, 422) are final.

``make_api(base_url)`` returns a fresh api (one per store or test). The HTTP client its
base query opens for a store is closed by ``await store.aclose()`` (or by leaving
``async with configure_store(...) as store:``), with every request and timer the store
still runs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from rtkq import Api, create_api, fetch_base_query, retry

__all__ = ["POSTS_LIST", "comments_list_tag", "make_api"]

POSTS_LIST = {"type": "Post", "id": "LIST"}


def comments_list_tag(post_id: int) -> dict[str, Any]:
    """The tag a post's comment list provides and adding a comment invalidates."""
    return {"type": "Comment", "id": f"post-{post_id}"}


def _retry_reads(error: Any, _args: Any, ctx: Mapping[str, Any]) -> bool:
    """Retry GETs on network errors and 5xx, at most ``max_retries`` times; never writes."""
    api = ctx["base_query_api"]
    if api is None or api.type != "query" or ctx["attempt"] > 2:
        return False
    status = error.get("status") if isinstance(error, Mapping) else None
    return status in ("FETCH_ERROR", "TIMEOUT_ERROR") or (isinstance(status, int) and status >= 500)


async def _short_backoff(attempt: int, _max_retries: int) -> None:
    await asyncio.sleep(0.05 * 2 ** (attempt - 1))  # 50 ms, 100 ms: fast enough for a demo


def _posts_tags(result: Any, _error: Any, _arg: Any) -> list[Any]:
    if result is None:
        return [POSTS_LIST]
    return [*({"type": "Post", "id": post["id"]} for post in result), POSTS_LIST]


def _comments_tags(result: Any, _error: Any, post_id: int) -> list[Any]:
    ids = [{"type": "Comment", "id": comment["id"]} for comment in result or ()]
    return [*ids, comments_list_tag(post_id)]


def _patch_post(changes: Mapping[str, Any]) -> Any:
    def recipe(post: Any) -> None:
        if post is None:  # the entry is still loading: nothing to show yet
            return
        for name, value in changes.items():
            post[name] = value

    return recipe


def _patch_post_in_list(post_id: int, changes: Mapping[str, Any]) -> Any:
    def recipe(posts: Any) -> None:
        for index in range(len(posts or ())):
            if posts[index]["id"] == post_id:
                for name, value in changes.items():
                    posts[index][name] = value

    return recipe


async def _optimistic_update(arg: Mapping[str, Any], ctx: Any) -> None:
    """Show ``update_post``'s change at once, as layers over the cached post and list."""
    post_id = arg["id"]
    changes = {name: value for name, value in arg.items() if name != "id"}
    # An entry that is not cached is left alone (no layer is made for it).
    ctx.optimistic("get_post", post_id, _patch_post(changes))
    ctx.optimistic("get_posts", None, _patch_post_in_list(post_id, changes))
    # Nothing to await or undo by hand: the layers live as long as the mutation runs,
    # and a failed mutation drops them itself (a concurrent edit's layers survive).


def make_api(base_url: str, *, keep_unused_data_for: float = 60.0) -> Api:
    """A new posts api talking to the posts server at ``base_url``."""
    base_query = retry(
        fetch_base_query(base_url, timeout=10.0),
        max_retries=2,
        backoff=_short_backoff,
        retry_condition=_retry_reads,
    )
    return create_api(
        base_query=base_query,
        tag_types=["Post", "Comment"],
        keep_unused_data_for=keep_unused_data_for,
        endpoints=lambda build: {
            "get_posts": build.query(query=lambda _: "posts", provides_tags=_posts_tags),
            "get_post": build.query(
                query=lambda post_id: f"posts/{post_id}",
                provides_tags=lambda _r, _e, post_id: [{"type": "Post", "id": post_id}],
            ),
            "add_post": build.mutation(
                query=lambda body: {"url": "posts", "method": "POST", "body": body},
                invalidates_tags=[POSTS_LIST],
            ),
            "update_post": build.mutation(
                query=lambda arg: {
                    "url": f"posts/{arg['id']}",
                    "method": "PATCH",
                    "body": {name: value for name, value in arg.items() if name != "id"},
                },
                invalidates_tags=lambda _r, _e, arg: [{"type": "Post", "id": arg["id"]}],
                on_query_started=_optimistic_update,
            ),
            "delete_post": build.mutation(
                query=lambda post_id: {"url": f"posts/{post_id}", "method": "DELETE"},
                invalidates_tags=lambda _r, _e, post_id: [POSTS_LIST, comments_list_tag(post_id)],
            ),
            "get_comments": build.query(
                query=lambda post_id: f"posts/{post_id}/comments", provides_tags=_comments_tags
            ),
            "add_comment": build.mutation(
                query=lambda arg: {
                    "url": f"posts/{arg['post_id']}/comments",
                    "method": "POST",
                    "body": {"body": arg["body"]},
                },
                invalidates_tags=lambda _r, _e, arg: [comments_list_tag(arg["post_id"])],
            ),
            "delete_comment": build.mutation(
                query=lambda arg: {"url": f"comments/{arg['id']}", "method": "DELETE"},
                invalidates_tags=lambda _r, _e, arg: [{"type": "Comment", "id": arg["id"]}],
            ),
        },
    )
