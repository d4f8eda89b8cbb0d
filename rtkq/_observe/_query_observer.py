"""``endpoint.observe(store, arg, ...)``: RTK's ``useQuery`` / TanStack's ``QueryObserver``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, TypeVar

from .._query._types import SkipToken
from ._follower import QueryFollower
from ._options import QUERY_OPTIONS, ObserveOptions, options_from

if TYPE_CHECKING:
    from .._query._endpoints import Endpoint
    from .._query._handles import QueryHandle

__all__ = ["QueryObserver"]

R = TypeVar("R")


class QueryObserver(QueryFollower[R], Generic[R]):
    """Subscribes to one arg of a query endpoint at a time and derives its result.

    Made by ``api.endpoints.<name>.observe(store, arg, **options)``. ``result`` is a
    :class:`~rtkq.QueryResult` (or what ``select_from_result`` returns);
    ``subscribe(callback)`` and ``changes()`` report each change. ``set_arg`` follows
    a new arg (data stays on screen while it loads), ``set_options`` changes options
    (polling starts or stops at once), ``refetch`` refetches the current arg.
    ``close()`` (or leaving a ``with`` / ``async with`` block) unsubscribes.
    """

    def __init__(self, endpoint: Endpoint, store: Any, arg: Any, options: ObserveOptions) -> None:
        super().__init__("observe()", endpoint, store, options.select_from_result)
        self._options = options
        try:
            self._follow(arg)
        except BaseException:
            self.close()
            raise

    @property
    def options(self) -> ObserveOptions:
        """The current options."""
        return self._options

    def _key_of(self, arg: Any) -> str | None:
        if self._options.skip:
            return None
        return super()._key_of(arg)

    def _follow(self, arg: Any) -> None:
        key = self._key_of(arg)
        if key is not None and key == self._hub_key:
            return  # equal by cache key: the same entry, nothing to do
        options = self._options

        def subscribe() -> QueryHandle:
            force = options.refetch_on_mount_or_arg_change
            handle: QueryHandle = self._store.dispatch(
                self._endpoint._initiate(
                    arg,
                    subscribe=True,
                    force_refetch=False if force is None else force,
                    subscription_options=options.subscription_options(),
                )
            )
            return handle

        self._switch(arg, key, subscribe)

    def set_arg(self, arg: Any) -> None:
        """Follow ``arg``: subscribe it (fetching it unless cached), then drop the old one.

        An arg equal to the current one by cache key changes nothing; ``skip_token``
        skips.

        Raises:
            RuntimeError: the observer is closed.
            TypeError: the arg cannot be serialized into a cache key.
        """
        self._check_open("set_arg")
        self._follow(arg)

    def set_options(self, **options: Any) -> None:
        """Change options; takes the keywords of ``observe`` (``skip`` included).

        Subscription options (polling, focus, reconnect) apply at once; ``skip``
        subscribes or unsubscribes; ``select_from_result`` re-selects the result.

        Raises:
            TypeError: an unknown keyword (the message lists the known ones) or a value
                of the wrong type.
            ValueError: a negative ``polling_interval``.
            RuntimeError: the observer is closed.
        """
        self._check_open("set_options")
        old = self._options
        new = options_from("set_options()", old, options, QUERY_OPTIONS)
        self._options = new
        self._select = new.select_from_result
        if new.skip != old.skip:
            self._follow(self._arg)
        elif self._handle is not None:
            subscription = new.subscription_options()
            if subscription != old.subscription_options():
                self._handle.update_subscription_options(subscription)
        if new.select_from_result is not old.select_from_result:
            self._refresh()

    def refetch(self) -> QueryHandle:
        """Refetch the current arg now; returns the request's handle.

        Raises:
            RuntimeError: the observer is closed or skipped.
        """
        self._check_open("refetch")
        return self._active_handle("refetch").refetch()

    def _active_handle(self, method: str) -> QueryHandle:
        handle = self._handle
        if handle is None:
            what = "skip_token" if isinstance(self._arg, SkipToken) else "skip=True"
            raise RuntimeError(
                f"{method}() on an observer of {self._endpoint.name!r} that is skipped "
                f"({what}): there is no arg to fetch. Call set_arg(arg) or "
                "set_options(skip=False) first."
            )
        return handle
