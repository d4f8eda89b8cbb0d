"""The cyclic collector is paused while a snapshot is built or restored, and only then."""

from __future__ import annotations

import asyncio
import gc
import os
import time
from collections.abc import Iterator
from typing import Any

import pytest

from rtkq import configure_store, create_api
from rtkq._gc import collector_paused
from rtkq.persist import SQLitePersister, dehydrate


@pytest.fixture
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    try:
        yield
    finally:
        if not was:
            gc.disable()


def test_collector_paused_switches_it_back_on(collector_on: None) -> None:
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_collector_paused_switches_it_back_on_after_an_exception(collector_on: None) -> None:
    with pytest.raises(KeyError), collector_paused():
        raise KeyError("x")
    assert gc.isenabled()


def test_collector_paused_leaves_a_collector_switched_off_off(collector_on: None) -> None:
    gc.disable()
    with collector_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def _api(seen: list[bool], **endpoint_options: Any) -> Any:
    def serialize(endpoint_name: str, arg: Any) -> str:
        seen.append(gc.isenabled())  # called while hydrate builds its payload
        return f"{endpoint_name}({arg})"

    return create_api(
        base_query=lambda args, api, extra: {"data": {"echo": args}},
        tag_types=["Post"],
        serialize_query_args=serialize,
        endpoints=lambda build: {
            "get_post": build.query(
                query=lambda id: f"posts/{id}",
                provides_tags=lambda result, error, id: [{"type": "Post", "id": id}],
                **endpoint_options,
            ),
        },
    )


def _snapshot(n: int, fulfilled_at: float) -> dict[str, Any]:
    return {
        "version": 1,
        "buster": "",
        "queries": [
            {
                "query_cache_key": f"get_post({i})",
                "endpoint_name": "get_post",
                "original_args": i,
                "data": {"id": i, "tags": ["a"]},
                "fulfilled_at": fulfilled_at,
                "provided_tags": [["Post", i]],
            }
            for i in range(n)
        ],
        "mutations": [],
    }


def test_save_load_and_hydrate_pause_the_collector_and_restore_it(
    collector_on: None, tmp_path: Any
) -> None:
    seen: list[bool] = []
    api = _api(seen)
    store = configure_store({api.reducer_path: api.reducer}, middleware=[api.middleware])
    in_dispatch: list[bool] = []
    store.subscribe(lambda: in_dispatch.append(gc.isenabled()))
    action = api.util.hydrate(_snapshot(3, time.time()))
    assert seen == [False, False, False]
    assert gc.isenabled()
    store.dispatch(action)  # the reducer runs inside the pause (so do listeners)
    assert in_dispatch == [False]
    assert gc.isenabled()
    persister = SQLitePersister(os.path.join(tmp_path, "c.db"))
    persister.save(dehydrate(store.get_state(), api))
    assert gc.isenabled()
    loaded = persister.load()
    assert gc.isenabled()
    assert loaded is not None and len(loaded["queries"]) == 3


def test_a_malformed_snapshot_switches_the_collector_back_on(collector_on: None) -> None:
    api = _api([])
    broken = _snapshot(2, time.time())
    broken["queries"][1]["fulfilled_at"] = "yesterday"
    with pytest.raises(ValueError, match=r"queries\[1\]\.fulfilled_at"):
        api.util.hydrate(broken)
    assert gc.isenabled()


def test_hydrate_with_the_collector_off_leaves_it_off(collector_on: None) -> None:
    seen: list[bool] = []
    api = _api(seen)
    store = configure_store({api.reducer_path: api.reducer}, middleware=[api.middleware])
    gc.disable()
    store.dispatch(api.util.hydrate(_snapshot(2, time.time())))
    assert seen == [False, False]
    assert not gc.isenabled()


@pytest.mark.looptime
async def test_hydrated_entries_expire_after_their_endpoints_keep_unused_data_for() -> None:
    api = _api([], keep_unused_data_for=5.0)
    store = configure_store({api.reducer_path: api.reducer}, middleware=[api.middleware])
    now = time.time()
    store.dispatch(api.util.hydrate(_snapshot(3, now)))
    # the same keys again, older: not written, and not scheduled a second time
    store.dispatch(api.util.hydrate(_snapshot(3, now - 1)))
    assert len(store.get_state()[api.reducer_path]["queries"]) == 3
    await asyncio.sleep(4.5)
    assert len(store.get_state()[api.reducer_path]["queries"]) == 3
    await asyncio.sleep(1)
    assert len(store.get_state()[api.reducer_path]["queries"]) == 0
