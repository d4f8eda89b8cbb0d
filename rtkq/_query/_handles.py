"""What ``dispatch(endpoint.initiate(...))`` returns: awaitable request handles."""

from __future__ import annotations

import asyncio
from collections.abc import Generator, Mapping
from typing import TYPE_CHECKING, Any, Generic

from typing_extensions import TypeVar

from .._exceptions import QueryError
from ._types import InfiniteData, InfiniteQueryState, QueryState, QueryStatus

if TYPE_CHECKING:
    from ._endpoints import Endpoint
    from ._runtime import Running, Runtime

__all__ = ["InfiniteQueryHandle", "MutationHandle", "QueryHandle"]

R_co = TypeVar("R_co", covariant=True, default=Any)


class QueryHandle(Generic[R_co]):
    """A query request (or a cache hit) for one arg.

    ``await handle`` gives a :class:`QueryState`: for a handle that started or joined a
    request, the entry as that request left it; for a cache hit (no request), the
    entry as it was at dispatch, even when a forced refetch started afterwards (RTK's
    ``buildInitiate``). Cancelling the awaiting task never cancels the request itself.
    ``QueryHandle[R]`` is the handle of an endpoint whose result is ``R``.
    """

    def __init__(
        self,
        runtime: Runtime,
        endpoint: Endpoint[Any, Any],
        arg: Any,
        key: str,
        request_id: str,
        subscribed: bool,
        *,
        running: Running | None = None,
        cached: QueryState[Any] | None = None,
    ) -> None:
        self._runtime = runtime
        self._endpoint = endpoint
        self.arg = arg
        self.query_cache_key = key
        self.request_id = request_id
        self._subscribed = subscribed
        self._running = running
        self._cached = cached

    def __repr__(self) -> str:
        return f"<QueryHandle {self.query_cache_key} request_id={self.request_id!r}>"

    def __await__(self) -> Generator[Any, None, QueryState[R_co]]:
        return self._settled().__await__()

    async def _settled(self) -> QueryState[R_co]:
        runtime = self._runtime
        key = self.query_cache_key
        if self._running is not None:
            future = self._running.future
            # Settled already (most handles awaited after their request ran): no shield.
            settled: QueryState[R_co] | None = (
                future.result() if future.done() else await asyncio.shield(future)
            )
            if settled is not None:
                return settled
        elif self._cached is not None:
            return self._cached
        current: QueryState[R_co] | None = runtime.entry(key)
        return current or self._endpoint._uninitialized_entry(key)

    async def unwrap(self) -> R_co:
        """The data once settled.

        Raises:
            QueryError: the request failed; ``.error`` holds the error payload.
        """
        state = await self
        if state.status is QueryStatus.REJECTED:
            raise QueryError(state.error)
        return state.data  # type: ignore[return-value]  # fulfilled: the data is there

    def refetch(self) -> QueryHandle[R_co]:
        """Refetch this arg now (without a new subscription); returns the new handle."""
        handle: QueryHandle[R_co] = self._runtime.dispatch(
            self._endpoint._initiate(self.arg, subscribe=False, force_refetch=True)
        )
        return handle

    def unsubscribe(self) -> None:
        """Drop this handle's subscription; calling it again is harmless."""
        if self._subscribed:
            self._subscribed = False
            self._runtime.unsubscribe(self.query_cache_key, self.request_id)

    def abort(self) -> None:
        """Abort the running request for this entry, if any."""
        running = self._runtime.running.get(self.query_cache_key)
        if running is not None:
            self._runtime.abort(running)

    def update_subscription_options(self, options: Mapping[str, Any]) -> None:
        """Replace this handle's subscription options (polling interval, ...)."""
        self._runtime.update_subscription(self.query_cache_key, self.request_id, options)

    if not TYPE_CHECKING:  # type checkers know plain handles have no paging methods

        def __getattr__(self, name: str) -> Any:
            if name in _PAGING:
                raise AttributeError(
                    f"{name}() is only for infinite query endpoints; "
                    f"{self._endpoint.name!r} is a plain query."
                )
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")


_PAGING = ("fetch_next_page", "fetch_previous_page")


class InfiniteQueryHandle(QueryHandle[InfiniteData[R_co]]):
    """The handle of an infinite query: a :class:`QueryHandle` that also pages.

    ``await handle`` gives an :class:`InfiniteQueryState` (data ``{"pages",
    "page_params"}``); ``InfiniteQueryHandle[R]`` pages through pages of type ``R``.
    """

    if TYPE_CHECKING:

        def __await__(self) -> Generator[Any, None, InfiniteQueryState[R_co]]: ...

        def refetch(self) -> InfiniteQueryHandle[R_co]: ...

    def fetch_next_page(self) -> InfiniteQueryHandle[R_co]:
        """Fetch the page after the cached ones (no request when there is none)."""
        return self._page("forward")

    def fetch_previous_page(self) -> InfiniteQueryHandle[R_co]:
        """Fetch the page before the cached ones (no request when there is none)."""
        return self._page("backward")

    def _page(self, direction: str) -> InfiniteQueryHandle[R_co]:
        handle: InfiniteQueryHandle[R_co] = self._runtime.dispatch(
            self._endpoint._initiate(self.arg, direction=direction, subscribe=False)
        )
        return handle


class MutationHandle(Generic[R_co]):
    """A mutation request: ``await handle`` gives ``{"data": ...}`` or ``{"error": ...}``.

    ``MutationHandle[R]`` is the handle of an endpoint whose result is ``R``.
    """

    def __init__(
        self, runtime: Runtime, running: Running, arg: Any, fixed_cache_key: str | None
    ) -> None:
        self._runtime = runtime
        self._running = running
        self.arg = arg
        self.request_id = running.request_id
        self.fixed_cache_key = fixed_cache_key

    def __repr__(self) -> str:
        return f"<MutationHandle request_id={self.request_id!r}>"

    def __await__(self) -> Generator[Any, None, dict[str, Any]]:
        return self._settled().__await__()

    async def _settled(self) -> dict[str, Any]:
        result: dict[str, Any] = await asyncio.shield(self._running.future)
        return result

    async def unwrap(self) -> R_co:
        """The data.

        Raises:
            QueryError: the mutation failed; ``.error`` holds the error payload.
        """
        result = await self
        if "error" in result:
            raise QueryError(result["error"])
        data: R_co = result["data"]
        return data

    def abort(self) -> None:
        """Abort the mutation's request if it is still running."""
        self._runtime.abort(self._running)

    def reset(self) -> None:
        """Remove this mutation's tracked state (for every sharer of a fixed cache key)."""
        key = self.fixed_cache_key or self.request_id
        self._runtime.dispatch(
            _remove_mutation(
                self._runtime, key, self.request_id, any_request=bool(self.fixed_cache_key)
            )
        )


def _remove_mutation(runtime: Runtime, key: str, request_id: str, *, any_request: bool) -> Any:
    from .._store._action import Action

    return Action(
        runtime.types.remove_mutation_result,
        {"key": key, "request_id": request_id, "any": any_request},
    )
