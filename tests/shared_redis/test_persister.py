"""RedisPersister: the SQLitePersister guarantees, on a real redis-server."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from typing import Any

import pytest
import redis

from rtkq.persist import dehydrate, persist_store
from rtkq.redis import RedisPersister
from tests.persist._support import Backend, make_api, make_store

from ._server import RedisServer

SNAPSHOT: dict[str, Any] = {
    "version": 1,
    "buster": "",
    "saved_at": 1.5,
    "queries": [{"query_cache_key": "k", "data": {"é": [1, 2.5, None, True]}}],
    "mutations": [],
}


def test_load_is_none_until_saved_and_exact_after(redis_url: str) -> None:
    persister = RedisPersister(redis_url, key="t:snap")
    assert persister.load() is None
    persister.save(SNAPSHOT)
    assert persister.load() == SNAPSHOT
    persister.save({**SNAPSHOT, "buster": "b"})
    assert persister.load() == {**SNAPSHOT, "buster": "b"}
    persister.clear()
    assert persister.load() is None
    persister.clear()  # twice is harmless
    persister.close()


def test_a_corrupted_value_is_a_value_error_and_clear_recovers(redis_url: str) -> None:
    persister = RedisPersister(redis_url, key="t:snap")
    raw = redis.Redis.from_url(redis_url)
    for bad, problem in [
        (b"\xff\xfe not json", "invalid JSON"),
        (b'{"format": 9}', "unknown storage format"),
        (b'{"format": 1, "sha256": "x", "body": "{}"}', "checksum does not match"),
    ]:
        raw.set("t:snap", bad)
        with pytest.raises(ValueError, match=f"Redis key 't:snap' is corrupted.*{problem}"):
            persister.load()
    persister.save(SNAPSHOT)
    stored = raw.get("t:snap")
    assert stored is not None
    raw.set("t:snap", stored.replace(b"2.5", b"3.5"))  # a changed body fails its checksum
    with pytest.raises(ValueError, match="checksum"):
        persister.load()
    persister.clear()
    assert persister.load() is None
    raw.close()


def test_save_refuses_what_json_cannot_hold(redis_url: str) -> None:
    persister = RedisPersister(redis_url)
    with pytest.raises(TypeError, match="JSON only"):
        persister.save({"x": {1, 2}})
    with pytest.raises(TypeError, match="takes the dict dehydrate"):
        persister.save([1])  # type: ignore[arg-type]
    assert persister.load() is None


def test_bad_arguments_say_what_to_pass() -> None:
    with pytest.raises(TypeError, match="url must be a Redis URL str"):
        RedisPersister(6379)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"redis://, rediss:// \(TLS\)"):
        RedisPersister("http://u:hunter2@host/")
    with pytest.raises(ValueError, match="non-empty"):
        RedisPersister("redis://127.0.0.1", key="")


def test_the_password_never_shows(redis_server: RedisServer) -> None:
    with RedisServer(password="s3cret-pw") as server:
        persister = RedisPersister(server.url, key="k")
        assert "s3cret-pw" not in repr(persister)
        assert ":***@" in repr(persister)
        persister.save(SNAPSHOT)  # authenticated
        assert persister.load() == SNAPSHOT
        wrong = RedisPersister(server.url.replace("s3cret-pw", "wrong-pw"))
        with pytest.raises(ConnectionError) as info:
            wrong.load()
        assert "wrong-pw" not in str(info.value)
        persister.close()
        wrong.close()
    with pytest.raises(ValueError) as bad_scheme:
        RedisPersister("ftp://:hunter2@host")
    assert "hunter2" not in str(bad_scheme.value)
    assert "ftp://:***@host" in str(bad_scheme.value)


def test_rediss_urls_are_accepted() -> None:
    persister = RedisPersister("rediss://:pw@127.0.0.1:1/0")
    assert repr(persister) == "<RedisPersister 'rediss://:***@127.0.0.1:1/0' key='rtkq:snapshot'>"


def test_unreachable_redis_is_a_connection_error_naming_no_password() -> None:
    with RedisServer() as server:
        url = server.url.replace("redis://", "redis://:pw123@")
    persister = RedisPersister(url)  # the server is gone
    with pytest.raises(ConnectionError, match=r"GET of 'rtkq:snapshot' on redis://:\*\*\*@"):
        persister.load()


async def test_persist_store_restores_and_saves_through_redis(redis_url: str) -> None:
    api = make_api(Backend())
    store = make_store(api)
    persister = RedisPersister(redis_url, key="app:cache")
    persistence = persist_store(store, api, persister, throttle=0.0)
    await store.dispatch(api.endpoints.get_post.initiate(1)).unwrap()
    await persistence.aflush()
    saved = persister.load()
    assert saved is not None
    assert [q["query_cache_key"] for q in saved["queries"]] == ["get_post(1)"]
    persistence.close()

    other = make_store(api)
    restored = persist_store(other, api, persister)
    assert api.endpoints.get_post.select(1)(other.get_state()).data == (
        api.endpoints.get_post.select(1)(store.get_state()).data
    )
    assert dehydrate(other.get_state(), api)["queries"] == saved["queries"]
    restored.close()
    await asyncio.sleep(0)


def test_importing_rtkq_redis_without_redis_names_the_extra() -> None:
    code = (
        "import sys; sys.modules['redis'] = None\n"
        "import rtkq; assert 'redis' not in [m.split('.')[0] for m in sys.modules if sys.modules[m]]\n"
        "try:\n    import rtkq.redis\nexcept ImportError as exc:\n    print(exc)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert 'pip install "rtkq[redis]"' in out


def test_importing_rtkq_does_not_import_redis() -> None:
    code = "import sys, rtkq, rtkq.persist; print('redis' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
