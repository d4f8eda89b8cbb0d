"""A Python monitor: the DevTools' side of the protocol, through the real server.

It logs in as a monitor (``login`` with ``{}``: channel ``log``), reads what apps send,
and answers one app on ``sc-<its socket id>`` as the web UI does.
"""

from __future__ import annotations

import asyncio
from typing import Any

from rtkq._devtools._jsan import decode
from rtkq._devtools._socket import SocketClusterClient


class Monitor:
    def __init__(self, port: int) -> None:
        self.client = SocketClusterClient(
            f"ws://127.0.0.1:{port}/socketcluster/", on_malformed=self._malformed
        )
        self.malformed: list[str] = []
        self.seen: list[dict[str, Any]] = []

    def _malformed(self, text: str) -> None:
        self.malformed.append(text)

    async def connect(self) -> Monitor:
        await self.client.connect()
        channel = await self.client.invoke("login", {})
        assert channel == "log"
        await self.client.subscribe(channel)
        return self

    async def close(self) -> None:
        await self.client.close()

    async def next(
        self, kind: str, instance: str | None = None, timeout: float = 10
    ) -> dict[str, Any]:
        """The next message of type ``kind`` (from ``instance``), payload and action decoded."""
        async with asyncio.timeout(timeout):
            while True:
                _, data = await self.client.receive()
                self.seen.append(data)
                if data.get("type") != kind:
                    continue
                if instance is not None and data.get("instanceId") != instance:
                    continue
                message = dict(data)
                for key in ("payload", "action"):
                    if isinstance(message.get(key), str) and kind != "ERROR":
                        message[key] = decode(message[key])
                return message

    async def send(self, app_socket: str, message: dict[str, Any]) -> None:
        """Answer one app, as the web UI does (``sc-<its socket id>``)."""
        await self.client.transmit(f"sc-{app_socket}", message)

    async def dispatch(self, app_socket: str, instance: str, action: dict[str, Any]) -> None:
        await self.send(app_socket, {"type": "DISPATCH", "action": action, "instanceId": instance})


class View:
    """One app's history as the DevTools app keeps it (app-core's instances reducer)."""

    def __init__(self) -> None:
        self.lifted: dict[str, Any] | None = None
        self.name: str | None = None
        self.lib_config: dict[str, Any] | None = None
        self.socket: str | None = None

    def apply(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        self.socket = message.get("id") or self.socket
        self.name = message.get("name") or self.name
        self.lib_config = message.get("libConfig") or self.lib_config
        if kind == "STATE":
            self.lifted = message["payload"]
        elif kind == "ACTION":
            assert self.lifted is not None, "an ACTION before any STATE"
            actions, payload = message["action"], message["payload"]
            if isinstance(actions, list):
                for action, state in zip(actions, payload, strict=True):
                    self._recompute(state, action, self.lifted["nextActionId"] + 1, message)
            else:
                next_id = message.get("nextActionId") or self.lifted["nextActionId"] + 1
                self._recompute(payload, actions, next_id, message)

    def _recompute(self, state: Any, action: Any, next_id: int, message: dict[str, Any]) -> None:
        lifted = self.lifted
        assert lifted is not None
        if lifted["currentStateIndex"] == len(lifted["stagedActionIds"]) - 1:
            lifted["currentStateIndex"] += 1
        lifted["stagedActionIds"].append(next_id - 1)
        lifted["actionsById"][str(next_id - 1)] = action
        lifted["nextActionId"] = next_id
        lifted["computedStates"].append({"state": state})
        excess = len(lifted["stagedActionIds"]) - (message.get("maxAge") or 10**9)
        if excess > 0:
            staged = lifted["stagedActionIds"]
            for gone in staged[1 : excess + 1]:
                del lifted["actionsById"][str(gone)]
            lifted["skippedActionIds"] = [
                i for i in lifted["skippedActionIds"] if staged.index(i) > excess
            ]
            lifted["stagedActionIds"] = [0, *staged[excess + 1 :]]
            lifted["committedState"] = lifted["computedStates"][excess]["state"]
            lifted["computedStates"] = lifted["computedStates"][excess:]
            lifted["currentStateIndex"] = max(0, lifted["currentStateIndex"] - excess)

    # -- reading ----------------------------------------------------------------------
    @property
    def staged(self) -> list[int]:
        assert self.lifted is not None
        return list(self.lifted["stagedActionIds"])

    @property
    def types(self) -> list[str]:
        assert self.lifted is not None
        by_id = self.lifted["actionsById"]
        return [by_id[str(i)]["action"]["type"] for i in self.lifted["stagedActionIds"]]

    @property
    def states(self) -> list[Any]:
        assert self.lifted is not None
        return [entry["state"] for entry in self.lifted["computedStates"]]

    @property
    def state(self) -> Any:
        assert self.lifted is not None
        return self.lifted["computedStates"][self.lifted["currentStateIndex"]]["state"]


async def watch(
    monitor: Monitor, instance: str, until: Any, timeout: float = 10, view: View | None = None
) -> View:
    """Apply ``instance``'s STATE/ACTION messages to a view until ``until(view)`` holds."""
    view = view or View()
    async with asyncio.timeout(timeout):
        while view.lifted is None or not until(view):
            _, data = await monitor.client.receive()
            monitor.seen.append(data)
            if data.get("instanceId") != instance or data.get("type") not in ("STATE", "ACTION"):
                continue
            message = dict(data)
            for key in ("payload", "action"):
                if isinstance(message.get(key), str):
                    message[key] = decode(message[key])
            view.apply(message)
    return view
