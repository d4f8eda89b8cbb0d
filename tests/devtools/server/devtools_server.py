"""The real Redux DevTools remote server (``@redux-devtools/cli``), for tests and the demo.

``ensure_installed()`` runs ``npm ci`` here on first use (pinned by package-lock.json;
Electron's download skipped, sqlite3 built against the local Node and SQLite) and
bundles React for the web UI (see react-umd.js); later calls reuse it.
``DevToolsServer`` runs ``node serve.mjs`` on a loopback port and stops it.

    python tests/devtools/server/devtools_server.py --port 8000   # until Ctrl-C
    python tests/devtools/server/devtools_server.py --install     # npm ci only (make test)
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

__all__ = ["HERE", "DevToolsServer", "ensure_installed", "free_port"]

HERE = Path(__file__).resolve().parent
_STAMP = HERE / "node_modules" / ".rtkq-installed"
_INSTALL_ENV = {
    "ELECTRON_SKIP_BINARY_DOWNLOAD": "1",  # Electron is only for --open=electron
    "npm_config_nodedir": "/usr",  # build sqlite3 against the local Node headers ...
    "npm_config_build_from_source": "true",  # ... instead of downloading a binary
    "npm_config_sqlite": "/usr",  # ... and the system SQLite
}


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise RuntimeError(f"{name} is not on PATH; the Redux DevTools server needs Node.js 20+.")
    return path


def ensure_installed() -> None:
    """Install the pinned server with ``npm ci`` unless the lock file's install is there.

    Raises:
        RuntimeError: node/npm missing, or the install failed (with npm's last lines).
    """
    lock = (HERE / "package-lock.json").read_bytes()
    digest = hashlib.sha256(lock + (HERE / "react-umd.js").read_bytes()).hexdigest()
    with open(HERE / ".install.lock", "w") as guard:
        fcntl.flock(guard, fcntl.LOCK_EX)  # one installer at a time (tests, demo)
        if _STAMP.exists() and _STAMP.read_text() == digest:
            return
        print(
            "Installing @redux-devtools/cli with npm ci (first use, 1-3 minutes)...",
            file=sys.stderr,
        )
        _run([_tool("npm"), "ci", "--no-audit", "--no-fund", "--loglevel=error"])
        umd = HERE / "node_modules" / "react" / "umd"
        umd.mkdir(exist_ok=True)
        _run(
            [
                str(HERE / "node_modules" / ".bin" / "esbuild"),
                "react-umd.js",
                "--bundle",
                "--minify",
                "--format=iife",
                "--log-level=warning",
                '--define:process.env.NODE_ENV="production"',
                f"--outfile={umd / 'react.production.min.js'}",
            ]
        )
        dom = HERE / "node_modules" / "react-dom" / "umd"
        dom.mkdir(exist_ok=True)
        (dom / "react-dom.production.min.js").write_text("/* set by react.production.min.js */\n")
        _STAMP.write_text(digest)


def _run(command: list[str]) -> None:
    done = subprocess.run(
        command, cwd=HERE, env={**os.environ, **_INSTALL_ENV}, capture_output=True, text=True
    )
    if done.returncode != 0:
        tail = (done.stdout + done.stderr).strip().splitlines()[-15:]
        raise RuntimeError(
            f"{' '.join(command[:2])} failed ({done.returncode}):\n" + "\n".join(tail)
        )


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class DevToolsServer:
    """``node serve.mjs`` on ``host:port`` (port 0: a free one), from start() to stop()."""

    def __init__(self, port: int = 0, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = port or free_port(host)
        self._process: subprocess.Popen[bytes] | None = None
        self._log = HERE / "node_modules" / f".server-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    def start(self, timeout: float = 30.0) -> DevToolsServer:
        """Start the server and wait until it accepts connections.

        Raises:
            RuntimeError: it exited or did not listen in time (with its output).
        """
        ensure_installed()
        with open(self._log, "wb") as log:
            self._process = subprocess.Popen(
                [_tool("node"), "serve.mjs", f"--port={self.port}", f"--listen={self.host}"],
                cwd=HERE,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                break
            # An answer over HTTP, not only an open port: the cli briefly binds the
            # port to check that it is free before it listens for real.
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(self.url + "port.js", timeout=1),
            ):
                return self
            time.sleep(0.1)
        output = self._log.read_text(errors="replace")[-2000:]
        self.stop()
        raise RuntimeError(f"The DevTools server did not start on port {self.port}:\n{output}")

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def __enter__(self) -> DevToolsServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


@contextlib.contextmanager
def running(port: int = 0) -> Iterator[DevToolsServer]:
    with DevToolsServer(port) as server:
        yield server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the Redux DevTools server on loopback.")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--install", action="store_true", help="only install it (npm ci)")
    args = parser.parse_args(argv)
    if args.install:
        ensure_installed()
        _STAMP.touch()  # newer than the lock file: make sees it is done
        return 0
    with DevToolsServer(args.port) as server:
        print(f"Redux DevTools: open {server.url} (Ctrl-C stops it)")
        with contextlib.suppress(KeyboardInterrupt):
            while server._process is not None and server._process.poll() is None:
                time.sleep(0.5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
