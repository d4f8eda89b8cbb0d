"""Optimistic layers (contract §4): ``ctx.optimistic`` in a mutation's ``on_query_started``.

A layer is re-applied over every piece of server data that lands while its mutation is
pending; failure drops it and recomputes from server data plus the remaining layers;
success drops it when the mutation's own invalidation refetch lands (or at once when it
invalidates nothing); ``undo()`` drops it early.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from rtkq import PatchCollection

from ._support import FakeBaseQuery, make_api, make_store, turns


class Server:
    """One todo list on a pretend server; mutations can be told to fail or to take long."""

    def __init__(self) -> None:
        self.todos: dict[int, dict[str, Any]] = {
            1: {"id": 1, "title": "milk", "done": False},
            2: {"id": 2, "title": "eggs", "done": False},
        }
        self.failing: set[str] = set()
        self.seen_by_mutation: list[Any] = []

    def __call__(self, args: Any) -> Any:
        if args[0] == "list":
            return {"data": [dict(t) for t in self.todos.values()]}
        _, todo_id, changes, tag = args
        if tag in self.failing:
            return {"error": {"status": 409, "data": f"{tag} rejected"}}
        self.todos[todo_id].update(changes)
        return {"data": dict(self.todos[todo_id])}

    def delay(self, args: Any) -> float:
        return 1.0 if args[0] == "list" else float(args[3].split(":")[1]) if ":" in args[3] else 2.0


def build(server: Server, *, invalidates: bool = True, hook: Any = None, **options: Any) -> Any:
    async def optimistic(arg: Any, ctx: Any) -> None:
        todo_id, changes, _ = arg

        def recipe(draft: Any) -> None:
            for todo in draft:
                if todo["id"] == todo_id:
                    todo.update(changes)

        layers.append(ctx.optimistic("todos", None, recipe))

    layers: list[PatchCollection] = []

    def endpoints(build: Any) -> dict[str, Any]:
        return {
            "todos": build.query(query=lambda _: ("list",), provides_tags=["Todo"]),
            "edit": build.mutation(
                query=lambda arg: ("edit", *arg),
                on_query_started=hook or optimistic,
                invalidates_tags=(
                    (lambda result, error, arg: ["Todo"] if error is None else [])
                    if invalidates
                    else None
                ),
            ),
            "other": build.query(query=lambda _: ("list",)),
        }

    api = make_api(
        endpoints,
        base_query=FakeBaseQuery(server, delay=server.delay),
        tag_types=["Todo"],
        **options,
    )
    api.layers = layers  # type: ignore[attr-defined]
    return api


def todo(api: Any, store: Any, todo_id: int) -> Any:
    data = api.endpoints.todos.select(None)(store.get_state()).data
    return next(t for t in data if t["id"] == todo_id)


def optimistic_state(api: Any, store: Any) -> Any:
    return store.get_state()[api.reducer_path]["optimistic"]


async def loaded(api: Any, store: Any, **options: Any) -> Any:
    handle = store.dispatch(api.endpoints.todos.initiate(None, **options))
    await handle
    return handle


@pytest.mark.looptime
async def test_layer_applies_before_the_request_is_sent() -> None:
    server = Server()
    api = build(server)
    store = make_store(api)
    await loaded(api, store)
    seen: list[Any] = []
    api.base_query.responder = lambda args: (seen.append(todo(api, store, 1)), server(args))[1]
    mutation = store.dispatch(api.endpoints.edit.initiate((1, {"done": True}, "a")))
    await turns(1)
    assert todo(api, store, 1)["done"] is True
    layer = api.layers[0]
    assert layer.patches == [{"op": "replace", "path": [0, "done"], "value": True}]
    assert layer.inverse_patches == [{"op": "replace", "path": [0, "done"], "value": False}]
    await mutation
    assert seen[0]["done"] is True


@pytest.mark.looptime
async def test_success_drops_the_layer_when_its_invalidation_refetch_lands() -> None:
    server = Server()
    api = build(server)
    store = make_store(api)
    await loaded(api, store)
    store.dispatch(api.endpoints.edit.initiate((1, {"title": "oat milk"}, "a")))
    await asyncio.sleep(2.1)  # the mutation succeeded; the refetch is in flight
    assert api.endpoints.todos.select(None)(store.get_state()).is_fetching
    assert optimistic_state(api, store)["layers"]  # still layered until the refetch lands
    assert todo(api, store, 1)["title"] == "oat milk"
    await asyncio.sleep(1)
    assert todo(api, store, 1)["title"] == "oat milk"  # now server data
    assert dict(optimistic_state(api, store)["layers"]) == {}
    assert dict(optimistic_state(api, store)["base"]) == {}


@pytest.mark.looptime
async def test_success_without_invalidation_drops_the_layer_at_once() -> None:
    server = Server()
    api = build(server, invalidates=False)
    store = make_store(api)
    await loaded(api, store)
    server.todos[2]["title"] = "server eggs"  # the cache does not know yet
    await store.dispatch(api.endpoints.edit.initiate((1, {"done": True}, "a")))
    assert dict(optimistic_state(api, store)["layers"]) == {}
    # back to the server data the cache had (RTK's update would leave the change in)
    assert todo(api, store, 1)["done"] is False
    assert todo(api, store, 2)["title"] == "eggs"
    assert api.base_query.count == 2


@pytest.mark.looptime
async def test_failure_drops_the_layer_and_keeps_data_that_landed_meanwhile() -> None:
    server = Server()
    server.failing.add("bad")
    api = build(server)
    store = make_store(api)
    handle = await loaded(api, store)
    store.dispatch(api.endpoints.edit.initiate((1, {"done": True}, "bad")))
    await turns(1)
    server.todos[2]["title"] = "fresh eggs"
    await handle.refetch()  # lands mid-mutation
    assert todo(api, store, 1)["done"] is True  # layer re-applied on fresh data
    assert todo(api, store, 2)["title"] == "fresh eggs"
    await asyncio.sleep(2)
    assert todo(api, store, 1)["done"] is False
    assert todo(api, store, 2)["title"] == "fresh eggs"
    assert dict(optimistic_state(api, store)["layers"]) == {}


@pytest.mark.looptime
async def test_a_poll_that_lands_mid_mutation_keeps_the_change_visible() -> None:
    server = Server()
    api = build(server)
    store = make_store(api)
    poller = await loaded(api, store, subscription_options={"polling_interval": 0.5})
    store.dispatch(api.endpoints.edit.initiate((2, {"title": "duck eggs"}, "slow:5")))
    await turns(1)
    fetches = api.base_query.count
    for _ in range(6):
        await asyncio.sleep(0.5)
        assert todo(api, store, 2)["title"] == "duck eggs"
    assert api.base_query.count > fetches + 1  # polls did land meanwhile
    await asyncio.sleep(5)  # settled, and the refetch its invalidation waited for landed
    assert todo(api, store, 2)["title"] == "duck eggs"  # the server's value now
    assert dict(optimistic_state(api, store)["layers"]) == {}
    poller.unsubscribe()
    await asyncio.sleep(1)


@pytest.mark.looptime
async def test_concurrent_layers_on_one_field_first_fails_second_survives() -> None:
    server = Server()
    server.failing.add("first:3")
    api = build(server)
    store = make_store(api)
    await loaded(api, store)
    first = store.dispatch(api.endpoints.edit.initiate((1, {"title": "A"}, "first:3")))
    await turns(1)
    second = store.dispatch(api.endpoints.edit.initiate((1, {"title": "B"}, "second:4")))
    await turns(1)
    assert todo(api, store, 1)["title"] == "B"
    assert "error" in await first
    assert todo(api, store, 1)["title"] == "B"  # the second layer survives the drop
    server.todos[1]["note"] = "x"
    await second
    assert todo(api, store, 1)["title"] == "B"
    await asyncio.sleep(1.1)  # the second's invalidation refetch lands
    assert todo(api, store, 1) == {"id": 1, "title": "B", "done": False, "note": "x"}
    assert dict(optimistic_state(api, store)["layers"]) == {}


@pytest.mark.looptime
async def test_concurrent_layers_both_fail_server_value_returns() -> None:
    server = Server()
    server.failing.update({"first:3", "second:4"})
    api = build(server)
    store = make_store(api)
    await loaded(api, store)
    first = store.dispatch(api.endpoints.edit.initiate((1, {"title": "A"}, "first:3")))
    second = store.dispatch(api.endpoints.edit.initiate((1, {"title": "B"}, "second:4")))
    await turns(1)
    assert todo(api, store, 1)["title"] == "B"
    await first
    assert todo(api, store, 1)["title"] == "B"
    await second
    assert todo(api, store, 1)["title"] == "milk"


@pytest.mark.looptime
async def test_layers_reapply_in_the_order_they_were_made() -> None:
    server = Server()
    server.failing.add("x:9")
    api = build(server)
    store = make_store(api)
    handle = await loaded(api, store)
    store.dispatch(api.endpoints.edit.initiate((1, {"title": "A"}, "x:9")))
    store.dispatch(api.endpoints.edit.initiate((1, {"title": "B"}, "x:9")))
    await turns(1)
    await handle.refetch()
    assert todo(api, store, 1)["title"] == "B"
    await asyncio.sleep(9)
    assert todo(api, store, 1)["title"] == "milk"


@pytest.mark.looptime
async def test_undo_drops_the_layer_early_and_keeps_a_later_unrelated_patch() -> None:
    server = Server()
    api = build(server)
    store = make_store(api)
    await loaded(api, store)
    mutation = store.dispatch(api.endpoints.edit.initiate((1, {"title": "A"}, "slow:5")))
    await turns(1)
    store.dispatch(
        api.util.update_query_data("todos", None, lambda d: d[1].__setitem__("done", True))
    )
    api.layers[0].undo()
    assert todo(api, store, 1)["title"] == "milk"
    assert todo(api, store, 2)["done"] is True
    assert dict(optimistic_state(api, store)["layers"]) == {}
    api.layers[0].undo()  # harmless twice
    await mutation
    await asyncio.sleep(2)
    assert todo(api, store, 1)["title"] == "A" and todo(api, store, 2)["done"] is False


@pytest.mark.looptime
async def test_undo_of_one_layer_keeps_the_other() -> None:
    server = Server()
    api = build(server)
    store = make_store(api)
    await loaded(api, store)
    first = store.dispatch(api.endpoints.edit.initiate((1, {"title": "A"}, "slow:5")))
    second = store.dispatch(api.endpoints.edit.initiate((2, {"title": "B"}, "slow:5")))
    await turns(1)
    api.layers[0].undo()
    assert todo(api, store, 1)["title"] == "milk"
    assert todo(api, store, 2)["title"] == "B"
    await asyncio.gather(first, second)
    await asyncio.sleep(2)
    assert todo(api, store, 1)["title"] == "A"  # the server took both edits
    assert dict(optimistic_state(api, store)["layers"]) == {}


@pytest.mark.looptime
async def test_an_upsert_mid_mutation_is_layered_too() -> None:
    server = Server()
    server.failing.add("bad:2")
    api = build(server)
    store = make_store(api)
    await loaded(api, store)
    store.dispatch(api.endpoints.edit.initiate((1, {"done": True}, "bad:2")))
    await turns(1)
    store.dispatch(
        api.util.upsert_query_data("todos", None, [{"id": 1, "title": "up", "done": False}])
    )
    assert todo(api, store, 1) == {"id": 1, "title": "up", "done": True}
    await asyncio.sleep(2)
    assert todo(api, store, 1) == {"id": 1, "title": "up", "done": False}


@pytest.mark.looptime
async def test_a_plain_update_during_a_layer_survives_the_layer_drop() -> None:
    server = Server()
    server.failing.add("bad:2")
    api = build(server)
    store = make_store(api)
    await loaded(api, store)
    store.dispatch(api.endpoints.edit.initiate((1, {"done": True}, "bad:2")))
    await turns(1)
    store.dispatch(api.util.update_query_data("todos", None, lambda d: d.append({"id": 3})))
    await asyncio.sleep(2)
    data = api.endpoints.todos.select(None)(store.get_state()).data
    assert [t["id"] for t in data] == [1, 2, 3] and data[0]["done"] is False


@pytest.mark.looptime
async def test_layer_on_a_missing_entry_does_nothing() -> None:
    api = build(Server())
    store = make_store(api)
    await store.dispatch(api.endpoints.edit.initiate((1, {"done": True}, "a")))
    assert api.layers[0].patches == [] and api.layers[0].inverse_patches == []
    api.layers[0].undo()
    assert dict(optimistic_state(api, store)["layers"]) == {}


@pytest.mark.looptime
async def test_a_layer_made_after_the_mutation_settled_is_dropped_at_once() -> None:
    async def late(arg: Any, ctx: Any) -> None:
        await ctx.query_fulfilled
        ctx.optimistic("todos", None, lambda d: d[0].__setitem__("title", "late"))

    server = Server()
    api = build(server, invalidates=False, hook=late)
    store = make_store(api)
    await loaded(api, store)
    await store.dispatch(api.endpoints.edit.initiate((1, {}, "a")))
    await turns()
    assert todo(api, store, 1)["title"] == "milk"
    assert dict(optimistic_state(api, store)["layers"]) == {}


@pytest.mark.looptime
async def test_a_layer_that_no_longer_applies_is_skipped_with_a_warning() -> None:
    async def fragile(arg: Any, ctx: Any) -> None:
        ctx.optimistic("todos", None, lambda d: d[1].__setitem__("done", True))

    server = Server()
    api = build(server, hook=fragile)
    store = make_store(api)
    await loaded(api, store)
    mutation = store.dispatch(api.endpoints.edit.initiate((1, {}, "slow:5")))
    await turns(1)
    assert todo(api, store, 2)["done"] is True
    del server.todos[2]  # the layer's index 1 is gone from the fresh data
    with pytest.warns(RuntimeWarning, match="could not be re-applied"):
        await store.dispatch(api.endpoints.todos.initiate(None, force_refetch=True))
    data = api.endpoints.todos.select(None)(store.get_state()).data
    assert [t["id"] for t in data] == [1]  # the fresh data, the layer skipped
    with pytest.warns(RuntimeWarning, match="could not be re-applied"):
        await mutation  # dropping a layer re-applies the others: none left here
        await asyncio.sleep(2)
    assert dict(optimistic_state(api, store)["layers"]) == {}


@pytest.mark.looptime
async def test_entry_removed_while_layered_then_mutation_settles() -> None:
    server = Server()
    server.failing.add("bad:5")
    api = build(server, keep_unused_data_for=1)
    store = make_store(api)
    handle = await loaded(api, store)
    store.dispatch(api.endpoints.edit.initiate((1, {"done": True}, "bad:5")))
    await turns(1)
    handle.unsubscribe()
    await asyncio.sleep(2)
    assert api.endpoints.todos.select(None)(store.get_state()).is_uninitialized
    assert dict(optimistic_state(api, store)["layers"]) == {}
    await asyncio.sleep(4)
    assert dict(optimistic_state(api, store)["layers"]) == {}
    again = await store.dispatch(api.endpoints.todos.initiate(None))
    assert again.data[0]["done"] is False


@pytest.mark.looptime
async def test_reset_api_state_clears_layers() -> None:
    server = Server()
    api = build(server)
    store = make_store(api)
    await loaded(api, store)
    store.dispatch(api.endpoints.edit.initiate((1, {"done": True}, "slow:5")))
    await turns(1)
    store.dispatch(api.util.reset_api_state())
    await asyncio.sleep(6)
    assert dict(optimistic_state(api, store)["layers"]) == {}
    assert dict(store.get_state()[api.reducer_path]["queries"]) == {}
