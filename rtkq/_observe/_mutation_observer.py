"""``endpoint.mutation_observer(store)``: RTK's ``useMutation``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from .._query._handles import MutationHandle, _remove_mutation
from .._types import lookup
from ._base import ObserverBase
from ._derive import derive_mutation_result
from ._results import MutationResult

if TYPE_CHECKING:
    from .._query._endpoints import Endpoint

__all__ = ["MutationObserver"]

R = TypeVar("R")
_UNSEEN: Any = object()


class MutationObserver(ObserverBase[MutationResult[R]], Generic[R]):
    """Triggers a mutation endpoint and shows the state of its last trigger.

    A trigger that an earlier one overtook never shows, even when it settles later.
    Without a ``fixed_cache_key`` the state of a superseded trigger (and, on
    ``close()``, of the last one) is removed from the store, as RTK's hook does on
    unmount; observers sharing a ``fixed_cache_key`` share one result, which
    ``reset()`` clears for all of them.
    """

    def __init__(
        self,
        endpoint: Endpoint,
        store: Any,
        fixed_cache_key: str | None,
        select_from_result: Callable[[Any], Any] | None,
    ) -> None:
        super().__init__("mutation_observer()", endpoint, store, select_from_result)
        self._fixed = fixed_cache_key
        self._handle: MutationHandle | None = None
        self._hub_key: str | None = None
        self._hub_entry: Any = _UNSEEN
        self._follow(fixed_cache_key)

    @property
    def fixed_cache_key(self) -> str | None:
        return self._fixed

    def _follow(self, key: str | None) -> None:
        old, self._hub_key = self._hub_key, key
        self._hub.move(self._hub.mutations, self, old, key)
        self._refresh()

    def _current_entry(self) -> Any:
        key = self._hub_key
        return None if key is None else lookup(self._runtime.slice_state()["mutations"], key)

    def _entry_changed(self, entry: Any) -> None:
        self._hub_entry = entry
        self._publish(derive_mutation_result(entry))

    def _refresh(self) -> None:
        self._entry_changed(self._current_entry())

    @property
    def result(self) -> MutationResult[R]:
        """The state of the last trigger (with ``select_from_result``: what it returned)."""
        if self._hub_key is not None and not self._closed:
            entry = self._current_entry()
            if entry is not self._hub_entry:
                full = derive_mutation_result(entry)
                return full if self._select is None else self._select(full)
        return self._result

    def trigger(self, arg: Any) -> MutationHandle:
        """Send the mutation with ``arg``; the result follows this request from now on.

        Raises:
            RuntimeError: the observer is closed, or no event loop runs.
        """
        self._check_open("trigger")
        handle: MutationHandle = self._store.dispatch(
            self._endpoint._initiate(arg, fixed_cache_key=self._fixed)
        )
        previous, self._handle = self._handle, handle
        if self._fixed is None:
            self._follow(handle.request_id)
            if previous is not None:
                previous.reset()  # its state would never show again
        else:
            self._refresh()
        return handle

    def reset(self) -> None:
        """Return the result to uninitialized (and remove the tracked state).

        With a ``fixed_cache_key`` the shared state is removed for every observer of it.

        Raises:
            RuntimeError: the observer is closed.
        """
        self._check_open("reset")
        self._remove_state()
        if self._fixed is None:
            self._follow(None)
        else:
            self._refresh()

    def _remove_state(self) -> None:
        handle, self._handle = self._handle, None
        if handle is not None:
            handle.reset()
        elif self._fixed is not None:
            self._store.dispatch(_remove_mutation(self._runtime, self._fixed, "", any_request=True))

    def _release(self) -> None:
        if self._fixed is None:
            handle, self._handle = self._handle, None
            if handle is not None:
                handle.reset()
        key, self._hub_key = self._hub_key, None
        self._hub.move(self._hub.mutations, self, key, None)
