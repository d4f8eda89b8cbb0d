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
from collections.abc import Callable

__all__ = ["epoch_now"]

_origins: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, float] = weakref.WeakKeyDictionary()
# The loop read last and its origin: the loop of nearly every call.
_last: tuple[Callable[[], object], float] = (lambda: None, 0.0)


def epoch_now(loop: asyncio.AbstractEventLoop | None = None) -> float:
    """``time.time()``-like seconds advanced by ``loop``'s clock.

    ``loop`` defaults to the running loop; with none, this is ``time.time()``.
    """
    if loop is None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return time.time()
    global _last
    last_loop, origin = _last
    if last_loop() is not loop:  # a WeakKeyDictionary lookup costs a weakref per call
        known = _origins.get(loop)
        if known is None:
            known = _origins[loop] = time.time() - loop.time()
        origin = known
        _last = (weakref.ref(loop), origin)
    return origin + loop.time()
