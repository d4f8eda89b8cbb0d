"""``util.upsert_query_data`` and ``util.upsert_query_entries``.

Ported behaviours: RTK Query's optimisticUpserts tests (inserts, upserts, in-flight
interop, many entries in one action, lifecycles, collection), plus merge and bad input.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from rtkq import Action, QueryStatus, freeze

from ._support import FakeBaseQuery, make_api, make_store, turns

KEEP = 60.0
POSTS = [
    {"id": "1", "title": "A", "contents": "A"},
    {"id": "2", "title": "B", "contents": "B"},
    {"id": "3", "title": "C", "contents": "C"},
]


class Server:
    """Answers ``("post", id)`` / ``("posts",)`` from a dict; ``fail`` makes the next call fail."""

    def __init__(self) -> None:
        self.posts = {p["id"]: dict(p) for p in POSTS}
        self.fail = 0

    def __call__(self, args: Any) -> Any:
        if self.fail:
            self.fail -= 1
            return {"error": {"status": 500, "data": "down"}}
        if args[0] == "posts":
            return {"data": list(self.posts.values())}
        return {"data": self.posts[args[1]]}


def build(server: Server, added: list[Any] | None = None, delay: float = 0.02) -> Any:
    async def post_added(arg: Any, ctx: Any) -> None:
        loaded = await ctx.cache_data_loaded
        if added is not None:
            added.append((arg, loaded["data"]))

    def endpoints(build: Any) -> dict[str, Any]:
        return {
            "get_posts": build.query(
                query=lambda _: ("posts",),
                provides_tags=lambda result, error, arg: ["Post"],
            ),
            "post": build.query(
                query=lambda id: ("post", id),
                provides_tags=lambda result, error, id: [{"type": "Post", "id": id}],
                on_cache_entry_added=post_added,
            ),
            "feed": build.query(
                query=lambda _: ("posts",),
                merge=lambda current, incoming, info: current.extend(incoming),
            ),
        }

    return make_api(
        endpoints,
        base_query=FakeBaseQuery(server, delay=delay),
        tag_types=["Post"],
        keep_unused_data_for=KEEP,
    )


def select(api: Any, store: Any, endpoint: str, arg: Any) -> Any:
    return api.endpoints[endpoint].select(arg)(store.get_state())


async def test_inserts_then_updates_an_entry() -> None:
    api = build(Server())
    store = make_store(api)
    inserted = await store.dispatch(api.util.upsert_query_data("post", "9", {"id": "9", "v": 1}))
    assert inserted.is_success and inserted.data == {"id": "9", "v": 1}
    assert inserted.original_args == "9"
    entry = select(api, store, "post", "9")
    assert entry.is_success and entry.data == {"id": "9", "v": 1}
    updated = await store.dispatch(api.util.upsert_query_data("post", "9", {"id": "9", "v": 2}))
    assert updated.data == {"id": "9", "v": 2}
    assert select(api, store, "post", "9").data is not entry.data


async def test_upsert_replaces_fetched_data() -> None:
    api = build(Server())
    store = make_store(api)
    before = await store.dispatch(api.endpoints.post.initiate("3"))
    assert before.data["contents"] == "C"
    store.dispatch(api.util.upsert_query_data("post", "3", {"id": "3", "contents": "cheese"}))
    after = select(api, store, "post", "3")
    assert after.data == {"id": "3", "contents": "cheese"} and after.is_success


async def test_upsert_fills_an_entry_that_only_failed_so_far() -> None:
    server = Server()
    server.fail = 1
    api = build(server)
    store = make_store(api)
    failed = await store.dispatch(api.endpoints.post.initiate("4"))
    assert failed.is_error and failed.data is None
    await store.dispatch(api.util.upsert_query_data("post", "4", {"id": "4", "t": "x"}))
    state = select(api, store, "post", "4")
    assert state.is_success and state.error is None and state.data == {"id": "4", "t": "x"}


@pytest.mark.looptime
async def test_upsert_while_a_query_runs_then_the_fetch_lands_over_it() -> None:
    api = build(Server())
    store = make_store(api)
    fetching = store.dispatch(api.endpoints.post.initiate("3"))
    upserted = await store.dispatch(
        api.util.upsert_query_data("post", "3", {"id": "3", "title": "SSR"})
    )
    assert upserted.data == {"id": "3", "title": "SSR"}
    state = select(api, store, "post", "3")
    assert state.data == {"id": "3", "title": "SSR"} and state.is_success
    await fetching
    assert select(api, store, "post", "3").data == POSTS[2]


@pytest.mark.looptime
async def test_upsert_while_a_query_runs_that_then_fails_keeps_the_upserted_data() -> None:
    server = Server()
    server.fail = 1
    api = build(server)
    store = make_store(api)
    fetching = store.dispatch(api.endpoints.post.initiate("3"))
    await store.dispatch(api.util.upsert_query_data("post", "3", {"id": "3", "title": "SSR"}))
    assert select(api, store, "post", "3").is_success
    await fetching
    state = select(api, store, "post", "3")
    assert state.data == {"id": "3", "title": "SSR"}
    assert state.is_error and state.error == {"status": 500, "data": "down"}


async def test_upsert_runs_the_endpoint_merge() -> None:
    api = build(Server())
    store = make_store(api)
    await store.dispatch(api.endpoints.feed.initiate(None))
    await store.dispatch(api.util.upsert_query_data("feed", None, [{"id": "4"}]))
    data = select(api, store, "feed", None).data
    assert [p["id"] for p in data] == ["1", "2", "3", "4"]


async def test_upsert_of_a_missing_entry_with_merge_stores_the_value() -> None:
    api = build(Server())
    store = make_store(api)
    await store.dispatch(api.util.upsert_query_data("feed", None, [{"id": "7"}]))
    assert select(api, store, "feed", None).data == [{"id": "7"}]


def entries_action(api: Any) -> Action:
    return api.util.upsert_query_entries(
        [
            {"endpoint_name": "get_posts", "arg": None, "value": POSTS},
            *({"endpoint_name": "post", "arg": p["id"], "value": p} for p in POSTS),
        ]
    )


async def test_upsert_entries_writes_many_entries_in_one_action() -> None:
    api = build(Server())
    store = make_store(api)
    action = entries_action(api)
    assert isinstance(action, Action)
    notified: list[int] = []
    store.subscribe(lambda: notified.append(1))
    store.dispatch(action)
    assert notified == [1]
    state = store.get_state()
    assert api.endpoints.get_posts.select(None)(state).data == freeze(POSTS)
    provided = state["api"]["provided"]["tags"]["Post"]
    for post in POSTS:
        entry = api.endpoints.post.select(post["id"])(state)
        assert entry.status is QueryStatus.FULFILLED and entry.data == post
        assert set(provided[post["id"]]) == {api.endpoints.post.cache_key(post["id"])}


@pytest.mark.looptime
async def test_upsert_entries_start_lifecycles_and_are_collected_when_unused() -> None:
    added: list[Any] = []
    api = build(Server(), added)
    store = make_store(api)
    kept = store.dispatch(api.endpoints.post.initiate("1"))  # a subscriber for post 1
    await kept
    added.clear()
    store.dispatch(entries_action(api))
    await turns()
    # lifecycles ran for the new entries only, with the upserted value as first data
    assert sorted(added) == [("2", POSTS[1]), ("3", POSTS[2])]
    assert select(api, store, "post", "2").data == POSTS[1]
    await asyncio.sleep(KEEP + 1)
    state = store.get_state()
    assert api.endpoints.post.select("2")(state).is_uninitialized
    assert api.endpoints.get_posts.select(None)(state).is_uninitialized
    assert api.endpoints.post.select("1")(state).data == POSTS[0]  # subscribed: kept


@pytest.mark.looptime
async def test_upsert_resolves_cache_data_loaded_of_a_pending_entry() -> None:
    added: list[Any] = []
    api = build(Server(), added, delay=5)
    store = make_store(api)
    fetching = store.dispatch(api.endpoints.post.initiate("2"))
    await turns()
    assert added == []
    store.dispatch(api.util.upsert_query_data("post", "2", {"id": "2", "title": "early"}))
    await turns()
    assert added == [("2", {"id": "2", "title": "early"})]
    await fetching
    assert added == [("2", {"id": "2", "title": "early"})]  # only the first data


async def test_upserts_from_a_lifecycle_fill_child_entries() -> None:
    folders = {
        1: {"id": 1, "children": [{"id": 2, "children": []}, {"id": 3, "children": []}]},
    }

    async def upsert_children(arg: Any, ctx: Any) -> None:
        result = await ctx.query_fulfilled
        ctx.dispatch(
            api.util.upsert_query_entries(
                [
                    {"endpoint_name": "folder", "arg": child["id"], "value": child}
                    for child in result["data"]["children"]
                ]
            )
        )

    def endpoints(build: Any) -> dict[str, Any]:
        return {
            "folder": build.query(query=lambda id: id, on_query_started=upsert_children),
        }

    bq = FakeBaseQuery(lambda id: {"data": folders[id]}, delay=0.01)
    api = make_api(endpoints, base_query=bq)
    store = make_store(api)
    await store.dispatch(api.endpoints.folder.initiate(1))
    await turns()
    child = await store.dispatch(api.endpoints.folder.initiate(2))
    assert child.is_success and child.data == {"id": 2, "children": []}
    assert bq.calls == [1]  # the child came from the upsert: no request


def test_upsert_bad_input() -> None:
    api = build(Server())
    with pytest.raises(KeyError, match="No endpoint named 'nope'"):
        api.util.upsert_query_entries([{"endpoint_name": "nope", "arg": 1, "value": 1}])
    with pytest.raises(TypeError, match="must be a dict with 'endpoint_name'"):
        api.util.upsert_query_entries([{"endpoint_name": "post", "arg": 1}])
    with pytest.raises(KeyError, match="No endpoint named 'nope'"):
        api.util.upsert_query_data("nope", 1, {})


@pytest.mark.looptime
async def test_upserted_entries_are_stamped_by_the_loop_clock_like_fetched_ones() -> None:
    # fulfilled_at: epoch seconds advanced by the loop clock (contract §3), whoever
    # writes the entry; fast-forwarded time ages upserts as it ages fetches.
    api = make_api()
    store = make_store(api)
    fetched = await store.dispatch(api.endpoints.get_item.initiate(1))
    await asyncio.sleep(100)
    store.dispatch(
        api.util.upsert_query_entries([{"endpoint_name": "get_item", "arg": 2, "value": 2}])
    )
    upserted = api.endpoints.get_item.select(2)(store.get_state())
    assert fetched.fulfilled_at is not None and upserted.fulfilled_at is not None
    assert upserted.fulfilled_at - fetched.fulfilled_at == pytest.approx(100, abs=0.5)
    refetched = await store.dispatch(api.endpoints.get_item.initiate(1, force_refetch=True))
    assert refetched.fulfilled_at == pytest.approx(upserted.fulfilled_at, abs=0.5)
