"""Endpoint definitions: what ``build.query`` / ``build.mutation`` / ``build.infinite_query`` make."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .._schema import SCHEMA_OPTIONS, EndpointSchemas
from ._tags import normalize_tag
from ._types import Tag

__all__ = ["EndpointBuilder", "EndpointDefinition"]

_QUERY = "query"
_MUTATION = "mutation"
_INFINITE = "infinitequery"


@dataclass(frozen=True)
class EndpointDefinition:
    """The user's description of one endpoint, validated at ``create_api`` time."""

    kind: str
    query: Callable[[Any], Any] | None = None
    query_fn: Callable[..., Any] | None = None
    transform_response: Callable[[Any, Any, Any], Any] | None = None
    transform_error_response: Callable[[Any, Any, Any], Any] | None = None
    provides_tags: Any = None
    invalidates_tags: Any = None
    entities: tuple[str, ...] = ()
    keep_unused_data_for: float | None = None
    serialize_query_args: Callable[[str, Any], str] | None = None
    merge: Callable[[Any, Any, Any], Any] | None = None
    force_refetch: Callable[..., bool] | None = None
    on_query_started: Callable[[Any, Any], Any] | None = None
    on_cache_entry_added: Callable[[Any, Any], Any] | None = None
    extra_options: Any = None
    scope: str | None = None
    infinite_query_options: Mapping[str, Any] = field(default_factory=dict)
    arg_schema: Any = None
    raw_response_schema: Any = None
    response_schema: Any = None
    raw_error_response_schema: Any = None
    error_response_schema: Any = None
    meta_schema: Any = None
    on_schema_failure: Callable[[Any, Any], Any] | None = None
    catch_schema_failure: Callable[[Any, Any], Any] | None = None
    skip_schema_validation: bool | Sequence[str] | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    # Compiled by the api (``inject_endpoints``) from the schema options above; ``None``
    # when no schema is active, so ordinary requests never look at the schema layer.
    schemas: EndpointSchemas | None = None

    # What ``kind`` says, read on every request: plain attributes, set once.
    is_query: bool = field(init=False, repr=False, compare=False)
    is_mutation: bool = field(init=False, repr=False, compare=False)
    is_infinite: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "is_query", self.kind != _MUTATION)
        object.__setattr__(self, "is_mutation", self.kind == _MUTATION)
        object.__setattr__(self, "is_infinite", self.kind == _INFINITE)


_COMMON = (
    "query",
    "query_fn",
    "transform_response",
    "transform_error_response",
    "entities",
    "on_query_started",
    "extra_options",
    *SCHEMA_OPTIONS,
)
_QUERY_ONLY = (
    "provides_tags",
    "keep_unused_data_for",
    "serialize_query_args",
    "merge",
    "force_refetch",
    "on_cache_entry_added",
)


class EndpointBuilder:
    """The ``build`` argument of ``endpoints=lambda build: {...}``."""

    def query(self, **options: Any) -> EndpointDefinition:
        """Define a query endpoint (see the contract, §3 "Endpoint definitions")."""
        return _define(_QUERY, options, (*_COMMON, *_QUERY_ONLY))

    def mutation(self, **options: Any) -> EndpointDefinition:
        """Define a mutation endpoint; ``scope="id"`` runs same-scope mutations serially."""
        return _define(
            _MUTATION,
            options,
            (*_COMMON, "invalidates_tags", "on_cache_entry_added", "scope"),
        )

    def infinite_query(self, **options: Any) -> EndpointDefinition:
        """Define an infinite query endpoint (contract §7)."""
        return _define(_INFINITE, options, (*_COMMON, *_QUERY_ONLY, "infinite_query_options"))


def _define(kind: str, options: dict[str, Any], allowed: tuple[str, ...]) -> EndpointDefinition:
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        raise TypeError(
            f"Unknown option(s) {unknown} for a {kind} endpoint. Allowed: {sorted(allowed)}."
        )
    entities = options.get("entities") or ()
    if isinstance(entities, str):
        entities = (entities,)
    options = {**options, "entities": tuple(entities)}
    return EndpointDefinition(kind=kind, options=dict(options), **options)


def validate_definition(name: str, definition: Any, tag_types: frozenset[str]) -> None:
    """Check one endpoint definition at ``create_api`` time.

    Raises:
        TypeError: the value is not an endpoint definition; a hook is not callable;
            ``provides_tags``/``invalidates_tags`` is neither a list of tags nor a
            callable, or one of its tags is not a str, dict or ``Tag``.
        ValueError: both or neither of ``query`` and ``query_fn``; an entity or a listed
            tag whose type is not in ``tag_types``; bad infinite-query options.
    """
    if not isinstance(definition, EndpointDefinition):
        raise TypeError(
            f"Endpoint {name!r} must be made with build.query(...), build.mutation(...) or "
            f"build.infinite_query(...), got {type(definition).__name__!r}."
        )
    if (definition.query is None) == (definition.query_fn is None):
        which = "both" if definition.query is not None else "neither"
        raise ValueError(
            f"Endpoint {name!r} was given {which} of query and query_fn. Give exactly one: "
            "query=lambda arg: ... (base-query args) or query_fn=lambda arg, api, "
            "extra_options, base_query: ..."
        )
    for hook in (
        "query",
        "query_fn",
        "transform_response",
        "transform_error_response",
        "serialize_query_args",
        "merge",
        "force_refetch",
        "on_query_started",
        "on_cache_entry_added",
    ):
        value = getattr(definition, hook)
        if value is not None and not callable(value):
            raise TypeError(
                f"{hook} of endpoint {name!r} must be callable, got "
                f"{type(value).__name__!r} ({value!r})."
            )
    _validate_static_tags(name, definition, tag_types)
    for entity in definition.entities:
        if entity not in tag_types:
            raise ValueError(
                f"Entity {entity!r} of endpoint {name!r} is not in tag_types "
                f"{sorted(tag_types)!r}. Add it to create_api(tag_types=[...])."
            )
    if definition.is_infinite:
        from ._infinite import validate_infinite_options

        validate_infinite_options(name, definition.infinite_query_options)
    if definition.keep_unused_data_for is not None and (
        not isinstance(definition.keep_unused_data_for, (int, float))
        or definition.keep_unused_data_for < 0
    ):
        raise ValueError(
            f"keep_unused_data_for of endpoint {name!r} must be a number of seconds >= 0 "
            f"(math.inf keeps data forever), got {definition.keep_unused_data_for!r}."
        )


def _validate_static_tags(
    name: str, definition: EndpointDefinition, tag_types: frozenset[str]
) -> None:
    """Check tags written as a list in the definition (callables are checked per request)."""
    option = "invalidates_tags" if definition.is_mutation else "provides_tags"
    spec = getattr(definition, option)
    if spec is None or callable(spec):
        return
    if isinstance(spec, (str, Mapping, Tag)):
        spec = [spec]
    if not isinstance(spec, (list, tuple)):
        raise TypeError(
            f"{option} of endpoint {name!r} must be a list of tags or a callable "
            f"(result, error, arg) -> list, got {type(spec).__name__!r} ({spec!r})."
        )
    for tag in spec:
        if tag is not None:
            normalize_tag(tag, tag_types, f"{option} of endpoint {name!r}")
