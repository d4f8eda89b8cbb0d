"""Observers: what application code holds (RTK's hooks, TanStack's observers).

``api.endpoints.<name>.observe / lazy_observe / mutation_observer / query_state`` call
the factories below, which this module registers with ``rtkq._query._layers`` when it is
imported (so the api layer never imports this one).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .._query._layers import register_observer_factories
from ._base import ObserverBase
from ._infinite_observer import InfiniteQueryObserver
from ._lazy_observer import LazyQueryObserver
from ._mutation_observer import MutationObserver
from ._options import LAZY_OPTIONS, QUERY_OPTIONS, ObserveOptions, check_keywords, options_from
from ._query_observer import QueryObserver
from ._query_state import QueryStateObserver
from ._results import InfiniteQueryResult, MutationResult, QueryResult

if TYPE_CHECKING:
    from .._query._endpoints import Endpoint

__all__ = [
    "InfiniteQueryObserver",
    "InfiniteQueryResult",
    "LazyQueryObserver",
    "MutationObserver",
    "MutationResult",
    "ObserverBase",
    "QueryObserver",
    "QueryResult",
    "QueryStateObserver",
    "lazy_observe",
    "mutation_observer",
    "observe",
    "query_state",
]


def _need_query(endpoint: Endpoint, method: str) -> None:
    if endpoint.definition.is_mutation:
        raise TypeError(
            f"{method}() is for query endpoints; {endpoint.name!r} is a mutation. Use "
            f"api.endpoints.{endpoint.name}.mutation_observer(store)."
        )


def observe(
    endpoint: Endpoint, store: Any, arg: Any, options: dict[str, Any]
) -> QueryObserver[Any]:
    _need_query(endpoint, "observe")
    checked = options_from("observe()", ObserveOptions(), options, QUERY_OPTIONS)
    kind = InfiniteQueryObserver if endpoint.definition.is_infinite else QueryObserver
    return kind(endpoint, store, arg, checked)


def lazy_observe(endpoint: Endpoint, store: Any, options: dict[str, Any]) -> LazyQueryObserver[Any]:
    _need_query(endpoint, "lazy_observe")
    checked = options_from("lazy_observe()", ObserveOptions(), options, LAZY_OPTIONS)
    return LazyQueryObserver(endpoint, store, checked)


def query_state(
    endpoint: Endpoint, store: Any, arg: Any, options: dict[str, Any]
) -> QueryStateObserver[Any]:
    _need_query(endpoint, "query_state")
    checked = options_from("query_state()", ObserveOptions(), options, ("select_from_result",))
    return QueryStateObserver(endpoint, store, arg, checked.select_from_result)


def mutation_observer(
    endpoint: Endpoint, store: Any, options: dict[str, Any]
) -> MutationObserver[Any]:
    if not endpoint.definition.is_mutation:
        raise TypeError(
            f"mutation_observer() is for mutation endpoints; {endpoint.name!r} is a query. "
            f"Use api.endpoints.{endpoint.name}.observe(store, arg)."
        )
    check_keywords("mutation_observer()", options, ("fixed_cache_key", "select_from_result"))
    fixed = options.get("fixed_cache_key")
    if fixed is not None and not isinstance(fixed, str):
        raise TypeError(
            f"mutation_observer(): fixed_cache_key must be a str or None, got {fixed!r}."
        )
    select: Callable[[Any], Any] | None = options.get("select_from_result")
    if select is not None and not callable(select):
        raise TypeError(
            "mutation_observer(): select_from_result must be a function result -> value "
            f"or None, got {type(select).__name__!r} ({select!r})."
        )
    return MutationObserver(endpoint, store, fixed, select)


register_observer_factories(
    observe=observe,
    lazy_observe=lazy_observe,
    query_state=query_state,
    mutation_observer=mutation_observer,
)
