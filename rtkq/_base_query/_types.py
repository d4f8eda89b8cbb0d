"""What a base query receives and returns.

A base query is ``base_query(args, api, extra_options)``, sync or async, returning
``{"data": ..., "meta": ...}`` or ``{"error": ..., "meta": ...}``. The API slice builds
the ``api`` object; these protocols state the attributes base queries here read.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Literal, Protocol, TypeAlias

__all__ = ["AbortSignal", "BaseQuery", "BaseQueryApi", "BaseQueryResult", "maybe_await"]

BaseQueryResult: TypeAlias = Mapping[str, Any]
"""``{"data": ..., "meta": ...}`` or ``{"error": ..., "meta": ...}``."""


class AbortSignal(Protocol):
    """Read-only view of a request's abort flag; the API slice sets it on ``abort()``."""

    @property
    def aborted(self) -> bool: ...


class BaseQueryApi(Protocol):
    """The second argument of every base query call.

    Attributes:
        signal: ``signal.aborted`` turns true once the request was aborted. Aborting
            also cancels the task running the base query, so an awaiting base query
            sees ``asyncio.CancelledError``; the flag is for code between awaits.
        dispatch: the store's dispatch.
        get_state: returns the store's current state.
        extra: the store's ``extra_argument``.
        endpoint: name of the endpoint that made the request.
        type: ``"query"`` or ``"mutation"``.
        forced: whether the request was forced (refetch, ``force_refetch=True``).
        arg: the argument the endpoint was initiated with (before ``query(arg)``).
        query_cache_key: the cache key of the query's entry; ``None`` for a mutation.
        on_close: the store's ``on_close`` (``None`` outside a store): a base query
            that opens something for this store (an HTTP client, a connection)
            registers ``async def hook() -> None`` with it to close that at
            ``store.aclose()``. Always the same object for one store, so it can key a
            per-store resource.
    """

    @property
    def signal(self) -> AbortSignal: ...

    @property
    def endpoint(self) -> str: ...

    @property
    def type(self) -> Literal["query", "mutation"] | str: ...

    @property
    def forced(self) -> bool | None: ...

    @property
    def arg(self) -> Any: ...

    @property
    def query_cache_key(self) -> str | None: ...

    @property
    def extra(self) -> Any: ...

    @property
    def on_close(self) -> Callable[[Callable[[], Any]], Callable[[], None]] | None: ...

    def dispatch(self, action: Any) -> Any: ...

    def get_state(self) -> Any: ...


class BaseQuery(Protocol):
    """A base query: ``(args, api, extra_options) -> result``, sync or async."""

    def __call__(
        self, args: Any, api: BaseQueryApi, extra_options: Any, /
    ) -> BaseQueryResult | Awaitable[BaseQueryResult]: ...


async def maybe_await(value: Any) -> Any:
    """Return ``value``, awaited first when it is awaitable (sync or async callbacks)."""
    if inspect.isawaitable(value):
        return await value
    return value
