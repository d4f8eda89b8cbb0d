"""An endpoint's compiled schemas and what happens when one of them fails.

``compile_schemas`` runs at ``create_api`` / ``inject_endpoints`` time: it builds one
validator per schema the endpoint gives (a bad schema is a ``TypeError`` then, not at
the first request), applies ``skip_schema_validation`` and resolves the failure hooks
against the api-wide defaults. An endpoint without active schemas gets ``None``, so the
request path of ordinary endpoints does not change at all.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .._exceptions import SchemaError
from ._validators import Validator, build_validator

__all__ = [
    "SCHEMA_NAMES",
    "SCHEMA_OPTIONS",
    "EndpointSchemas",
    "SchemaDefaults",
    "SchemaFailureInfo",
    "check_skip",
    "compile_schemas",
]

#: The schema options, in the order a request meets them.
SCHEMA_NAMES = (
    "arg_schema",
    "meta_schema",
    "raw_response_schema",
    "response_schema",
    "raw_error_response_schema",
    "error_response_schema",
)
#: Every endpoint option of this layer (``build.query(...)`` and friends accept them).
SCHEMA_OPTIONS = (
    *SCHEMA_NAMES,
    "on_schema_failure",
    "catch_schema_failure",
    "skip_schema_validation",
)

FailureHook = Callable[[SchemaError, "SchemaFailureInfo"], Any]


@dataclass(frozen=True, slots=True)
class SchemaFailureInfo:
    """The second argument of ``on_schema_failure`` and ``catch_schema_failure``.

    Attributes:
        endpoint: the endpoint's name.
        arg: the arg the endpoint was initiated with (before ``arg_schema``).
        type: ``"query"`` or ``"mutation"`` (infinite queries are queries).
        query_cache_key: the entry's cache key; ``None`` for a mutation.
    """

    endpoint: str
    arg: Any
    type: str
    query_cache_key: str | None


@dataclass(frozen=True, slots=True)
class SchemaDefaults:
    """The api-wide schema options of ``create_api`` (endpoints may override them)."""

    on_schema_failure: FailureHook | None = None
    catch_schema_failure: FailureHook | None = None
    skip_schema_validation: bool | Sequence[str] = False

    def __post_init__(self) -> None:
        _check_hooks("create_api", self.on_schema_failure, self.catch_schema_failure)
        check_skip("create_api", self.skip_schema_validation)


class EndpointSchemas:
    """The validators of one endpoint, ready for the request path.

    Attributes:
        validators: schema name -> validator, for the schemas that are given and not
            skipped.
        on_failure: the hooks told of every failure: the endpoint's, then the api's.
        catch: the ``catch_schema_failure`` in force (the endpoint's, else the api's).
    """

    __slots__ = ("arg", "catch", "error", "meta", "on_failure", "raw", "raw_error", "response")

    def __init__(
        self,
        validators: Mapping[str, Validator],
        on_failure: tuple[FailureHook, ...],
        catch: FailureHook | None,
    ) -> None:
        self.arg = validators.get("arg_schema")
        self.meta = validators.get("meta_schema")
        self.raw = validators.get("raw_response_schema")
        self.response = validators.get("response_schema")
        self.raw_error = validators.get("raw_error_response_schema")
        self.error = validators.get("error_response_schema")
        self.on_failure = on_failure
        self.catch = catch

    def failed(self, exc: SchemaError, info: SchemaFailureInfo) -> tuple[bool, Any]:
        """Tell the hooks; ``(True, payload)`` when ``catch_schema_failure`` gave one.

        Exceptions the hooks raise propagate (they reject the request like any
        exception in user code).
        """
        for hook in self.on_failure:
            hook(exc, info)
        if self.catch is None:
            return False, None
        return True, self.catch(exc, info)


def compile_schemas(
    endpoint: str, options: Mapping[str, Any], defaults: SchemaDefaults
) -> EndpointSchemas | None:
    """Build ``endpoint``'s validators from its ``options``; ``None`` when none is active.

    Raises:
        TypeError: a schema of an unsupported kind, or a hook that is not callable.
        ValueError: ``skip_schema_validation`` names an unknown schema.
    """
    on_failure = options.get("on_schema_failure")
    catch = options.get("catch_schema_failure")
    _check_hooks(f"endpoint {endpoint!r}", on_failure, catch)
    skip = options.get("skip_schema_validation")
    check_skip(f"endpoint {endpoint!r}", skip)
    if skip is None:
        skip = defaults.skip_schema_validation
    validators: dict[str, Validator] = {}
    for name in SCHEMA_NAMES:
        schema = options.get(name)
        if schema is None:
            continue
        validator = build_validator(schema, endpoint=endpoint, option=name)
        if skip is not True and (skip is False or name not in skip):
            validators[name] = validator
    if not validators:
        return None
    hooks = tuple(hook for hook in (on_failure, defaults.on_schema_failure) if hook is not None)
    return EndpointSchemas(validators, hooks, catch or defaults.catch_schema_failure)


def check_skip(where: str, skip: Any) -> None:
    """Check a ``skip_schema_validation`` value (``None`` means "not given").

    Raises:
        TypeError: neither a bool nor a list of schema names.
        ValueError: a name that is not one of the schema options.
    """
    if skip is None or isinstance(skip, bool):
        return
    if isinstance(skip, str) or not isinstance(skip, (list, tuple, set, frozenset)):
        raise TypeError(
            f"skip_schema_validation of {where} must be True, False or a list of schema "
            f"names such as ['response_schema'], got {skip!r}."
        )
    unknown = sorted(str(name) for name in skip if name not in SCHEMA_NAMES)
    if unknown:
        raise ValueError(
            f"skip_schema_validation of {where} names unknown schema(s) {unknown}; the "
            f"schema names are {list(SCHEMA_NAMES)}."
        )


def _check_hooks(where: str, on_failure: Any, catch: Any) -> None:
    for name, hook in (("on_schema_failure", on_failure), ("catch_schema_failure", catch)):
        if hook is None:
            continue
        if not callable(hook):
            raise TypeError(
                f"{name} of {where} must be a callable (exc, info), got {hook!r} "
                f"({type(hook).__name__})."
            )
        if inspect.iscoroutinefunction(hook):
            raise TypeError(
                f"{name} of {where} must be a plain function (exc, info): it runs inside "
                f"the request, so an async def is not awaited. Got {hook!r}."
            )
