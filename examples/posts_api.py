"""The posts api of the examples: every endpoint of ``posts_server.py``, typed.

It shows the patterns an rtkq app is built from:

- **Typed endpoints.** Each endpoint is a decorated function (``@api.query``,
  ``@api.mutation``) whose parameter is the arg type; ``response_schema=`` (pydantic
  models) validates each response once, at the edge, and is the result type, so a type
  checker knows that ``posts.get_post.initiate(1)`` gives a ``Post``. A response of the
  wrong shape rejects the request with a ``SchemaError`` payload; the cache keeps its
  last good data.
- **Tags, with the LIST pattern.** ``get_posts`` provides one ``Post`` tag per post plus
  ``Post/LIST``; ``add_post`` invalidates ``Post/LIST`` (the list must grow), while
  ``update_post`` invalidates only ``Post/<id>``, which refetches that post *and* the
  list (the list provides the id too). Comments do the same per post.
- **An optimistic update with layers.** ``update_post``'s ``on_query_started`` calls
  ``ctx.optimistic(...)`` for the cached post and the cached list: the change shows at
  once (drafts edit the cached ``Post`` records by attribute) and stays a layer over the
  server data while the request runs. When the request fails, the layer is dropped and
  the entries return to the server data (other pending layers survive); when it
  succeeds, the layer goes when the refetch lands.
- **Retry on the base query.** Reads (GET, idempotent) are sent again on 5xx and
  network errors with a short backoff; writes are never retried, so a failed write
  fails once and visibly, and 4xx answers (404, 422) are final.

``make_api(base_url)`` returns a fresh :class:`PostsApi` (one per store or test): its
``api`` to mount in a store, and its endpoints as typed attributes. The HTTP client its
base query opens for a store is closed by ``await store.aclose()`` (or by leaving
``async with configure_store(...) as store:``), with every request and timer the store
still runs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict

from rtkq import Api, MutationEndpoint, QueryEndpoint, Tag, create_api, fetch_base_query, retry

__all__ = [
    "POSTS_LIST",
    "Comment",
    "Deleted",
    "NewComment",
    "NewPost",
    "Post",
    "PostChanges",
    "PostsApi",
    "comments_list_tag",
    "make_api",
]

POSTS_LIST = Tag("Post", "LIST")


# -- what the server sends (cached, so frozen) ---------------------------------------
class Post(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    title: str
    body: str = ""
    published: bool = False


class Comment(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    post_id: int
    body: str


class Deleted(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int


# -- what the mutations take -------------------------------------------------------
class NewPost(BaseModel):
    title: str
    body: str = ""
    published: bool = False


class PostChanges(BaseModel):
    """Some fields of post ``id``: only the fields given are sent and shown."""

    id: int
    title: str | None = None
    body: str | None = None
    published: bool | None = None

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude={"id"}, exclude_unset=True)


class NewComment(BaseModel):
    post_id: int
    body: str


def comments_list_tag(post_id: int) -> Tag:
    """The tag a post's comment list provides and adding a comment invalidates."""
    return Tag("Comment", f"post-{post_id}")


# -- the base query ------------------------------------------------------------------
def _retry_reads(error: Any, _args: Any, ctx: Mapping[str, Any]) -> bool:
    """Retry GETs on network errors and 5xx, at most ``max_retries`` times; never writes."""
    api = ctx["base_query_api"]
    if api is None or api.type != "query" or ctx["attempt"] > 2:
        return False
    status = error.get("status") if isinstance(error, Mapping) else None
    return status in ("FETCH_ERROR", "TIMEOUT_ERROR") or (isinstance(status, int) and status >= 500)


async def _short_backoff(attempt: int, _max_retries: int) -> None:
    await asyncio.sleep(0.05 * 2 ** (attempt - 1))  # 50 ms, 100 ms: fast enough for a demo


# -- tags and the optimistic update ------------------------------------------------
def _posts_tags(result: list[Post] | None, _error: Any, _arg: None) -> list[Tag]:
    return [*(Tag("Post", post.id) for post in result or ()), POSTS_LIST]


def _comments_tags(result: list[Comment] | None, _error: Any, post_id: int) -> list[Tag]:
    return [*(Tag("Comment", comment.id) for comment in result or ()), comments_list_tag(post_id)]


def _patch_post(changes: Mapping[str, Any]) -> Any:
    def recipe(post: Any) -> None:
        if post is None:  # the entry is still loading: nothing to show yet
            return
        for name, value in changes.items():
            setattr(post, name, value)  # a draft of the cached Post: a new Post, same type

    return recipe


def _patch_post_in_list(post_id: int, changes: Mapping[str, Any]) -> Any:
    def recipe(posts: Any) -> None:
        for post in posts or ():
            if post.id == post_id:
                for name, value in changes.items():
                    setattr(post, name, value)

    return recipe


async def _optimistic_update(arg: PostChanges, ctx: Any) -> None:
    """Show ``update_post``'s change at once, as layers over the cached post and list."""
    changes = arg.changes()
    # An entry that is not cached is left alone (no layer is made for it).
    ctx.optimistic("get_post", arg.id, _patch_post(changes))
    ctx.optimistic("get_posts", None, _patch_post_in_list(arg.id, changes))
    # Nothing to await or undo by hand: the layers live as long as the mutation runs,
    # and a failed mutation drops them itself (a concurrent edit's layers survive).


# -- the api -------------------------------------------------------------------------
@dataclass(frozen=True)
class PostsApi:
    """One posts api: ``api`` to mount in a store, and its typed endpoints."""

    api: Api
    get_posts: QueryEndpoint[None, list[Post]]
    get_post: QueryEndpoint[int, Post]
    add_post: MutationEndpoint[NewPost, Post]
    update_post: MutationEndpoint[PostChanges, Post]
    delete_post: MutationEndpoint[int, Deleted]
    get_comments: QueryEndpoint[int, list[Comment]]
    add_comment: MutationEndpoint[NewComment, Comment]
    delete_comment: MutationEndpoint[int, Deleted]


def make_api(base_url: str, *, keep_unused_data_for: float = 60.0) -> PostsApi:
    """A new posts api talking to the posts server at ``base_url``."""
    base_query = retry(
        fetch_base_query(base_url, timeout=10.0),
        max_retries=2,
        backoff=_short_backoff,
        retry_condition=_retry_reads,
    )
    api = create_api(
        base_query=base_query,
        tag_types=["Post", "Comment"],
        keep_unused_data_for=keep_unused_data_for,
    )

    @api.query(response_schema=list[Post], provides_tags=_posts_tags)
    def get_posts(_: None) -> str:
        return "posts"

    @api.query(response_schema=Post, provides_tags=lambda _r, _e, post_id: [Tag("Post", post_id)])
    def get_post(post_id: int) -> str:
        return f"posts/{post_id}"

    @api.mutation(response_schema=Post, invalidates_tags=[POSTS_LIST])
    def add_post(new: NewPost) -> dict[str, Any]:
        return {"url": "posts", "method": "POST", "body": new}  # a model is sent as JSON

    @api.mutation(
        response_schema=Post,
        invalidates_tags=lambda _r, _e, arg: [Tag("Post", arg.id)],
        on_query_started=_optimistic_update,
    )
    def update_post(arg: PostChanges) -> dict[str, Any]:
        return {"url": f"posts/{arg.id}", "method": "PATCH", "body": arg.changes()}

    @api.mutation(
        response_schema=Deleted,
        invalidates_tags=lambda _r, _e, post_id: [POSTS_LIST, comments_list_tag(post_id)],
    )
    def delete_post(post_id: int) -> dict[str, Any]:
        return {"url": f"posts/{post_id}", "method": "DELETE"}

    @api.query(response_schema=list[Comment], provides_tags=_comments_tags)
    def get_comments(post_id: int) -> str:
        return f"posts/{post_id}/comments"

    @api.mutation(
        response_schema=Comment,
        invalidates_tags=lambda _r, _e, arg: [comments_list_tag(arg.post_id)],
    )
    def add_comment(arg: NewComment) -> dict[str, Any]:
        return {
            "url": f"posts/{arg.post_id}/comments",
            "method": "POST",
            "body": {"body": arg.body},
        }

    @api.mutation(
        response_schema=Deleted,
        invalidates_tags=lambda _r, _e, comment_id: [Tag("Comment", comment_id)],
    )
    def delete_comment(comment_id: int) -> dict[str, Any]:
        return {"url": f"comments/{comment_id}", "method": "DELETE"}

    return PostsApi(
        api=api,
        get_posts=get_posts,
        get_post=get_post,
        add_post=add_post,
        update_post=update_post,
        delete_post=delete_post,
        get_comments=get_comments,
        add_comment=add_comment,
        delete_comment=delete_comment,
    )
