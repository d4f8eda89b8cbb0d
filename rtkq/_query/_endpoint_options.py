"""The options of ``@api.query`` / ``@api.mutation`` / ``@api.infinite_query``, as types.

They are the options of ``build.query`` / ``build.mutation`` / ``build.infinite_query``
minus ``query``/``query_fn`` (the decorated function) and ``response_schema`` (which the
decorators take by name, because the result type comes from it). Type checkers read
them through ``**options: Unpack[...]``, so an unknown or mistyped option is a type
error in the user's module; at run time the builder checks them as for the dict form.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Protocol

from typing_extensions import Required, TypedDict, TypeVar

from .._exceptions import SchemaError
from .._schema import SchemaFailureInfo
from ._types import Tag

__all__ = [
    "InfiniteQueryOptions",
    "InfiniteQueryPaging",
    "MutationOptions",
    "QueryOptions",
    "SchemaAdapter",
]

T_co = TypeVar("T_co", covariant=True)

TagSpec = str | Tag | Mapping[str, Any] | None
"""A tag: ``"Post"``, ``Tag("Post", 1)`` or ``{"type": "Post", "id": 1}``."""

Tags = Iterable[TagSpec] | Callable[[Any, Any, Any], Iterable[TagSpec]]
"""A list of tags, or ``(result, error, arg) -> list of tags``."""

Hook = Callable[[Any, Any], Any]
"""An ``(arg, ctx)`` lifecycle, usually async (``on_query_started``, ``on_cache_entry_added``)."""

Transform = Callable[[Any, Any, Any], Any]
"""``(value, meta, arg) -> value``."""

SchemaFailureHook = Callable[[SchemaError, SchemaFailureInfo], Any]
"""``(exc, info) -> ...``: ``on_schema_failure``, and ``catch_schema_failure`` (which may
return an error payload to reject with)."""


class SchemaAdapter(Protocol[T_co]):
    """What a pydantic ``TypeAdapter[T]`` offers: a schema whose output is a ``T``."""

    def validate_python(self, object: Any, /) -> T_co: ...


class _CommonOptions(TypedDict, total=False):
    transform_response: Transform
    transform_error_response: Transform
    entities: Sequence[str] | str
    on_query_started: Hook
    extra_options: Any
    arg_schema: object
    raw_response_schema: object
    raw_error_response_schema: object
    error_response_schema: object
    meta_schema: object
    on_schema_failure: SchemaFailureHook
    catch_schema_failure: SchemaFailureHook
    skip_schema_validation: bool | Sequence[str]


class QueryOptions(_CommonOptions, total=False):
    """Options of ``@api.query`` and ``@api.query_fn`` (contract §3 and §10)."""

    provides_tags: Tags
    keep_unused_data_for: float
    serialize_query_args: Callable[[str, Any], str]
    merge: Callable[[Any, Any, Any], Any]
    force_refetch: Callable[..., bool]
    on_cache_entry_added: Hook


class MutationOptions(_CommonOptions, total=False):
    """Options of ``@api.mutation`` and ``@api.mutation_fn``."""

    invalidates_tags: Tags
    on_cache_entry_added: Hook
    scope: str


class InfiniteQueryPaging(TypedDict, total=False):
    """``infinite_query_options`` of an infinite query (contract §7)."""

    initial_page_param: Required[Any]
    get_next_page_param: Required[Callable[[Any, Any, Any, Any, Any], Any]]
    get_previous_page_param: Callable[[Any, Any, Any, Any, Any], Any]
    max_pages: int
    refetch_cached_pages: bool


class InfiniteQueryOptions(QueryOptions, total=False):
    """Options of ``@api.infinite_query``: a query's, and the paging (required)."""

    infinite_query_options: Required[InfiniteQueryPaging]
