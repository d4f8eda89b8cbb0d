"""``collector_paused``: no cyclic garbage collection while a snapshot's data is built.

Saving or restoring n cached entries allocates a dozen containers per entry and frees
almost none of them, which is the worst case for CPython's cyclic collector: every 700
allocations it runs, and each time the new objects reach a quarter of the heap it
traverses the whole heap (the store's cache included). At 100,000 entries that made
``dehydrate`` about 2.5x and ``load`` + ``hydrate`` about 4x slower than with the
collector off. Paused, the new objects are traversed once, by the first collection
after the pause.

The pause is only taken when the collector is on, and it is switched on again when the
bulk work ends (however it ends). A program that switches the collector off itself is
left as it is. The collector's switch is one setting for the whole process: a thread
that switches it off while another thread is inside such a pause finds it on again
when that pause ends.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the ``with`` block if it is on."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
