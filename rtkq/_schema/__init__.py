"""Schema validation of endpoint args, responses, errors and meta (contract §10).

pydantic and msgspec stay optional: nothing here imports them until a schema needs
one. The request path reaches this layer through one hook: an endpoint whose
definition carries compiled ``schemas`` runs its requests through
:func:`fetch_validated`.
"""

from __future__ import annotations

from ._cached import revalidate
from ._endpoint_schemas import (
    SCHEMA_NAMES,
    SCHEMA_OPTIONS,
    EndpointSchemas,
    SchemaDefaults,
    SchemaFailureInfo,
    compile_schemas,
)
from ._fetch import fetch_validated
from ._validators import Validator, build_validator

__all__ = [
    "SCHEMA_NAMES",
    "SCHEMA_OPTIONS",
    "EndpointSchemas",
    "SchemaDefaults",
    "SchemaFailureInfo",
    "Validator",
    "build_validator",
    "compile_schemas",
    "fetch_validated",
    "revalidate",
]
