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
"""

from __future__ import annotations

import asyncio
import sys
import weakref

import httpx

__all__ = ["MAX_CONNECTIONS", "gate_for", "pool_limit", "private_limits"]

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
