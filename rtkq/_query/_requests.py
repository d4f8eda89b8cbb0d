"""One request in flight: ids, the abort signal, the base-query ``api``, ``Running``."""

from __future__ import annotations

import asyncio
import itertools
import uuid
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


class Running:
    """A request that really started (de-duplicated initiates never make one)."""

    __slots__ = (
        "arg",
        "drop_layers",
        "endpoint_name",
        "future",
        "is_mutation",
        "key",
        "previous_arg",
        "request_id",
        "scope",
        "seq",
        "signal",
        "started",
        "task",
    )

    def __init__(
        self,
        request_id: str,
        key: str,
        endpoint_name: str,
        arg: Any,
        future: asyncio.Future[Any],
        *,
        is_mutation: bool = False,
        scope: str | None = None,
    ) -> None:
        self.request_id = request_id
        self.key = key
        self.endpoint_name = endpoint_name
        self.arg = arg
        self.future = future
        self.signal = Signal()
        self.task: asyncio.Task[Any] | None = None
        self.is_mutation = is_mutation
        self.started = False
        self.scope = scope
        self.drop_layers: list[str] = []
        # The entry's arg before this request's pending replaced it (merge's previous_arg).
        self.previous_arg: Any = None
        self.seq = next(_seqs)  # creation (dispatch) order

    def __repr__(self) -> str:
        return f"<Running {self.key} request_id={self.request_id!r}>"
