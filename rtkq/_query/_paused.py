"""Paused mutations: held while offline (or after a network error), resumed in order.

A mutation is *held* when it may not send its request yet for a network reason:
- ``network_mode="online"`` and the store is offline (after ``on_offline()``);
- ``network_mode="offline_first"`` and its request failed with ``FETCH_ERROR``;
- it was hydrated from a persisted snapshot (it waits for an explicit resume).

A held mutation stays pending with ``is_paused=True`` until
``api.util.resume_paused_mutations()`` (also run on ``on_online()``) releases the held
mutations one at a time, in dispatch order, each after the previous one settled: so
the order of writes survives going offline, and a restart. When a released mutation is
held again (still offline, or another network error) the rest wait behind it.

Holding is one of the runtime's *send gates* (``Runtime.send_gates``, predicates a
mutation must pass before it sends; ``Runtime.gates_changed()`` wakes the waiting ones),
next to the scope queue.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._runtime import Running, Runtime

__all__ = ["PausedMutations", "is_fetch_error", "resume_on_online"]


def is_fetch_error(error: Any) -> bool:
    """Whether a rejected mutation's error means "the network was unreachable"."""
    return isinstance(error, Mapping) and error.get("status") == "FETCH_ERROR"


class PausedMutations:
    """The held mutations of one runtime, and the resume loop that releases them."""

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime
        self._held: dict[str, Running] = {}
        # request_id -> future set when its released attempt ends (held again or settled)
        self._attempts: dict[str, asyncio.Future[Any]] = {}
        # Hydrated mutations that arrived while no event loop ran: started on resume.
        self._dormant: list[Mapping[str, Any]] = []
        self._resuming: asyncio.Task[list[dict[str, Any]]] | None = None

    # -- gate --------------------------------------------------------------------
    def gate(self, running: Running) -> bool:
        """The send gate: False while ``running`` is held (holding it when offline)."""
        if running.request_id in self._held:
            return False
        runtime = self._runtime
        if runtime.api.network_mode == "online" and not runtime.slice_state()["config"].get(
            "online", True
        ):
            self.hold(running)
            return False
        return True

    def hold(self, running: Running) -> None:
        """Hold ``running`` until the next resume."""
        self._held[running.request_id] = running
        attempt = self._attempts.pop(running.request_id, None)
        if attempt is not None and not attempt.done():
            attempt.set_result(False)

    def should_hold_after(self, running: Running, outcome: tuple[str, Any, Any]) -> bool:
        """After an attempt: hold ``running`` again (True) instead of settling it."""
        kind, payload, meta = outcome
        if (
            kind == "rejected"
            and self._runtime.api.network_mode == "offline_first"
            and not meta.get("aborted")
            and is_fetch_error(payload)
        ):
            self.hold(running)
            return True
        return False

    def discard(self, running: Running) -> None:
        """Forget ``running`` (it settled or was aborted)."""
        self._held.pop(running.request_id, None)
        attempt = self._attempts.pop(running.request_id, None)
        if attempt is not None and not attempt.done():
            attempt.set_result(True)

    def clear(self) -> None:
        """Drop every dormant mutation (``reset_api_state``); running ones are aborted."""
        self._dormant.clear()

    @property
    def resuming(self) -> asyncio.Task[list[dict[str, Any]]] | None:
        """The task releasing held mutations, while one runs."""
        return self._resuming

    # -- hydrated mutations --------------------------------------------------------
    def add_hydrated(self, items: list[Mapping[str, Any]]) -> None:
        """Track hydrated paused mutations: start them held now, or once a loop runs."""
        self._dormant.extend(items)
        if self._runtime.try_bind_loop() is not None:
            self._start_dormant()

    def _start_dormant(self) -> None:
        from ._execute import execute_request

        dormant, self._dormant = self._dormant, []
        runtime = self._runtime
        for item in dormant:
            name = item["endpoint_name"]
            definition = runtime.api.definitions.get(name)
            if definition is None or not definition.is_mutation:
                continue  # the endpoint is gone from this version of the code
            runtime.start_mutation(
                definition,
                name,
                item["arg"],
                item["request_id"],
                track=True,
                fixed_cache_key=item["fixed_cache_key"],
                scope=item["scope"],
                execute=functools.partial(execute_request, runtime, definition, name),
                hold=True,
                started_at=item["started_at"],
            )

    # -- resume ------------------------------------------------------------------
    def resume(self) -> asyncio.Task[list[dict[str, Any]]]:
        """Release held mutations one by one; the task gives their results in order.

        Raises:
            RuntimeError: no asyncio event loop is running.
        """
        loop = self._runtime.bind_loop()
        if self._dormant:
            self._start_dormant()
        if self._resuming is None or self._resuming.done():
            self._resuming = loop.create_task(self._release_in_order())
        return self._resuming

    async def _release_in_order(self) -> list[dict[str, Any]]:
        results: list[dict[str, Any]] = []
        loop = asyncio.get_running_loop()
        while self._held:
            running = min(self._held.values(), key=lambda held: held.seq)
            del self._held[running.request_id]
            attempt: asyncio.Future[Any] = loop.create_future()
            self._attempts[running.request_id] = attempt
            self._runtime.gates_changed()
            await asyncio.wait({attempt, running.future}, return_when=asyncio.FIRST_COMPLETED)
            self._attempts.pop(running.request_id, None)
            if not running.future.done():
                break  # held again: the ones behind it keep waiting, in order
            results.append(running.future.result())
        return results


def resume_on_online(runtime: Runtime) -> None:
    """The ``on_online()`` hook: resume paused mutations when a loop runs."""
    if runtime.try_bind_loop() is not None:
        runtime.paused.resume()
