"""What observers show: :class:`QueryResult`, :class:`InfiniteQueryResult`, :class:`MutationResult`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from .._query._types import QueryStatus

__all__ = ["InfiniteQueryResult", "MutationResult", "QueryResult"]

R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class QueryResult(Generic[R]):
    """A query observer's result: its entry's fields with the hook semantics of RTK's ``useQuery``.

    Every :class:`~rtkq.QueryState` field, plus ``arg`` (the observer's arg) and
    ``current_data`` (the data of that arg's entry only). ``data`` is the current
    arg's data when it has some, else the last data the observer showed for an
    earlier arg (kept while the new arg loads). ``is_loading`` is true only while
    fetching with no data to show (the first load); ``is_fetching`` while a request
    for the current arg runs; ``is_success`` while there is data and no error for
    the current arg (a refetch over good data stays a success). Results compare with
    ``==`` field by field.
    """

    status: QueryStatus = QueryStatus.UNINITIALIZED
    data: R | None = None
    current_data: R | None = None
    error: Any = None
    arg: Any = None
    endpoint_name: str | None = None
    original_args: Any = None
    request_id: str | None = None
    started_at: float | None = None
    fulfilled_at: float | None = None
    query_cache_key: str | None = None
    is_uninitialized: bool = True
    is_loading: bool = False
    is_fetching: bool = False
    is_success: bool = False
    is_error: bool = False


@dataclass(frozen=True, slots=True)
class InfiniteQueryResult(QueryResult[R]):
    """A :class:`QueryResult` of an infinite query, with the six paging flags.

    ``data`` is ``{"pages": [...], "page_params": [...]}``; the flags describe the
    current arg's entry.
    """

    has_next_page: bool = False
    has_previous_page: bool = False
    is_fetching_next_page: bool = False
    is_fetching_previous_page: bool = False
    is_fetch_next_page_error: bool = False
    is_fetch_previous_page_error: bool = False


@dataclass(frozen=True, slots=True)
class MutationResult(Generic[R]):
    """A mutation observer's result: the state of its last trigger (or its fixed cache key)."""

    status: QueryStatus = QueryStatus.UNINITIALIZED
    data: R | None = None
    error: Any = None
    endpoint_name: str | None = None
    original_args: Any = None
    request_id: str | None = None
    started_at: float | None = None
    fulfilled_at: float | None = None
    is_paused: bool = False
    fixed_cache_key: str | None = None
    is_uninitialized: bool = True
    is_loading: bool = False
    is_success: bool = False
    is_error: bool = False
