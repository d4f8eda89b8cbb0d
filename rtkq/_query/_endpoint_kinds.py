"""The typed faces of an endpoint: ``QueryEndpoint``, ``InfiniteQueryEndpoint``, ``MutationEndpoint``.

``QueryEndpoint[A, R]`` takes an arg ``A`` and caches an ``R``. The decorators
(``@api.query``, ...) infer ``A`` from the decorated function and ``R`` from
``response_schema`` or ``result_type``; endpoints of the dict builder are
``QueryEndpoint[Any, Any]`` and friends. Each method here only gives the machinery of
:class:`Endpoint` its types.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, Literal, cast

from typing_extensions import TypedDict, TypeVar, Unpack

from ._endpoints import Endpoint, Thunk
from ._handles import InfiniteQueryHandle, MutationHandle, QueryHandle
from ._infinite import MISSING
from ._types import InfiniteData, InfiniteQueryState, MutationState, QueryState, SkipToken

if TYPE_CHECKING:
    from .._observe import (
        InfiniteQueryObserver,
        LazyQueryObserver,
        MutationObserver,
        QueryObserver,
        QueryStateObserver,
    )
    from .._store._create_store import Store
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


class LazyObserveOptions(TypedDict, total=False):
    """The keywords of ``lazy_observe`` (and of a lazy observer's ``set_options``)."""

    select_from_result: Callable[[Any], Any] | None
    polling_interval: float
    skip_polling_if_unfocused: bool
    refetch_on_focus: bool | None
    refetch_on_reconnect: bool | None


class SelectOption(TypedDict, total=False):
    """The keyword of ``query_state``."""

    select_from_result: Callable[[Any], Any] | None


class MutationObserverOptions(SelectOption, total=False):
    """The keywords of ``mutation_observer``."""

    fixed_cache_key: str | None


class ObserveOptions(LazyObserveOptions, total=False):
    """The keywords of ``observe`` (and of ``QueryObserver.set_options``)."""

    skip: bool
    refetch_on_mount_or_arg_change: bool | float | None


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

    # The observer factories live on Endpoint (untyped, shared with the dict builder);
    # these give them the endpoint's types.
    def observe(  # type: ignore[override]
        self, store: Store, arg: A | SkipToken, **options: Unpack[ObserveOptions]
    ) -> QueryObserver[R]:
        """An observer of ``arg`` in ``store`` (RTK's ``useQuery``): ``.result`` is a
        ``QueryResult[R]``. See :class:`~rtkq.QueryObserver`."""
        return super().observe(store, arg, **options)

    def lazy_observe(  # type: ignore[override]
        self, store: Store, **options: Unpack[LazyObserveOptions]
    ) -> LazyQueryObserver[R]:
        """An observer that fetches on ``trigger(arg)`` (RTK's ``useLazyQuery``)."""
        return super().lazy_observe(store, **options)

    def query_state(  # type: ignore[override]
        self, store: Store, arg: A | SkipToken, **options: Unpack[SelectOption]
    ) -> QueryStateObserver[R]:
        """A read-only observer of ``arg``'s entry: no subscription, no fetch."""
        return super().query_state(store, arg, **options)


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

    def observe(  # type: ignore[override]
        self, store: Store, arg: A | SkipToken, **options: Unpack[ObserveOptions]
    ) -> InfiniteQueryObserver[InfiniteData[R]]:
        """An observer of ``arg``'s pages: ``.result`` is an ``InfiniteQueryResult``,
        and it has ``fetch_next_page()`` / ``fetch_previous_page()``."""
        observer = Endpoint.observe(self, store, arg, **options)  # an InfiniteQueryObserver
        return cast("InfiniteQueryObserver[InfiniteData[R]]", observer)


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

    def mutation_observer(  # type: ignore[override]
        self, store: Store, **options: Unpack[MutationObserverOptions]
    ) -> MutationObserver[R]:
        """An observer of this mutation's last trigger (RTK's ``useMutation``):
        ``.result`` is a ``MutationResult[R]``; ``fixed_cache_key`` shares it."""
        return super().mutation_observer(store, **options)


def make_endpoint(api: Api, name: str, definition: EndpointDefinition) -> Endpoint[Any, Any]:
    """The endpoint object of ``definition``, of the class its kind calls for."""
    if definition.is_mutation:
        return MutationEndpoint(api, name, definition)
    if definition.is_infinite:
        return InfiniteQueryEndpoint(api, name, definition)
    return QueryEndpoint(api, name, definition)
