"""A small asyncio SocketCluster (protocol v2) client on ``websockets``.

What the DevTools server (``@redux-devtools/cli``, socketcluster-server) speaks:
JSON text frames; ``{"event", "data", "cid"}`` is a call answered by
``{"rid", "data"|"error"}``, without ``cid`` a one-way transmit; ``#handshake`` first,
``#subscribe`` to a channel, whose messages arrive as ``#publish`` events. The server
pings with an empty frame and expects one back. A frame may hold an array of packets.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from collections.abc import Callable
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

__all__ = ["ProtocolError", "SocketClusterClient"]


class ProtocolError(Exception):
    """The server answered a call with an error, or not in SocketCluster's shape."""


class SocketClusterClient:
    """One connection: ``await connect()``, then ``invoke``, ``transmit``, ``subscribe``.

    Channel messages are queued for :meth:`receive`. ``on_malformed(text)`` is called
    for a frame or packet that is not SocketCluster JSON (it is otherwise ignored).
    """

    def __init__(
        self,
        url: str,
        *,
        on_malformed: Callable[[str], None],
        timeout: float = 10.0,
    ) -> None:
        self.url = url
        self.id: str | None = None
        self._timeout = timeout
        self._on_malformed = on_malformed
        self._ws: ClientConnection | None = None
        self._cids = itertools.count(1)
        self._calls: dict[int, asyncio.Future[Any]] = {}
        self._inbox: asyncio.Queue[tuple[str, Any] | None] = asyncio.Queue()
        self._reader: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        """Open the socket and shake hands; ``self.id`` is the socket id afterwards.

        Raises:
            OSError, TimeoutError, websockets' errors, ProtocolError: no session.
        """
        self._ws = await connect(
            self.url,
            open_timeout=self._timeout,
            ping_interval=None,  # SocketCluster pings itself
            max_size=None,
            compression=None,
        )
        self._reader = asyncio.create_task(self._read(self._ws), name="rtkq-devtools-reader")
        reply = await self.invoke("#handshake", {"authToken": None})
        if not isinstance(reply, dict) or not isinstance(reply.get("id"), str):
            raise ProtocolError(f"unexpected handshake reply {reply!r}")
        self.id = reply["id"]

    async def invoke(self, event: str, data: Any) -> Any:
        """Call ``event`` and return the server's answer.

        Raises:
            ProtocolError: the server answered with an error.
            ConnectionClosed: the connection went away first.
            TimeoutError: no answer in time.
        """
        ws = self._socket()
        cid = next(self._cids)
        answer: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._calls[cid] = answer
        try:
            await ws.send(json.dumps({"event": event, "data": data, "cid": cid}))
            return await asyncio.wait_for(answer, self._timeout)
        finally:
            self._calls.pop(cid, None)

    async def transmit(self, event: str, data: Any) -> None:
        """Send ``event`` without waiting for an answer."""
        await self._socket().send(json.dumps({"event": event, "data": data}))

    async def subscribe(self, channel: str) -> None:
        await self.invoke("#subscribe", {"channel": channel})

    async def receive(self) -> tuple[str, Any]:
        """The next ``(channel, data)`` published to a subscribed channel.

        Raises:
            ConnectionClosed: the connection is gone (after everything queued).
        """
        item = await self._inbox.get()
        if item is None:
            self._inbox.put_nowait(None)  # stays closed for later calls
            raise ConnectionClosed(None, None)
        return item

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader

    # -- internals ----------------------------------------------------------------------
    def _socket(self) -> ClientConnection:
        if self._ws is None:
            raise ConnectionClosed(None, None)
        return self._ws

    async def _read(self, ws: ClientConnection) -> None:
        try:
            async for frame in ws:
                if isinstance(frame, bytes):
                    frame = frame.decode("utf-8", "replace")
                if frame == "" or frame == "#1":  # ping (v2, v1): answer it
                    await ws.send("" if frame == "" else "#2")
                    continue
                try:
                    message = json.loads(frame)
                except ValueError:
                    self._on_malformed(frame)
                    continue
                for packet in message if isinstance(message, list) else [message]:
                    self._packet(packet, frame)
        except ConnectionClosed:
            pass
        finally:
            self._inbox.put_nowait(None)
            for answer in self._calls.values():
                if not answer.done():
                    answer.set_exception(ConnectionClosed(None, None))

    def _packet(self, packet: Any, frame: str) -> None:
        if not isinstance(packet, dict):
            self._on_malformed(frame)
            return
        rid = packet.get("rid")
        if rid is not None:
            answer = self._calls.get(rid) if isinstance(rid, int) else None
            if answer is not None and not answer.done():
                if packet.get("error") is not None:
                    answer.set_exception(ProtocolError(f"server error: {packet['error']!r}"))
                else:
                    answer.set_result(packet.get("data"))
            return
        if packet.get("event") == "#publish":
            data = packet.get("data")
            if not isinstance(data, dict) or not isinstance(data.get("channel"), str):
                self._on_malformed(frame)
                return
            self._inbox.put_nowait((data["channel"], data.get("data")))
        # Other events (#setAuthToken, #kickOut, ...) mean nothing to a DevTools app.
