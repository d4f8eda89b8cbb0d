"""The hook semantics: a query entry and the last result shown give the next result.

RTK Query's ``useQuery`` derives its flags from the entry of the current arg *and* the
result it rendered last, so that data stays on screen while a new arg loads and
``is_loading`` only describes a first load. These functions do that derivation.
"""

from __future__ import annotations

from typing import Any

from .._query._types import InfiniteQueryState, MutationState, QueryState, QueryStatus
from ._results import InfiniteQueryResult, MutationResult, QueryResult

__all__ = ["derive_mutation_result", "derive_query_result", "skipped_result"]

_UNINITIALIZED = QueryStatus.UNINITIALIZED
_PENDING = QueryStatus.PENDING
_FULFILLED = QueryStatus.FULFILLED
_REJECTED = QueryStatus.REJECTED


def skipped_result(arg: Any, endpoint_name: str, infinite: bool) -> QueryResult[Any]:
    """The result of a skipped observer: uninitialized, no data."""
    kind = InfiniteQueryResult if infinite else QueryResult
    return kind(arg=arg, endpoint_name=endpoint_name)


def derive_query_result(
    state: QueryState, arg: Any, last: QueryResult[Any] | None, infinite: bool
) -> QueryResult[Any]:
    """The result to show for ``state`` (the current arg's entry) after ``last``.

    ``last`` is the previous result of the same observer (``None`` at first).
    """
    status = state.status
    if (
        last is not None
        and status is _UNINITIALIZED
        and last.query_cache_key == state.query_cache_key
    ):
        # The entry of this very arg was removed (reset, collection): do not keep
        # showing the data it had.
        last = None
    current = state.data
    data = current if current is not None or last is None else last.data
    has_data = data is not None
    is_fetching = status is _PENDING
    is_loading = (
        (last is None or last.is_loading or last.is_uninitialized) and not has_data and is_fetching
    )
    is_success = status is _FULFILLED or (
        has_data
        and ((is_fetching and not (last is not None and last.is_error)) or status is _UNINITIALIZED)
    )
    # Positional, in field order: this runs on every change an observer sees.
    fields = (
        status,
        data,
        current,
        state.error,
        arg,
        state.endpoint_name,
        state.original_args,
        state.request_id,
        state.started_at,
        state.fulfilled_at,
        state.query_cache_key,
        status is _UNINITIALIZED,
        is_loading,
        is_fetching,
        is_success,
        status is _REJECTED,
    )
    if not infinite:
        return QueryResult(*fields)
    if not isinstance(state, InfiniteQueryState):
        return InfiniteQueryResult(*fields)
    return InfiniteQueryResult(
        *fields,
        has_next_page=state.has_next_page,
        has_previous_page=state.has_previous_page,
        is_fetching_next_page=state.is_fetching_next_page,
        is_fetching_previous_page=state.is_fetching_previous_page,
        is_fetch_next_page_error=state.is_fetch_next_page_error,
        is_fetch_previous_page_error=state.is_fetch_previous_page_error,
    )


def derive_mutation_result(state: MutationState | None) -> MutationResult[Any]:
    """The result for a mutation entry (``None``: uninitialized)."""
    if state is None:
        return _EMPTY_MUTATION
    status = state.status
    return MutationResult(
        status=status,
        data=state.data,
        error=state.error,
        endpoint_name=state.endpoint_name,
        original_args=state.original_args,
        request_id=state.request_id,
        started_at=state.started_at,
        fulfilled_at=state.fulfilled_at,
        is_paused=state.is_paused,
        fixed_cache_key=state.fixed_cache_key,
        is_uninitialized=status is _UNINITIALIZED,
        is_loading=status is _PENDING,
        is_success=status is _FULFILLED,
        is_error=status is _REJECTED,
    )


_EMPTY_MUTATION: MutationResult[Any] = MutationResult()
