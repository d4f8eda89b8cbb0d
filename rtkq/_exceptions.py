"""The exceptions rtkq raises on purpose.

Exception tree::

    Exception
     +-- QueryError          a request settled with an error; ``.error`` holds the payload
     +-- SchemaError         a value failed one of an endpoint's schemas (never raised at
                             the caller: it rejects the request and reaches
                             ``on_schema_failure`` / ``catch_schema_failure``)

Misuse of the API raises the built-in ``TypeError``, ``ValueError``, ``KeyError`` or
``RuntimeError`` with a message that says what was expected, what came and what to do.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ._freeze import freeze
from ._types import AnyMap

__all__ = ["QueryError", "SchemaError"]


class QueryError(Exception):
    """Raised by ``unwrap()`` when a query or mutation settled with an error.

    Attributes:
        error: the error payload, e.g. ``{"status": 404, "data": {...}}``.
        meta: the base query's ``meta`` for that request, when there was one.
    """

    def __init__(self, error: Any, meta: Any = None) -> None:
        super().__init__(_describe(error))
        self.error = error
        self.meta = meta


def _describe(error: Any) -> str:
    if isinstance(error, dict) or hasattr(error, "get"):
        status = error.get("status")
        detail = error.get("error") or error.get("message") or error.get("data")
        name = error.get("name")
        parts = [str(p) for p in (status, name, detail) if p is not None]
        if parts:
            return ": ".join(parts)
    return repr(error)


class SchemaError(Exception):
    """A value failed one of an endpoint's schemas.

    The request is rejected with :attr:`payload` as its error, ``{"name":
    "SchemaError", "schema_name": ..., "message": ..., "issues": [...]}``; the cache
    keeps its last good data. A callable schema may raise it itself to report issues.

    Attributes:
        schema_name: which schema failed: ``"arg_schema"``, ``"raw_response_schema"``,
            ``"response_schema"``, ``"raw_error_response_schema"``,
            ``"error_response_schema"`` or ``"meta_schema"``.
        issues: a tuple of ``{"message": str, "path": [key_or_index, ...]}`` dicts.
        value: the value that failed.
    """

    def __init__(
        self, issues: Iterable[Mapping[str, Any]], value: Any = None, schema_name: str = ""
    ) -> None:
        self.issues: tuple[dict[str, Any], ...] = tuple(
            {"message": str(issue.get("message", "")), "path": list(issue.get("path", ()))}
            for issue in issues
        )
        self.value = value
        self.schema_name = schema_name
        super().__init__(self._message())

    def _message(self) -> str:
        described = "; ".join(f"{_path(issue['path'])}{issue['message']}" for issue in self.issues)
        prefix = f"{self.schema_name} rejected the value" if self.schema_name else "invalid value"
        count = len(self.issues)
        return f"{prefix} ({count} issue{'s' if count != 1 else ''}): {described}"

    @property
    def payload(self) -> AnyMap:
        """The frozen error payload a request rejected by this failure stores."""
        return freeze(  # type: ignore[no-any-return]
            {
                "name": "SchemaError",
                "schema_name": self.schema_name,
                "message": str(self),
                "issues": [dict(issue) for issue in self.issues],
            }
        )

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.issues, self.value, self.schema_name))


def _path(path: list[Any]) -> str:
    if not path:
        return ""
    return ".".join(str(part) for part in path) + ": "
