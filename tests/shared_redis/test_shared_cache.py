"""SharedCache in one process: two stores joined through a real redis-server."""

from __future__ import annotations

import asyncio
import gc
import warnings
from collections.abc import AsyncIterator
from typing import Any

import pydantic
import pytest
import redis.asyncio

from rtkq import Tag, create_api
from rtkq.redis import SharedCache

from ._support import (
    Backend,
    Upstream,
    eventually,
    holds_lock,
    make_api,
    make_store,
    paths,
    redis_keys,
    settle,
    waits_for,
)


class Node:
    """One store with its own backend and api, joined to the namespace."""

    def __init__(
        self, url: str, name: str, upstream: Upstream | None = None, **options: Any
    ) -> None:
        self.backend = Backend(name, upstream)
        self.api = make_api(self.backend)
        self.store = make_store(self.api)
        self.shared = SharedCache(self.store, self.api, url, **options)

    def get(self, arg: Any, **options: Any) -> Any:
        return self.store.dispatch(self.api.endpoints.get_post.initiate(arg, **options))

    def entry(self, arg: Any) -> Any:
        return self.api.endpoints.get_post.select(arg)(self.store.get_state())


@pytest.fixture
async def nodes(redis_url: str) -> AsyncIterator[tuple[Node, Node]]:
    upstream = Upstream()
    a, b = Node(redis_url, "a", upstream), Node(redis_url, "b", upstream)
    async with a.shared, b.shared:
        yield a, b


async def test_an_entry_fetched_by_one_store_is_served_to_another(
    nodes: tuple[Node, Node], redis_url: str
) -> None:
    a, b = nodes
    first = await a.get(1).unwrap()
    assert first == {"path": "posts/1", "version": 0, "by": "a"}
    served = await b.get(1)
    assert served.data == first
    assert paths(b.backend) == []
    assert served.fulfilled_at == a.entry(1).fulfilled_at
    keys = await redis_keys(redis_url)
    assert "rtkq:api:e:get_post(1)" in keys
    assert all(ttl > 0 for ttl in keys.values()), keys


async def test_every_key_has_a_ttl_from_the_endpoint_or_ttl(redis_url: str) -> None:
    node = Node(redis_url, "a", ttl=5.0)
    async with node.shared:
        await node.get(1)
        node.store.dispatch(node.api.util.invalidate_tags([Tag("User", 3)]))
        await node.shared._barrier()  # its invalidation reached Redis
        keys = await redis_keys(redis_url)
    assert set(keys) >= {"rtkq:api:e:get_post(1)", "rtkq:api:t:Post", "rtkq:api:i:Post:1"}
    assert "rtkq:api:epoch" in keys
    for key, ttl in keys.items():
        assert ttl > 0, key
        if key != "rtkq:api:epoch":
            assert ttl <= 5000, key
    default = Node(redis_url, "b", namespace="other")
    async with default.shared:
        await default.get(1)
    ttl = (await redis_keys(redis_url, "other:*"))["other:api:e:get_post(1)"]
    assert 59_000 < ttl <= 60_000  # keep_unused_data_for


async def test_invalidation_reaches_the_other_store_without_echo(nodes: tuple[Node, Node]) -> None:
    a, b = nodes
    handle_a, handle_b = a.get(1), b.get(1)
    await handle_a, await handle_b
    assert len(paths(a.backend)) + len(paths(b.backend)) == 1
    await a.store.dispatch(a.api.endpoints.update_post.initiate(1))
    await eventually(lambda: b.entry(1).data["version"] == 1 and a.entry(1).data["version"] == 1)
    await settle(0.1)
    # One refetch between them (single flight), and a's invalidation was applied once
    # in each store (no echo): two fetches in all, the first and the refetch.
    assert len(paths(a.backend)) + len(paths(b.backend)) == 2
    assert a.entry(1).data == b.entry(1).data


async def test_invalidation_deletes_the_shared_entries_it_hits(
    nodes: tuple[Node, Node], redis_url: str
) -> None:
    a, b = nodes
    await a.store.dispatch(a.api.endpoints.get_post.initiate(1, subscribe=False))
    await a.store.dispatch(a.api.endpoints.get_user.initiate(7, subscribe=False))
    assert {"rtkq:api:e:get_post(1)", "rtkq:api:e:get_user(7)"} <= set(await redis_keys(redis_url))
    b.store.dispatch(b.api.util.invalidate_tags(["Post"]))  # a type without id: every Post
    await b.shared._barrier()
    await eventually(lambda: a.entry(1).is_uninitialized)
    keys = set(await redis_keys(redis_url))
    assert "rtkq:api:e:get_post(1)" not in keys
    assert "rtkq:api:e:get_user(7)" in keys
    await b.get(1)
    assert paths(b.backend) == ["posts/1"]


async def test_concurrent_requests_in_two_stores_make_one_upstream_call(
    nodes: tuple[Node, Node],
) -> None:
    a, b = nodes
    a.backend.gate = asyncio.Event()
    handle_a = a.get(5)
    await holds_lock(a.shared, "get_post(5)")
    handle_b = b.get(5)
    await waits_for(b.shared, "get_post(5)")
    assert b.entry(5).is_loading
    a.backend.gate.set()
    state_a, state_b = await handle_a, await handle_b
    assert state_a.data == state_b.data == {"path": "posts/5", "version": 0, "by": "a"}
    assert paths(a.backend) == ["posts/5"] and paths(b.backend) == []


async def test_waiters_take_the_error_of_the_fetching_store(nodes: tuple[Node, Node]) -> None:
    a, b = nodes
    a.backend.gate = asyncio.Event()
    a.backend.fail_with = {"status": 503, "data": "down"}
    handle_a = a.get(2)
    await holds_lock(a.shared, "get_post(2)")
    handle_b = b.get(2)
    await waits_for(b.shared, "get_post(2)")
    a.backend.gate.set()
    state_a, state_b = await handle_a, await handle_b
    assert state_a.error == state_b.error == {"status": 503, "data": "down"}
    assert b.backend.calls == []


async def test_after_lock_timeout_a_waiting_store_fetches_itself(redis_url: str) -> None:
    node = Node(redis_url, "a", lock_timeout=0.3)
    client = redis.asyncio.Redis.from_url(redis_url)
    await client.set("rtkq:api:l:get_post(3)", "another-process", px=10_000)
    async with node.shared:
        loop = asyncio.get_running_loop()
        started = loop.time()
        state = await node.get(3)
        waited = loop.time() - started
    await client.aclose()
    assert state.data == {"path": "posts/3", "version": 0, "by": "a"}
    assert 0.3 <= waited < 2.0
    assert paths(node.backend) == ["posts/3"]


async def test_a_refetch_is_served_only_a_newer_shared_entry(nodes: tuple[Node, Node]) -> None:
    a, b = nodes
    await a.get(1)
    await b.get(1)  # served a's entry
    await b.store.dispatch(b.api.endpoints.get_post.initiate(1, force_refetch=True))
    assert paths(b.backend) == ["posts/1"]  # same age as its own: upstream
    await a.store.dispatch(a.api.endpoints.get_post.initiate(1, force_refetch=True))
    assert paths(a.backend) == ["posts/1"]  # b's entry is newer than a's: served
    assert a.entry(1).data == b.entry(1).data
    assert a.entry(1).data["by"] == "b"


async def test_namespaces_never_see_each_other(redis_url: str) -> None:
    a, b = Node(redis_url, "a", namespace="one"), Node(redis_url, "b", namespace="two")
    async with a.shared, b.shared:
        await a.get(1), await b.get(1)
        assert paths(a.backend) == paths(b.backend) == ["posts/1"]
        await a.store.dispatch(a.api.endpoints.update_post.initiate(1))
        await settle(0.1)
        assert paths(b.backend) == ["posts/1"]
    keys = await redis_keys(redis_url)
    assert all(key.startswith(("one:", "two:")) for key in keys), keys


async def test_malformed_messages_and_entries_are_ignored_with_a_warning(
    nodes: tuple[Node, Node], redis_url: str
) -> None:
    a, b = nodes
    client = redis.asyncio.Redis.from_url(redis_url)
    with pytest.warns(RuntimeWarning, match="Ignored a malformed message on 'rtkq:api:bus'") as got:
        await client.publish("rtkq:api:bus", b"\x80 not json")
        await eventually(lambda: len(got) == 2)  # a and b both ignored it
    with pytest.warns(RuntimeWarning, match="unknown message kind") as got:
        await client.publish("rtkq:api:bus", b'{"v": 1, "o": "x", "k": "boom"}')
        await eventually(lambda: len(got) == 2)
    await client.hset("rtkq:api:e:get_post(9)", mapping={"f": "1e12", "v": "{not json"})
    await client.pexpire("rtkq:api:e:get_post(9)", 10_000)
    with pytest.warns(RuntimeWarning, match=r"malformed shared entry for 'get_post\(9\)'"):
        state = await a.get(9)
    assert state.data == {"path": "posts/9", "version": 0, "by": "a"}
    await client.aclose()
    await b.get(9)  # a's fresh entry replaced the malformed one
    assert paths(b.backend) == []


async def test_data_that_is_not_json_is_not_shared(nodes: tuple[Node, Node]) -> None:
    a, b = nodes
    with pytest.warns(RuntimeWarning, match="Entries of endpoint 'get_blob' are not shared"):
        state = await a.store.dispatch(a.api.endpoints.get_blob.initiate(None))
    assert state.is_success
    state_b = await b.store.dispatch(b.api.endpoints.get_blob.initiate(None))
    assert state_b.is_success  # fetched itself, no wait for a lock


async def test_closing_removes_the_hooks_and_is_idempotent(redis_url: str) -> None:
    node = Node(redis_url, "a")
    assert repr(node.shared).endswith("not connected>")
    await node.shared.start()
    assert node.shared.connected
    assert repr(node.shared) == f"<SharedCache {redis_url} namespace='rtkq' connected>"
    with pytest.raises(RuntimeError, match="already started"):
        await node.shared.start()
    await node.shared.aclose()
    await node.shared.aclose()
    assert repr(node.shared).endswith("closed>")
    await node.get(1)
    assert await redis_keys(redis_url) == {}  # nothing written once closed


def test_bad_arguments_name_what_to_pass(redis_url: str) -> None:
    backend = Backend()
    api = make_api(backend)
    store = make_store(api)
    with pytest.raises(
        ValueError, match=r"lock_timeout must be a finite number of seconds > 0, got 0"
    ):
        SharedCache(store, api, redis_url, lock_timeout=0)
    with pytest.raises(TypeError, match="ttl must be seconds"):
        SharedCache(store, api, redis_url, ttl="1")
    with pytest.raises(TypeError, match="namespace must be a non-empty str"):
        SharedCache(store, api, redis_url, namespace="")
    with pytest.raises(ValueError, match="url must start with redis://"):
        SharedCache(store, api, "http://x")
    other = make_api(backend)
    with pytest.raises(RuntimeError, match="middleware of api 'api' is not in this store"):
        SharedCache(store, other, redis_url)


async def test_closing_the_store_closes_the_shared_cache(redis_url: str) -> None:
    node = Node(redis_url, "a")
    node.backend.gate = asyncio.Event()
    async with node.store:
        await node.shared.start()
        handle = node.get(1)
        await holds_lock(node.shared, "get_post(1)")
    assert repr(node.shared).endswith("closed>")
    state = await handle
    assert state.is_error  # aborted by the store's close
    assert await redis_keys(redis_url, "rtkq:api:e:*") == {}
    assert await redis_keys(redis_url, "rtkq:api:l:*") == {}  # its lock given up


async def test_a_shared_cache_closed_on_its_own_leaves_the_store_hooks(redis_url: str) -> None:
    node = Node(redis_url, "a")
    async with node.store:
        async with node.shared:
            await node.get(1)
        assert repr(node.shared).endswith("closed>")


async def test_entries_read_from_redis_go_through_response_schema(redis_url: str) -> None:
    checked: list[Any] = []

    def post_schema(value: Any) -> Any:
        checked.append(value)
        if not isinstance(value, dict) or not isinstance(value.get("path"), str):
            raise ValueError(f"not a post: {value!r}")
        return value

    def node() -> tuple[Any, Any, Backend]:
        backend = Backend()
        api = create_api(
            base_query=backend,
            tag_types=["Post"],
            endpoints=lambda build: {
                "get_post": build.query(query=lambda id: f"posts/{id}", response_schema=post_schema)
            },
        )
        return api, make_store(api), backend

    (api_a, a, _), (api_b, b, backend_b) = node(), node()
    async with SharedCache(a, api_a, redis_url), SharedCache(b, api_b, redis_url):
        await a.dispatch(api_a.endpoints.get_post.initiate(1))
        checked.clear()
        state = await b.dispatch(api_b.endpoints.get_post.initiate(1))
        assert state.data["path"] == "posts/1" and backend_b.calls == []
        assert checked == [{"path": "posts/1", "version": 0, "by": ""}]  # plain JSON in
        client = redis.asyncio.Redis.from_url(redis_url)
        bad = '{"v":1,"endpoint_name":"get_post","data":{"path":7},"fulfilled_at":1e12,"provided_tags":[]}'
        await client.hset("rtkq:api:e:get_post(2)", mapping={"f": "1e12", "v": bad})
        await client.pexpire("rtkq:api:e:get_post(2)", 10_000)
        await client.aclose()
        with pytest.warns(RuntimeWarning, match=r"malformed shared entry.*not a post"):
            state = await b.dispatch(api_b.endpoints.get_post.initiate(2))
        assert state.data["path"] == "posts/2" and backend_b.calls == ["posts/2"]


class Post(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(frozen=True)
    path: str
    version: int


async def test_typed_records_are_shared_as_json_and_read_back_as_records(redis_url: str) -> None:
    def node() -> tuple[Any, Any, Backend]:
        backend = Backend()
        api = create_api(
            base_query=backend,
            tag_types=["Post"],
            endpoints=lambda build: {
                "get_post": build.query(query=lambda id: f"posts/{id}", response_schema=Post)
            },
        )
        return api, make_store(api), backend

    (api_a, a, _), (api_b, b, backend_b) = node(), node()
    async with SharedCache(a, api_a, redis_url), SharedCache(b, api_b, redis_url):
        await a.dispatch(api_a.endpoints.get_post.initiate(1))
        state = await b.dispatch(api_b.endpoints.get_post.initiate(1))
    assert backend_b.calls == []
    assert state.data == Post(path="posts/1", version=0)
    assert isinstance(state.data, Post)


async def test_a_thousand_requests_at_once_share_a_few_connections(
    nodes: tuple[Node, Node], redis_url: str
) -> None:
    a, b = nodes
    handles = [a.get(i) for i in range(1000)]
    states = await asyncio.gather(*handles)
    assert all(state.is_success for state in states)
    handles = [b.get(i) for i in range(1000)]
    await asyncio.gather(*handles)
    assert paths(b.backend) == []  # all 1,000 served from Redis
    # Connections of earlier tests' clients that are garbage but not collected yet would
    # count too: when the cyclic collector last ran depends on what ran before. Their
    # sockets were never closed: collecting them warns (ResourceWarning), which is about
    # that earlier test, not this one.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()
    await asyncio.sleep(0)
    client = redis.asyncio.Redis.from_url(redis_url)
    clients = await client.client_list()
    await client.aclose()
    assert len(clients) <= 2 * 16 + 1  # a's and b's pools, and this client
