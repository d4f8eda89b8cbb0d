"""One request in flight: ids, the abort signal, the base-query ``api``, ``Running``."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .._exceptions import SchemaError
from .._freeze import freeze
from .._types import AnyMap

if TYPE_CHECKING:
    from ._runtime import Runtime


__all__ = ["ABORTED", "BaseQueryApi", "Running", "Signal", "new_request_id", "serialize_exception"]

ABORTED: AnyMap = freeze({"status": "CUSTOM_ERROR", "error": "Aborted"})
_ids = itertools.count(1)
_seqs = itertools.count(1)
_prefix = uuid.uuid4().hex[:6]


def new_request_id() -> str:
    return f"{_prefix}-{next(_ids)}"


def serialize_exception(exc: BaseException) -> AnyMap:
    """The error payload of a request whose user code raised ``exc``.

    A :class:`SchemaError` carries its own payload (schema name and issues).
    """
    if isinstance(exc, SchemaError):
        return exc.payload
    payload: AnyMap = freeze({"name": type(exc).__name__, "message": str(exc)})
    return payload


class Signal:
    """Tells a running base query whether its request was aborted."""

    __slots__ = ("aborted",)

    def __init__(self) -> None:
        self.aborted = False


class BaseQueryApi:
    """The ``api`` argument of a base query and of ``query_fn``."""

    __slots__ = (
        "arg",
        "dispatch",
        "endpoint",
        "extra",
        "forced",
        "get_state",
        "on_close",
        "query_cache_key",
        "signal",
        "type",
    )

    def __init__(
        self,
        runtime: Runtime,
        endpoint: str,
        kind: str,
        forced: bool,
        arg: Any,
        signal: Signal,
        query_cache_key: str | None = None,
    ) -> None:
        self.signal = signal
        self.dispatch = runtime.dispatch
        self.get_state = runtime.get_state
        self.extra = runtime.extra
        self.endpoint = endpoint
        self.type = kind
        self.forced = forced
        self.arg = arg
        self.query_cache_key = query_cache_key
        self.on_close = runtime.on_close

    def abort(self) -> None:
        """Ask for this request to stop (the task running it is cancelled)."""
        self.signal.aborted = True


@dataclass(eq=False)
class Running:
    """A request that really started (de-duplicated initiates never make one)."""

    request_id: str
    key: str
    endpoint_name: str
    arg: Any
    future: asyncio.Future[Any]
    signal: Signal = field(default_factory=Signal)
    task: asyncio.Task[Any] | None = None
    is_mutation: bool = False
    started: bool = False
    scope: str | None = None
    drop_layers: list[str] = field(default_factory=list)
    # The entry's arg before this request's pending replaced it (merge's previous_arg).
    previous_arg: Any = None
    seq: int = field(default_factory=lambda: next(_seqs))  # creation (dispatch) order
