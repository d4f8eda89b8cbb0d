"""The real Redux DevTools server for the DevTools tests (installed on first use)."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "server"))

from devtools_server import DevToolsServer

from ._monitor import Monitor


@pytest.fixture(scope="session")
def devtools_server() -> Iterator[DevToolsServer]:
    """``@redux-devtools/cli`` on a free loopback port for the whole session."""
    with DevToolsServer() as server:
        yield server


@pytest.fixture
async def monitor(devtools_server: DevToolsServer) -> AsyncIterator[Monitor]:
    """A monitor logged in to the session's server."""
    watcher = await Monitor(devtools_server.port).connect()
    try:
        yield watcher
    finally:
        await watcher.close()
