"""``observe`` on an infinite query endpoint: a query observer that pages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from ._query_observer import QueryObserver

if TYPE_CHECKING:
    from .._query._handles import InfiniteQueryHandle
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

    def _pages(self, method: str) -> InfiniteQueryHandle[Any]:
        self._check_open(method)
        return cast("InfiniteQueryHandle[Any]", self._active_handle(method))

    def fetch_next_page(self) -> InfiniteQueryHandle[Any]:
        """Fetch the page after the cached ones (no request when there is none).

        Raises:
            RuntimeError: the observer is closed or skipped.
        """
        return self._pages("fetch_next_page").fetch_next_page()

    def fetch_previous_page(self) -> InfiniteQueryHandle[Any]:
        """Fetch the page before the cached ones (no request when there is none).

        Raises:
            RuntimeError: the observer is closed or skipped.
        """
        return self._pages("fetch_previous_page").fetch_previous_page()
