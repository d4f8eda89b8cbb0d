"""Base queries: ``fetch_base_query`` on httpx and the ``retry`` wrapper."""

from __future__ import annotations

from ._fetch_base_query import FetchBaseQuery, PrepareHeaders, PrepareHeadersApi, fetch_base_query
from ._request_args import ResponseHandler, ValidateStatus
from ._retry import (
    Backoff,
    RetryCondition,
    RetryFailError,
    RetryingBaseQuery,
    default_backoff,
    retry,
)
from ._types import AbortSignal, BaseQuery, BaseQueryApi, BaseQueryResult

__all__ = [
    "AbortSignal",
    "Backoff",
    "BaseQuery",
    "BaseQueryApi",
    "BaseQueryResult",
    "FetchBaseQuery",
    "PrepareHeaders",
    "PrepareHeadersApi",
    "ResponseHandler",
    "RetryCondition",
    "RetryFailError",
    "RetryingBaseQuery",
    "ValidateStatus",
    "default_backoff",
    "fetch_base_query",
    "retry",
]
