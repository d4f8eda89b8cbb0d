"""``DevToolsLink``: a store's session with the Redux DevTools remote server.

The store side of the protocol ``@redux-devtools/remote`` speaks: log in as an app
(``login`` with ``"master"``, answered with the channel monitors broadcast on), listen
on that channel and on ``sc-<socket id>`` (where a monitor answers one app), announce
``START`` and send the history (``STATE``), then each new action (``ACTION``). Sending
happens in a task of its own: a dispatch only records the action and, at most once
per batch, wakes that task. While the task is busy or waiting after a send (``latency``
seconds, or three times what the send took if longer, so that serializing a big state
takes at most a quarter of the loop's time), new actions gather into one batched
``ACTION``.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
import uuid
import warnings
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any

from websockets.exceptions import ConnectionClosed, WebSocketException

from .._freeze import freeze
from .._store._action import Action
from ._commands import JUMPS, parse_dispatch, parse_import
from ._instrument import Instrument
from ._jsan import decode
from ._messages import MessageEncoder
from ._runtimes import find_runtimes
from ._socket import ProtocolError, SocketClusterClient

if TYPE_CHECKING:
    from .._store._create_store import Store

__all__ = ["DEFAULT_FEATURES", "DevToolsLink", "DevToolsWarning"]

DEFAULT_FEATURES: Mapping[str, Any] = {
    "pause": True,
    "lock": True,
    "persist": False,
    "export": "custom",  # the store writes the exported file's content
    "import": "custom",  # the store replays an imported file
    "jump": True,
    "skip": True,
    "reorder": True,
    "dispatch": True,  # JSON actions only
    "test": False,
    "sync": False,
}

_UNREACHABLE = (OSError, TimeoutError, WebSocketException, ProtocolError)


class DevToolsWarning(UserWarning):
    """The DevTools server is unreachable or went away, or sent something unreadable."""


class DevToolsLink:
    """A store connected to the Redux DevTools; made by :func:`connect_devtools`.

    ``await link.aclose()`` (or leaving ``async with link``) disconnects and stops
    recording; the store keeps the state it shows.
    """

    def __init__(
        self,
        store: Store,
        *,
        url: str,
        name: str,
        instance_id: str,
        max_age: int,
        features: Mapping[str, Any],
        latency: float,
    ) -> None:
        self.store = store
        self.url = url
        self.name = name
        self.instance_id = instance_id
        self.max_age = max_age
        self.features = dict(features)
        self.latency = latency
        self.backoff = (0.1, 5.0)  # first and longest wait between reconnection attempts
        self._instrument = Instrument(store, max_age=max_age, on_record=self._on_record)
        self._encoder = MessageEncoder({})
        self._loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        self._wake = asyncio.Event()
        self._wake_pending = False
        self._client: SocketClusterClient | None = None
        self._task: asyncio.Task[None] | None = None
        self._first_attempt = asyncio.Event()
        self._connected = asyncio.Event()
        self._closed = False
        self._error: BaseException | None = None
        self._remove_close_hook: Callable[[], None] | None = None

    # -- public ------------------------------------------------------------------------
    @property
    def connected(self) -> bool:
        """Whether a session with the server is open now."""
        return self._connected.is_set()

    @property
    def history(self) -> Any:
        """The recorded history (``staged``, ``states``, ``index``, ...); read-only use."""
        return self._instrument.history

    async def wait_connected(self) -> None:
        """Return once a session with the server is open (use ``asyncio.timeout``)."""
        await self._connected.wait()

    async def aclose(self) -> None:
        """Disconnect and stop recording. Harmless to call twice.

        Raises:
            Warning: a DevTools warning was turned into an error by the warnings
                filters while the link ran in the background.
        """
        if not self._closed:
            self._closed = True
            if self._remove_close_hook is not None:
                self._remove_close_hook()
            if self._task is not None:
                self._task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._task
            self._instrument.uninstall()
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    async def __aenter__(self) -> DevToolsLink:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    # -- starting ------------------------------------------------------------------------
    async def start(self) -> None:
        # First, so that a closed store refuses before anything starts.
        self._remove_close_hook = self.store.on_close(self.aclose)
        try:
            self._encoder = MessageEncoder(find_runtimes(self.store))
            self._instrument.install()
        except BaseException:
            self._remove_close_hook()
            raise
        self._task = asyncio.create_task(self._run(), name="rtkq-devtools")
        await self._first_attempt.wait()

    def _on_record(self) -> None:
        # Runs inside dispatch, under the store's lock: wake the sender once per batch.
        if self._wake_pending:
            return
        self._wake_pending = True
        if threading.get_ident() == self._loop_thread:
            self._wake.set()
        else:
            self._loop.call_soon_threadsafe(self._wake.set)

    def _warn(self, message: str) -> None:
        try:
            warnings.warn(message, DevToolsWarning, stacklevel=2)
        except Warning as exc:  # warnings are errors here: surface it from aclose()
            self._error = self._error or exc

    # -- the connection ------------------------------------------------------------------
    async def _run(self) -> None:
        delay, warned = self.backoff[0], False
        while True:
            client = SocketClusterClient(self.url, on_malformed=self._malformed)
            try:
                await self._open(client)
            except _UNREACHABLE as exc:
                self._client = None
                await client.close()
                if not warned:
                    warned = True
                    self._warn(
                        f"Cannot reach the Redux DevTools server at {self.url} ({exc}); "
                        "the store works on and reconnects with backoff. Start the server "
                        "(`make demo DEVTOOLS=1` shows how) or check host and port."
                    )
                self._first_attempt.set()
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.backoff[1])
                continue
            self._first_attempt.set()
            delay, warned = self.backoff[0], False
            try:
                await self._session(client)
            finally:
                self._connected.clear()
                self._client = None
                await client.close()
            warned = True
            self._warn(
                f"Lost the connection to the Redux DevTools server at {self.url}; "
                "reconnecting with backoff (the history is sent again)."
            )

    async def _open(self, client: SocketClusterClient) -> None:
        await client.connect()
        self._client = client
        await client.subscribe(f"sc-{client.id}")
        channel = await client.invoke("login", "master")
        if not isinstance(channel, str):
            raise ProtocolError(f"unexpected login answer {channel!r}")
        await client.subscribe(channel)
        await client.transmit("log", self._message("START"))

    async def _session(self, client: SocketClusterClient) -> None:
        self._client = client
        self._instrument.history.changed = True  # (re)send the whole history first
        self._wake.set()
        self._connected.set()
        sender = asyncio.create_task(self._send_loop(client), name="rtkq-devtools-sender")
        try:
            while True:
                _, data = await client.receive()
                await self._handle(client, data)
        except ConnectionClosed:
            pass
        finally:
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError, ConnectionClosed):
                await sender

    def _message(self, kind: str, **fields: Any) -> dict[str, Any]:
        client = self._client
        return {
            "type": kind,
            "id": client.id if client is not None else None,
            "name": self.name,
            "instanceId": self.instance_id,
            **fields,
        }

    async def _send_loop(self, client: SocketClusterClient) -> None:
        history = self._instrument.history
        while True:
            await self._wake.wait()
            self._wake.clear()
            self._wake_pending = False
            started = time.perf_counter()
            snap, new = history.take_unsent()
            if snap is not None:
                message = self._message(
                    "STATE", payload=self._encoder.lifted(snap), libConfig=self._lib_config()
                )
            elif new:
                action, payload = self._encoder.actions(new)
                extra = {"nextActionId": new[0][0] + 1} if len(new) == 1 else {}
                message = self._message(
                    "ACTION",
                    action=action,
                    payload=payload,
                    maxAge=self.max_age,
                    libConfig=self._lib_config(),
                    **extra,
                )
            else:
                continue
            await client.transmit("log", message)
            # Serializing a big state takes a while: leave the loop at least three
            # times as long to the application, whatever ``latency`` says.
            pause = max(self.latency, 3 * (time.perf_counter() - started))
            if pause > 0.001:
                await asyncio.sleep(pause)

    def _lib_config(self) -> dict[str, Any]:
        return {"name": self.name, "type": "redux", "features": self.features}

    # -- what the DevTools send ----------------------------------------------------------
    def _malformed(self, what: str) -> None:
        text = what if len(what) <= 120 else what[:117] + "..."
        self._warn(f"Ignored a malformed message from the Redux DevTools server: {text}")

    async def _handle(self, client: SocketClusterClient, data: Any) -> None:
        if not isinstance(data, dict) or not isinstance(data.get("type"), str):
            self._malformed(repr(data))
            return
        kind = data["type"]
        target = data.get("instanceId")
        if target is not None and target != self.instance_id and kind != "START":
            return  # meant for another store on the same server
        if kind in ("START", "UPDATE"):
            self._instrument.history.changed = True
            self._wake.set()
        elif kind == "DISPATCH":
            self._dispatch(data.get("action"))
        elif kind == "IMPORT":
            await self._import(client, data.get("state"))
        elif kind == "EXPORT":
            payload, committed = self._encoder.export(self._instrument.history.snapshot())
            await client.transmit(
                "log", self._message("EXPORT", payload=payload, committedState=committed)
            )
        elif kind == "ACTION":
            await self._remote_action(client, data.get("action"))
        # STOP, DISCONNECTED, SYNC: nothing to do; the next START resends everything.

    def _dispatch(self, action: Any) -> None:
        try:
            change = parse_dispatch(action)
            self._instrument.apply(change)
        except Exception as exc:  # unreadable, or it names what is not there
            self._malformed(f"DISPATCH {action!r} ({exc})")
            return
        if not (isinstance(action, dict) and action.get("type") in JUMPS):
            self._wake.set()  # the monitor shows jumps itself; anything else: resend

    async def _import(self, client: SocketClusterClient, text: Any) -> None:
        try:
            imported = parse_import(text)
            self._instrument.apply(imported.apply)
        except Exception as exc:
            await client.transmit(
                "log",
                self._message("ERROR", payload=f"Import failed, nothing changed: {exc}"),
            )
            return
        self._wake.set()

    async def _remote_action(self, client: SocketClusterClient, text: Any) -> None:
        # The DevTools' dispatcher sends JavaScript source: JSON is the subset we run.
        try:
            data = decode(text) if isinstance(text, str) else text
            if not isinstance(data, dict) or not isinstance(data.get("type"), str):
                raise ValueError("expected a JSON object with a string 'type'")
            self.store.dispatch(
                Action(data["type"], freeze(data.get("payload")), freeze(data.get("meta")))
            )
        except Exception as exc:
            await client.transmit(
                "log", self._message("ERROR", payload=f"Cannot dispatch {text!r}: {exc}")
            )


def new_instance_id() -> str:
    return uuid.uuid4().hex[:12]
