"""The typed faces of an endpoint: ``QueryEndpoint``, ``InfiniteQueryEndpoint``, ``MutationEndpoint``.

``QueryEndpoint[A, R]`` takes an arg ``A`` and caches an ``R``. The decorators
(``@api.query``, ...) infer ``A`` from the decorated function and ``R`` from
``response_schema`` or ``result_type``; endpoints of the dict builder are
``QueryEndpoint[Any, Any]`` and friends. Each method here only gives the machinery of
:class:`Endpoint` its types.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, Literal

from typing_extensions import TypedDict, TypeVar

from ._endpoints import Endpoint, Thunk
from ._handles import InfiniteQueryHandle, MutationHandle, QueryHandle
from ._infinite import MISSING
from ._types import InfiniteData, InfiniteQueryState, MutationState, QueryState, SkipToken

if TYPE_CHECKING:
    from ._create_api import Api
    from ._definitions import EndpointDefinition

__all__ = [
    "InfiniteQueryEndpoint",
    "MutationEndpoint",
    "QueryEndpoint",
    "SubscriptionOptions",
    "make_endpoint",
]

A = TypeVar("A", default=Any)
R = TypeVar("R", default=Any)


class SubscriptionOptions(TypedDict, total=False):
    """``subscription_options`` of ``initiate``: how a subscription keeps its entry fresh."""

    polling_interval: float
    skip_polling_if_unfocused: bool
    refetch_on_focus: bool
    refetch_on_reconnect: bool


class QueryEndpoint(Endpoint[A, R], Generic[A, R]):
    """A query endpoint taking ``A`` and caching ``R``."""

    def initiate(
        self,
        arg: A,
        *,
        subscribe: bool = True,
        force_refetch: bool | float = False,
        subscription_options: SubscriptionOptions | None = None,
    ) -> Thunk[QueryHandle[R]]:
        """Return a thunk that starts (or joins, or reuses) a request for ``arg``.

        ``store.dispatch(thunk)`` returns a :class:`QueryHandle` at once.

        Raises:
            TypeError: an arg that cannot be serialized, or ``skip_token``.
            RuntimeError: (when dispatched) no running event loop, the api reducer or
                middleware is missing from the store.
        """
        return self._initiate_query(
            arg,
            subscribe=subscribe,
            force_refetch=force_refetch,
            subscription_options=subscription_options,
        )

    def select(self, arg: A | SkipToken) -> Callable[[Any], QueryState[R]]:
        """A memoized selector ``root state -> QueryState`` of ``arg``'s entry.

        ``select(skip_token)`` gives the uninitialized state.
        """
        return self._select(arg)


class InfiniteQueryEndpoint(QueryEndpoint[A, InfiniteData[R]], Generic[A, R]):
    """An infinite query endpoint taking ``A`` whose pages are ``R``.

    Its entry's data is ``{"pages": [R, ...], "page_params": [...]}``.
    """

    def initiate(
        self,
        arg: A,
        *,
        direction: Literal["forward", "backward"] | None = None,
        initial_page_param: Any = MISSING,
        subscribe: bool = True,
        force_refetch: bool | float = False,
        subscription_options: SubscriptionOptions | None = None,
    ) -> Thunk[InfiniteQueryHandle[R]]:
        """Return a thunk that fetches ``arg``'s first page, or one more page.

        Without ``direction`` a cached entry is a cache hit; ``"forward"`` /
        ``"backward"`` fetch the next / previous page (no request when there is none).

        Raises:
            ValueError: an unknown ``direction``.
            TypeError: an arg that cannot be serialized, or ``skip_token``.
        """
        thunk: Thunk[Any] = self._initiate_infinite(
            arg,
            direction=direction,
            initial_page_param=initial_page_param,
            subscribe=subscribe,
            force_refetch=force_refetch,
            subscription_options=subscription_options,
        )
        return thunk

    def select(self, arg: A | SkipToken) -> Callable[[Any], InfiniteQueryState[R]]:
        """A memoized selector ``root state -> InfiniteQueryState`` of ``arg``'s entry."""
        return self._select(arg)


class MutationEndpoint(Endpoint[A, R], Generic[A, R]):
    """A mutation endpoint taking ``A`` and giving ``R``."""

    def initiate(
        self,
        arg: A,
        *,
        fixed_cache_key: str | None = None,
        track: bool = True,
        scope: str | None = None,
    ) -> Thunk[MutationHandle[R]]:
        """Return a thunk that sends the mutation; dispatching it gives a :class:`MutationHandle`.

        ``fixed_cache_key`` shares one tracked state between calls; ``track=False``
        keeps no state; same-``scope`` mutations run one at a time.
        """
        return self._initiate_mutation(
            arg, fixed_cache_key=fixed_cache_key, track=track, scope=scope
        )

    def select(self, request_id: str | SkipToken) -> Callable[[Any], MutationState[R]]:
        """A memoized selector ``root state -> MutationState`` of a request id or a
        ``fixed_cache_key``."""
        return self._select(request_id)


def make_endpoint(api: Api, name: str, definition: EndpointDefinition) -> Endpoint[Any, Any]:
    """The endpoint object of ``definition``, of the class its kind calls for."""
    if definition.is_mutation:
        return MutationEndpoint(api, name, definition)
    if definition.is_infinite:
        return InfiniteQueryEndpoint(api, name, definition)
    return QueryEndpoint(api, name, definition)
