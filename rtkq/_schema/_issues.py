"""Turning pydantic's and msgspec's validation errors into ``SchemaError`` issues.

An issue is ``{"message": str, "path": [key_or_index, ...]}`` (Standard Schema's
shape, which RTK Query reports), whatever library found it.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["issues_from_exception", "issues_from_msgspec", "issues_from_pydantic"]

_MSGSPEC_AT = re.compile(r"^(?P<message>.*?) - at `\$(?P<path>[^`]*)`$", re.DOTALL)
_MSGSPEC_PART = re.compile(r"\.([^.\[]+)|\[(\d+)\]|\[\.\.\.\]")


def issues_from_pydantic(exc: Any) -> list[dict[str, Any]]:
    """The issues of a ``pydantic.ValidationError``, one per error it lists."""
    return [
        {"message": error["msg"], "path": list(error.get("loc", ()))}
        for error in exc.errors(include_url=False, include_context=False, include_input=False)
    ]


def issues_from_msgspec(exc: BaseException) -> list[dict[str, Any]]:
    """The issue of a ``msgspec.ValidationError``: its message and the path it names.

    msgspec reports one error as ``"Expected `int`, got `str` - at `$.items[0].id`"``;
    a dict key it cannot name (``[...]``) becomes ``"..."``.
    """
    text = str(exc)
    match = _MSGSPEC_AT.match(text)
    if match is None:
        return [{"message": text, "path": []}]
    path: list[Any] = []
    for name, index in _MSGSPEC_PART.findall(match["path"]):
        path.append(name if name else int(index) if index else "...")
    return [{"message": match["message"], "path": path}]


def issues_from_exception(exc: BaseException) -> list[dict[str, Any]]:
    """The issue of an exception a callable schema raised: its message, no path."""
    return [{"message": str(exc) or type(exc).__name__, "path": []}]
