"""``observe`` on an infinite query endpoint: a query observer that pages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Generic, TypeVar

from ._query_observer import QueryObserver

if TYPE_CHECKING:
    from .._query._handles import QueryHandle
    from ._results import InfiniteQueryResult

__all__ = ["InfiniteQueryObserver"]

R = TypeVar("R")


class InfiniteQueryObserver(QueryObserver[R], Generic[R]):
    """A :class:`QueryObserver` of an infinite query endpoint.

    Its result is an :class:`~rtkq.InfiniteQueryResult` (``data`` is
    ``{"pages", "page_params"}`` plus the six paging flags).
    """

    @property
    def result(self) -> InfiniteQueryResult[R]:
        return super().result  # type: ignore[return-value]

    def fetch_next_page(self) -> QueryHandle:
        """Fetch the page after the cached ones (no request when there is none).

        Raises:
            RuntimeError: the observer is closed or skipped.
        """
        self._check_open("fetch_next_page")
        return self._active_handle("fetch_next_page").fetch_next_page()

    def fetch_previous_page(self) -> QueryHandle:
        """Fetch the page before the cached ones (no request when there is none).

        Raises:
            RuntimeError: the observer is closed or skipped.
        """
        self._check_open("fetch_previous_page")
        return self._active_handle("fetch_previous_page").fetch_previous_page()
