"""When a mutation may send: scopes (one at a time, in order) and other gates (offline)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from .._store._action import Action
from ._requests import Running
from ._runtime_base import RuntimeBase

__all__ = ["MutationGates"]


class MutationGates(RuntimeBase):
    """When a mutation may send: scopes (one at a time, in order) and other gates (offline)."""

    def may_send(self, running: Running) -> bool:
        """Whether a mutation may send its request now."""
        if running.scope is not None:
            queue = self.scopes.get(running.scope)
            if queue and queue[0] != running.request_id:
                return False
        return all(gate(running) for gate in self.send_gates)

    async def wait_to_send(self, running: Running, pending_meta: Mapping[str, Any]) -> None:
        """Wait until ``running`` may send; dispatch ``resumed`` if it had to wait."""
        if self.may_send(running):
            return
        self.waiting.add(running.request_id)
        # It no longer counts as in flight: delayed invalidations may go now.
        self.request_settled(None)
        try:
            while not self.may_send(running):
                if self._gate_changed is None or self._gate_changed.done():
                    assert self.loop is not None
                    self._gate_changed = self.loop.create_future()
                await asyncio.shield(self._gate_changed)
        finally:
            self.waiting.discard(running.request_id)
        self.dispatch(Action(self.types.mutation_resumed, None, dict(pending_meta)))

    def gates_changed(self) -> None:
        """Wake waiting mutations so they check again whether they may send."""
        gate = self._gate_changed
        if gate is not None and not gate.done():
            gate.set_result(None)

    def _leave_scope(self, running: Running) -> None:
        if running.scope is None:
            return
        queue = self.scopes.get(running.scope)
        if queue is None:
            return
        was_head = bool(queue) and queue[0] == running.request_id
        try:
            queue.remove(running.request_id)
        except ValueError:
            return
        if not queue:
            del self.scopes[running.scope]
        if was_head:
            self.gates_changed()

    def requests_in_flight(self) -> bool:
        """Whether a query, or a mutation that is not waiting to send, is running."""
        return bool(self.running) or len(self.running_mutations) > len(self.waiting)
