"""Building one validator per schema: pydantic, msgspec or a plain callable.

A validator is ``value -> value``: it returns the schema's output (which replaces what
it validated) or raises :class:`SchemaError`. Neither pydantic nor msgspec is imported
unless a schema needs it: model classes and ``TypeAdapter``s are recognised through
``sys.modules`` (their library is loaded already when such an object exists), and only
a plain type such as ``list[Post]`` or a ``TypedDict`` imports pydantic (else msgspec)
to build an adapter for it.
"""

from __future__ import annotations

import importlib
import sys
import types
import typing
from collections.abc import Callable
from typing import Any

from pyrsistent import PMap, PSet, PVector

from .._exceptions import SchemaError
from .._freeze import thaw
from ._issues import issues_from_exception, issues_from_msgspec, issues_from_pydantic

__all__ = ["Validator", "build_validator"]

Validator = Callable[[Any], Any]
_FROZEN = (PMap, PVector, PSet)


def build_validator(schema: Any, *, endpoint: str, option: str) -> Validator:
    """The validator for ``schema``, given as ``option`` of ``endpoint``.

    Raises:
        TypeError: ``schema`` is neither a pydantic model, a ``TypeAdapter``, a type
            pydantic or msgspec can validate (with that library installed), nor a callable.
    """
    pydantic = sys.modules.get("pydantic")
    if pydantic is not None:
        if isinstance(schema, pydantic.TypeAdapter):
            return _pydantic(schema.validate_python, pydantic, option)
        if isinstance(schema, type) and issubclass(schema, pydantic.BaseModel):
            model: Any = schema
            return _pydantic(model.model_validate, pydantic, option)
    if _is_type(schema):
        return _for_type(schema, endpoint, option)
    if callable(schema):
        return _callable(schema, option)
    raise TypeError(
        f"{option} of endpoint {endpoint!r} must be a pydantic model, a pydantic "
        "TypeAdapter, a type pydantic or msgspec can validate (list[Post], a TypedDict, a "
        f"dataclass, a msgspec Struct) or a callable value -> value; got {schema!r} "
        f"({type(schema).__name__})."
    )


def _is_type(schema: Any) -> bool:
    return (
        isinstance(schema, (type, types.UnionType))
        or typing.get_origin(schema) is not None
        or typing.is_typeddict(schema)
    )


def _mentions_struct(schema: Any, struct: type) -> bool:
    if isinstance(schema, type) and issubclass(schema, struct):
        return True
    return any(_mentions_struct(arg, struct) for arg in typing.get_args(schema))


def _for_type(schema: Any, endpoint: str, option: str) -> Validator:
    msgspec = sys.modules.get("msgspec")
    if msgspec is not None and _mentions_struct(schema, msgspec.Struct):
        return _msgspec(schema, msgspec, option)
    pydantic = _optional_import("pydantic")
    if pydantic is not None:
        try:
            adapter = pydantic.TypeAdapter(schema)
        except Exception as exc:
            raise TypeError(
                f"{option} of endpoint {endpoint!r}: pydantic cannot validate {schema!r}: "
                f"{str(exc).splitlines()[0].rstrip('.')}. Pass a type pydantic supports, a TypeAdapter "
                "or a callable value -> value."
            ) from exc
        return _pydantic(adapter.validate_python, pydantic, option)
    msgspec = _optional_import("msgspec")
    if msgspec is not None:
        return _msgspec(schema, msgspec, option)
    raise TypeError(
        f"{option} of endpoint {endpoint!r} is the type {schema!r}; validating a type "
        'needs pydantic or msgspec: pip install "rtkq[pydantic]" (or "rtkq[msgspec]"), '
        "or pass a callable value -> value."
    )


def _optional_import(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def _pydantic(validate: Callable[[Any], Any], pydantic: Any, option: str) -> Validator:
    error_type = pydantic.ValidationError

    def validator(value: Any) -> Any:
        source = thaw(value) if isinstance(value, _FROZEN) else value
        try:
            return validate(source)
        except error_type as exc:
            raise SchemaError(issues_from_pydantic(exc), value, option) from None

    return validator


def _msgspec(schema: Any, msgspec: Any, option: str) -> Validator:
    convert = msgspec.convert
    error_type = msgspec.ValidationError

    def validator(value: Any) -> Any:
        source = thaw(value) if isinstance(value, _FROZEN) else value
        try:
            return convert(source, type=schema)
        except error_type as exc:
            raise SchemaError(issues_from_msgspec(exc), value, option) from None

    return validator


def _callable(schema: Callable[[Any], Any], option: str) -> Validator:
    def validator(value: Any) -> Any:
        try:
            return schema(value)
        except SchemaError as exc:
            if exc.schema_name == option:
                raise
            raise SchemaError(exc.issues, value, option) from exc
        except Exception as exc:
            raise SchemaError(issues_from_exception(exc), value, option) from exc

    return validator
