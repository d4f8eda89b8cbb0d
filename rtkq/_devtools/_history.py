"""The lifted history: what the Redux DevTools show and rewrite.

This is redux-devtools-instrument's "lifted state", kept in Python: the actions by id,
the ids staged in order, the skipped ones, the committed state they start from and the
state computed after each. Actions are kept as the store received them, so replaying
(after a toggle, a reorder or an import) runs the store's own reducer on the store's
own objects. Every method runs under the store's lock, called from the lifted reducer
(see ``_instrument``); ``lock`` guards what the sender reads from another thread.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from .._store._action import Action

__all__ = ["INIT", "History", "Recorded", "Snapshot"]

INIT = Action("@@INIT")

Reducer = Callable[[Any, Any], Any]


class Recorded(NamedTuple):
    """One action of the history: as dispatched, and when (milliseconds since the epoch)."""

    action: Any
    timestamp: float


@dataclass(frozen=True)
class Snapshot:
    """A consistent copy of the history for sending (the states themselves are shared)."""

    actions: dict[int, Recorded]
    staged: list[int]
    skipped: list[int]
    committed: Any
    states: list[Any]
    errors: list[str | None]
    index: int
    next_id: int
    locked: bool
    paused: bool


@dataclass
class History:
    """The lifted state of one store, at most ``max_age`` staged actions (INIT included)."""

    reducer: Reducer
    committed: Any
    max_age: int
    actions: dict[int, Recorded] = field(default_factory=dict)
    staged: list[int] = field(default_factory=list)
    skipped: set[int] = field(default_factory=set)
    states: list[Any] = field(default_factory=list)
    errors: list[str | None] = field(default_factory=list)
    index: int = 0
    next_id: int = 1
    locked: bool = False
    paused: bool = False
    # What the sender has not sent yet: ids of new actions, or the whole history.
    unsent: list[int] = field(default_factory=list)
    changed: bool = True
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.initial = self.committed
        self._restart(self.committed)

    # -- recording -------------------------------------------------------------------
    def perform(self, state: Any, action: Any) -> Any:
        """Reduce a dispatched action; return the state the store shows next."""
        if self.locked:
            return state  # locked: actions change nothing (as in Redux DevTools)
        if self.paused:
            # Not recorded: the single committed entry follows the store.
            new = self.reducer(state, action)
            with self.lock:
                self.committed = new
                self.states[0] = new
            return new
        new = self.reducer(self.states[-1], action)
        with self.lock:
            if len(self.staged) >= self.max_age:
                self._commit_excess(len(self.staged) - self.max_age + 1)
            action_id = self.next_id
            self.next_id += 1
            self.actions[action_id] = Recorded(action, time.time() * 1000)
            self.staged.append(action_id)
            if self.index == len(self.states) - 1:
                self.index += 1
            self.states.append(new)
            self.errors.append(None)
            self.unsent.append(action_id)
            return self.states[self.index]

    @property
    def current(self) -> Any:
        return self.states[self.index]

    # -- what the DevTools ask ---------------------------------------------------------
    def jump_to_state(self, index: int) -> None:
        if not 0 <= index < len(self.states):
            raise ValueError(f"no state at index {index} (there are {len(self.states)})")
        with self.lock:
            self.index = index

    def jump_to_action(self, action_id: int) -> None:
        self.jump_to_state(self._position(action_id))

    def toggle(self, action_id: int) -> None:
        position = self._position(action_id)
        skipped = set(self.skipped)
        skipped.symmetric_difference_update((action_id,))
        self._rewrite(skipped=skipped, start=position)

    def set_active(self, start: int, end: int, active: bool) -> None:
        ids = {i for i in self.staged[1:] if start <= i < end}
        skipped = self.skipped - ids if active else self.skipped | ids
        first = min((self.staged.index(i) for i in ids), default=len(self.staged))
        self._rewrite(skipped=skipped, start=first)

    def reorder(self, action_id: int, before_id: int) -> None:
        staged = list(self.staged)
        position = self._position(action_id)
        if position < 1:
            raise ValueError("the initial state cannot be moved")
        target = staged.index(before_id) if before_id in staged[1:] else -1
        if target < 1:  # before nothing known: to the end, or to the start
            target = len(staged) if before_id > staged[-1] else 1
        if target == position:
            return
        del staged[position]
        staged.insert(target - 1 if target > position else target, action_id)
        self._rewrite(staged=staged, start=min(position, target))

    def sweep(self) -> None:
        staged = [i for i in self.staged if i not in self.skipped]
        self._rewrite(staged=staged, skipped=set(), start=0)

    def commit(self) -> None:
        self._restart(self.current)

    def rollback(self) -> None:
        self._restart(self.committed)

    def reset(self) -> None:
        self._restart(self.initial)

    def set_locked(self, locked: bool) -> None:
        with self.lock:
            self.locked = locked
            self.changed = True

    def set_paused(self, paused: bool) -> None:
        # Pausing and resuming both commit, as redux-devtools-instrument does.
        self._restart(self.current)
        with self.lock:
            self.paused = paused

    def replace(
        self,
        actions: Iterable[Any],
        *,
        skipped_positions: Iterable[int] = (),
        index: int | None = None,
    ) -> None:
        """Replay ``actions`` from the committed state (an import); all or nothing.

        Raises:
            Exception: whatever the reducer raised for one of them (nothing changed).
        """
        recorded = [Recorded(a, time.time() * 1000) for a in actions]
        ids = list(range(1, len(recorded) + 1))
        skipped = {ids[p - 1] for p in skipped_positions if 1 <= p <= len(ids)}
        by_id = dict(zip(ids, recorded, strict=True))
        states, errors = self._compute(self.committed, ids, by_id, skipped, strict=True)
        with self.lock:
            self.actions = {0: self.actions[0], **by_id}
            self.staged = [0, *ids]
            self.skipped = skipped
            self.next_id = len(ids) + 1
            self.states = [self.committed, *states]
            self.errors = [None, *errors]
            self.index = len(ids) if index is None else max(0, min(index, len(ids)))
            self.unsent, self.changed = [], True
        if len(self.staged) > self.max_age:
            with self.lock:
                self._commit_excess(len(self.staged) - self.max_age)

    # -- sending ------------------------------------------------------------------------
    def snapshot(self) -> Snapshot:
        with self.lock:
            return Snapshot(
                actions=dict(self.actions),
                staged=list(self.staged),
                skipped=sorted(self.skipped),
                committed=self.committed,
                states=list(self.states),
                errors=list(self.errors),
                index=self.index,
                next_id=self.next_id,
                locked=self.locked,
                paused=self.paused,
            )

    def take_unsent(self) -> tuple[Snapshot | None, list[tuple[int, Recorded, Any]]]:
        """What to send: the whole history (if it changed) or the new actions."""
        with self.lock:
            if not self.changed and all(i in self.actions for i in self.unsent):
                new = [(i, self.actions[i], self.states[self.staged.index(i)]) for i in self.unsent]
                self.unsent = []
                return None, new
            self.changed, self.unsent = False, []
        return self.snapshot(), []

    # -- internals ------------------------------------------------------------------------
    def _position(self, action_id: int) -> int:
        try:
            return self.staged.index(action_id)
        except ValueError:
            raise ValueError(f"no action with id {action_id} in the history") from None

    def _restart(self, committed: Any) -> None:
        with self.lock:
            self.committed = committed
            self.actions = {0: Recorded(INIT, time.time() * 1000)}
            self.staged, self.skipped = [0], set()
            self.states, self.errors = [committed], [None]
            self.index, self.next_id = 0, 1
            self.unsent, self.changed = [], True

    def _commit_excess(self, count: int) -> None:
        # In place: this runs for every action once the history is full.
        gone = self.staged[1 : count + 1]
        for action_id in gone:
            del self.actions[action_id]
        if self.skipped:
            self.skipped.difference_update(gone)
        del self.staged[1 : count + 1]
        self.committed = self.states[count]
        del self.states[:count]
        del self.errors[1 : count + 1]
        self.errors[0] = None
        self.index = max(0, self.index - count)

    def _rewrite(
        self, *, staged: list[int] | None = None, skipped: set[int] | None = None, start: int
    ) -> None:
        """Recompute the states from position ``start`` on (the ones before it stand)."""
        staged = self.staged if staged is None else staged
        skipped = self.skipped if skipped is None else skipped
        start = max(start, 1)
        states, errors = self._compute(
            self.states[start - 1], staged[start:], self.actions, skipped
        )
        with self.lock:
            self.staged, self.skipped = list(staged), set(skipped)
            self.states = [*self.states[:start], *states]
            self.errors = [*self.errors[:start], *errors]
            self.index = min(self.index, len(self.states) - 1)
            self.unsent, self.changed = [], True

    def _compute(
        self,
        base: Any,
        ids: list[int],
        actions: dict[int, Recorded],
        skipped: set[int],
        *,
        strict: bool = False,
    ) -> tuple[list[Any], list[str | None]]:
        """The state after each of ``ids``, starting from ``base``.

        A reducer error is kept as the DevTools show it (the state stays the previous
        one), or raised when ``strict``.
        """
        states: list[Any] = []
        errors: list[str | None] = []
        state = base
        for action_id in ids:
            error = None
            if action_id not in skipped:
                try:
                    state = self.reducer(state, actions[action_id].action)
                except Exception as exc:
                    if strict:
                        raise
                    error = f"{type(exc).__name__}: {exc}"
            states.append(state)
            errors.append(error)
        return states, errors
