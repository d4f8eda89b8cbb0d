"""One request through an endpoint's schemas: the validated twin of ``fetch_transformed``.

The order is RTK Query's: ``arg_schema`` (its output is what ``query``/``query_fn``
and the transforms receive; a failure sends no request), then the base query, then
``meta_schema`` (its output is the meta the transforms and lifecycles see), then
``raw_response_schema`` -> ``transform_response`` -> ``response_schema`` (whose output is
stored), or for an error ``raw_error_response_schema`` -> ``transform_error_response``
-> ``error_response_schema``.

A failure tells ``on_schema_failure``; ``catch_schema_failure`` may turn it into an
error payload (the request is then rejected like a base-query error, tags included);
otherwise the :class:`SchemaError` propagates and rejects the request with its payload
and no tags, like any exception in user code.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from .._exceptions import SchemaError
from .._freeze import freeze
from ._endpoint_schemas import EndpointSchemas, SchemaFailureInfo

__all__ = ["fetch_validated"]

Transform = Callable[[Any, Any, Any], Any] | None


async def fetch_validated(
    schemas: EndpointSchemas,
    *,
    arg: Any,
    call: Callable[[Any], Awaitable[Mapping[str, Any]]],
    transform_response: Transform,
    transform_error_response: Transform,
    info: Callable[[], SchemaFailureInfo],
) -> tuple[bool, Any, Any]:
    """``(ok, frozen data or error, meta)`` of one base-query call, validated.

    ``call(arg)`` runs ``query`` + the base query (or ``query_fn``) with the validated
    arg and returns the checked ``{"data" | "error", "meta"}`` result.

    Raises:
        SchemaError: a schema failed and no ``catch_schema_failure`` replaced it.
    """
    meta: Any = None
    try:
        if schemas.arg is not None:
            arg = schemas.arg(arg)
        result = await call(arg)
        meta = result.get("meta")
        if schemas.meta is not None and meta is not None:
            meta = schemas.meta(meta)
        error = result.get("error")
        if error is not None:
            if schemas.raw_error is not None:
                error = schemas.raw_error(error)
            if transform_error_response is not None:
                error = await _maybe_await(transform_error_response(error, meta, arg))
            if schemas.error is not None:
                error = schemas.error(error)
            return False, freeze(error), meta
        data = result.get("data")
        if schemas.raw is not None:
            data = schemas.raw(data)
        if transform_response is not None:
            data = await _maybe_await(transform_response(data, meta, arg))
        if schemas.response is not None:
            data = schemas.response(data)
        return True, freeze(data), meta
    except SchemaError as exc:
        caught, payload = schemas.failed(exc, info())
        if not caught:
            raise
        return False, freeze(payload), meta


async def _maybe_await(value: Any) -> Any:
    if inspect.isawaitable(value):
        return await value
    return value
