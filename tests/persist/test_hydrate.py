"""dehydrate and api.util.hydrate: the snapshot format, newer-wins, max_age, buster, refusal."""

from __future__ import annotations

import asyncio
import json
import math
import time
from typing import Any

import pytest

from rtkq import QueryStatus, Tag, create_api, on_offline, thaw
from rtkq.persist import dehydrate

from ._support import Backend, make_api, make_store, mutations, queries


async def _cached_store(backend: Backend, ids: list[int]) -> tuple[Any, Any]:
    api = make_api(backend)
    store = make_store(api)
    for id in ids:
        await store.dispatch(api.endpoints.get_post.initiate(id))
    return api, store


async def test_dehydrate_gives_json_with_fulfilled_entries_and_tags() -> None:
    api, store = await _cached_store(Backend(), [1, 2])
    snapshot = dehydrate(store.get_state(), api)
    assert json.loads(json.dumps(snapshot)) == snapshot
    assert snapshot["version"] == 1
    assert snapshot["buster"] == ""
    assert snapshot["mutations"] == []
    by_key = {item["query_cache_key"]: item for item in snapshot["queries"]}
    assert set(by_key) == {"get_post(1)", "get_post(2)"}
    item = by_key["get_post(1)"]
    assert item["endpoint_name"] == "get_post"
    assert item["original_args"] == 1
    assert item["data"] == {"path": "posts/1", "title": "title of posts/1"}
    assert item["fulfilled_at"] == queries(store, api)["get_post(1)"].fulfilled_at
    assert item["provided_tags"] == [["Post", 1]]


async def test_rejected_and_pending_first_loads_are_not_dehydrated() -> None:
    backend = Backend()
    api, store = await _cached_store(backend, [1])
    backend.fail_with = {"status": 500, "data": "boom"}
    await store.dispatch(api.endpoints.get_post.initiate(2))
    assert queries(store, api)["get_post(2)"].status is QueryStatus.REJECTED
    keys = [item["query_cache_key"] for item in dehydrate(store.get_state(), api)["queries"]]
    assert keys == ["get_post(1)"]


async def test_should_dehydrate_query_chooses_entries() -> None:
    api, store = await _cached_store(Backend(), [1, 2, 3])
    snapshot = dehydrate(
        store.get_state(), api, should_dehydrate_query=lambda entry: entry.original_args != 2
    )
    assert sorted(item["original_args"] for item in snapshot["queries"]) == [1, 3]


async def test_round_trip_restores_data_args_and_tags_into_a_new_store() -> None:
    api, store = await _cached_store(Backend(), [1, 2])
    snapshot = json.loads(json.dumps(dehydrate(store.get_state(), api)))
    backend = Backend()
    api2 = make_api(backend)
    store2 = make_store(api2)
    store2.dispatch(api2.util.hydrate(snapshot))
    entry = queries(store2, api2)["get_post(1)"]
    assert entry.status is QueryStatus.FULFILLED
    assert thaw(entry.data) == {"path": "posts/1", "title": "title of posts/1"}
    assert entry.fulfilled_at == queries(store, api)["get_post(1)"].fulfilled_at
    assert api2.util.select_invalidated_by(store2.get_state(), [Tag("Post", 2)]) == [
        {"endpoint_name": "get_post", "original_args": 2, "query_cache_key": "get_post(2)"}
    ]
    handle = store2.dispatch(api2.endpoints.get_post.initiate(1))
    assert thaw((await handle).data)["title"] == "title of posts/1"
    assert backend.calls == []  # served from the hydrated cache


def _snapshot(*items: dict[str, Any], mutations: list[Any] | None = None) -> dict[str, Any]:
    return {"version": 1, "buster": "", "queries": list(items), "mutations": mutations or []}


def _item(id: int, title: str, fulfilled_at: float) -> dict[str, Any]:
    return {
        "query_cache_key": f"get_post({id})",
        "endpoint_name": "get_post",
        "original_args": id,
        "data": {"title": title},
        "fulfilled_at": fulfilled_at,
        "provided_tags": [["Post", id]],
    }


async def test_newer_entries_win_comparing_fulfilled_at() -> None:
    api = make_api(Backend())
    store = make_store(api)
    now = time.time()
    store.dispatch(api.util.hydrate(_snapshot(_item(1, "current", now - 10))))
    store.dispatch(api.util.hydrate(_snapshot(_item(1, "older", now - 20))))
    assert queries(store, api)["get_post(1)"].data["title"] == "current"
    store.dispatch(api.util.hydrate(_snapshot(_item(1, "newer", now - 5))))
    assert queries(store, api)["get_post(1)"].data["title"] == "newer"


@pytest.mark.parametrize("fresh", [True, False], ids=["into a new store", "into a used store"])
async def test_of_two_entries_with_one_key_the_later_wins_with_its_tags(fresh: bool) -> None:
    api = make_api(Backend())
    store = make_store(api)
    if not fresh:  # another entry: the reducer compares each entry with the store's
        store.dispatch(api.util.hydrate(_snapshot(_item(9, "other", time.time()))))
    first = _item(1, "first", time.time() - 10)
    second = {**_item(1, "second", time.time() - 20), "provided_tags": [["Post", "x"]]}
    store.dispatch(api.util.hydrate(_snapshot(first, second)))
    entry = queries(store, api)["get_post(1)"]
    assert entry.data["title"] == "second"
    tags = api.util.select_invalidated_by
    assert tags(store.get_state(), [Tag("Post", "x")]) == [
        {"endpoint_name": "get_post", "original_args": 1, "query_cache_key": "get_post(1)"}
    ]
    assert tags(store.get_state(), [Tag("Post", 1)]) == []


async def test_hydrate_into_a_used_store_keeps_a_request_in_flight() -> None:
    backend = Backend()
    api = make_api(backend)
    store = make_store(api)
    handle = store.dispatch(api.endpoints.get_post.initiate(1))
    pending = queries(store, api)["get_post(1)"]
    assert pending.status is QueryStatus.PENDING
    store.dispatch(api.util.hydrate(_snapshot(_item(1, "restored", time.time() - 5))))
    restored = queries(store, api)["get_post(1)"]
    assert restored.data["title"] == "restored"
    assert restored.request_id == pending.request_id  # so the request still lands
    await handle
    assert queries(store, api)["get_post(1)"].data["title"] == "title of posts/1"


async def test_entries_older_than_max_age_are_dropped_per_entry() -> None:
    api = make_api(Backend())
    store = make_store(api)
    now = time.time()
    snapshot = _snapshot(_item(1, "fresh", now - 50), _item(2, "stale", now - 500))
    store.dispatch(api.util.hydrate(snapshot, max_age=100))
    assert set(queries(store, api)) == {"get_post(1)"}


async def test_another_buster_drops_the_whole_snapshot() -> None:
    api = make_api(Backend())
    store = make_store(api)
    snapshot = _snapshot(_item(1, "x", time.time()))
    snapshot["buster"] = "v1"
    store.dispatch(api.util.hydrate(snapshot, buster="v2"))
    assert len(queries(store, api)) == 0
    store.dispatch(api.util.hydrate(snapshot, buster="v1"))
    assert set(queries(store, api)) == {"get_post(1)"}


async def test_endpoints_and_tag_types_the_code_no_longer_has_are_dropped() -> None:
    api = make_api(Backend())
    store = make_store(api)
    gone = _item(1, "x", time.time())
    gone["endpoint_name"] = "removed_endpoint"
    kept = _item(2, "y", time.time())
    kept["provided_tags"] = [["Post", 2], ["Comment", 7]]
    store.dispatch(api.util.hydrate(_snapshot(gone, kept)))
    assert set(queries(store, api)) == {"get_post(2)"}
    provided = store.get_state()["api"]["provided"]["keys"]["get_post(2)"]
    assert list(provided) == [Tag("Post", 2)]


@pytest.mark.parametrize(
    ("snapshot", "match"),
    [
        ([], "the snapshot must be a dict"),
        (
            {"version": 2, "buster": "", "queries": [], "mutations": []},
            "unknown snapshot version 2",
        ),
        ({"buster": "", "queries": [], "mutations": []}, "unknown snapshot version None"),
        ({"version": 1, "buster": "", "queries": []}, r"lacks \['mutations'\]"),
        ({"version": 1, "buster": "", "queries": {}, "mutations": []}, "'queries' must be a list"),
        (_snapshot({"endpoint_name": "get_post"}), r"queries\[0\] lacks"),
        (
            _snapshot(_item(1, "ok", 1.0), {**_item(2, "bad", 1.0), "fulfilled_at": "yesterday"}),
            r"queries\[1\]\.fulfilled_at must be a finite number",
        ),
        (
            _snapshot({**_item(1, "bad", 1.0), "provided_tags": [["Post"]]}),
            r"queries\[0\]\.provided_tags\[0\] must be a \[type, id\] pair",
        ),
        (
            _snapshot(mutations=[{"endpoint_name": "add_post", "original_args": 1}]),
            r"mutations\[0\] lacks",
        ),
        (
            _snapshot(
                mutations=[
                    {
                        "endpoint_name": "add_post",
                        "original_args": 1,
                        "scope": 5,
                        "started_at": None,
                        "fixed_cache_key": None,
                    }
                ]
            ),
            r"mutations\[0\]\.scope must be a str or None",
        ),
    ],
)
async def test_malformed_or_unknown_snapshots_raise_and_apply_nothing(
    snapshot: Any, match: str
) -> None:
    api = make_api(Backend())
    store = make_store(api)
    before = store.get_state()
    with pytest.raises(ValueError, match=match):
        store.dispatch(api.util.hydrate(snapshot))
    assert store.get_state() is before


def test_max_age_and_buster_are_checked() -> None:
    api = make_api(Backend())
    with pytest.raises(ValueError, match="max_age must be >= 0"):
        api.util.hydrate(_snapshot(), max_age=-1)
    with pytest.raises(TypeError, match="buster must be a str"):
        api.util.hydrate(_snapshot(), buster=1)  # type: ignore[arg-type]


@pytest.mark.looptime
async def test_hydrated_entries_without_subscribers_are_collected() -> None:
    api = make_api(Backend(), keep_unused_data_for=30.0)
    store = make_store(api)
    store.dispatch(
        api.util.hydrate(_snapshot(_item(1, "a", time.time()), _item(2, "b", time.time())))
    )
    handle = store.dispatch(api.endpoints.get_post.initiate(2))  # subscribes to entry 2
    await asyncio.sleep(29)
    assert set(queries(store, api)) == {"get_post(1)", "get_post(2)"}
    await asyncio.sleep(2)
    assert set(queries(store, api)) == {"get_post(2)"}
    handle.unsubscribe()


@pytest.mark.looptime
async def test_hydrated_before_any_loop_ran_is_collected_once_one_runs() -> None:
    api = make_api(Backend(), keep_unused_data_for=10.0)
    store = make_store(api)

    def hydrate_without_loop() -> None:
        store.dispatch(api.util.hydrate(_snapshot(_item(1, "a", time.time()))))

    await asyncio.get_running_loop().run_in_executor(None, hydrate_without_loop)
    assert set(queries(store, api)) == {"get_post(1)"}
    await store.dispatch(api.endpoints.get_post.initiate(9, subscribe=False))  # binds the loop
    await asyncio.sleep(11)
    assert "get_post(1)" not in queries(store, api)


async def test_paused_mutations_are_dehydrated_in_dispatch_order() -> None:
    backend = Backend()
    api = make_api(backend)
    store = make_store(api)
    store.dispatch(on_offline())
    for n in range(3):
        store.dispatch(
            api.endpoints.add_post.initiate({"n": n}, fixed_cache_key=f"k{n}" if n == 1 else None)
        )
    snapshot = dehydrate(store.get_state(), api)
    assert [item["original_args"] for item in snapshot["mutations"]] == [
        {"n": 0},
        {"n": 1},
        {"n": 2},
    ]
    assert snapshot["mutations"][1]["fixed_cache_key"] == "k1"
    assert snapshot["mutations"][0]["endpoint_name"] == "add_post"
    assert backend.calls == []
    # Hydrated into another store they are tracked as paused, pending mutations.
    api2 = make_api(Backend())
    store2 = make_store(api2)
    store2.dispatch(api2.util.hydrate(json.loads(json.dumps(snapshot))))
    restored = mutations(store2, api2)
    assert [thaw(m.original_args) for m in restored] == [{"n": 0}, {"n": 1}, {"n": 2}]
    assert all(m.is_paused and m.status is QueryStatus.PENDING for m in restored)
    for each in (store, store2):
        each.dispatch(api.util.reset_api_state() if each is store else api2.util.reset_api_state())
    await asyncio.sleep(0.01)  # the aborted mutations settle


async def test_dehydrate_saves_server_data_under_optimistic_layers() -> None:
    release = asyncio.Event()

    async def base_query(args: Any, api: Any, extra: Any) -> Any:
        if isinstance(args, dict):
            await release.wait()
            return {"data": "ok"}
        return {"data": {"title": "server"}}

    async def on_query_started(arg: Any, ctx: Any) -> None:
        ctx.optimistic("get_post", 1, lambda draft: draft.update(title="optimistic"))

    api = create_api(
        base_query=base_query,
        endpoints=lambda build: {
            "get_post": build.query(query=lambda id: f"posts/{id}"),
            "rename": build.mutation(
                query=lambda arg: {"body": arg}, on_query_started=on_query_started
            ),
        },
    )
    store = make_store(api)
    await store.dispatch(api.endpoints.get_post.initiate(1))
    handle = store.dispatch(api.endpoints.rename.initiate("x"))
    await asyncio.sleep(0.01)
    assert queries(store, api)["get_post(1)"].data["title"] == "optimistic"
    item = dehydrate(store.get_state(), api)["queries"][0]
    assert item["data"] == {"title": "server"}
    release.set()
    await handle


async def test_entries_json_cannot_hold_are_left_out_with_a_warning() -> None:
    api, store = await _cached_store(Backend(), [1])
    store.dispatch(
        api.util.upsert_query_entries(
            [{"endpoint_name": "get_post", "arg": 2, "value": {"when": math.nan}}]
        )
    )
    with pytest.warns(RuntimeWarning, match=r"left out 1 entry .*'get_post\(2\)'.*NaN"):
        snapshot = dehydrate(store.get_state(), api)
    assert [item["original_args"] for item in snapshot["queries"]] == [1]


def test_dehydrate_needs_the_root_state() -> None:
    api = make_api(Backend())
    with pytest.raises(TypeError, match=r"Pass store.get_state\(\)"):
        dehydrate({"other": 1}, api)
