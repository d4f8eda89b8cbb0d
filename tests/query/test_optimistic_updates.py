"""``util.update_query_data`` / ``patch_query_data`` with RTK Query's semantics.

Ported behaviours: RTK Query's optimisticUpdates tests (patches and inverse patches,
updates during a refetch, provided tags, missing entries, the full optimistic-update
integration with ``undo`` on failure), plus undo after an unrelated patch and bad input.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from rtkq import NOTHING, PatchCollection, QueryError, QueryStatus, freeze

from ._support import FakeBaseQuery, make_api, make_store, turns


class Server:
    """Posts on a pretend server; PATCH ``("patch", id, changes)`` may be told to fail."""

    def __init__(self) -> None:
        self.posts: dict[str, dict[str, Any]] = {
            "3": {"id": "3", "title": "All about cheese.", "contents": "TODO"}
        }
        self.fail_patch = False

    def __call__(self, args: Any) -> Any:
        kind = args[0]
        if kind == "list":
            return {"data": list(self.posts.values()), "meta": "meta"}
        if kind == "get":
            return {"data": dict(self.posts[args[1]]), "meta": "meta"}
        if self.fail_patch:
            return {"error": {"status": 500, "data": "no"}}
        self.posts[args[1]].update(args[2])
        return {"data": None, "meta": "meta"}


def build(server: Server, delay: float = 0.01) -> Any:
    async def optimistic_update(arg: Any, ctx: Any) -> None:
        post_id, changes = arg
        collection = ctx.dispatch(
            api.util.update_query_data("post", post_id, lambda draft: draft.update(changes))
        )
        try:
            await ctx.query_fulfilled
        except QueryError:
            collection.undo()

    def endpoints(build: Any) -> dict[str, Any]:
        return {
            "post": build.query(query=lambda id: ("get", id), provides_tags=["Post"]),
            "list_posts": build.query(
                query=lambda _: ("list",),
                provides_tags=lambda result, error, arg: [
                    *({"type": "Post", "id": p["id"]} for p in (result or ())),
                    "Post",
                ],
            ),
            "update_post": build.mutation(
                query=lambda arg: ("patch", arg[0], arg[1]),
                on_query_started=optimistic_update,
                invalidates_tags=lambda result, error, arg: ["Post"] if error is None else [],
            ),
        }

    api = make_api(endpoints, base_query=FakeBaseQuery(server, delay=delay), tag_types=["Post"])
    return api


def post(api: Any, store: Any, id: str = "3") -> Any:
    return api.endpoints.post.select(id)(store.get_state())


async def test_updates_cache_values_and_the_inverse_patch_restores_them() -> None:
    api = build(Server())
    store = make_store(api)
    await store.dispatch(api.endpoints.post.initiate("3"))
    before = post(api, store).data
    collection = store.dispatch(
        api.util.update_query_data("post", "3", lambda d: d.__setitem__("contents", "cheese"))
    )
    assert isinstance(collection, PatchCollection)
    assert post(api, store).data is not before
    assert post(api, store).data == {**before, "contents": "cheese"}
    assert collection.patches == [{"op": "replace", "path": ["contents"], "value": "cheese"}]
    assert collection.inverse_patches == [{"op": "replace", "path": ["contents"], "value": "TODO"}]
    store.dispatch(api.util.patch_query_data("post", "3", collection.inverse_patches))
    assert post(api, store).data == before


async def test_undo_applies_the_inverse_patches_once() -> None:
    api = build(Server())
    store = make_store(api)
    await store.dispatch(api.endpoints.post.initiate("3"))
    before = post(api, store).data
    collection = store.dispatch(
        api.util.update_query_data("post", "3", lambda d: d.__setitem__("title", "new"))
    )
    collection.undo()
    assert post(api, store).data == before
    store.dispatch(api.util.update_query_data("post", "3", lambda d: d.__setitem__("title", "x")))
    collection.undo()  # idempotent: the later change stays
    assert post(api, store).data["title"] == "x"


@pytest.mark.looptime
async def test_updates_data_while_a_refetch_is_in_flight() -> None:
    server = Server()
    api = build(server, delay=1)
    store = make_store(api)
    handle = store.dispatch(api.endpoints.post.initiate("3"))
    await handle
    server.posts["3"]["contents"] = "Refetched"
    refetch = handle.refetch()
    await turns()
    assert post(api, store).is_fetching
    store.dispatch(api.util.update_query_data("post", "3", lambda d: d.update(contents="cheese")))
    state = post(api, store)
    assert state.data["contents"] == "cheese" and state.status is QueryStatus.PENDING
    await refetch
    assert post(api, store).data["contents"] == "Refetched"  # RTK: server data wins


async def test_updates_list_values_with_provided_tags_and_undoes_them() -> None:
    api = build(Server())
    store = make_store(api)
    await store.dispatch(api.endpoints.list_posts.initiate(None))
    tags = store.get_state()["api"]["provided"]["tags"]["Post"]
    new = {"id": "4", "title": "Mostly about cheese.", "contents": "TODO"}
    collection = store.dispatch(
        api.util.update_query_data("list_posts", None, lambda d: d.append(new), True)
    )
    tags = store.get_state()["api"]["provided"]["tags"]["Post"]
    assert tags["4"] == tags["3"]
    collection.undo()
    tags = store.get_state()["api"]["provided"]["tags"]["Post"]
    assert not tags.get("4")
    assert len(api.endpoints.list_posts.select(None)(store.get_state()).data) == 1


async def test_updates_list_values_without_provided_tags() -> None:
    api = build(Server())
    store = make_store(api)
    await store.dispatch(api.endpoints.list_posts.initiate(None))
    new = {"id": "4", "title": "Mostly about cheese.", "contents": "TODO"}
    collection = store.dispatch(
        api.util.update_query_data("list_posts", None, lambda d: d.append(new))
    )
    assert "4" not in store.get_state()["api"]["provided"]["tags"]["Post"]
    assert len(api.endpoints.list_posts.select(None)(store.get_state()).data) == 2
    collection.undo()
    assert "4" not in store.get_state()["api"]["provided"]["tags"]["Post"]


async def test_does_not_update_missing_or_unloaded_entries() -> None:
    api = build(Server(), delay=5)
    store = make_store(api)
    states = []
    calls: list[str] = []

    def recipe(draft: Any) -> None:
        calls.append("ran")

    before = store.get_state()
    collection = store.dispatch(api.util.update_query_data("post", "4", recipe))
    states.append(store.get_state() is before)
    store.dispatch(api.endpoints.post.initiate("3"))  # pending, no data yet
    pending = store.get_state()
    pending_collection = store.dispatch(api.util.update_query_data("post", "3", recipe))
    states.append(store.get_state() is pending)
    store.dispatch(
        api.util.patch_query_data("post", "3", [{"op": "replace", "path": [], "value": 1}])
    )
    states.append(store.get_state() is pending)
    assert states == [True, True, True] and calls == []
    for c in (collection, pending_collection):
        assert c.patches == [] and c.inverse_patches == []
        c.undo()  # harmless
    store.dispatch(api.util.reset_api_state())


async def test_a_recipe_that_changes_nothing_dispatches_nothing() -> None:
    api = build(Server())
    store = make_store(api)
    await store.dispatch(api.endpoints.post.initiate("3"))
    dispatched: list[int] = []
    store.subscribe(lambda: dispatched.append(1))
    collection = store.dispatch(api.util.update_query_data("post", "3", lambda d: None))
    assert collection.patches == [] and dispatched == []


async def test_non_container_data_is_replaced_at_the_root() -> None:
    def endpoints(build: Any) -> dict[str, Any]:
        return {"count": build.query(query=lambda _: 41)}

    api = make_api(endpoints, base_query=FakeBaseQuery(lambda args: {"data": args}))
    store = make_store(api)
    await store.dispatch(api.endpoints.count.initiate(None))
    collection = store.dispatch(api.util.update_query_data("count", None, lambda n: n + 1))
    assert collection.patches == [{"op": "replace", "path": [], "value": 42}]
    assert collection.inverse_patches == [{"op": "replace", "path": [], "value": 41}]
    assert api.endpoints.count.select(None)(store.get_state()).data == 42
    collection.undo()
    assert api.endpoints.count.select(None)(store.get_state()).data == 41


async def test_replacing_the_whole_value_of_a_container() -> None:
    api = build(Server())
    store = make_store(api)
    await store.dispatch(api.endpoints.post.initiate("3"))
    collection = store.dispatch(api.util.update_query_data("post", "3", lambda d: {"id": "3"}))
    assert post(api, store).data == {"id": "3"}
    collection.undo()
    assert post(api, store).data["title"] == "All about cheese."


async def test_undo_after_a_later_unrelated_patch_restores_only_its_own_change() -> None:
    api = build(Server())
    store = make_store(api)
    await store.dispatch(api.endpoints.post.initiate("3"))
    first = store.dispatch(api.util.update_query_data("post", "3", lambda d: d.update(title="T")))
    store.dispatch(api.util.update_query_data("post", "3", lambda d: d.update(contents="C")))
    first.undo()
    assert post(api, store).data == {"id": "3", "title": "All about cheese.", "contents": "C"}


@pytest.mark.looptime
async def test_full_integration_success_refetches_server_data() -> None:
    server = Server()
    api = build(server)
    store = make_store(api)
    handle = store.dispatch(api.endpoints.post.initiate("3"))
    await handle
    server.posts["3"]["title"] = "Meanwhile, this changed server-side."
    mutation = store.dispatch(api.endpoints.update_post.initiate(("3", {"contents": "Yum"})))
    await turns(1)
    assert post(api, store).data["contents"] == "Yum"  # optimistic
    await mutation
    await asyncio.sleep(0.05)  # the invalidated entry refetches
    assert post(api, store).data == {
        "id": "3",
        "title": "Meanwhile, this changed server-side.",
        "contents": "Yum",
    }


@pytest.mark.looptime
async def test_full_integration_error_undoes_and_does_not_refetch() -> None:
    server = Server()
    server.fail_patch = True
    api = build(server)
    bq = api.base_query
    store = make_store(api)
    handle = store.dispatch(api.endpoints.post.initiate("3"))
    await handle
    server.posts["3"]["title"] = "Meanwhile, this changed server-side."
    mutation = store.dispatch(api.endpoints.update_post.initiate(("3", {"contents": "Yum"})))
    await turns(1)
    assert post(api, store).data["contents"] == "Yum"
    assert "error" in await mutation
    await asyncio.sleep(0.05)
    assert post(api, store).data == freeze(
        {"id": "3", "title": "All about cheese.", "contents": "TODO"}
    )
    assert bq.count == 2  # the get and the failed patch: nothing refetched
    await handle.refetch()
    assert post(api, store).data["title"] == "Meanwhile, this changed server-side."


def test_bad_input() -> None:
    api = build(Server())
    with pytest.raises(KeyError, match="No endpoint named 'nope'"):
        api.util.update_query_data("nope", 1, lambda d: None)
    with pytest.raises(KeyError, match="No endpoint named 'nope'"):
        api.util.patch_query_data("nope", 1, [])


async def test_a_recipe_that_mutates_and_returns_another_value_is_a_value_error() -> None:
    api = build(Server())
    store = make_store(api)
    await store.dispatch(api.endpoints.post.initiate("3"))
    before = store.get_state()

    def recipe(draft: Any) -> Any:
        draft["title"] = "changed"
        return {"id": "other"}

    with pytest.raises(ValueError, match="both changed its draft and returned"):
        store.dispatch(api.util.update_query_data("post", "3", recipe))
    assert store.get_state() is before


async def test_a_recipe_returning_nothing_sets_the_data_to_none_and_undo_restores_it() -> None:
    api = make_api(base_query=FakeBaseQuery(lambda args: {"data": {"id": args}}))
    store = make_store(api)
    await store.dispatch(api.endpoints.get_item.initiate(1))
    collection = store.dispatch(api.util.update_query_data("get_item", 1, lambda d: NOTHING))
    state = api.endpoints.get_item.select(1)(store.get_state())
    assert state.data is None and state.is_success
    assert collection.patches == [{"op": "replace", "path": [], "value": None}]
    collection.undo()
    assert api.endpoints.get_item.select(1)(store.get_state()).data == {"id": 1}


async def test_update_cached_data_in_a_lifecycle_may_return_nothing() -> None:
    async def clear_on_load(arg: Any, ctx: Any) -> None:
        await ctx.cache_data_loaded
        ctx.update_cached_data(lambda draft: NOTHING)

    api = make_api(
        lambda build: {
            "get_item": build.query(query=lambda a: a, on_cache_entry_added=clear_on_load)
        }
    )
    store = make_store(api)
    assert (await store.dispatch(api.endpoints.get_item.initiate(7))).data == 7
    await turns()
    assert api.endpoints.get_item.select(7)(store.get_state()).data is None
