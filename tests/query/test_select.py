"""Selectors: memoized select(arg), skip_token, uninitialized states."""

from __future__ import annotations

import pytest

from rtkq import QueryStatus, skip_token

from ._support import make_api, make_store


async def test_select_is_memoized_per_arg_and_per_state() -> None:
    api = make_api()
    store = make_store(api)
    select = api.endpoints.get_item.select({"a": 1, "b": 2})
    assert api.endpoints.get_item.select({"b": 2, "a": 1}) is select
    assert api.endpoints.get_item.select({"a": 2}) is not select
    before = select(store.get_state())
    assert before.is_uninitialized and before.query_cache_key == 'get_item({"a":1,"b":2})'
    assert before.endpoint_name == "get_item"
    assert select(store.get_state()) is before
    await store.dispatch(api.endpoints.get_item.initiate({"a": 1, "b": 2}))
    state = store.get_state()
    after = select(state)
    assert after.is_success and select(state) is after


async def test_an_unrelated_entry_changing_keeps_the_selected_object() -> None:
    api = make_api()
    store = make_store(api)
    select = api.endpoints.get_item.select(1)
    await store.dispatch(api.endpoints.get_item.initiate(1))
    first = select(store.get_state())
    await store.dispatch(api.endpoints.get_item.initiate(2))
    assert select(store.get_state()) is first


def test_select_skip_token_is_uninitialized() -> None:
    api = make_api()
    state = api.endpoints.get_item.select(skip_token)({"anything": 1})
    assert state.status is QueryStatus.UNINITIALIZED and state.endpoint_name == "get_item"
    assert repr(skip_token) == "skip_token"


def test_select_on_a_state_without_the_api_is_a_runtime_error() -> None:
    api = make_api()
    with pytest.raises(RuntimeError, match="No api state under 'api'"):
        api.endpoints.get_item.select(1)({"other": 1})


def test_select_of_an_unserializable_arg_is_a_type_error() -> None:
    api = make_api()
    with pytest.raises(TypeError, match="'get_item'"):
        api.endpoints.get_item.select({1j})


def test_endpoint_cache_key() -> None:
    api = make_api()
    assert api.endpoints.get_item.cache_key({"b": None, "a": [1]}) == 'get_item({"a":[1],"b":null})'


async def test_a_new_root_state_with_the_same_api_state_reuses_the_result() -> None:
    api = make_api()
    store = make_store(api)
    await store.dispatch(api.endpoints.get_item.initiate(1))
    select = api.endpoints.get_item.select(1)
    state = store.get_state()
    first = select(state)
    copy = {**state}
    assert select(copy) is first
    assert select({"api": state["api"].set("config", state["api"]["config"])}) is first
