"""persist_store: restore at start, throttled saves off the loop, final flush, bad files."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import pytest

from rtkq import thaw
from rtkq.persist import SQLitePersister, persist_store

from ._support import Backend, make_api, make_store, queries


class Recording:
    """An in-memory persister recording when (loop time) and on which thread it saved."""

    def __init__(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        self.saved: list[dict[str, Any]] = []
        self.times: list[float] = []
        self.threads: list[int] = []
        self._loop = loop

    def save(self, dehydrated: dict[str, Any]) -> None:
        self.saved.append(dehydrated)
        self.threads.append(threading.get_ident())
        if self._loop is not None:
            self.times.append(self._loop.time())

    def load(self) -> dict[str, Any] | None:
        return self.saved[-1] if self.saved else None

    def clear(self) -> None:
        self.saved.clear()


async def test_a_restart_shows_the_cached_data_without_a_request(tmp_path: Path) -> None:
    path = tmp_path / "cache.db"
    first_backend = Backend()
    api = make_api(first_backend)
    store = make_store(api)
    persistence = persist_store(store, api, SQLitePersister(path))
    await store.dispatch(api.endpoints.get_post.initiate(1))
    await store.dispatch(api.endpoints.get_post.initiate(2))
    persistence.close()

    # "Restart": a new api and store over the same file.
    backend = Backend()
    api2 = make_api(backend)
    store2 = make_store(api2)
    persistence2 = persist_store(store2, api2, SQLitePersister(path))
    assert set(queries(store2, api2)) == {"get_post(1)", "get_post(2)"}  # restored on return
    state = await store2.dispatch(api2.endpoints.get_post.initiate(2))
    assert thaw(state.data) == {"path": "posts/2", "title": "title of posts/2"}
    assert backend.calls == []
    persistence2.close()


@pytest.mark.looptime
async def test_saves_are_throttled_on_the_loop_clock_and_run_off_the_loop() -> None:
    loop = asyncio.get_running_loop()
    persister = Recording(loop)
    api = make_api(Backend())
    store = make_store(api)
    persistence = persist_store(store, api, persister, throttle=1.0)
    start = loop.time()
    for n in range(50):  # a change every 0.1 s for 5 s
        store.dispatch(
            api.util.upsert_query_entries([{"endpoint_name": "get_post", "arg": n, "value": n}])
        )
        await asyncio.sleep(0.1)
    await asyncio.sleep(1.5)
    assert 4 <= len(persister.saved) <= 6
    gaps = [b - a for a, b in zip([start, *persister.times[:-1]], persister.times, strict=True)]
    assert all(gap >= 1.0 - 1e-6 for gap in gaps)
    assert threading.get_ident() not in persister.threads
    assert len(persister.saved[-1]["queries"]) == 50
    persistence.close()


@pytest.mark.looptime
async def test_no_change_means_no_save() -> None:
    persister = Recording()
    api = make_api(Backend())
    store = make_store(api)
    persistence = persist_store(store, api, persister, throttle=1.0)
    await asyncio.sleep(10)
    persistence.close()
    assert persister.saved == []


async def test_close_flushes_what_the_throttle_held_back() -> None:
    persister = Recording()
    api = make_api(Backend())
    store = make_store(api)
    persistence = persist_store(store, api, persister, throttle=3600.0)
    await store.dispatch(api.endpoints.get_post.initiate(1))
    assert persister.saved == []
    persistence.close()
    assert [item["original_args"] for item in persister.saved[-1]["queries"]] == [1]
    persistence.close()  # harmless
    assert len(persister.saved) == 1


async def test_aflush_writes_in_a_worker_thread() -> None:
    persister = Recording()
    api = make_api(Backend())
    store = make_store(api)
    persistence = persist_store(store, api, persister, throttle=3600.0)
    await store.dispatch(api.endpoints.get_post.initiate(1))
    await persistence.aflush()
    assert len(persister.saved) == 1
    assert persister.threads[0] != threading.get_ident()
    await persistence.aclose()
    assert len(persister.saved) == 1  # nothing changed since


def test_without_a_loop_saves_happen_on_the_dispatching_thread(tmp_path: Path) -> None:
    persister = SQLitePersister(tmp_path / "cache.db")
    api = make_api(Backend())
    store = make_store(api)
    persistence = persist_store(store, api, persister, throttle=3600.0)
    for n in range(3):
        store.dispatch(
            api.util.upsert_query_entries([{"endpoint_name": "get_post", "arg": n, "value": n}])
        )
    saved = persister.load()
    assert saved is not None
    assert len(saved["queries"]) == 1  # the first change; the throttle holds the rest
    persistence.close()
    saved = persister.load()
    assert saved is not None
    assert len(saved["queries"]) == 3


def test_a_corrupted_file_warns_and_starts_empty(tmp_path: Path) -> None:
    path = tmp_path / "cache.db"
    path.write_bytes(b"\x00garbage" * 512)
    api = make_api(Backend())
    store = make_store(api)
    with pytest.warns(RuntimeWarning, match="could not be read, so the cache starts empty"):
        persistence = persist_store(store, api, SQLitePersister(path))
    assert len(queries(store, api)) == 0
    store.dispatch(
        api.util.upsert_query_entries([{"endpoint_name": "get_post", "arg": 1, "value": "v"}])
    )
    persistence.close()
    saved = SQLitePersister(path).load()  # the file was cleared and works again
    assert saved is not None
    assert saved["queries"][0]["data"] == "v"


def test_an_unknown_version_warns_and_starts_empty(tmp_path: Path) -> None:
    persister = SQLitePersister(tmp_path / "cache.db")
    persister.save({"version": 99, "buster": "", "queries": [], "mutations": []})
    api = make_api(Backend())
    store = make_store(api)
    before = store.get_state()
    with pytest.warns(RuntimeWarning, match="unknown snapshot version 99"):
        persistence = persist_store(store, api, persister)
    assert store.get_state() is before
    persistence.close()


def test_bad_arguments_are_refused() -> None:
    api = make_api(Backend())
    store = make_store(api)
    with pytest.raises(ValueError, match="throttle must be >= 0"):
        persist_store(store, api, Recording(), throttle=-1)
    with pytest.raises(TypeError, match="has no save"):
        persist_store(store, api, object())  # type: ignore[arg-type]


async def test_store_aclose_makes_the_final_save() -> None:
    persister = Recording()
    api = make_api(Backend())
    async with make_store(api) as store:
        persist_store(store, api, persister, throttle=3600.0)
        await store.dispatch(api.endpoints.get_post.initiate(1))
        assert persister.saved == []  # throttled
    assert [item["original_args"] for item in persister.saved[-1]["queries"]] == [1]


async def test_a_persistence_closed_first_is_not_closed_again_by_the_store() -> None:
    persister = Recording()
    api = make_api(Backend())
    store = make_store(api)
    persistence = persist_store(store, api, persister, throttle=3600.0)
    await store.dispatch(api.endpoints.get_post.initiate(1))
    await persistence.aclose()
    await store.dispatch(api.endpoints.get_post.initiate(2))
    await store.aclose()
    assert len(persister.saved) == 1  # the store's close did not save post 2
