"""Polling: intervals per subscription, the lowest wins, focus-aware skipping.

Ported behaviours: RTK Query's polling tests.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from rtkq import on_focus, on_focus_lost

from ._support import FakeBaseQuery, make_api, make_store


def _setup(delay: float = 0.0) -> tuple[Any, Any, FakeBaseQuery]:
    bq = FakeBaseQuery(delay=delay)
    api = make_api(base_query=bq)
    return api, make_store(api), bq


@pytest.mark.looptime
async def test_polls_at_the_interval_counted_from_each_settle() -> None:
    api, store, bq = _setup(delay=1)
    handle = store.dispatch(
        api.endpoints.get_item.initiate(1, subscription_options={"polling_interval": 10})
    )
    await handle
    assert bq.count == 1  # t=1
    await asyncio.sleep(10.5)  # t=11.5: the poll started at t=11
    assert bq.count == 2
    await asyncio.sleep(10)  # t=21.5: that poll settled at t=12, next at t=22
    assert bq.count == 2
    await asyncio.sleep(1)
    assert bq.count == 3
    handle.unsubscribe()
    await asyncio.sleep(100)
    assert bq.count == 3


@pytest.mark.looptime
async def test_reset_api_state_clears_polling() -> None:
    api, store, bq = _setup()
    await store.dispatch(
        api.endpoints.get_item.initiate(1, subscription_options={"polling_interval": 10})
    )
    store.dispatch(api.util.reset_api_state())
    await asyncio.sleep(100)
    assert bq.count == 1


@pytest.mark.looptime
async def test_updating_subscription_options_replaces_the_interval() -> None:
    api, store, bq = _setup()
    handle = store.dispatch(
        api.endpoints.get_item.initiate(1, subscription_options={"polling_interval": 10})
    )
    await handle
    handle.update_subscription_options({"polling_interval": 100})
    await asyncio.sleep(50)
    assert bq.count == 1
    await asyncio.sleep(51)
    assert bq.count == 2
    handle.update_subscription_options({"polling_interval": 0})
    await asyncio.sleep(1000)
    assert bq.count == 2


@pytest.mark.looptime
async def test_removing_a_shared_subscriber_keeps_the_other_ones_interval() -> None:
    api, store, bq = _setup()
    polling = store.dispatch(
        api.endpoints.get_item.initiate(1, subscription_options={"polling_interval": 10})
    )
    plain = store.dispatch(api.endpoints.get_item.initiate(1))
    await polling
    plain.unsubscribe()
    await asyncio.sleep(25)
    assert bq.count == 3
    polling.unsubscribe()


@pytest.mark.looptime
async def test_the_lowest_interval_among_subscribers_wins() -> None:
    api, store, bq = _setup()
    slow = store.dispatch(
        api.endpoints.get_item.initiate(1, subscription_options={"polling_interval": 100})
    )
    fast = store.dispatch(
        api.endpoints.get_item.initiate(1, subscription_options={"polling_interval": 10})
    )
    await slow
    await asyncio.sleep(35)
    assert bq.count == 4
    fast.unsubscribe()  # back to the slow interval
    count = bq.count
    await asyncio.sleep(99)
    assert bq.count == count
    await asyncio.sleep(2)
    assert bq.count == count + 1
    slow.unsubscribe()


@pytest.mark.looptime
async def test_skip_polling_if_unfocused() -> None:
    api, store, bq = _setup()
    handle = store.dispatch(
        api.endpoints.get_item.initiate(
            1, subscription_options={"polling_interval": 10, "skip_polling_if_unfocused": True}
        )
    )
    await handle
    await asyncio.sleep(10.5)
    assert bq.count == 2
    store.dispatch(on_focus_lost())
    await asyncio.sleep(50)
    assert bq.count == 2
    store.dispatch(on_focus())
    await asyncio.sleep(10.5)
    assert bq.count >= 3
    handle.unsubscribe()


@pytest.mark.looptime
async def test_skip_polling_if_unfocused_when_at_least_one_subscriber_asks() -> None:
    api, store, bq = _setup()
    skipping = store.dispatch(
        api.endpoints.get_item.initiate(
            1, subscription_options={"polling_interval": 10, "skip_polling_if_unfocused": True}
        )
    )
    plain = store.dispatch(
        api.endpoints.get_item.initiate(1, subscription_options={"polling_interval": 20})
    )
    await skipping
    store.dispatch(on_focus_lost())
    await asyncio.sleep(100)
    assert bq.count == 1
    skipping.update_subscription_options({"polling_interval": 10})
    await asyncio.sleep(10.5)
    assert bq.count == 2  # nobody asks to skip any more
    plain.unsubscribe()
    skipping.unsubscribe()


@pytest.mark.looptime
async def test_a_poll_does_not_overlap_a_running_request() -> None:
    api, store, bq = _setup(delay=15)
    handle = store.dispatch(
        api.endpoints.get_item.initiate(1, subscription_options={"polling_interval": 5})
    )
    await asyncio.sleep(14)
    assert bq.count == 1
    await asyncio.sleep(40)  # settles at 15, 35, 55 with polls 5 s after each settle
    assert bq.count == 3
    handle.unsubscribe()
