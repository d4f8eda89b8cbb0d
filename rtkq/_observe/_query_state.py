"""``endpoint.query_state(store, arg)``: RTK's ``useQueryState``, read-only."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from ._follower import QueryFollower

if TYPE_CHECKING:
    from .._query._endpoints import Endpoint

__all__ = ["QueryStateObserver"]

R = TypeVar("R")


class QueryStateObserver(QueryFollower[R], Generic[R]):
    """Follows the entry of an arg without subscribing or fetching.

    Same ``result``, ``subscribe`` and ``changes`` as a :class:`~rtkq.QueryObserver`;
    the entry is kept only as long as something else subscribes to it.
    """

    def __init__(
        self,
        endpoint: Endpoint,
        store: Any,
        arg: Any,
        select_from_result: Callable[[Any], Any] | None,
    ) -> None:
        super().__init__("query_state()", endpoint, store, select_from_result)
        try:
            self._switch(arg, self._key_of(arg), lambda: None)
        except BaseException:
            self.close()
            raise

    def set_arg(self, arg: Any) -> None:
        """Follow the entry of ``arg`` instead (``skip_token``: none).

        Raises:
            RuntimeError: the observer is closed.
            TypeError: the arg cannot be serialized into a cache key.
        """
        self._check_open("set_arg")
        key = self._key_of(arg)
        if key is None or key != self._hub_key:
            self._switch(arg, key, lambda: None)
