"""refetch_on_focus / refetch_on_reconnect driven by on_focus / on_online.

Ported behaviours: RTK Query's refetchingBehaviors tests.
"""

from __future__ import annotations

from typing import Any

import pytest

from rtkq import on_focus, on_focus_lost, on_offline, on_online

from ._support import FakeBaseQuery, make_api, make_store, turns


def _setup(**options: Any) -> tuple[Any, Any, FakeBaseQuery]:
    bq = FakeBaseQuery()
    api = make_api(base_query=bq, **options)
    return api, make_store(api), bq


def _config(store: Any) -> Any:
    return store.get_state()["api"]["config"]


async def test_environment_actions_update_config() -> None:
    _, store, _ = _setup()
    assert _config(store)["focused"] is True and _config(store)["online"] is True
    store.dispatch(on_focus_lost())
    store.dispatch(on_offline())
    assert _config(store)["focused"] is False and _config(store)["online"] is False
    before = store.get_state()
    store.dispatch(on_offline())
    assert store.get_state() is before  # unchanged means the same object
    store.dispatch(on_focus())
    store.dispatch(on_online())
    assert _config(store)["focused"] is True and _config(store)["online"] is True


@pytest.mark.parametrize(
    ("option", "action"), [("refetch_on_focus", on_focus), ("refetch_on_reconnect", on_online)]
)
async def test_api_wide_option_refetches_subscribed_entries(option: str, action: Any) -> None:
    api, store, bq = _setup(**{option: True})
    await store.dispatch(api.endpoints.get_item.initiate(1))
    await store.dispatch(api.endpoints.get_item.initiate(2, subscribe=False))
    store.dispatch(action())
    await turns()
    assert bq.calls == [1, 2, 1]


@pytest.mark.parametrize(
    ("option", "action"), [("refetch_on_focus", on_focus), ("refetch_on_reconnect", on_online)]
)
async def test_subscriber_false_overrides_the_api_default(option: str, action: Any) -> None:
    api, store, bq = _setup(**{option: True})
    await store.dispatch(api.endpoints.get_item.initiate(1, subscription_options={option: False}))
    store.dispatch(action())
    await turns()
    assert bq.count == 1


@pytest.mark.parametrize(
    ("option", "action"), [("refetch_on_focus", on_focus), ("refetch_on_reconnect", on_online)]
)
async def test_one_subscriber_asking_is_enough(option: str, action: Any) -> None:
    api, store, bq = _setup()
    await store.dispatch(api.endpoints.get_item.initiate(1, subscription_options={option: False}))
    await store.dispatch(api.endpoints.get_item.initiate(1, subscription_options={option: True}))
    await store.dispatch(api.endpoints.get_item.initiate(1))
    store.dispatch(action())
    await turns()
    assert bq.count == 2


async def test_no_refetch_without_the_option_or_for_the_other_event() -> None:
    api, store, bq = _setup(refetch_on_focus=True)
    await store.dispatch(api.endpoints.get_item.initiate(1))
    store.dispatch(on_online())
    store.dispatch(on_focus_lost())
    await turns()
    assert bq.count == 1


async def test_focus_with_no_subscribers_leaves_the_entry_alone() -> None:
    api, store, bq = _setup(refetch_on_focus=True)
    handle = store.dispatch(api.endpoints.get_item.initiate(1))
    await handle
    handle.unsubscribe()
    store.dispatch(on_focus())
    await turns()
    assert bq.count == 1


async def test_focus_while_a_request_runs_does_not_start_another() -> None:
    bq = FakeBaseQuery(delay=0.001)
    api = make_api(base_query=bq, refetch_on_focus=True)
    store = make_store(api)
    handle = store.dispatch(api.endpoints.get_item.initiate(1))
    store.dispatch(on_focus())
    await handle
    assert bq.count == 1
