"""Validating cached data again: what ``hydrate`` does with a snapshot's entries.

A snapshot holds JSON; an endpoint with a ``response_schema`` stores that schema's
output, so each restored entry goes through the schema once more (each page of an
infinite entry), giving back the same typed records the requests had stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._freeze import freeze
from ._endpoint_schemas import EndpointSchemas

__all__ = ["revalidate"]


def revalidate(schemas: EndpointSchemas | None, data: Any, *, infinite: bool) -> Any:
    """``data`` through the endpoint's ``response_schema`` (if active), frozen.

    Raises:
        SchemaError: the data no longer matches the schema.
    """
    validate = schemas.response if schemas is not None else None
    if validate is None:
        return freeze(data)
    if infinite:
        if isinstance(data, Mapping) and isinstance(data.get("pages"), list):
            return freeze({**data, "pages": [validate(page) for page in data["pages"]]})
        return freeze(data)
    return freeze(validate(data))
