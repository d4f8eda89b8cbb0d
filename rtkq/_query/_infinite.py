"""Infinite queries: pages of one cache entry, fetched forward and backward.

The cached data is ``{"pages": [...], "page_params": [...]}``. A refetch starts from the
first cached param and recomputes each following param from the fresh pages.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic

from pyrsistent import pvector
from typing_extensions import TypeVar

from .._freeze import freeze
from ._execute import fetch_transformed, outcome
from ._runtime import BaseQueryApi, Running, Runtime, serialize_exception

if TYPE_CHECKING:
    from ._definitions import EndpointDefinition

__all__ = [
    "DIRECTIONS",
    "MISSING",
    "InfiniteQueryContext",
    "check_pages",
    "execute_infinite",
    "next_param",
    "paging_flags",
    "validate_infinite_options",
]

DIRECTIONS = (None, "forward", "backward")
MISSING: Any = object()
_OPTIONS = (
    "initial_page_param",
    "get_next_page_param",
    "get_previous_page_param",
    "max_pages",
    "refetch_cached_pages",
)


A_co = TypeVar("A_co", covariant=True, default=Any)


@dataclass(frozen=True, slots=True)
class InfiniteQueryContext(Generic[A_co]):
    """What ``query`` / ``query_fn`` of an infinite endpoint receive first.

    ``InfiniteQueryContext[A]``: the endpoint's arg (``query_arg``, an ``A``) and the
    param of the page to fetch (``page_param``).
    """

    query_arg: A_co
    page_param: Any


def validate_infinite_options(name: str, options: Any) -> None:
    """Check ``infinite_query_options`` at ``create_api`` time.

    Raises:
        ValueError: a required option is missing, ``max_pages`` < 1 or without
            ``get_previous_page_param``, or an unknown option.
        TypeError: a page-param function that is not callable.
    """
    if not isinstance(options, Mapping):
        raise ValueError(
            f"Infinite endpoint {name!r} needs infinite_query_options={{...}} with "
            "initial_page_param and get_next_page_param."
        )
    unknown = sorted(set(options) - set(_OPTIONS))
    if unknown:
        raise ValueError(
            f"Unknown infinite_query_options {unknown} for endpoint {name!r}; allowed: "
            f"{list(_OPTIONS)}."
        )
    if "initial_page_param" not in options:
        raise ValueError(
            f"Infinite endpoint {name!r} has no initial_page_param. Add it to "
            "infinite_query_options (e.g. initial_page_param=0)."
        )
    if options.get("get_next_page_param") is None:
        raise ValueError(
            f"Infinite endpoint {name!r} has no get_next_page_param. Add "
            "get_next_page_param(last_page, all_pages, last_page_param, all_page_params, "
            "query_arg) returning the next param or None."
        )
    for key in ("get_next_page_param", "get_previous_page_param"):
        value = options.get(key)
        if value is not None and not callable(value):
            raise TypeError(f"{key} of endpoint {name!r} must be callable, got {value!r}.")
    max_pages = options.get("max_pages")
    if max_pages is not None:
        if not isinstance(max_pages, int) or isinstance(max_pages, bool) or max_pages < 1:
            raise ValueError(
                f"max_pages of endpoint {name!r} must be an int >= 1, got {max_pages!r}."
            )
        if options.get("get_previous_page_param") is None:
            raise ValueError(
                f"max_pages of endpoint {name!r} needs get_previous_page_param, so that "
                "trimmed pages can be fetched again."
            )


def next_param(options: Mapping[str, Any], direction: str, data: Any, arg: Any) -> Any:
    """The param of the page before/after the cached ones, or ``None`` when there is none."""
    pages = data["pages"]
    params = data["page_params"]
    if not pages:
        return None
    if direction == "forward":
        fn: Callable[..., Any] = options["get_next_page_param"]
        return fn(pages[-1], pages, params[-1], params, arg)
    previous = options.get("get_previous_page_param")
    if previous is None:
        return None
    return previous(pages[0], pages, params[0], params, arg)


def paging_flags(options: Mapping[str, Any], data: Any, arg: Any) -> dict[str, bool]:
    """``has_next_page`` / ``has_previous_page`` of an infinite entry holding ``data``.

    The one place they are derived, for fetched pages and for data written by
    ``upsert_query_entries``, ``upsert_query_data`` and ``hydrate`` alike.

    Raises:
        Exception: whatever ``get_next_page_param`` / ``get_previous_page_param`` raise.
    """
    return {
        "has_next_page": next_param(options, "forward", data, arg) is not None,
        "has_previous_page": next_param(options, "backward", data, arg) is not None,
    }


def check_pages(endpoint_name: str, data: Any) -> str | None:
    """What is wrong with ``data`` as an infinite entry's data, or ``None`` if nothing."""
    if not isinstance(data, Mapping) or "pages" not in data or "page_params" not in data:
        return (
            f"the data of infinite endpoint {endpoint_name!r} must be "
            f"{{'pages': [...], 'page_params': [...]}}, got {data!r}"
        )
    pages, params = data["pages"], data["page_params"]
    if isinstance(pages, (str, bytes, Mapping)) or not hasattr(pages, "__len__"):
        return f"'pages' of infinite endpoint {endpoint_name!r} must be a list, got {pages!r}"
    if isinstance(params, (str, bytes, Mapping)) or not hasattr(params, "__len__"):
        return (
            f"'page_params' of infinite endpoint {endpoint_name!r} must be a list, got {params!r}"
        )
    if len(pages) != len(params):
        return (
            f"infinite endpoint {endpoint_name!r} got {len(pages)} pages and "
            f"{len(params)} page_params; give one param per page"
        )
    return None


async def execute_infinite(
    runtime: Runtime,
    definition: EndpointDefinition,
    endpoint_name: str,
    direction: str | None,
    initial_page_param: Any,
    running: Running,
    bq_api: BaseQueryApi,
) -> tuple[str, Any, dict[str, Any]]:
    arg = running.arg
    options = definition.infinite_query_options
    meta: Any = None

    async def fetch_page(param: Any) -> tuple[bool, Any]:
        nonlocal meta
        ctx = InfiniteQueryContext(arg, param)
        ok, value, meta = await fetch_transformed(
            runtime, definition, endpoint_name, ctx, arg, bq_api
        )
        return ok, value

    def rejected(error: Any) -> tuple[str, Any, dict[str, Any]]:
        return outcome(runtime, definition, endpoint_name, arg, False, error, meta)

    try:
        entry = runtime.entry(running.key)
        data: Any = entry.data if entry is not None else None
        has_data = data is not None and len(data["pages"]) > 0
        if direction is None or not has_data:
            if has_data:
                count = len(data["pages"]) if options.get("refetch_cached_pages", True) else 1
                param = data["page_params"][0]
            else:
                count = 1
                param = (
                    options["initial_page_param"]
                    if initial_page_param is MISSING
                    else initial_page_param
                )
            pages: list[Any] = []
            params: list[Any] = []
            for index in range(count):
                if index > 0:
                    param = options["get_next_page_param"](
                        pages[-1], pages, params[-1], params, arg
                    )
                    if param is None:
                        break
                ok, page = await fetch_page(param)
                if not ok:
                    return rejected(page)
                pages.append(page)
                params.append(param)
            new_data = freeze({"pages": pages, "page_params": params})
        else:
            param = next_param(options, direction, data, arg)
            ok, page = await fetch_page(param)
            if not ok:
                return rejected(page)
            max_pages = options.get("max_pages")
            all_pages = data["pages"]
            all_params = data["page_params"]
            if direction == "forward":
                all_pages = all_pages.append(page)
                all_params = all_params.append(param)
                if max_pages is not None and len(all_pages) > max_pages:
                    all_pages = pvector(all_pages[len(all_pages) - max_pages :])
                    all_params = pvector(all_params[len(all_params) - max_pages :])
            else:
                all_pages = pvector([page, *all_pages])
                all_params = pvector([param, *all_params])
                if max_pages is not None and len(all_pages) > max_pages:
                    all_pages = pvector(all_pages[:max_pages])
                    all_params = pvector(all_params[:max_pages])
            new_data = data.set("pages", all_pages).set("page_params", all_params)
        return outcome(
            runtime,
            definition,
            endpoint_name,
            arg,
            True,
            new_data,
            meta,
            **paging_flags(options, new_data, arg),
        )
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        return ("rejected", serialize_exception(exc), {})
