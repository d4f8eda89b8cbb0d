"""``endpoint.lazy_observe(store)``: RTK's ``useLazyQuery``, nothing runs until triggered."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, TypeVar

from .._query._types import SkipToken, skip_token
from ._follower import QueryFollower
from ._options import LAZY_OPTIONS, ObserveOptions, options_from

if TYPE_CHECKING:
    from .._query._endpoints import Endpoint
    from .._query._handles import QueryHandle

__all__ = ["LazyQueryObserver"]

R = TypeVar("R")


class LazyQueryObserver(QueryFollower[R], Generic[R]):
    """A query observer that subscribes only when :meth:`trigger` is called.

    After a trigger it holds one subscription, to the last triggered arg
    (``last_arg``), and its ``result`` follows that arg like a
    :class:`~rtkq.QueryObserver`'s.
    """

    def __init__(self, endpoint: Endpoint, store: Any, options: ObserveOptions) -> None:
        super().__init__("lazy_observe()", endpoint, store, options.select_from_result)
        self._options = options
        self._last_arg: Any = None
        self._switch(skip_token, None, lambda: None)

    @property
    def last_arg(self) -> Any:
        """The arg of the last trigger (``None`` before the first)."""
        return self._last_arg

    def trigger(self, arg: Any, prefer_cache_value: bool = False) -> QueryHandle:
        """Fetch ``arg`` and follow it; the previous trigger's subscription is dropped.

        A cached entry is served without a request only with
        ``prefer_cache_value=True``; otherwise it is refetched.

        Raises:
            RuntimeError: the observer is closed.
            TypeError: ``arg`` is ``skip_token`` or cannot be serialized.
        """
        self._check_open("trigger")
        if isinstance(arg, SkipToken):
            raise TypeError(
                f"trigger() of {self._endpoint.name!r} got skip_token: there is nothing to "
                "fetch. Call trigger(arg) with an arg, or reset()."
            )
        key = self._endpoint.cache_key(arg)
        options = self._options

        def subscribe() -> QueryHandle:
            handle: QueryHandle = self._store.dispatch(
                self._endpoint._initiate(
                    arg,
                    subscribe=True,
                    force_refetch=not prefer_cache_value,
                    subscription_options=options.subscription_options(),
                )
            )
            return handle

        handle = self._switch(arg, key, subscribe)
        self._last_arg = arg
        assert handle is not None
        return handle

    def set_options(self, **options: Any) -> None:
        """Change options; takes the keywords of ``lazy_observe``.

        Raises:
            TypeError: an unknown keyword (the message lists the known ones) or a value
                of the wrong type.
            RuntimeError: the observer is closed.
        """
        self._check_open("set_options")
        old = self._options
        new = options_from("set_options()", old, options, LAZY_OPTIONS)
        self._options = new
        self._select = new.select_from_result
        subscription = new.subscription_options()
        if self._handle is not None and subscription != old.subscription_options():
            self._handle.update_subscription_options(subscription)
        if new.select_from_result is not old.select_from_result:
            self._refresh()

    def refetch(self) -> QueryHandle:
        """Refetch the last triggered arg.

        Raises:
            RuntimeError: the observer is closed or was never triggered.
        """
        self._check_open("refetch")
        if self._handle is None:
            raise RuntimeError(
                f"refetch() on a lazy observer of {self._endpoint.name!r} that has not been "
                "triggered: call trigger(arg) first."
            )
        return self._handle.refetch()

    def reset(self) -> None:
        """Drop the subscription and return to the untriggered, uninitialized result.

        Raises:
            RuntimeError: the observer is closed.
        """
        self._check_open("reset")
        self._last_arg = None
        self._switch(skip_token, None, lambda: None)
