"""One query request through the shared cache: served, waited for, or fetched and shared.

A request first claims its key in one round trip: a shared entry newer than the
store's own is served at once; otherwise the request takes the key's lock (``SET NX``
with ``lock_timeout``) and calls the base query, or, when another process holds the
lock, waits for that process's "done" message on the bus (polling as well, in case
the message is missed) and looks again. After ``lock_timeout`` seconds of waiting it
calls the base query itself. A fetch's result is written (JSON only, with a TTL and
the tag index) unless an invalidation came while it ran.
"""

from __future__ import annotations

import asyncio
import math
import uuid
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from .._freeze import freeze
from .._json import NotJSONError, to_json
from .._query._execute import outcome as make_outcome
from .._schema._cached import revalidate
from ._client import REDIS_ERRORS
from ._codec import decode_entry, encode_entry, encode_message
from ._keys import Keys
from ._link import Link, warn
from ._scripts import CLAIM, FILL, RELEASE

if TYPE_CHECKING:
    from .._query._definitions import EndpointDefinition
    from .._query._hooks import Execute, Outcome
    from .._query._requests import BaseQueryApi, Running
    from .._query._runtime import Runtime

__all__ = ["Flight"]

_HIT, _LOCKED = 1, 2
POLL = 0.25  # seconds between looks while waiting for another process's fetch


class Flight:
    """The request side of a shared cache (``run_query`` of its runtime hooks)."""

    def __init__(
        self,
        *,
        link: Link,
        keys: Keys,
        runtime: Runtime,
        origin: str,
        ttl: float | None,
        lock_timeout: float,
        barrier: Callable[[], Awaitable[None]],
    ) -> None:
        self.link = link
        self.keys = keys
        self.runtime = runtime
        self.api = runtime.api
        self.origin = origin
        self.ttl = ttl
        self.lock_timeout = lock_timeout
        self.barrier = barrier
        self.waiters: dict[str, list[asyncio.Future[dict[str, Any]]]] = {}
        self.background: set[asyncio.Task[Any]] = set()
        self.not_shared: set[str] = set()  # endpoints already warned about
        self.held: dict[str, str] = {}  # locks this store holds: cache key -> token
        client = link.client
        self._claim = client.register_script(CLAIM)
        self._fill = client.register_script(FILL)
        self._release = client.register_script(RELEASE)

    # -- what is shared ----------------------------------------------------------
    def ttl_for(self, definition: EndpointDefinition) -> float:
        if self.ttl is not None:
            return self.ttl
        if definition.keep_unused_data_for is not None:
            return float(definition.keep_unused_data_for)
        return float(self.api.keep_unused_data_for)

    def shares(self, definition: EndpointDefinition) -> bool:
        """Plain queries with a finite, positive TTL (not infinite or merging ones)."""
        if definition.is_infinite or definition.merge is not None:
            return False
        ttl = self.ttl_for(definition)
        return ttl > 0 and math.isfinite(ttl)

    # -- the hook ----------------------------------------------------------------
    async def run(
        self,
        running: Running,
        bq_api: BaseQueryApi,
        definition: EndpointDefinition,
        proceed: Execute,
    ) -> Outcome:
        if not self.link.connected or not self.shares(definition):
            return await proceed(running, bq_api)
        await self.barrier()  # this store's invalidations reach Redis first
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.lock_timeout
        local = self.runtime.entry(running.key)
        newer_than = -1.0
        if local is not None and local.fulfilled_at is not None:
            newer_than = float(local.fulfilled_at)
        token = uuid.uuid4().hex
        keys = self.keys
        while self.link.connected:
            try:
                found, value = await self._claim(
                    keys=[keys.entry(running.key), keys.lock(running.key), keys.epoch],
                    args=[token, max(1, int(self.lock_timeout * 1000)), repr(newer_than)],
                )
            except REDIS_ERRORS as exc:
                self.link.lost(exc)
                break
            if found == _HIT:
                served = self._served(running, definition, value)
                if served is not None:
                    return served
                newer_than = math.inf  # malformed: not served again, take the lock instead
                continue
            if found == _LOCKED:
                epoch = value.decode() if isinstance(value, bytes) else str(value)
                return await self._fetch_and_share(
                    running, bq_api, definition, proceed, token, epoch
                )
            remaining = deadline - loop.time()
            if remaining <= 0:
                break  # waited lock_timeout: fetch ourselves
            done = await self._wait(running.key, min(remaining, POLL))
            if done is None or done["ok"] is True:
                continue  # look again (the entry is there, or the lock is free)
            if done["ok"] is False:
                return make_outcome(
                    self.runtime,
                    definition,
                    running.endpoint_name,
                    running.arg,
                    False,
                    freeze(done.get("error")),
                    None,
                    shared=True,
                )
            break  # the other process had nothing to share
        return await proceed(running, bq_api)

    def _served(self, running: Running, definition: EndpointDefinition, raw: Any) -> Outcome | None:
        try:
            entry = decode_entry(raw, self.api.tag_types)
            if entry["endpoint_name"] != running.endpoint_name:
                raise ValueError(f"it belongs to endpoint {entry['endpoint_name']!r}")
            # As in hydrate: JSON comes back through response_schema (typed records).
            data = revalidate(definition.schemas, entry["data"], infinite=False)
        except Exception as exc:  # malformed JSON, or data the schema refuses
            warn(
                f"Ignored a malformed shared entry for {running.key!r} in Redis at "
                f"{self.link.label}: {exc}. The base query is called instead."
            )
            return None
        meta = {
            "base_query_meta": None,
            "provided_tags": entry["provided_tags"],
            "fulfilled_at": entry["fulfilled_at"],
            "shared": True,
        }
        return ("fulfilled", data, meta)

    async def _wait(self, key: str, timeout: float) -> dict[str, Any] | None:
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        waiting = self.waiters.setdefault(key, [])
        waiting.append(future)
        try:
            return await asyncio.wait_for(future, timeout)
        except asyncio.TimeoutError:
            return None
        finally:
            waiting.remove(future)
            if not waiting:
                del self.waiters[key]

    def done(self, message: dict[str, Any]) -> None:
        """A "done" message from another process: wake the requests waiting for its key."""
        for future in self.waiters.get(message["key"], ()):
            if not future.done():
                future.set_result(message)

    def wake_all(self) -> None:
        """Let every waiting request look again (or fetch itself, the link being down)."""
        for waiting in self.waiters.values():
            for future in waiting:
                if not future.done():
                    future.set_result({"ok": None})

    # -- fetch and share ---------------------------------------------------------
    async def _fetch_and_share(
        self,
        running: Running,
        bq_api: BaseQueryApi,
        definition: EndpointDefinition,
        proceed: Execute,
        token: str,
        epoch: str,
    ) -> Outcome:
        self.held[running.key] = token
        try:
            result = await proceed(running, bq_api)
        except BaseException:
            # Aborted: give the lock up at once so waiters need not wait it out.
            if self.held.pop(running.key, None) == token:
                self._spawn(self._give_up(running.key, token))
            raise
        if self.held.pop(running.key, None) != token:
            return result  # given up already (the shared cache is closing)
        return await self._share(running, definition, result, token, epoch)

    async def give_up_all(self) -> None:
        """Release every lock this store holds (closing): the waiters fetch themselves."""
        held, self.held = self.held, {}
        for key, token in held.items():
            await self._give_up(key, token)

    async def _share(
        self,
        running: Running,
        definition: EndpointDefinition,
        result: Outcome,
        token: str,
        epoch: str,
    ) -> Outcome:
        """Write a fetch's ``result`` for the others and release the lock; return it."""
        kind, payload, meta = result
        if self.link.closed:
            return result  # the shared cache closed while this ran: nothing to share
        if kind != "fulfilled":
            try:
                error = to_json(payload)
            except NotJSONError:
                await self._give_up(running.key, token)
                return result
            await self._give_up(running.key, token, ok=False, error=error)
            return result
        tags = meta.get("provided_tags") or ()
        fulfilled_at = self.runtime.now()
        try:
            value = encode_entry(running.endpoint_name, running.arg, payload, fulfilled_at, tags)
            tag_sets = list(dict.fromkeys(name for tag in tags for name in self.keys.tag_sets(tag)))
        except NotJSONError as exc:
            if running.endpoint_name not in self.not_shared:
                self.not_shared.add(running.endpoint_name)
                warn(
                    f"Entries of endpoint {running.endpoint_name!r} are not shared through "
                    f"Redis: they hold {exc}, and only JSON is written."
                )
            await self._give_up(running.key, token)
            return result
        ttl_ms = max(1, int(self.ttl_for(definition) * 1000))
        message = encode_message("done", self.origin, key=running.key, ok=True)
        keys = self.keys
        try:
            await self._fill(
                keys=[keys.entry(running.key), keys.lock(running.key), keys.epoch, *tag_sets],
                args=[token, epoch, repr(fulfilled_at), value, ttl_ms, keys.channel, message],
            )
        except REDIS_ERRORS as exc:
            self.link.lost(exc)
        # The store keeps the same fulfilled_at as the shared entry, so that a refetch
        # here is not served its own entry back.
        return (kind, payload, {**meta, "fulfilled_at": fulfilled_at})

    async def _give_up(
        self, key: str, token: str, *, ok: bool | None = None, error: Any = None
    ) -> None:
        if self.link.closed:
            return
        fields: dict[str, Any] = {"key": key, "ok": ok}
        if ok is False:
            fields["error"] = error
        message = encode_message("done", self.origin, **fields)
        try:
            await self._release(
                keys=[self.keys.lock(key)], args=[token, self.keys.channel, message]
            )
        except REDIS_ERRORS as exc:
            self.link.lost(exc)

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self.background.add(task)
        task.add_done_callback(self.background.discard)
