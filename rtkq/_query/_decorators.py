"""``@api.query``, ``@api.mutation``, ``@api.infinite_query``, ``@api.query_fn``, ``@api.mutation_fn``.

Each decorator turns a function into an endpoint of the api, named after the function,
and returns the typed endpoint object (``QueryEndpoint[A, R]``, ...): ``A`` is the type of
the function's first parameter, ``R`` comes from ``result_type=`` or ``response_schema=``
(a class, a pydantic ``TypeAdapter`` or a ``value -> R`` callable), else ``Any``. The
overloads below exist only for type checkers; at run time every decorator builds the
same definition ``build.query(query=fn, ...)`` would and injects it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast, overload

from typing_extensions import TypeVar, Unpack

from ._definitions import EndpointBuilder

if TYPE_CHECKING:
    from ._create_api import Api
    from ._endpoint_kinds import InfiniteQueryEndpoint, MutationEndpoint, QueryEndpoint
    from ._endpoint_options import (
        InfiniteQueryOptions,
        MutationOptions,
        QueryOptions,
        SchemaAdapter,
    )
    from ._infinite import InfiniteQueryContext

__all__ = ["EndpointDecorators"]

A = TypeVar("A")
R = TypeVar("R")

QueryFn = Callable[[A, Any, Any, Any], object]
"""``query_fn(arg, api, extra_options, base_query)``, sync or async."""


class EndpointDecorators:
    """The decorator methods of :class:`Api` (see the module docstring)."""

    # -- @api.query ----------------------------------------------------------------
    @overload
    def query(
        self,
        *,
        result_type: type[R],
        response_schema: object = None,
        **options: Unpack[QueryOptions],
    ) -> Callable[[Callable[[A], object]], QueryEndpoint[A, R]]: ...
    @overload
    def query(
        self, *, response_schema: type[R], **options: Unpack[QueryOptions]
    ) -> Callable[[Callable[[A], object]], QueryEndpoint[A, R]]: ...
    @overload
    def query(
        self, *, response_schema: SchemaAdapter[R], **options: Unpack[QueryOptions]
    ) -> Callable[[Callable[[A], object]], QueryEndpoint[A, R]]: ...
    @overload
    def query(
        self, *, response_schema: Callable[[Any], R], **options: Unpack[QueryOptions]
    ) -> Callable[[Callable[[A], object]], QueryEndpoint[A, R]]: ...
    @overload
    def query(
        self, **options: Unpack[QueryOptions]
    ) -> Callable[[Callable[[A], object]], QueryEndpoint[A, Any]]: ...
    def query(self, **options: Any) -> Callable[[Callable[..., object]], Any]:
        """Declare a query endpoint; the decorated function is its ``query(arg)``.

        Takes the options of ``build.query`` (minus ``query``/``query_fn``) and
        ``result_type=``. Returns the decorator; the decorated name becomes a
        ``QueryEndpoint`` (also ``api.endpoints.<name>``).

        Raises:
            ValueError: (when decorating) the api already has an endpoint of that name;
                an invalid definition, as for ``create_api``.
            TypeError: (when decorating) an unknown option.
        """
        return _decorator(self, "query", "query", options)

    # -- @api.query_fn -------------------------------------------------------------
    @overload
    def query_fn(
        self,
        *,
        result_type: type[R],
        response_schema: object = None,
        **options: Unpack[QueryOptions],
    ) -> Callable[[QueryFn[A]], QueryEndpoint[A, R]]: ...
    @overload
    def query_fn(
        self, *, response_schema: type[R], **options: Unpack[QueryOptions]
    ) -> Callable[[QueryFn[A]], QueryEndpoint[A, R]]: ...
    @overload
    def query_fn(
        self, *, response_schema: SchemaAdapter[R], **options: Unpack[QueryOptions]
    ) -> Callable[[QueryFn[A]], QueryEndpoint[A, R]]: ...
    @overload
    def query_fn(
        self, *, response_schema: Callable[[Any], R], **options: Unpack[QueryOptions]
    ) -> Callable[[QueryFn[A]], QueryEndpoint[A, R]]: ...
    @overload
    def query_fn(
        self, **options: Unpack[QueryOptions]
    ) -> Callable[[QueryFn[A]], QueryEndpoint[A, Any]]: ...
    def query_fn(self, **options: Any) -> Callable[[Callable[..., object]], Any]:
        """Declare a query endpoint whose function is its ``query_fn(arg, api,
        extra_options, base_query)`` (returns ``{"data": ...}`` or ``{"error": ...}``).

        Raises:
            ValueError: (when decorating) a duplicate name or an invalid definition.
            TypeError: (when decorating) an unknown option.
        """
        return _decorator(self, "query", "query_fn", options)

    # -- @api.infinite_query -------------------------------------------------------
    @overload
    def infinite_query(
        self,
        *,
        result_type: type[R],
        response_schema: object = None,
        **options: Unpack[InfiniteQueryOptions],
    ) -> Callable[[Callable[[InfiniteQueryContext[A]], object]], InfiniteQueryEndpoint[A, R]]: ...
    @overload
    def infinite_query(
        self, *, response_schema: type[R], **options: Unpack[InfiniteQueryOptions]
    ) -> Callable[[Callable[[InfiniteQueryContext[A]], object]], InfiniteQueryEndpoint[A, R]]: ...
    @overload
    def infinite_query(
        self, *, response_schema: SchemaAdapter[R], **options: Unpack[InfiniteQueryOptions]
    ) -> Callable[[Callable[[InfiniteQueryContext[A]], object]], InfiniteQueryEndpoint[A, R]]: ...
    @overload
    def infinite_query(
        self, *, response_schema: Callable[[Any], R], **options: Unpack[InfiniteQueryOptions]
    ) -> Callable[[Callable[[InfiniteQueryContext[A]], object]], InfiniteQueryEndpoint[A, R]]: ...
    @overload
    def infinite_query(
        self, **options: Unpack[InfiniteQueryOptions]
    ) -> Callable[[Callable[[InfiniteQueryContext[A]], object]], InfiniteQueryEndpoint[A, Any]]: ...
    def infinite_query(self, **options: Any) -> Callable[[Callable[..., object]], Any]:
        """Declare an infinite query endpoint; the decorated function is its
        ``query(ctx)`` (``ctx.query_arg``, ``ctx.page_param``).

        ``R`` is the type of one page (``response_schema`` validates each page).

        Raises:
            ValueError: (when decorating) a duplicate name or an invalid definition
                (``infinite_query_options`` is required).
            TypeError: (when decorating) an unknown option.
        """
        return _decorator(self, "infinite_query", "query", options)

    # -- @api.mutation -------------------------------------------------------------
    @overload
    def mutation(
        self,
        *,
        result_type: type[R],
        response_schema: object = None,
        **options: Unpack[MutationOptions],
    ) -> Callable[[Callable[[A], object]], MutationEndpoint[A, R]]: ...
    @overload
    def mutation(
        self, *, response_schema: type[R], **options: Unpack[MutationOptions]
    ) -> Callable[[Callable[[A], object]], MutationEndpoint[A, R]]: ...
    @overload
    def mutation(
        self, *, response_schema: SchemaAdapter[R], **options: Unpack[MutationOptions]
    ) -> Callable[[Callable[[A], object]], MutationEndpoint[A, R]]: ...
    @overload
    def mutation(
        self, *, response_schema: Callable[[Any], R], **options: Unpack[MutationOptions]
    ) -> Callable[[Callable[[A], object]], MutationEndpoint[A, R]]: ...
    @overload
    def mutation(
        self, **options: Unpack[MutationOptions]
    ) -> Callable[[Callable[[A], object]], MutationEndpoint[A, Any]]: ...
    def mutation(self, **options: Any) -> Callable[[Callable[..., object]], Any]:
        """Declare a mutation endpoint; the decorated function is its ``query(arg)``.

        Raises:
            ValueError: (when decorating) a duplicate name or an invalid definition.
            TypeError: (when decorating) an unknown option.
        """
        return _decorator(self, "mutation", "query", options)

    # -- @api.mutation_fn ----------------------------------------------------------
    @overload
    def mutation_fn(
        self,
        *,
        result_type: type[R],
        response_schema: object = None,
        **options: Unpack[MutationOptions],
    ) -> Callable[[QueryFn[A]], MutationEndpoint[A, R]]: ...
    @overload
    def mutation_fn(
        self, *, response_schema: type[R], **options: Unpack[MutationOptions]
    ) -> Callable[[QueryFn[A]], MutationEndpoint[A, R]]: ...
    @overload
    def mutation_fn(
        self, *, response_schema: SchemaAdapter[R], **options: Unpack[MutationOptions]
    ) -> Callable[[QueryFn[A]], MutationEndpoint[A, R]]: ...
    @overload
    def mutation_fn(
        self, *, response_schema: Callable[[Any], R], **options: Unpack[MutationOptions]
    ) -> Callable[[QueryFn[A]], MutationEndpoint[A, R]]: ...
    @overload
    def mutation_fn(
        self, **options: Unpack[MutationOptions]
    ) -> Callable[[QueryFn[A]], MutationEndpoint[A, Any]]: ...
    def mutation_fn(self, **options: Any) -> Callable[[Callable[..., object]], Any]:
        """Declare a mutation endpoint whose function is its ``query_fn(arg, api,
        extra_options, base_query)``.

        Raises:
            ValueError: (when decorating) a duplicate name or an invalid definition.
            TypeError: (when decorating) an unknown option.
        """
        return _decorator(self, "mutation", "query_fn", options)


def _decorator(
    decorators: EndpointDecorators, kind: str, role: str, options: dict[str, Any]
) -> Callable[[Callable[..., object]], Any]:
    api = cast("Api", decorators)
    options.pop("result_type", None)  # for type checkers only
    if options.get("response_schema", 0) is None:
        del options["response_schema"]  # None means "no schema", as when omitted
    build = EndpointBuilder()
    getattr(build, kind)(**{role: _placeholder}, **options)  # unknown options: fail here

    def decorate(fn: Callable[..., object]) -> Any:
        if not callable(fn):
            raise TypeError(
                f"@api.{kind}{'_fn' if role == 'query_fn' else ''}(...) decorates a "
                f"function, got {type(fn).__name__!r} ({fn!r})."
            )
        name = getattr(fn, "__name__", None)
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(
                f"The decorated function's name {name!r} would become the endpoint name, "
                "which must be a Python identifier: decorate a def, not a lambda."
            )
        if name in api.definitions:
            raise ValueError(
                f"Endpoint {name!r} already exists in api {api.reducer_path!r}. Give the "
                f"function another name (the decorated name is the endpoint's), or use "
                f"api.inject_endpoints(..., override_existing=True) to replace it."
            )
        definition = getattr(build, kind)(**{role: fn}, **options)
        api.inject_endpoints(endpoints=lambda _build: {name: definition})
        return api.endpoints[name]

    return decorate


def _placeholder(arg: Any) -> None:
    """Stands for the function to decorate while the options are checked."""
