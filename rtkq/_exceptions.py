"""The exceptions rtkq raises on purpose.

Exception tree::

    Exception
     +-- QueryError          a request settled with an error; ``.error`` holds the payload

Misuse of the API raises the built-in ``TypeError``, ``ValueError``, ``KeyError`` or
``RuntimeError`` with a message that says what was expected, what came and what to do.
"""

from __future__ import annotations

from typing import Any

__all__ = ["QueryError"]


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
