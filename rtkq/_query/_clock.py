"""The api's clock: seconds since the epoch that advance with the event loop's clock.

``started_at`` and ``fulfilled_at`` (contract §3) come from here. Each loop's clock is
anchored to the wall clock once, the first time it is read, so fast-forwarded loop
time (tests under ``looptime``) ages entries as real time would, and every part of
rtkq that stamps or compares times on one loop agrees.
"""

from __future__ import annotations

import asyncio
import time
import weakref

__all__ = ["epoch_now"]

_origins: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, float] = weakref.WeakKeyDictionary()


def epoch_now(loop: asyncio.AbstractEventLoop | None = None) -> float:
    """``time.time()``-like seconds advanced by ``loop``'s clock.

    ``loop`` defaults to the running loop; with none, this is ``time.time()``.
    """
    if loop is None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return time.time()
    origin = _origins.get(loop)
    if origin is None:
        origin = _origins[loop] = time.time() - loop.time()
    return origin + loop.time()
