"""The connection of one shared cache: commands, the bus subscription, outages.

While Redis answers, the link is ``connected`` and a supervisor task reads the bus.
When a read or a command fails, the link is down: one warning for the whole outage,
then the supervisor tries again with a growing delay (loop clock) until Redis
answers; ``on_reconnected`` runs then, before the link counts as connected again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import warnings
from collections.abc import Awaitable, Callable
from typing import Any

from ._client import REDIS_ERRORS, redact, redact_url, redis, redis_asyncio, redis_asyncio_retry

__all__ = ["BACKOFF", "MAX_CONNECTIONS", "Link", "warn"]

logger = logging.getLogger("rtkq.redis")

BACKOFF = (0.05, 2.0)  # first and longest delay between reconnect attempts, seconds
MAX_CONNECTIONS = 16  # per shared cache: the bus subscription and the commands


def warn(message: str) -> None:
    """A ``RuntimeWarning`` from a background task, which must survive it.

    Under ``-W error`` the warning is an exception; it goes to the ``rtkq.redis``
    logger instead of ending the task that keeps the link alive.
    """
    try:
        warnings.warn(message, RuntimeWarning, stacklevel=2)
    except Exception:
        logger.warning("%s", message)


class Link:
    """One Redis client and the bus subscription of one shared cache."""

    def __init__(
        self,
        url: str,
        channel: str,
        *,
        on_message: Callable[[Any], None],
        on_reconnected: Callable[[], Awaitable[None]],
        timeout: float,
    ) -> None:
        self.url = url
        self.label = redact_url(url)
        self.channel = channel
        self.on_message = on_message
        self.on_reconnected = on_reconnected
        # The asyncio Retry: redis-py 7+ warns when an asyncio client is given the sync one.
        no_retry = redis_asyncio_retry.Retry(redis.backoff.NoBackoff(), 0)
        # A bounded pool that makes commands wait for a free connection: a store that
        # starts a thousand requests at once must not open a thousand connections.
        pool = redis_asyncio.BlockingConnectionPool.from_url(
            url,
            max_connections=MAX_CONNECTIONS,
            timeout=None,  # waiting for a connection is not an outage (commands time out)
            socket_connect_timeout=timeout,
            socket_timeout=timeout,
            retry=no_retry,
        )
        self.client: Any = redis_asyncio.Redis.from_pool(pool)
        self.connected = False
        self.outage = False  # between a failure and the next successful reconnect
        self.closed = False
        self.outages = 0
        self._task: asyncio.Task[None] | None = None
        self._listening: asyncio.Task[None] | None = None
        self._first: asyncio.Future[None] | None = None

    async def start(self) -> None:
        """Start the supervisor; return after the first connection attempt."""
        loop = asyncio.get_running_loop()
        self._first = loop.create_future()
        self._task = loop.create_task(self._supervise(), name=f"rtkq.redis link {self.label}")
        await asyncio.shield(self._first)

    def lost(self, exc: BaseException) -> None:
        """Redis failed (``exc``): down until the supervisor reconnects; warn once."""
        if self.closed:
            return
        self.connected = False
        if not self.outage:
            self.outage = True
            self.outages += 1
            problem = redact(f"{type(exc).__name__}: {exc}", self.url)
            warn(
                f"Redis at {self.label} is unreachable ({problem}). This store works on its "
                "own (requests go to the base query, invalidations are not shared) and "
                "reconnects by itself."
            )
        if self._listening is not None:
            self._listening.cancel()

    async def _supervise(self) -> None:
        delay = BACKOFF[0]
        while not self.closed:
            pubsub = self.client.pubsub()
            try:
                await pubsub.subscribe(self.channel)
                self.connected = True
                if self.outage:
                    # Connections of the pool may be from before the outage: drop them.
                    await self.client.connection_pool.disconnect()
                    await self.on_reconnected()
                self.outage = False
                delay = BACKOFF[0]
                self._settle_first()
                self._listening = asyncio.ensure_future(self._listen(pubsub))
                await asyncio.wait({self._listening})
                if not self._listening.cancelled():
                    exc = self._listening.exception()
                    if exc is not None:
                        raise exc
            except REDIS_ERRORS as exc:
                self.lost(exc)
            finally:
                if self._listening is not None:
                    self._listening.cancel()
                    self._listening = None
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
            self._settle_first()
            if self.closed:
                break
            await asyncio.sleep(delay)
            delay = min(delay * 2, BACKOFF[1])

    async def _listen(self, pubsub: Any) -> None:
        while True:
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=None)
            if message is not None and message.get("type") == "message":
                self.on_message(message["data"])

    def _settle_first(self) -> None:
        if self._first is not None and not self._first.done():
            self._first.set_result(None)

    async def aclose(self) -> None:
        """Stop the supervisor and close the connections."""
        self.closed = True
        self.connected = False
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._settle_first()
        with contextlib.suppress(*REDIS_ERRORS):
            await self.client.aclose()
