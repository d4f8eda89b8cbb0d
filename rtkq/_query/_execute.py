"""Running one request: user code, the base query, transforms, tags.

Every exception raised by user code (``query``, ``query_fn``, the base query,
``transform_*``, ``merge``) rejects that one request with a serialized error; the
store and the other entries are untouched.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from .._base_query._retry import RetryFailError
from .._draft import produce
from .._freeze import freeze
from .._schema import SchemaFailureInfo, fetch_validated
from ._runtime import BaseQueryApi, Running, Runtime, serialize_exception

if TYPE_CHECKING:
    from ._definitions import EndpointDefinition

__all__ = [
    "call_base_query",
    "execute_request",
    "fetch_transformed",
    "maybe_await",
    "merge_data",
    "outcome",
]

Outcome = tuple[str, Any, dict[str, Any]]


def _is_awaitable(value: Any) -> bool:
    # A plain dict (what most query functions return) is never awaitable.
    return type(value) is not dict and inspect.isawaitable(value)


async def maybe_await(value: Any) -> Any:
    return (await value) if _is_awaitable(value) else value


async def call_base_query(
    runtime: Runtime,
    definition: EndpointDefinition,
    query_arg: Any,
    bq_api: BaseQueryApi,
) -> Any:
    """Run ``query`` + the base query, or ``query_fn``; return the raw result dict.

    ``retry.fail(error)`` raised outside ``retry`` settles the request with that error,
    as it would inside it.
    """
    try:
        return await _call_base_query(runtime, definition, query_arg, bq_api)
    except RetryFailError as exc:
        return {"error": exc.error, "meta": exc.meta}


async def _call_base_query(
    runtime: Runtime,
    definition: EndpointDefinition,
    query_arg: Any,
    bq_api: BaseQueryApi,
) -> Any:
    base_query = runtime.api.base_query
    extra_options = definition.extra_options
    if definition.query_fn is not None:

        async def bound(args: Any) -> Any:
            if base_query is None:
                raise RuntimeError("This api has no base_query; pass create_api(base_query=...).")
            return await maybe_await(base_query(args, bq_api, extra_options))

        result = definition.query_fn(query_arg, bq_api, extra_options, bound)
    else:
        assert definition.query is not None
        args = definition.query(query_arg)
        if base_query is None:
            raise RuntimeError(
                f"Endpoint {bq_api.endpoint!r} uses query= but the api has no base_query. "
                "Pass create_api(base_query=fetch_base_query(...)) or use query_fn."
            )
        result = base_query(args, bq_api, extra_options)
    return (await result) if _is_awaitable(result) else result


def check_result(result: Any, endpoint_name: str) -> Mapping[str, Any]:
    if not (type(result) is dict or isinstance(result, Mapping)) or (
        "data" not in result and "error" not in result
    ):
        raise TypeError(
            f"The base query or query_fn of endpoint {endpoint_name!r} returned {result!r}; "
            "it must return {'data': ...} or {'error': ...} (with an optional 'meta')."
        )
    return result


async def fetch_transformed(
    runtime: Runtime,
    definition: EndpointDefinition,
    endpoint_name: str,
    query_arg: Any,
    arg: Any,
    bq_api: BaseQueryApi,
) -> tuple[bool, Any, Any]:
    """One base-query call with its transforms: ``(ok, frozen data or error, meta)``.

    ``query_arg`` is what ``query``/``query_fn`` receive (an infinite query's page
    context); ``arg`` is what the transforms receive. An endpoint with schemas runs
    through the schema layer instead (``rtkq/_schema``), which validates each step.
    """
    if definition.schemas is not None:
        return await _fetch_with_schemas(runtime, definition, endpoint_name, query_arg, arg, bq_api)
    result = check_result(
        await call_base_query(runtime, definition, query_arg, bq_api), endpoint_name
    )
    meta = result.get("meta")
    if "error" in result and result["error"] is not None:
        error = result["error"]
        if definition.transform_error_response is not None:
            error = await maybe_await(definition.transform_error_response(error, meta, arg))
        return False, freeze(error), meta
    data = result.get("data")
    if definition.transform_response is not None:
        data = await maybe_await(definition.transform_response(data, meta, arg))
    return True, freeze(data), meta


async def _fetch_with_schemas(
    runtime: Runtime,
    definition: EndpointDefinition,
    endpoint_name: str,
    query_arg: Any,
    arg: Any,
    bq_api: BaseQueryApi,
) -> tuple[bool, Any, Any]:
    async def call(valid_arg: Any) -> Mapping[str, Any]:
        # arg_schema's output replaces the arg; an infinite query gets it in its context.
        args = valid_arg if query_arg is arg else replace(query_arg, query_arg=valid_arg)
        result = await call_base_query(runtime, definition, args, bq_api)
        return check_result(result, endpoint_name)

    assert definition.schemas is not None
    return await fetch_validated(
        definition.schemas,
        arg=arg,
        call=call,
        transform_response=definition.transform_response,
        transform_error_response=definition.transform_error_response,
        info=lambda: SchemaFailureInfo(
            endpoint_name, bq_api.arg, bq_api.type, bq_api.query_cache_key
        ),
    )


def outcome(
    runtime: Runtime,
    definition: EndpointDefinition,
    endpoint_name: str,
    arg: Any,
    ok: bool,
    value: Any,
    meta: Any,
    **extra: Any,
) -> Outcome:
    """The settled outcome of a request, with the tags it provides or invalidates.

    An error the base query returned still counts for tags (RTK's "rejected with
    value"); an exception raised in user code never reaches here.
    """
    tags = runtime.provided_for(
        definition, value if ok else None, None if ok else value, arg, endpoint_name
    )
    tags_key = "invalidated_tags" if definition.is_mutation else "provided_tags"
    return (
        "fulfilled" if ok else "rejected",
        value,
        {"base_query_meta": meta, tags_key: tags, **extra},
    )


async def execute_request(
    runtime: Runtime,
    definition: EndpointDefinition,
    endpoint_name: str,
    running: Running,
    bq_api: BaseQueryApi,
) -> Outcome:
    """Run a query or mutation request to its outcome; user errors become rejections."""
    arg = running.arg
    try:
        ok, value, meta = await fetch_transformed(
            runtime, definition, endpoint_name, arg, arg, bq_api
        )
        if ok and definition.merge is not None:
            current = runtime.entry(running.key)
            if current is not None and current.data is not None:
                value = merge_data(definition, current.data, value, arg, running.previous_arg)
        return outcome(runtime, definition, endpoint_name, arg, ok, value, meta)
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        return ("rejected", serialize_exception(exc), {})


def merge_data(
    definition: EndpointDefinition, current: Any, incoming: Any, arg: Any, previous_arg: Any
) -> Any:
    """Run the endpoint's ``merge(current_cache_data, response_data, info)`` on a draft."""

    merge = definition.merge
    assert merge is not None
    info = {"arg": arg, "previous_arg": previous_arg}
    return produce(current, lambda draft: merge(draft, incoming, info))
