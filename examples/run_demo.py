"""``make demo``: start the posts server on a free local port, run the demo, stop it.

The server runs in-process, in a background thread (``posts_server.running_server``),
so nothing is left behind when the demo ends or fails.

    python examples/run_demo.py                  # a free port, 50 ms of server latency
    python examples/run_demo.py --port 8000 --latency 0.2
"""

from __future__ import annotations

import argparse
import asyncio
import sys

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
    args = parser.parse_args(argv)
    app = create_app(None, latency=args.latency)
    try:
        server = running_server(app, args.host, args.port)
        base_url = server.__enter__()
    except OSError as exc:
        print(
            f"error: the demo server cannot bind {args.host}:{args.port} "
            f"({exc.strerror or exc}). Free that port or pick another one; "
            f"`make demo PORT=0` (or --port 0) uses any free port.",
            file=sys.stderr,
        )
        return 2
    try:
        ok = asyncio.run(run_demo(base_url))
    finally:
        server.__exit__(None, None, None)
        app.state.server.close()
    print("server stopped")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
