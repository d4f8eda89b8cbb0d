"""``retry``: wrap a base query so failed requests are sent again after a backoff."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, NoReturn, TypeAlias

from ._types import BaseQuery, BaseQueryApi, maybe_await

__all__ = [
    "Backoff",
    "RetryCondition",
    "RetryFailError",
    "RetryingBaseQuery",
    "default_backoff",
    "retry",
]

Backoff: TypeAlias = Callable[[int, int], Awaitable[None] | None]
"""``(attempt, max_retries)``: wait before retry number ``attempt`` (1 for the first)."""

RetryCondition: TypeAlias = Callable[[Any, Any, Mapping[str, Any]], bool]
"""``(error, args, ctx) -> bool`` with ``ctx = {"attempt", "base_query_api",
"extra_options"}``: whether to send the request again."""

_ABORTED: Mapping[str, Any] = {"status": "CUSTOM_ERROR", "error": "Aborted"}
_OPTION_KEYS = ("max_retries", "backoff", "retry_condition")


class RetryFailError(Exception):
    """Raised by ``retry.fail(error, meta)`` to settle a request with ``error`` at once.

    ``retry`` catches it and returns ``{"error": error, "meta": meta}`` without another
    attempt. Raised outside ``retry`` (from a plain base query or ``query_fn``), the API
    slice settles the request with ``error`` the same way.

    Attributes:
        error: the error payload to settle with.
        meta: the ``meta`` to settle with, or ``None``.
    """

    def __init__(self, error: Any, meta: Any = None) -> None:
        super().__init__(f"retry.fail() was called with error {error!r}")
        self.error = error
        self.meta = meta


def default_backoff_delay(attempt: int, max_retries: int, jitter: float) -> float:
    """Seconds to wait before retry ``attempt``: ``(jitter + 0.4) * 0.3 * 2**attempt``.

    ``attempt`` is capped at ``max_retries``; with ``jitter`` in ``[0, 1)`` the waits are
    0.24-0.84 s before the first retry, then doubling (RTK Query's default).
    """
    return (jitter + 0.4) * 0.3 * (1 << max(0, min(attempt, max_retries)))


async def default_backoff(attempt: int, max_retries: int) -> None:
    """Sleep on the loop clock for :func:`default_backoff_delay` with random jitter."""
    await asyncio.sleep(default_backoff_delay(attempt, max_retries, random.random()))


class RetryingBaseQuery:
    """The base query ``retry(...)`` returns; ``.base_query`` is the wrapped one."""

    def __init__(
        self,
        base_query: BaseQuery,
        *,
        max_retries: int,
        backoff: Backoff | None,
        retry_condition: RetryCondition | None,
    ) -> None:
        _check_options(
            {"max_retries": max_retries, "backoff": backoff, "retry_condition": retry_condition}
        )
        self.base_query = base_query
        self._max_retries = max_retries
        self._backoff: Backoff = backoff or default_backoff
        self._retry_condition = retry_condition

    async def aclose(self) -> None:
        """Close the wrapped base query when it can be closed (``fetch_base_query``)."""
        close = getattr(self.base_query, "aclose", None)
        if close is not None:
            await close()

    async def __call__(
        self, args: Any, api: BaseQueryApi | None = None, extra_options: Any = None
    ) -> Mapping[str, Any]:
        """Call the wrapped base query until it succeeds or the retries run out.

        Raises:
            Exception: whatever the wrapped base query raised on its last attempt.
        """
        options = _endpoint_options(extra_options)
        max_retries: int = options.get("max_retries", self._max_retries)
        backoff: Backoff = options.get("backoff") or self._backoff
        retry_condition: RetryCondition | None = (
            options.get("retry_condition") or self._retry_condition
        )
        if retry_condition is None:

            def retry_condition(_error: Any, _args: Any, ctx: Mapping[str, Any]) -> bool:
                return bool(ctx["attempt"] <= max_retries)

        signal = getattr(api, "signal", None)
        attempt = 0
        while True:
            if signal is not None and signal.aborted:
                return {"error": dict(_ABORTED), "meta": None}
            try:
                result: Mapping[str, Any] = await maybe_await(
                    self.base_query(args, api, extra_options)  # type: ignore[arg-type]
                )
            except RetryFailError as fail:
                return {"error": fail.error, "meta": fail.meta}
            except Exception:
                # Exceptions are retried up to max_retries, then raised to the caller.
                attempt += 1
                if attempt > max_retries:
                    raise
            else:
                if not isinstance(result, Mapping) or result.get("error") is None:
                    return result
                attempt += 1
                ctx = {
                    "attempt": attempt,
                    "base_query_api": api,
                    "extra_options": extra_options,
                }
                if not retry_condition(result["error"], args, ctx):
                    return result
            if signal is not None and signal.aborted:
                return {"error": dict(_ABORTED), "meta": None}
            await maybe_await(backoff(attempt, max_retries))


def _endpoint_options(extra_options: Any) -> dict[str, Any]:
    if not isinstance(extra_options, Mapping):
        return {}
    options = {key: extra_options[key] for key in _OPTION_KEYS if key in extra_options}
    _check_options(options)
    return options


def _check_options(options: Mapping[str, Any]) -> None:
    max_retries = options.get("max_retries", 0)
    if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
        raise ValueError(
            f"Expected max_retries to be an int >= 0, got {max_retries!r}. Pass e.g. max_retries=3."
        )
    for name in ("backoff", "retry_condition"):
        value = options.get(name)
        if value is not None and not callable(value):
            raise TypeError(f"Expected {name} to be callable, got {type(value).__name__!r}.")


def _retry(
    base_query: BaseQuery,
    max_retries: int = 5,
    backoff: Backoff | None = None,
    retry_condition: RetryCondition | None = None,
) -> RetryingBaseQuery:
    """Wrap ``base_query`` so failed requests are sent again (RTK Query's ``retry``).

    An attempt fails when the base query returns ``{"error": ...}`` or raises. After a
    failure ``retry_condition(error, args, ctx)`` decides whether to try again (``ctx``
    is ``{"attempt": n, "base_query_api": api, "extra_options": ...}``, ``n`` counting
    failures from 1); by default every error is retried while ``n <= max_retries``, so a
    request is sent at most ``max_retries + 1`` times (a ``retry_condition`` replaces
    that limit for returned errors, as in RTK). Raised exceptions are retried up
    to ``max_retries`` times and then raised again. Before retry ``n`` it awaits
    ``backoff(n, max_retries)`` (may be async; default :func:`default_backoff`, random
    jitter doubling from about 0.3-0.8 s, on the loop clock).

    An endpoint's ``extra_options`` may override ``max_retries``, ``backoff`` and
    ``retry_condition``; they are also passed on to ``base_query`` unchanged.
    ``retry.fail(error, meta=None)`` raised inside the base query settles the request
    with that error at once. When the request is aborted (``api.signal.aborted``) before
    an attempt or a backoff, it settles with ``{"status": "CUSTOM_ERROR", "error":
    "Aborted"}``; a cancelled task stops at once (``CancelledError`` propagates).

    The result has ``aclose()``, which closes the wrapped base query when it has one.

    Raises:
        ValueError: ``max_retries`` is not an int >= 0 (also when set in
            ``extra_options``, raised from the call).
        TypeError: ``backoff`` or ``retry_condition`` is not callable.
    """
    if not callable(base_query):
        raise TypeError(
            f"Expected base_query to be a callable (args, api, extra_options), got "
            f"{type(base_query).__name__!r}. Pass e.g. fetch_base_query(...)."
        )
    return RetryingBaseQuery(
        base_query, max_retries=max_retries, backoff=backoff, retry_condition=retry_condition
    )


def fail(error: Any, meta: Any = None) -> NoReturn:
    """Stop retrying: settle the request with ``error`` (and ``meta``) at once.

    Raises:
        RetryFailError: always; ``retry`` turns it into ``{"error": error, "meta": meta}``.
    """
    raise RetryFailError(error, meta)


class _RetryFunction:
    """``retry(base_query, ...)`` with ``retry.fail`` attached, as in RTK Query."""

    fail = staticmethod(fail)
    __call__ = staticmethod(_retry)
    __doc__ = _retry.__doc__

    def __repr__(self) -> str:
        return "<function rtkq.retry>"


retry = _RetryFunction()
