"""One cache for many processes through Redis (``pip install "rtkq[redis]"``).

::

    from rtkq.redis import RedisPersister, SharedCache

    persistence = persist_store(store, api, RedisPersister("redis://127.0.0.1:6379/0"))

    async with SharedCache(store, api, "redis://127.0.0.1:6379/0") as shared:
        ...   # invalidations, entries and requests are shared with every connected store

Importing this module without redis-py installed raises an ``ImportError`` naming the
install command; ``import rtkq`` never imports redis-py.
"""

from __future__ import annotations

from ._redis._persister import RedisPersister
from ._redis._shared_cache import SharedCache

__all__ = ["RedisPersister", "SharedCache"]
