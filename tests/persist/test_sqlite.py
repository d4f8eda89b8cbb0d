"""SQLitePersister against real SQLite files: round trips, atomic saves, corruption."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from rtkq.persist import SQLitePersister

SNAPSHOT: dict[str, Any] = {
    "version": 1,
    "buster": "b",
    "saved_at": 1700000000.25,
    "queries": [
        {
            "query_cache_key": "get_post(1)",
            "endpoint_name": "get_post",
            "original_args": {"id": 1, "tags": ["a", "é"], "none": None},
            "data": {"title": "Ünïcode ✓", "score": 0.1, "big": 2**60, "flag": True},
            "fulfilled_at": 1700000000.123456,
            "provided_tags": [["Post", 1]],
        }
    ],
    "mutations": [],
}


def test_a_new_file_loads_none(tmp_path: Path) -> None:
    assert SQLitePersister(tmp_path / "new.db").load() is None


def test_load_returns_exactly_what_was_saved(tmp_path: Path) -> None:
    persister = SQLitePersister(tmp_path / "cache.db")
    persister.save(SNAPSHOT)
    assert SQLitePersister(str(tmp_path / "cache.db")).load() == SNAPSHOT
    second = {**SNAPSHOT, "queries": []}
    persister.save(second)
    assert persister.load() == second


def test_clear_forgets_the_snapshot(tmp_path: Path) -> None:
    persister = SQLitePersister(tmp_path / "cache.db")
    persister.save(SNAPSHOT)
    persister.clear()
    assert persister.load() is None
    persister.save(SNAPSHOT)
    assert persister.load() == SNAPSHOT


def test_the_file_uses_wal_and_holds_json_text(tmp_path: Path) -> None:
    path = tmp_path / "cache.db"
    SQLitePersister(path).save(SNAPSHOT)
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        body = conn.execute("SELECT value FROM rtkq_snapshot WHERE part='body'").fetchone()[0]
    finally:
        conn.close()
    assert isinstance(body, str)
    assert body.startswith('{"version":1')


def test_only_json_is_written(tmp_path: Path) -> None:
    persister = SQLitePersister(tmp_path / "cache.db")
    with pytest.raises(TypeError, match="writes JSON only"):
        persister.save({"version": 1, "data": {1, 2}})
    with pytest.raises(TypeError, match="writes JSON only"):
        persister.save({"version": 1, "data": float("nan")})
    with pytest.raises(TypeError, match="takes the dict dehydrate"):
        persister.save([1, 2])  # type: ignore[arg-type]
    assert persister.load() is None


class _FailingMidSave(SQLitePersister):
    """Raises after the old rows were deleted and the new body written, before commit."""

    def _execute(self, conn: sqlite3.Connection, sql: str, params: tuple[Any, ...] = ()) -> Any:
        if sql.startswith("INSERT INTO rtkq_snapshot VALUES ('meta'"):
            raise OSError("disk unplugged mid-save")
        return super()._execute(conn, sql, params)


def test_a_save_interrupted_between_statements_keeps_the_old_snapshot(tmp_path: Path) -> None:
    path = tmp_path / "cache.db"
    SQLitePersister(path).save(SNAPSHOT)
    with pytest.raises(OSError, match="disk unplugged"):
        _FailingMidSave(path).save({**SNAPSHOT, "buster": "new"})
    assert SQLitePersister(path).load() == SNAPSHOT


def test_a_process_killed_mid_save_keeps_the_old_snapshot(tmp_path: Path) -> None:
    path = tmp_path / "cache.db"
    SQLitePersister(path).save(SNAPSHOT)
    script = textwrap.dedent(
        f"""
        import os
        from rtkq.persist import SQLitePersister

        class Dying(SQLitePersister):
            def _execute(self, conn, sql, params=()):
                result = super()._execute(conn, sql, params)
                if sql.startswith("INSERT INTO rtkq_snapshot VALUES ('body'"):
                    os._exit(9)  # no rollback, no cleanup: a crash
                return result

        Dying({str(path)!r}).save({{"version": 1, "buster": "half", "queries": [],
                                    "mutations": []}})
        """
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=Path.cwd(), timeout=60)
    assert done.returncode == 9
    assert SQLitePersister(path).load() == SNAPSHOT


def test_a_corrupted_file_raises_a_clear_error_and_clear_recovers(tmp_path: Path) -> None:
    path = tmp_path / "cache.db"
    path.write_bytes(b"this is not a database, just bytes " * 100)
    persister = SQLitePersister(path)
    with pytest.raises(ValueError, match=r"corrupted or not an rtkq snapshot .*Call clear\(\)"):
        persister.load()
    persister.clear()
    assert persister.load() is None
    persister.save(SNAPSHOT)
    assert persister.load() == SNAPSHOT


@pytest.mark.parametrize(
    ("sql", "match"),
    [
        ("UPDATE rtkq_snapshot SET value = '{\"x\": 1}' WHERE part = 'body'", "checksum"),
        ("DELETE FROM rtkq_snapshot WHERE part = 'meta'", "unexpected rows"),
        ("UPDATE rtkq_snapshot SET value = 'nope' WHERE part = 'meta'", "unreadable meta"),
    ],
)
def test_tampered_rows_are_refused(tmp_path: Path, sql: str, match: str) -> None:
    path = tmp_path / "cache.db"
    SQLitePersister(path).save(SNAPSHOT)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute(sql)
    finally:
        conn.close()
    with pytest.raises(ValueError, match=match):
        SQLitePersister(path).load()


def test_path_must_be_path_like() -> None:
    with pytest.raises(TypeError, match="path must be a str or path-like"):
        SQLitePersister(3)  # type: ignore[arg-type]


class _WatchingFiles(SQLitePersister):
    """Records the mode of every file next to the database after each statement."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.modes: dict[str, set[int]] = {}

    def _execute(self, conn: sqlite3.Connection, sql: str, params: tuple[Any, ...] = ()) -> Any:
        result = super()._execute(conn, sql, params)
        for file in Path(self.path).parent.iterdir():
            self.modes.setdefault(file.name, set()).add(file.stat().st_mode & 0o777)
        return result


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
@pytest.mark.parametrize("umask", [0o000, 0o022, 0o077])
def test_every_file_sqlite_creates_is_private_whatever_the_umask(
    tmp_path: Path, umask: int
) -> None:
    path = tmp_path / "cache.db"
    persister = _WatchingFiles(path)
    previous = os.umask(umask)
    try:
        persister.save(SNAPSHOT)
        persister.save({**SNAPSHOT, "buster": "again"})  # over an existing file too
        assert SQLitePersister(path).load() == {**SNAPSHOT, "buster": "again"}
    finally:
        os.umask(previous)
    assert {"cache.db", "cache.db-wal", "cache.db-shm"} <= set(persister.modes)
    assert {name: modes for name, modes in persister.modes.items()} == {
        name: {0o600} for name in persister.modes
    }
    assert {file.name: file.stat().st_mode & 0o777 for file in tmp_path.iterdir()} == {
        file.name: 0o600 for file in tmp_path.iterdir()
    }


_AWKWARD = {
    "version": 1,
    "queries": [],
    "text": 'caf\u00e9 \U0001f600 \\ " \n',
    "big": 12345678901234567890123456789,
    "floats": [0.1, -0.0, 1e300, 5e-324],
}


@pytest.mark.parametrize("fast", [True, False], ids=["msgspec", "stdlib"])
def test_load_gives_what_was_saved_with_or_without_msgspec(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fast: bool
) -> None:
    from rtkq._persist import _snapshot

    decoder = _snapshot._fast_decoder()
    assert decoder is not None  # the dev extra installs msgspec: both paths are tested
    if not fast:
        monkeypatch.setattr(_snapshot, "_fast_decoder", lambda: None)
    persister = SQLitePersister(tmp_path / "cache.db")
    persister.save(_AWKWARD)
    loaded = persister.load()
    assert loaded == _AWKWARD
    assert loaded is not None and str(loaded["floats"][1]) == "-0.0"
    # what only json.loads reads still loads (the fast path falls back to it)
    assert _snapshot._loads('{"x": NaN, "y": 1e400}')["y"] == float("inf")
    assert _snapshot._loads('"\\ud800"') == "\ud800"


def test_rtkq_never_imports_msgspec_and_persist_imports_it_on_first_load(
    tmp_path: Path,
) -> None:
    script = textwrap.dedent(
        f"""
        import sys
        import rtkq, rtkq.persist
        assert "msgspec" not in sys.modules, "imported too early"
        p = rtkq.persist.SQLitePersister({str(tmp_path / "c.db")!r})
        p.save({{"version": 1}})
        assert p.load() == {{"version": 1}}
        assert "msgspec" in sys.modules
        """
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)


def test_a_str_that_is_not_unicode_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    persister = SQLitePersister(tmp_path / "cache.db")
    persister.save({"version": 1, "queries": []})
    with pytest.raises(TypeError, match="lone surrogate"):
        persister.save({"version": 1, "queries": [], "bad": "x\ud800"})
    assert persister.load() == {"version": 1, "queries": []}  # the old snapshot is kept
