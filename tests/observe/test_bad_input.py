"""Misuse of observers: clear exceptions that name the offending value and the remedy."""

from __future__ import annotations

import asyncio

import pytest

from rtkq import configure_store

from ._support import setup


def test_observers_need_a_running_loop() -> None:
    api, store, _ = setup()
    with pytest.raises(RuntimeError, match=r"observe\(\) needs a running asyncio event loop"):
        api.endpoints.get_item.observe(store, 1)
    with pytest.raises(RuntimeError, match=r"lazy_observe\(\) needs a running asyncio event loop"):
        api.endpoints.get_item.lazy_observe(store)
    with pytest.raises(RuntimeError, match=r"query_state\(\) needs a running asyncio event loop"):
        api.endpoints.get_item.query_state(store, 1)
    with pytest.raises(RuntimeError, match=r"mutation_observer\(\) needs a running"):
        api.endpoints.update_item.mutation_observer(store)
    assert api.runtime_for(store.dispatch).subscriptions == {}


async def test_unknown_keywords_name_themselves_and_the_known_ones() -> None:
    api, store, _ = setup()
    with pytest.raises(
        TypeError,
        match=r"observe\(\) got an unexpected keyword 'pollingInterval'. Known keywords: skip, "
        r"select_from_result, polling_interval",
    ):
        api.endpoints.get_item.observe(store, 1, pollingInterval=5)
    with api.endpoints.get_item.observe(store, 1) as obs:
        with pytest.raises(TypeError, match=r"set_options\(\) got an unexpected keyword 'arg'"):
            obs.set_options(arg=2)
        with pytest.raises(ValueError, match=r"polling_interval must be seconds >= 0.*got -1"):
            obs.set_options(polling_interval=-1)
        with pytest.raises(TypeError, match="skip must be True or False, got 'yes'"):
            obs.set_options(skip="yes")
        with pytest.raises(TypeError, match="select_from_result must be a function"):
            obs.set_options(select_from_result=3)
        with pytest.raises(ValueError, match="refetch_on_mount_or_arg_change must be"):
            obs.set_options(refetch_on_mount_or_arg_change="always")
        with pytest.raises(TypeError, match="refetch_on_focus must be True, False or None"):
            obs.set_options(refetch_on_focus=1)
        assert obs.options.polling_interval == 0  # nothing applied
    with pytest.raises(TypeError, match=r"lazy_observe\(\) got an unexpected keyword 'skip'"):
        api.endpoints.get_item.lazy_observe(store, skip=True)
    with pytest.raises(TypeError, match=r"mutation_observer\(\) got an unexpected keyword 'arg'"):
        api.endpoints.update_item.mutation_observer(store, arg=1)
    with pytest.raises(TypeError, match="fixed_cache_key must be a str or None, got 3"):
        api.endpoints.update_item.mutation_observer(store, fixed_cache_key=3)
    with pytest.raises(TypeError, match=r"query_state\(\) got an unexpected keyword 'skip'"):
        api.endpoints.get_item.query_state(store, 1, skip=True)
    assert api.runtime_for(store.dispatch).subscriptions == {}


async def test_wrong_endpoint_kind_or_store() -> None:
    api, store, _ = setup()
    with pytest.raises(TypeError, match=r"observe\(\) is for query endpoints; 'update_item'"):
        api.endpoints.update_item.observe(store, 1)
    with pytest.raises(TypeError, match=r"mutation_observer\(\) is for mutation endpoints"):
        api.endpoints.get_item.mutation_observer(store)
    with pytest.raises(TypeError, match=r"expected a store as its first argument, got 'int'"):
        api.endpoints.get_item.observe(1, store)
    other = configure_store({"x": lambda s, a: 0})
    with pytest.raises(RuntimeError, match="The middleware of api 'api' is not in this store"):
        api.endpoints.get_item.observe(other, 1)


async def test_an_arg_that_cannot_be_serialized_leaves_nothing_behind() -> None:
    api, store, _ = setup()
    with pytest.raises(TypeError, match="get_item"):
        api.endpoints.get_item.observe(store, object())
    with api.endpoints.get_item.observe(store, 1) as obs:
        with pytest.raises(TypeError, match="get_item"):
            obs.set_arg(object())
        assert obs.result.arg == 1
        await asyncio.sleep(1)
        assert obs.result.data == 1  # still following 1
    assert api.runtime_for(store.dispatch).subscriptions == {}


async def test_subscribe_needs_a_function_and_an_open_observer() -> None:
    api, store, _ = setup()
    obs = api.endpoints.get_item.observe(store, 1)
    with pytest.raises(TypeError, match="subscribe\\(\\) expected a function result -> None"):
        obs.subscribe("print")  # type: ignore[arg-type]
    obs.close()
    with pytest.raises(RuntimeError, match="subscribe\\(\\) on a closed QueryObserver"):
        obs.subscribe(print)
    with pytest.raises(RuntimeError, match="changes\\(\\) on a closed QueryObserver"):
        obs.changes()


async def test_a_raising_select_from_result_keeps_the_last_result() -> None:
    errors: list[object] = []
    asyncio.get_running_loop().set_exception_handler(lambda loop, ctx: errors.append(ctx))
    api, store, _ = setup()

    def select(result: object) -> object:
        if getattr(result, "data", None) is not None:
            raise KeyError("title")
        return "waiting"

    with api.endpoints.get_item.observe(store, 1, select_from_result=select) as obs:
        await asyncio.sleep(1)
        assert obs._result == "waiting"
        assert len(errors) == 1
        assert "select_from_result" in str(errors[0]["message"])  # type: ignore[index]
