"""Fixtures shared by every test package."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

try:  # ``tests`` importable as a package (rootdir on sys.path) ...
    from tests._live_server import LiveServer, LiveServerPool
except ImportError:  # ... or only ``tests/`` itself on sys.path (rootdir-less runs).
    from _live_server import LiveServer, LiveServerPool  # type: ignore[no-redef]


@pytest.fixture(scope="session")
def live_server() -> Iterator[LiveServer]:
    """``live_server(app) -> base_url``: serve an ASGI app on 127.0.0.1 for the session.

    Each app (by identity) is started once, in a uvicorn thread on a free port, the
    first time a test asks for it, and stopped when the session ends. Define the app at
    module level so every test of the module shares one server. See
    ``tests/_live_server.py`` (``run_live_server`` for a server scoped to one block).
    """
    pool = LiveServerPool()
    try:
        yield pool
    finally:
        pool.close()
