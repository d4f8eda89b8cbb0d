"""Persistence of an api's cache: snapshots, SQLite storage and store wiring.

::

    from rtkq.persist import dehydrate, SQLitePersister, persist_store

    persistence = persist_store(store, api, SQLitePersister("cache.db"))
    ...
    persistence.close()

Only JSON is ever written or read. See ``api.util.hydrate`` for restoring a snapshot
by hand and ``api.util.resume_paused_mutations`` for paused (offline) mutations.
"""

from __future__ import annotations

from ._persist._dehydrate import dehydrate
from ._persist._persist_store import Persister, StorePersistence, persist_store
from ._persist._sqlite import SQLitePersister

__all__ = ["Persister", "SQLitePersister", "StorePersistence", "dehydrate", "persist_store"]
