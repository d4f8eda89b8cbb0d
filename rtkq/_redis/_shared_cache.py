"""``SharedCache``: one store joined to a Redis namespace that many processes share.

What it adds to the store, through the runtime's hooks (``rtkq._query._hooks``):

- Invalidation bus: tags this store invalidates are published (after the shared
  entries they hit are deleted, in the same script); tags another store published are
  applied here as a local invalidation, and never published again.
- Shared entries and single flight: see ``_flight.py``.
- Outages: see ``_link.py``. Tags invalidated while Redis is unreachable are kept and
  published on reconnect; the store then invalidates every entry it holds (subscribed
  ones refetch, the others are dropped), since it may have missed invalidations.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .._json import NotJSONError, to_json
from .._query._types import QueryStatus, Tag
from ._client import REDIS_ERRORS, check_url
from ._codec import decode_message, decode_tags, encode_message
from ._flight import Flight
from ._keys import Keys
from ._link import Link, warn
from ._scripts import EPOCH_TTL_MS, INVALIDATE

if TYPE_CHECKING:
    from types import TracebackType

    from .._query._create_api import Api
    from .._query._definitions import EndpointDefinition
    from .._query._hooks import Execute, Outcome
    from .._query._requests import BaseQueryApi, Running

__all__ = ["SharedCache"]


def _seconds(name: str, value: Any, *, allow_none: bool = False) -> float | None:
    if value is None and allow_none:
        return None
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise TypeError(f"{name} must be seconds (a number), got {value!r}.")
    if not (value > 0 and math.isfinite(value)):
        raise ValueError(f"{name} must be a finite number of seconds > 0, got {value!r}.")
    return float(value)


class SharedCache:
    """Connects one store's cache of ``api`` to a Redis namespace shared by many processes.

    ``async with SharedCache(store, api, url) as shared:`` (or ``await shared.start()``
    ... ``await shared.aclose()``). See the README section "One cache for many
    processes" for what is and is not guaranteed.
    """

    def __init__(
        self,
        store: Any,
        api: Api,
        url: str,
        *,
        namespace: str = "rtkq",
        ttl: float | None = None,
        lock_timeout: float = 10.0,
    ) -> None:
        """Prepare the link (nothing connects before ``start()``).

        Args:
            store: a store with ``api``'s reducer and middleware.
            api: the api whose cache is shared.
            url: ``redis://[[user]:password@]host[:port][/db]`` or ``rediss://`` (TLS).
            namespace: prefix of every key and channel; stores share only within one.
            ttl: seconds a shared entry lives; by default the endpoint's
                ``keep_unused_data_for``.
            lock_timeout: seconds a request waits for another process's fetch of the
                same key before fetching itself (also the lock's own expiry).

        Raises:
            TypeError, ValueError: an argument of the wrong type or value (the message
                names it); RuntimeError: the api middleware is not in ``store``.
        """
        check_url(url)
        if not isinstance(namespace, str) or not namespace:
            raise TypeError(f"namespace must be a non-empty str, got {namespace!r}.")
        self._ttl = _seconds("ttl", ttl, allow_none=True)
        self._lock_timeout = _seconds("lock_timeout", lock_timeout)
        assert self._lock_timeout is not None
        self.store = store
        self.api = api
        self.namespace = namespace
        self._runtime = api.runtime_for(store.dispatch)
        self._keys = Keys(namespace, api.reducer_path)
        self._origin = uuid.uuid4().hex
        self._link = Link(
            url,
            self._keys.channel,
            on_message=self._on_message,
            on_reconnected=self._reconnected,
            timeout=min(5.0, self._lock_timeout),
        )
        self._flight = Flight(
            link=self._link,
            keys=self._keys,
            runtime=self._runtime,
            origin=self._origin,
            ttl=self._ttl,
            lock_timeout=self._lock_timeout,
            barrier=self._barrier,
        )
        self._invalidate = self._link.client.register_script(INVALIDATE)
        self._writes: set[asyncio.Task[Any]] = set()
        self._missed: dict[Tag, None] = {}  # invalidated while Redis was unreachable
        self._removers: list[Callable[[], Any]] = []
        self._started = False
        self._closed = False

    def __repr__(self) -> str:
        state = "closed" if self._closed else "connected" if self.connected else "not connected"
        return f"<SharedCache {self._link.label} namespace={self.namespace!r} {state}>"

    @property
    def connected(self) -> bool:
        """Whether Redis answers now (``False`` during an outage: the store works alone)."""
        return self._link.connected

    # -- lifecycle ---------------------------------------------------------------
    async def start(self) -> SharedCache:
        """Join the namespace; returns after the first connection attempt.

        An unreachable Redis is not an error: the store works alone (one
        ``RuntimeWarning``) and joins when Redis answers.

        Raises:
            RuntimeError: started twice, or after ``aclose()``.
        """
        if self._started:
            raise RuntimeError(f"{self!r} was already started; create a new SharedCache.")
        self._started = True
        self._runtime.try_bind_loop()
        self._removers.append(self._runtime.add_hooks(self))
        # Closing the store closes this first (hooks run last registered first).
        self._removers.append(self.store.on_close(self.aclose))
        await self._link.start()
        return self

    async def aclose(self) -> None:
        """Leave the namespace: pending invalidations are published, connections closed.

        The store keeps its cache and works alone afterwards. Idempotent.
        """
        if self._closed or not self._started:
            self._closed = True
            return
        self._closed = True
        for remove in reversed(self._removers):
            remove()
        self._removers.clear()
        if self._writes:
            await asyncio.wait(list(self._writes), timeout=self._lock_timeout)
        if self._link.connected:
            await self._flight.give_up_all()
        self._flight.wake_all()
        await self._link.aclose()
        for task in [*self._writes, *self._flight.background]:
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*self._writes, *self._flight.background, return_exceptions=True)

    async def __aenter__(self) -> SharedCache:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    # -- runtime hooks -----------------------------------------------------------
    async def run_query(
        self,
        running: Running,
        bq_api: BaseQueryApi,
        *,
        definition: EndpointDefinition,
        proceed: Execute,
    ) -> Outcome:
        return await self._flight.run(running, bq_api, definition, proceed)

    def tags_invalidated(self, tags: tuple[Tag, ...]) -> None:
        if self._closed:
            return
        if not self._link.connected:
            self._missed.update(dict.fromkeys(tags))
            return
        self._spawn_write(self._publish(tags))

    async def _barrier(self) -> None:
        if self._writes:
            await asyncio.wait(list(self._writes))

    def _spawn_write(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._writes.add(task)
        task.add_done_callback(self._writes.discard)

    async def _publish(self, tags: tuple[Tag, ...]) -> None:
        """Delete the shared entries ``tags`` hit, then tell every other store."""
        try:
            pairs = [[tag.type, to_json(tag.id)] for tag in tags]
            sets = list(dict.fromkeys(self._keys.invalidated_set(tag) for tag in tags))
        except NotJSONError as exc:
            warn(f"Tags {tags!r} were not shared through Redis: a tag id holds {exc}.")
            return
        message = encode_message("inv", self._origin, tags=pairs)
        try:
            await self._invalidate(
                keys=[self._keys.epoch, *sets],
                args=[uuid.uuid4().hex, EPOCH_TTL_MS, self._keys.channel, message],
            )
        except REDIS_ERRORS as exc:
            self._missed.update(dict.fromkeys(tags))
            self._link.lost(exc)

    # -- the bus -----------------------------------------------------------------
    def _on_message(self, raw: Any) -> None:
        try:
            message = decode_message(raw)
            if message["o"] == self._origin:
                return  # our own: never applied twice
            if message["k"] == "done":
                self._flight.done(message)
                return
            tags = decode_tags(message["tags"], self.api.tag_types)
        except ValueError as exc:
            warn(f"Ignored a malformed message on {self._keys.channel!r}: {exc}.")
            return
        if tags:
            self._runtime.invalidate(tags, broadcast=False)

    async def _reconnected(self) -> None:
        """After an outage: publish what was missed, then distrust what the store holds."""
        if self._missed:
            missed, self._missed = tuple(self._missed), {}
            self._spawn_write(self._publish(missed))
        self._flight.wake_all()
        runtime = self._runtime
        keys = [
            key
            for key, entry in runtime.slice_state()["queries"].items()
            if entry.status is not QueryStatus.UNINITIALIZED
        ]
        if keys:
            # Subscribed entries refetch (served from Redis when another process has
            # a newer one); the others are dropped.
            runtime.invalidate_keys(keys)
