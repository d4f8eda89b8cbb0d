"""Hooking the history into a store: a lifted reducer around the store's reducer.

Every action the store reduces goes through :meth:`History.perform`; time travel is a
private action, dispatched on the store's own (middleware-free) dispatch, that rewrites
the history and makes the store show ``history.current``. So listeners and watchers
see a jump like any other state change, under the store's lock, from any thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .._store._action import Action
from ._history import History

if TYPE_CHECKING:
    from .._store._create_store import Store

__all__ = ["LIFTED", "Instrument"]

LIFTED = "@@rtkq/devtools/LIFTED"

Reducer = Callable[[Any, Any], Any]


class Instrument:
    """Records ``store``'s actions into a :class:`History` and applies time travel."""

    def __init__(self, store: Store, *, max_age: int, on_record: Callable[[], None]) -> None:
        self.store = store
        self._max_age = max_age
        self._on_record = on_record
        self._history: History | None = None

    @property
    def history(self) -> History:
        assert self._history is not None, "install() first"
        return self._history

    def install(self) -> None:
        """Start recording (the store's current state is the committed one).

        Raises:
            RuntimeError: the store is instrumented already (another DevTools link).
        """
        self.store._instrument(self._lift)

    def uninstall(self) -> None:
        """Stop recording; the store keeps the state it shows."""
        self.store._instrument(None)

    def apply(self, change: Callable[[History], None]) -> None:
        """Run ``change`` on the history and let the store show the result.

        Raises:
            Exception: whatever ``change`` raised; then nothing changed.
        """
        self.store._dispatch(Action(LIFTED, payload=change))

    def _lift(self, reducer: Reducer) -> Reducer:
        if self._history is None:
            self._history = History(reducer, self.store._state, self._max_age)
        else:  # replace_reducer: replays use the new reducer from now on
            self._history.reducer = reducer
        history = self._history
        on_record = self._on_record

        def lifted(state: Any, action: Any) -> Any:
            if action.type is LIFTED:
                action.payload(history)
                return history.current
            new = history.perform(state, action)
            on_record()
            return new

        return lifted
