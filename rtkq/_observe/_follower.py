"""The part of query observers that follows one cache entry and derives its result."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from .._query._types import QueryState, SkipToken
from .._types import lookup
from ._base import ObserverBase
from ._derive import derive_query_result, skipped_result
from ._results import QueryResult

if TYPE_CHECKING:
    from .._query._endpoints import Endpoint
    from .._query._handles import QueryHandle

__all__ = ["QueryFollower"]

R = TypeVar("R")
_UNSEEN: Any = object()


class QueryFollower(ObserverBase[QueryResult[R]], Generic[R]):
    """Follows the entry of one arg at a time (none while skipped) for a query endpoint.

    The hub calls :meth:`_entry_changed` when the followed entry changes; switching
    args goes through :meth:`_switch`, which subscribes the new arg before dropping the
    old subscription (so an entry shared by both is never collected in between).
    """

    def __init__(
        self,
        what: str,
        endpoint: Endpoint,
        store: Any,
        select_from_result: Callable[[Any], Any] | None,
    ) -> None:
        super().__init__(what, endpoint, store, select_from_result)
        self._infinite = endpoint.definition.is_infinite
        self._arg: Any = None
        self._hub_key: str | None = None
        self._hub_entry: Any = _UNSEEN
        self._last: QueryResult[Any] | None = None
        self._handle: QueryHandle | None = None
        self._uninitialized = QueryState(endpoint_name=endpoint.name)

    @property
    def arg(self) -> Any:
        """The arg the observer follows (``skip_token`` or the arg while skipped)."""
        return self._arg

    def _key_of(self, arg: Any) -> str | None:
        return None if isinstance(arg, SkipToken) else self._endpoint.cache_key(arg)

    # -- deriving ------------------------------------------------------------------
    def _derive(self, entry: Any) -> QueryResult[Any]:
        if self._hub_key is None:
            return skipped_result(self._arg, self._endpoint.name, self._infinite)
        state = self._uninitialized if entry is None else entry
        return derive_query_result(state, self._arg, self._last, self._infinite)

    def _entry_changed(self, entry: Any) -> None:
        self._hub_entry = entry
        full = self._derive(entry)
        self._last = None if self._hub_key is None else full
        self._publish(full)

    def _current_entry(self) -> Any:
        key = self._hub_key
        return None if key is None else lookup(self._runtime.slice_state()["queries"], key)

    def _refresh(self) -> None:
        self._entry_changed(self._current_entry())

    @property
    def result(self) -> QueryResult[R]:
        """The current result (with ``select_from_result``: what it returned)."""
        if self._hub_key is not None and not self._closed:
            entry = self._current_entry()
            if entry is not self._hub_entry:  # read inside a dispatch, before the hub ran
                full = self._derive(entry)
                return full if self._select is None else self._select(full)
        return self._result

    # -- switching args --------------------------------------------------------------
    def _switch(
        self, arg: Any, key: str | None, subscribe: Callable[[], QueryHandle | None]
    ) -> QueryHandle | None:
        """Follow ``arg`` (``key`` ``None``: nothing); ``subscribe()`` makes its subscription."""
        old_arg, old_key, old_handle = self._arg, self._hub_key, self._handle
        hub, table = self._hub, self._hub.queries
        self._arg = arg
        self._hub_key = key
        self._hub_entry = _UNSEEN
        self._uninitialized = QueryState(endpoint_name=self._endpoint.name, query_cache_key=key)
        hub.move(table, self, old_key, key)
        try:
            handle = subscribe() if key is not None else None
        except BaseException:
            self._arg, self._hub_key = old_arg, old_key
            self._uninitialized = QueryState(
                endpoint_name=self._endpoint.name, query_cache_key=old_key
            )
            hub.move(table, self, key, old_key)
            raise
        self._handle = handle
        if key is None:
            self._last = None
        if old_handle is not None and old_handle is not handle:
            old_handle.unsubscribe()
        self._refresh()
        return handle

    def _release(self) -> None:
        handle, self._handle = self._handle, None
        key, self._hub_key = self._hub_key, None
        self._hub.move(self._hub.queries, self, key, None)
        if handle is not None:
            handle.unsubscribe()
