"""A real HTTP server for tests: any ASGI app under uvicorn, in a background thread.

Usage, as a context manager::

    with run_live_server(app) as base_url:   # "http://127.0.0.1:54321"
        ...

or through the ``live_server`` fixture of ``tests/conftest.py`` (session-scoped: each
app is started once per test session, the first time it is asked for)::

    def test_x(live_server: LiveServer) -> None:
        base_url = live_server(app)

The server binds 127.0.0.1 on a free port chosen by the OS (the socket is bound
before uvicorn starts, so there is no race for the port), and the helper waits until
uvicorn reports it is serving. Shutdown asks uvicorn to exit and joins the thread;
open keep-alive connections are closed by uvicorn, and in-flight requests get at most
``graceful_timeout`` seconds.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import uvicorn

__all__ = ["LiveServer", "LiveServerPool", "run_live_server"]

LiveServer = Callable[[Any], str]
"""``live_server(app) -> base_url`` (no trailing slash)."""


@contextlib.contextmanager
def run_live_server(
    app: Any,
    *,
    startup_timeout: float = 10.0,
    graceful_timeout: float = 1.0,
    keep_alive: float = 5.0,
) -> Iterator[str]:
    """Serve ``app`` (any ASGI app) on 127.0.0.1 until the ``with`` block ends.

    ``keep_alive`` is how long the server keeps an idle connection (uvicorn's default,
    5 s); a client that reuses one just as the server closes it gets a ``ReadError``.

    Yields:
        The base URL, e.g. ``"http://127.0.0.1:54321"`` (no trailing slash).

    Raises:
        RuntimeError: the server did not start within ``startup_timeout`` seconds.
    """
    # proto=IPPROTO_TCP matters: asyncio only turns Nagle off (TCP_NODELAY) on accepted
    # sockets whose proto says TCP, and with Nagle on every response that uvicorn writes
    # in two parts waits ~40 ms for a delayed ACK. Linux also copies the option over.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        lifespan="off",
        http="h11",
        ws="none",
        timeout_graceful_shutdown=graceful_timeout,
        timeout_keep_alive=keep_alive,
    )
    server = uvicorn.Server(config)
    failures: list[BaseException] = []

    def serve() -> None:
        # uvicorn exits with SystemExit when the app cannot load; keep that in this
        # thread and report it from the caller's side instead.
        try:
            server.run(sockets=[sock])
        except BaseException as exc:
            failures.append(exc)

    thread = threading.Thread(target=serve, name=f"live-server-{port}", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + startup_timeout
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                cause = failures[0] if failures else None
                reason = f" ({cause!r} in its thread)" if cause else ""
                raise RuntimeError(
                    f"The live test server on port {port} did not start within "
                    f"{startup_timeout} s{reason}; see the uvicorn output above."
                ) from cause
            time.sleep(0.002)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=startup_timeout + graceful_timeout)
        sock.close()


class LiveServerPool:
    """Starts each app once and stops them all at :meth:`close` (the fixture's teardown)."""

    def __init__(self) -> None:
        self._stack = contextlib.ExitStack()
        self._urls: dict[int, tuple[Any, str]] = {}
        self._lock = threading.Lock()

    def __call__(self, app: Any) -> str:
        """Return the base URL of ``app``'s server, starting it on first use."""
        with self._lock:
            known = self._urls.get(id(app))
            if known is None:
                url = self._stack.enter_context(run_live_server(app))
                # Keep ``app`` referenced so its id stays unique for the pool's lifetime.
                known = self._urls[id(app)] = (app, url)
            return known[1]

    def close(self) -> None:
        """Stop every server this pool started."""
        with self._lock:
            self._urls.clear()
            self._stack.close()
