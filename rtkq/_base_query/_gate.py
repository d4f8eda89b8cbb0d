"""A send gate per client: at most as many requests in httpx as its pool has connections.

httpx queues the requests its connection pool cannot serve yet inside the pool, and
httpcore (1.0) rescans the whole queue against every connection whenever a request
starts or ends (a profile of 1,000 queued requests: 85M ``can_handle_request`` calls).
Measured against a local server: 1,000 concurrent GETs took 20-60 s instead of ~3 s,
and with a 10 s timeout every one of them failed. A browser queues per host at no such
cost, so a program that dispatches 1,000 ``initiate``s expects them all to land.

So ``fetch_base_query`` waits on an ``asyncio.Semaphore`` of the pool's size before it
hands a request to httpx: the queue then lives in the semaphore (waking the next waiter
is O(1), in arrival order), and httpx's own queue stays empty.

It stays empty only while each idle connection goes to one request. httpcore 1.0.9
hands one idle connection to every request it finds waiting until the first of them
starts on it (encode/httpcore#822, #1110); under load the losers retried, in no order,
and one of 1,000 requests timed out after 10 s. The clients rtkq makes therefore get
``_OneRequestPerConnectionPool`` (see there); clients users pass keep their own pool.
"""

from __future__ import annotations

import asyncio
import sys
import weakref

import httpcore
import httpx

__all__ = [
    "MAX_CONNECTIONS",
    "gate_for",
    "one_request_per_connection",
    "pool_limit",
    "private_limits",
]

MAX_CONNECTIONS = 100
"""httpx's default ``max_connections``, given explicitly to the clients rtkq makes."""

# client -> (the loop its gate was made on, the gate or None). An asyncio.Semaphore
# belongs to the loop it first waited on, so a client used on a later loop (a client
# made at import, used by two asyncio.run calls) gets a new gate there.
_gates: weakref.WeakKeyDictionary[
    httpx.AsyncClient, tuple[asyncio.AbstractEventLoop, asyncio.Semaphore | None]
] = weakref.WeakKeyDictionary()


def private_limits() -> httpx.Limits:
    """The limits of a client rtkq makes (httpx's defaults, spelled out)."""
    return httpx.Limits(max_connections=MAX_CONNECTIONS, max_keepalive_connections=20)


def pool_limit(client: httpx.AsyncClient) -> int | None:
    """How many requests ``client``'s connection pool serves at once, if that is known.

    ``None`` (no gate) when the client's transport is not httpx's pooled
    ``AsyncHTTPTransport`` (a ``MockTransport``, a custom transport: it queues as it
    likes), when the pool has no connection limit, or when it speaks HTTP/2 (one
    connection carries many requests, so connections do not bound them).
    """
    # httpx keeps the pool private; read it defensively, and a test pins that the
    # installed httpx still has it (otherwise every client would silently lose its gate).
    pool = getattr(getattr(client, "_transport", None), "_pool", None)
    limit = getattr(pool, "_max_connections", None)
    unlimited = not isinstance(limit, int) or limit < 1 or limit >= sys.maxsize  # None: maxsize
    if unlimited or getattr(pool, "_http2", False):
        return None
    return limit


def gate_for(client: httpx.AsyncClient) -> asyncio.Semaphore | None:
    """The gate of ``client`` on the running loop (made on first use there)."""
    loop = asyncio.get_running_loop()
    held = _gates.get(client)
    if held is not None and held[0] is loop:
        return held[1]
    limit = pool_limit(client)
    gate = None if limit is None else asyncio.Semaphore(limit)
    _gates[client] = (loop, gate)
    return gate


class _OneRequestPerConnectionPool(httpcore.AsyncConnectionPool):
    """httpcore's pool, minus handing one idle connection to several requests at once.

    httpcore (1.0.9) gives a waiting request an idle connection that stays ``IDLE``
    (so "available") until that request's task runs; meanwhile every assignment pass
    hands the same connection to the other waiting requests too, or closes it as a
    surplus idle one. All but one then get ``ConnectionNotAvailable`` and retry, in no
    order: under load (coverage, 2 busy cores) some of the 100 requests the gate let in
    lost that race again and again for over 10 s (encode/httpcore#822, #1110). Here a
    connection given to a request that has not started on it is not given again, nor
    closed as idle (an expired one still is: its request retries).
    """

    def _assign_requests_to_connections(self) -> list[httpcore.AsyncConnectionInterface]:
        closing: list[httpcore.AsyncConnectionInterface] = []
        given = {id(r.connection) for r in self._requests if r.connection is not None}
        for connection in list(self._connections):
            if connection.is_closed():
                self._connections.remove(connection)
            elif connection.has_expired() or (
                connection.is_idle()
                and id(connection) not in given
                # httpcore's own test: all connections, not only the idle ones.
                and len(self._connections) > self._max_keepalive_connections
            ):
                self._connections.remove(connection)
                closing.append(connection)

        for pool_request in [r for r in self._requests if r.is_queued()]:
            origin = pool_request.request.url.origin
            free = [c for c in self._connections if id(c) not in given]
            chosen = next(
                (c for c in free if c.can_handle_request(origin) and c.is_available()), None
            )
            if chosen is None:  # a new connection, closing an idle one to make room
                if len(self._connections) >= self._max_connections:
                    idle = next((c for c in free if c.is_idle()), None)
                    if idle is None:
                        continue  # every connection is busy: it waits
                    self._connections.remove(idle)
                    closing.append(idle)
                chosen = self.create_connection(origin)
                self._connections.append(chosen)
            pool_request.assign_to_connection(chosen)
            given.add(id(chosen))
        return closing


#: The httpcore releases whose pool internals ``_OneRequestPerConnectionPool`` was written
#: against; with another release (perhaps with the upstream fix) clients keep httpcore's.
PATCHED_HTTPCORE = "1.0."


def one_request_per_connection(client: httpx.AsyncClient) -> httpx.AsyncClient:
    """Give ``client``'s httpcore pool (HTTP/1.1 only) the assignment above, in place."""
    pool = getattr(getattr(client, "_transport", None), "_pool", None)
    if (
        type(pool) is httpcore.AsyncConnectionPool
        and not pool._http2
        and httpcore.__version__.startswith(PATCHED_HTTPCORE)
    ):
        pool.__class__ = _OneRequestPerConnectionPool
    return client
