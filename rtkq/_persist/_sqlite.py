"""``SQLitePersister``: one snapshot in one SQLite file, replaced atomically.

The file holds a table ``rtkq_snapshot(part, value)`` with two rows: ``body``, the
snapshot as JSON text, and ``meta``, its format and SHA-256. A save replaces both in a
single transaction in WAL mode, so a crash at any point leaves either the previous
snapshot or the new one, never a mix. Only JSON is written or read (no pickle): a
snapshot cannot run code when loaded. A new file gets 64 KiB pages (the body is one
large text value: 16x fewer pages to write than with SQLite's default 4 KiB); files
written with other page sizes are read and written as they are.

A cache holds users' data, so the file is created readable and writable by its owner
only (mode 0600) whatever the umask; SQLite gives its WAL, shared-memory and journal
files the mode of the database file.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
from collections.abc import Iterator
from typing import Any

from ._snapshot import decode_snapshot, encode_snapshot

__all__ = ["SQLitePersister"]

_TABLE = "rtkq_snapshot"
_SCHEMA = f"CREATE TABLE IF NOT EXISTS {_TABLE} (part TEXT PRIMARY KEY, value TEXT NOT NULL)"
_PRIVATE = 0o600
_PAGE_SIZE = 65536


def _create_private(path: str) -> None:
    """Create ``path`` as an empty file (an empty SQLite database) with mode 0600.

    SQLite would create it with 0644 minus the umask, readable by every local user;
    its -wal, -shm and -journal files copy the database file's mode.
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _PRIVATE)
    except FileExistsError:
        return
    os.close(fd)
    os.chmod(path, _PRIVATE)  # the umask may have removed owner bits from the open mode


class SQLitePersister:
    """Saves and loads one snapshot (a JSON-compatible dict) in a SQLite file.

    Safe to use from several threads of one process (operations are serialized);
    each operation opens its own connection, so a persister can be shared with worker
    threads (``persist_store`` saves from one).
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        """Use the SQLite file at ``path`` (created on the first save, mode 0600).

        Raises:
            TypeError: ``path`` is not a str or path-like.
        """
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"path must be a str or path-like, got {type(path).__name__!r}.")
        self.path = os.fspath(path)
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<SQLitePersister {self.path!r}>"

    # -- connections -------------------------------------------------------------
    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        _create_private(self.path)
        conn = sqlite3.connect(self.path, isolation_level=None, timeout=10.0)
        try:
            # Only a new (empty) file takes it; existing files keep their page size.
            conn.execute(f"PRAGMA page_size={_PAGE_SIZE}")
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            yield conn
        finally:
            conn.close()

    def _execute(self, conn: sqlite3.Connection, sql: str, params: tuple[Any, ...] = ()) -> Any:
        """Run one statement (the seam tests use to interrupt a save)."""
        return conn.execute(sql, params)

    def _unreadable(self, problem: object) -> ValueError:
        return ValueError(
            f"The snapshot file {self.path!r} is corrupted or not an rtkq snapshot "
            f"({problem}). Call clear() (or delete the file) to start over."
        )

    # -- public ------------------------------------------------------------------
    def save(self, dehydrated: dict[str, Any]) -> None:
        """Replace the stored snapshot with ``dehydrated``, atomically.

        Raises:
            TypeError: ``dehydrated`` is not a dict of JSON-compatible data.
            ValueError: the file is corrupted (call ``clear()`` first).
        """
        body, meta_fields = encode_snapshot(dehydrated)
        meta = json.dumps(meta_fields)
        with self._lock:
            try:
                with self._connect() as conn:
                    self._execute(conn, "BEGIN IMMEDIATE")
                    try:
                        self._execute(conn, _SCHEMA)
                        self._execute(conn, f"DELETE FROM {_TABLE}")
                        self._execute(conn, f"INSERT INTO {_TABLE} VALUES ('body', ?)", (body,))
                        self._execute(conn, f"INSERT INTO {_TABLE} VALUES ('meta', ?)", (meta,))
                        self._execute(conn, "COMMIT")
                    except BaseException:
                        if conn.in_transaction:
                            conn.execute("ROLLBACK")
                        raise
            except sqlite3.DatabaseError as exc:
                raise self._unreadable(exc) from exc

    def load(self) -> dict[str, Any] | None:
        """The stored snapshot, exactly as saved; ``None`` for a new or cleared file.

        Raises:
            ValueError: the file is corrupted or holds something else.
        """
        if not os.path.exists(self.path):
            return None
        with self._lock:
            try:
                with self._connect() as conn:
                    found = conn.execute(
                        "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (_TABLE,)
                    ).fetchone()
                    if found is None:
                        rows: dict[str, str] = {}
                    else:
                        rows = dict(conn.execute(f"SELECT part, value FROM {_TABLE}").fetchall())
            except sqlite3.DatabaseError as exc:
                raise self._unreadable(exc) from exc
        if not rows:
            return None
        return self._decode(rows)

    def _decode(self, rows: dict[str, str]) -> dict[str, Any]:
        if set(rows) != {"body", "meta"}:
            raise self._unreadable(f"unexpected rows {sorted(rows)!r}")
        try:
            meta = json.loads(rows["meta"])
        except (TypeError, ValueError) as exc:
            raise self._unreadable(f"unreadable meta: {exc}") from exc
        return decode_snapshot(rows["body"], meta, self._unreadable)

    def clear(self) -> None:
        """Forget the stored snapshot; a corrupted file is deleted."""
        with self._lock:
            if not os.path.exists(self.path):
                return
            try:
                with self._connect() as conn:
                    conn.execute("BEGIN IMMEDIATE")
                    conn.execute(f"DROP TABLE IF EXISTS {_TABLE}")
                    conn.execute("COMMIT")
            except sqlite3.DatabaseError:
                for suffix in ("", "-wal", "-shm", "-journal"):
                    with contextlib.suppress(FileNotFoundError):
                        os.remove(self.path + suffix)
