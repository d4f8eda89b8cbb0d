"""``make demo``: start the posts server on a free local port, run the demo, stop it.

The server runs in-process, in a background thread (``posts_server.running_server``),
so nothing is left behind when the demo ends or fails.

    python examples/run_demo.py                  # a free port, 50 ms of server latency
    python examples/run_demo.py --port 8000 --latency 0.2
    python examples/run_demo.py --devtools       # also shown in the Redux DevTools

``--devtools`` (``make demo DEVTOOLS=1``) also starts the Redux DevTools server
(``@redux-devtools/cli``, installed with npm on first use) on a loopback port and
connects the demo's store to it.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from demo import run_demo
from posts_server import create_app, running_server

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Run the demo against a fresh server; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 (default) picks a free port")
    parser.add_argument(
        "--latency",
        type=float,
        default=0.05,
        help="seconds the server waits per request, so pending states are visible",
    )
    parser.add_argument(
        "--devtools",
        action="store_true",
        help="start the Redux DevTools server and show the demo's store in it",
    )
    parser.add_argument("--devtools-port", type=int, default=0, help="0 (default): a free port")
    args = parser.parse_args(argv)
    if args.devtools:
        return _with_devtools(args)
    return _run(args, None)


def _with_devtools(args: argparse.Namespace) -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "devtools" / "server"))
    from devtools_server import DevToolsServer

    print("starting the Redux DevTools server (the first time installs it with npm ci)...")
    with DevToolsServer(args.devtools_port) as devtools:
        print(f"Redux DevTools server at {devtools.url}")
        code = _run(args, devtools.port)
    print("Redux DevTools server stopped")
    return code


def _run(args: argparse.Namespace, devtools_port: int | None) -> int:
    app = create_app(None, latency=args.latency)
    try:
        server = running_server(app, args.host, args.port)
        base_url = server.__enter__()
    except OSError as exc:
        app.state.server.close()
        print(
            f"error: the demo server cannot bind {args.host}:{args.port} "
            f"({exc.strerror or exc}). Free that port or pick another one; "
            f"`make demo PORT=0` (or --port 0) uses any free port.",
            file=sys.stderr,
        )
        return 2
    try:
        ok = asyncio.run(run_demo(base_url, devtools_port=devtools_port))
    finally:
        server.__exit__(None, None, None)
        app.state.server.close()
    print("server stopped")
    if devtools_port is None:
        print("Watch it in the Redux DevTools (time travel included): make demo DEVTOOLS=1")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
