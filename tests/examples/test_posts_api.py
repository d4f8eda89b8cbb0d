"""The posts api (examples/posts_api.py) against a real posts server.

The endpoints are typed (``QueryEndpoint[int, Post]``, ...): the tests use them as an
application would, and the cached data are the pydantic models ``response_schema`` made.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from posts_api import Comment, NewComment, NewPost, Post, PostChanges, PostsApi, make_api

from rtkq import Api, QueryError, QueryStatus, Store, configure_store, thaw

from .conftest import PostsServer


class Client:
    """An api and its store, with small helpers for the tests."""

    def __init__(self, url: str) -> None:
        self.posts: PostsApi = make_api(url)
        self.api: Api = self.posts.api
        self.store: Store = configure_store(
            reducer={self.api.reducer_path: self.api.reducer}, middleware=[self.api.middleware]
        )

    def post(self, post_id: int) -> Post:
        state = self.posts.get_post.select(post_id)(self.store.get_state())
        assert state.data is not None
        return state.data

    def post_list(self) -> list[Post]:
        state = self.posts.get_posts.select(None)(self.store.get_state())
        assert state.data is not None
        return state.data

    def comments(self, post_id: int) -> list[Comment]:
        state = self.posts.get_comments.select(post_id)(self.store.get_state())
        assert state.data is not None
        return state.data

    async def idle(self) -> None:
        for _ in range(200):
            running = self.store.dispatch(self.api.util.get_running_queries_thunk())
            if running:
                await asyncio.gather(*running)
                continue
            await asyncio.sleep(0.01)
            if not self.store.dispatch(self.api.util.get_running_queries_thunk()):
                return
        raise AssertionError("queries never settled")

    async def until(self, check: Callable[[], bool]) -> None:
        for _ in range(500):
            if check():
                return
            await asyncio.sleep(0.002)
        raise AssertionError("condition never held")


async def _client(url: str) -> AsyncIterator[Client]:
    client = Client(url)
    try:
        yield client
    finally:
        await client.idle()
        await client.store.aclose()


@pytest.fixture
async def client(posts_server: PostsServer) -> AsyncIterator[Client]:
    async for value in _client(posts_server.url):
        yield value


@pytest.fixture
async def slow_client(slow_posts_server: PostsServer) -> AsyncIterator[Client]:
    async for value in _client(slow_posts_server.url):
        yield value


async def test_identical_concurrent_initiates_send_one_request(
    client: Client, posts_server: PostsServer
) -> None:
    get_posts = client.posts.get_posts
    states = await asyncio.gather(
        *(client.store.dispatch(get_posts.initiate(None)) for _ in range(5))
    )
    assert all(state.data is not None and len(state.data) == 3 for state in states)
    assert all(isinstance(post, Post) for post in client.post_list())
    assert posts_server.stats() == {"GET /posts": 1}


async def test_add_post_refetches_the_list_only(client: Client, posts_server: PostsServer) -> None:
    posts, dispatch = client.posts, client.store.dispatch
    await dispatch(posts.get_posts.initiate(None))
    await dispatch(posts.get_post.initiate(1))
    created = await dispatch(posts.add_post.initiate(NewPost(title="Fresh"))).unwrap()
    await client.idle()
    assert created == Post(id=4, title="Fresh", body="", published=False)
    assert [post.id for post in client.post_list()] == [1, 2, 3, 4]
    assert posts_server.stats() == {"GET /posts": 2, "GET /posts/{id}": 1, "POST /posts": 1}


async def test_update_post_refetches_the_post_and_the_list(
    client: Client, posts_server: PostsServer
) -> None:
    posts, dispatch = client.posts, client.store.dispatch
    await dispatch(posts.get_posts.initiate(None))
    await dispatch(posts.get_post.initiate(2))
    await dispatch(posts.get_post.initiate(3))
    await dispatch(posts.update_post.initiate(PostChanges(id=2, published=False))).unwrap()
    await client.idle()
    assert client.post(2).published is False
    assert client.post_list()[1].published is False
    assert posts_server.stats()["GET /posts/{id}"] == 3  # 2 and 3, then 2 again; 3 untouched


async def test_optimistic_update_shows_before_the_server_answers(
    slow_client: Client, slow_posts_server: PostsServer
) -> None:
    client = slow_client
    posts, dispatch = client.posts, client.store.dispatch
    await dispatch(posts.get_posts.initiate(None))
    await dispatch(posts.get_post.initiate(1))
    mutation = dispatch(posts.update_post.initiate(PostChanges(id=1, title="Now")))
    await client.until(lambda: client.post(1).title == "Now")
    # The optimistic layer made a new Post (same type), and the list's Post too.
    assert isinstance(client.post(1), Post) and client.post(1).body
    assert client.post_list()[0].title == "Now"
    assert not mutation_settled(client, mutation)
    assert (await mutation)["data"].title == "Now"
    await client.idle()
    assert client.post(1).title == "Now"
    assert slow_posts_server.state.query("SELECT title FROM posts WHERE id = 1") == [
        {"title": "Now"}
    ]


def mutation_settled(client: Client, mutation: Any) -> bool:
    state = client.posts.update_post.select(mutation.request_id)(client.store.get_state())
    return bool(state.status is not QueryStatus.PENDING)


async def test_failed_update_rolls_back_the_optimistic_change(
    slow_client: Client, slow_posts_server: PostsServer
) -> None:
    client = slow_client
    posts, dispatch = client.posts, client.store.dispatch
    await dispatch(posts.get_posts.initiate(None))
    await dispatch(posts.get_post.initiate(1))
    slow_posts_server.fail_next(1)
    mutation = dispatch(posts.update_post.initiate(PostChanges(id=1, title="Doomed")))
    await client.until(lambda: client.post(1).title == "Doomed")
    assert not mutation_settled(client, mutation)
    with pytest.raises(QueryError) as raised:
        await mutation.unwrap()
    assert thaw(raised.value.error)["status"] == 500
    # Rolled back at once, before any refetch lands.
    assert client.post(1).title == "Hello, rtkq"
    assert client.post_list()[0].title == "Hello, rtkq"
    await client.idle()
    assert client.post(1).title == "Hello, rtkq"
    assert slow_posts_server.stats()["PATCH /posts/{id}"] == 1  # writes are never retried


async def test_a_failed_read_is_retried(client: Client, posts_server: PostsServer) -> None:
    posts_server.fail_next(1, scope="reads")
    state = await client.store.dispatch(client.posts.get_post.initiate(2))
    assert state.is_success and state.data is not None and state.data.id == 2
    assert posts_server.stats() == {"GET /posts/{id}": 2}


async def test_reads_give_up_after_two_retries(client: Client, posts_server: PostsServer) -> None:
    posts_server.fail_next(5, scope="reads", status=503)
    with pytest.raises(QueryError) as raised:
        await client.store.dispatch(client.posts.get_post.initiate(2)).unwrap()
    assert thaw(raised.value.error)["status"] == 503
    assert posts_server.stats() == {"GET /posts/{id}": 3}


async def test_not_found_is_not_retried(client: Client, posts_server: PostsServer) -> None:
    with pytest.raises(QueryError) as raised:
        await client.store.dispatch(client.posts.get_post.initiate(99)).unwrap()
    assert thaw(raised.value.error) == {"status": 404, "data": {"error": "Post 99 does not exist"}}
    assert posts_server.stats() == {"GET /posts/{id}": 1}


async def test_bad_input_reaches_the_caller_as_query_error(client: Client) -> None:
    # A plain dict bypasses NewPost (api.endpoints["..."] is untyped): the server judges.
    add_post = client.api.endpoints["add_post"]
    with pytest.raises(QueryError) as raised:
        await client.store.dispatch(add_post.initiate({"title": "", "color": "red"})).unwrap()
    assert thaw(raised.value.error) == {
        "status": 422,
        "data": {
            "error": "Invalid input",
            "detail": [
                {"field": "color", "message": "is not a known field"},
                {"field": "title", "message": "must not be empty"},
            ],
        },
    }


async def test_comments_are_invalidated_per_post(client: Client, posts_server: PostsServer) -> None:
    posts, dispatch = client.posts, client.store.dispatch
    await asyncio.gather(
        dispatch(posts.get_comments.initiate(1)), dispatch(posts.get_comments.initiate(2))
    )
    added = await dispatch(posts.add_comment.initiate(NewComment(post_id=2, body="Another")))
    await client.idle()
    assert added["data"] == Comment(id=4, post_id=2, body="Another")
    assert [comment.body for comment in client.comments(2)] == [
        "What about invalidation?",
        "Another",
    ]
    assert posts_server.stats()["GET /posts/{id}/comments"] == 3
    assert (await dispatch(posts.delete_comment.initiate(4)).unwrap()).id == 4
    await client.idle()
    assert len(client.comments(2)) == 1


async def test_delete_post_refetches_the_list(client: Client) -> None:
    posts, dispatch = client.posts, client.store.dispatch
    await dispatch(posts.get_posts.initiate(None))
    assert (await dispatch(posts.delete_post.initiate(3)).unwrap()).id == 3
    await client.idle()
    assert [post.id for post in client.post_list()] == [1, 2]


async def test_a_failed_edit_keeps_a_concurrent_layer_and_refetches_once(
    client: Client, posts_server: PostsServer
) -> None:
    posts, dispatch = client.posts, client.store.dispatch
    await dispatch(posts.get_post.initiate(1))
    posts_server.state.latency = 0.3
    publish = dispatch(posts.update_post.initiate(PostChanges(id=1, published=False)))
    await client.until(lambda: posts_server.stats().get("PATCH /posts/{id}") == 1)
    posts_server.state.latency = 0.0
    posts_server.fail_next(1)
    doomed = dispatch(posts.update_post.initiate(PostChanges(id=1, title="Doomed")))
    assert "error" in await doomed
    # B's layer is gone, A's is still shown while A is pending.
    assert client.post(1) == Post(
        id=1, title="Hello, rtkq", body="A first post, served from SQLite.", published=False
    )
    assert not mutation_settled(client, publish)
    assert (await publish.unwrap()).published is False
    await client.idle()
    assert client.post(1).published is False
    # B's delayed invalidation and A's are applied together: one refetch, not two.
    assert posts_server.stats()["GET /posts/{id}"] == 2
