"""Value types of the API slice: statuses, cache states, tags and the skip token."""

from __future__ import annotations

import enum
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, NamedTuple, NewType

from typing_extensions import ReadOnly, TypedDict, TypeVar

__all__ = [
    "InfiniteData",
    "InfiniteQueryState",
    "MutationState",
    "QueryCacheKey",
    "QueryState",
    "QueryStatus",
    "SkipToken",
    "Tag",
    "skip_token",
]

QueryCacheKey = NewType("QueryCacheKey", str)

R_co = TypeVar("R_co", covariant=True, default=Any)
"""The result type of an endpoint (``Any`` for endpoints of the dict builder)."""


class QueryStatus(str, enum.Enum):
    """Where a cache entry or mutation is in its life."""

    UNINITIALIZED = "uninitialized"
    PENDING = "pending"
    FULFILLED = "fulfilled"
    REJECTED = "rejected"

    def __str__(self) -> str:
        return self.value


class Tag(NamedTuple):
    """A cache tag: a type from the api's ``tag_types`` and an optional id.

    ``Tag("Post")`` (no id) matches every id of its type on invalidation. Ids are any
    hashable value; ``0`` and ``""`` are ordinary ids.
    """

    type: str
    id: Hashable = None


class SkipToken:
    """The type of :data:`skip_token`: select or initiate nothing for this arg."""

    _instance: SkipToken | None = None

    def __new__(cls) -> SkipToken:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "skip_token"

    def __reduce__(self) -> str:
        return "skip_token"


skip_token = SkipToken()
"""Pass as the arg of ``select`` (or ``initiate``) to mean "no query"."""


class _StatusFlags:
    """The status properties every request state shares."""

    __slots__ = ()
    status: QueryStatus

    @property
    def is_uninitialized(self) -> bool:
        return self.status is QueryStatus.UNINITIALIZED

    @property
    def is_success(self) -> bool:
        return self.status is QueryStatus.FULFILLED

    @property
    def is_error(self) -> bool:
        return self.status is QueryStatus.REJECTED


@dataclass(frozen=True, slots=True)
class QueryState(_StatusFlags, Generic[R_co]):
    """The cache entry of one query, as selectors return it.

    ``started_at`` and ``fulfilled_at`` are seconds since the epoch, advanced by the
    event loop's clock (so fast-forwarded loop time ages entries too). A refetch keeps
    the previous ``data`` while pending; a failed refetch keeps the last good ``data``
    and sets ``error``.
    """

    status: QueryStatus = QueryStatus.UNINITIALIZED
    data: R_co | None = None
    error: Any = None
    endpoint_name: str | None = None
    original_args: Any = None
    request_id: str | None = None
    started_at: float | None = None
    fulfilled_at: float | None = None
    query_cache_key: str | None = None

    @property
    def is_loading(self) -> bool:
        """Pending with no data yet (the first load)."""
        return self.status is QueryStatus.PENDING and self.data is None

    @property
    def is_fetching(self) -> bool:
        """A request is running for this entry (first load or refetch)."""
        return self.status is QueryStatus.PENDING


class InfiniteData(TypedDict, Generic[R_co]):
    """The data of an infinite query entry: its pages (each an ``R``) and their params.

    At run time it is a frozen map (``PMap``) of frozen sequences: read it, do not
    assign to it (edit cached pages with ``api.util.update_query_data``).
    """

    pages: ReadOnly[Sequence[R_co]]
    page_params: ReadOnly[Sequence[Any]]


@dataclass(frozen=True, slots=True)
class InfiniteQueryState(QueryState[InfiniteData[R_co]]):
    """A :class:`QueryState` of an infinite query: ``data`` is ``{"pages", "page_params"}``.

    ``InfiniteQueryState[R]`` is the state of an endpoint whose pages are ``R``.
    """

    has_next_page: bool = False
    has_previous_page: bool = False
    direction: str | None = None
    fetch_error_direction: str | None = None

    @property
    def is_fetching_next_page(self) -> bool:
        return self.status is QueryStatus.PENDING and self.direction == "forward"

    @property
    def is_fetching_previous_page(self) -> bool:
        return self.status is QueryStatus.PENDING and self.direction == "backward"

    @property
    def is_fetch_next_page_error(self) -> bool:
        return self.status is QueryStatus.REJECTED and self.fetch_error_direction == "forward"

    @property
    def is_fetch_previous_page_error(self) -> bool:
        return self.status is QueryStatus.REJECTED and self.fetch_error_direction == "backward"


@dataclass(frozen=True, slots=True)
class MutationState(_StatusFlags, Generic[R_co]):
    """The tracked state of one mutation request (or of a ``fixed_cache_key``)."""

    status: QueryStatus = QueryStatus.UNINITIALIZED
    data: R_co | None = None
    error: Any = None
    endpoint_name: str | None = None
    original_args: Any = None
    request_id: str | None = None
    started_at: float | None = None
    fulfilled_at: float | None = None
    is_paused: bool = False
    scope: str | None = None
    fixed_cache_key: str | None = None

    @property
    def is_loading(self) -> bool:
        return self.status is QueryStatus.PENDING
