"""Streaming updates into a cached list with ``on_cache_entry_added``.

A chat channel is fetched once (``get_messages``), then every message the server pushes
is appended to that cached list, in place, with ``ctx.update_cached_data``. The stream
opens when the entry is added and closes when the entry is removed (here: one
``keep_unused_data_for`` after the last subscriber leaves).

The "server" is in-process: a message list per channel plus a push queue per listener,
standing in for a websocket. Run it with::

    python examples/streaming_updates.py
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from rtkq import configure_store, create_api

__all__ = ["ChatServer", "build_api", "main", "run_example"]


class ChatServer:
    """Channels of messages; ``listen`` gives a queue that receives every new message."""

    def __init__(self) -> None:
        self.messages: dict[str, list[dict[str, Any]]] = {"general": []}
        self.listeners: dict[str, set[asyncio.Queue[dict[str, Any]]]] = {}

    def history(self, channel: str) -> list[dict[str, Any]]:
        return list(self.messages.setdefault(channel, []))

    def post(self, channel: str, author: str, text: str) -> None:
        message = {
            "id": len(self.messages.setdefault(channel, [])) + 1,
            "author": author,
            "text": text,
        }
        self.messages[channel].append(message)
        for queue in self.listeners.get(channel, ()):
            queue.put_nowait(message)

    def listen(self, channel: str) -> asyncio.Queue[dict[str, Any]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.listeners.setdefault(channel, set()).add(queue)
        return queue

    def stop_listening(self, channel: str, queue: asyncio.Queue[dict[str, Any]]) -> None:
        self.listeners.get(channel, set()).discard(queue)


def build_api(server: ChatServer, log: Callable[[str], None], keep_for: float) -> Any:
    """An api with one ``get_messages(channel)`` query that streams new messages in."""

    async def fetch_history(channel: str, api: Any, extra: Any, base_query: Any) -> Any:
        await asyncio.sleep(0.01)  # a network round trip
        return {"data": server.history(channel)}

    async def stream_messages(channel: str, ctx: Any) -> None:
        # Wait for the first fetch; if the entry is removed first, the hook ends here.
        await ctx.cache_data_loaded
        queue = server.listen(channel)
        log(f"stream opened for #{channel}")

        async def pump() -> None:
            while True:
                message = await queue.get()

                def append(draft: Any, message: dict[str, Any] = message) -> None:
                    if all(m["id"] != message["id"] for m in draft):
                        draft.append(message)

                ctx.update_cached_data(append)

        pumping = asyncio.ensure_future(pump())
        try:
            await ctx.cache_entry_removed
        finally:  # runs on removal, and also if the hook is cancelled
            pumping.cancel()
            server.stop_listening(channel, queue)
            log(f"stream closed for #{channel}")

    return create_api(
        base_query=None,
        keep_unused_data_for=keep_for,
        endpoints=lambda build: {
            "get_messages": build.query(
                query_fn=fetch_history, on_cache_entry_added=stream_messages
            ),
        },
    )


async def run_example(log: Callable[[str], None] = print, keep_for: float = 0.2) -> list[str]:
    """Fetch a channel, stream three messages in, unsubscribe; returns the texts seen."""
    server = ChatServer()
    server.post("general", "ada", "hello")
    api = build_api(server, log, keep_for)
    async with configure_store(
        {api.reducer_path: api.reducer}, middleware=[api.middleware]
    ) as store:  # leaving the block closes the store: nothing outlives it
        return await _stream(api, store, server, log, keep_for)


async def _stream(
    api: Any, store: Any, server: ChatServer, log: Callable[[str], None], keep_for: float
) -> list[str]:
    select = api.endpoints.get_messages.select("general")

    def show(label: str) -> None:
        texts = [m["text"] for m in select(store.get_state()).data]
        log(f"{label}: {texts}")

    handle = store.dispatch(api.endpoints.get_messages.initiate("general"))
    await handle
    await asyncio.sleep(0)  # let the stream open
    show("fetched")
    for author, text in [("bob", "hi ada"), ("ada", "how are you?"), ("bob", "streaming!")]:
        server.post("general", author, text)
        await asyncio.sleep(0.01)
        show(f"{author} posted")
    requests = "one request, three pushed messages"
    log(f"{requests}; listeners open: {len(server.listeners['general'])}")
    handle.unsubscribe()
    await asyncio.sleep(keep_for + 0.05)  # the entry is collected; the stream closes
    log(
        f"entry removed: {select(store.get_state()).is_uninitialized}; "
        f"listeners open: {len(server.listeners['general'])}"
    )
    return [m["text"] for m in server.history("general")]


def main() -> None:
    asyncio.run(run_example())


if __name__ == "__main__":
    main()
