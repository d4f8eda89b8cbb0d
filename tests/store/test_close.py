"""store.on_close / store.aclose / async with: the store's shutdown registry."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from rtkq import Action, configure_store, create_store


def _counter(state: Any, action: Any) -> Any:
    state = state or 0
    return state + 1 if getattr(action, "type", None) == "inc" else state


async def test_hooks_run_last_registered_first_sync_and_async() -> None:
    store = create_store(_counter)
    ran: list[str] = []

    async def first() -> None:
        await asyncio.sleep(0)
        ran.append("first")

    def second() -> None:
        ran.append("second")

    async def third() -> None:
        ran.append("third")

    store.on_close(first)
    store.on_close(second)
    store.on_close(third)
    assert not store.closed
    await store.aclose()
    assert ran == ["third", "second", "first"]
    assert store.closed


async def test_a_removed_hook_does_not_run_and_removing_twice_is_harmless() -> None:
    store = create_store(_counter)
    ran: list[str] = []
    remove = store.on_close(lambda: ran.append("removed"))
    store.on_close(lambda: ran.append("kept"))
    remove()
    remove()
    await store.aclose()
    assert ran == ["kept"]


async def test_aclose_twice_runs_the_hooks_once() -> None:
    store = create_store(_counter)
    calls: list[int] = []
    store.on_close(lambda: calls.append(1))
    await store.aclose()
    await store.aclose()
    assert calls == [1]


async def test_a_call_made_while_closing_waits_for_the_close() -> None:
    store = create_store(_counter)
    release = asyncio.Event()
    finished: list[str] = []

    async def slow() -> None:
        await release.wait()
        finished.append("slow")

    store.on_close(slow)
    first = asyncio.ensure_future(store.aclose())
    await asyncio.sleep(0)
    second = asyncio.ensure_future(store.aclose())
    await asyncio.sleep(0)
    assert not second.done()  # it waits for the hook the first call is running
    release.set()
    await asyncio.gather(first, second)
    assert finished == ["slow"]


async def test_a_hook_that_raises_does_not_stop_the_others() -> None:
    store = create_store(_counter)
    ran: list[str] = []

    async def broken() -> None:
        raise ValueError("hook broke")

    store.on_close(lambda: ran.append("registered first"))
    store.on_close(broken)
    store.on_close(lambda: ran.append("registered last"))
    with pytest.raises(ValueError, match="hook broke"):
        await store.aclose()
    assert ran == ["registered last", "registered first"]
    await store.aclose()  # already closed: nothing runs, nothing is raised again
    assert ran == ["registered last", "registered first"]


async def test_the_first_error_is_raised_when_several_hooks_fail() -> None:
    store = create_store(_counter)

    def fail(message: str) -> Callable[[], None]:
        def hook() -> None:
            raise RuntimeError(message)

        return hook

    store.on_close(fail("registered first"))
    store.on_close(fail("registered last"))
    with pytest.raises(RuntimeError, match="registered last"):
        await store.aclose()


async def test_async_with_closes_the_store_and_the_state_stays_usable() -> None:
    ran: list[str] = []
    async with create_store(_counter) as store:
        store.on_close(lambda: ran.append("closed"))
        store.dispatch(Action("inc"))
        assert ran == []
    assert ran == ["closed"]
    assert store.closed
    assert store.get_state() == 1
    store.dispatch(Action("inc"))  # plain actions still reach the reducer
    assert store.get_state() == 2


async def test_async_with_closes_when_the_block_raises() -> None:
    ran: list[str] = []
    with pytest.raises(KeyError):
        async with configure_store({"count": _counter}) as store:
            store.on_close(lambda: ran.append("closed"))
            raise KeyError("boom")
    assert ran == ["closed"]


async def test_registering_on_a_closed_store_is_refused() -> None:
    store = create_store(_counter)
    await store.aclose()
    with pytest.raises(RuntimeError, match=r"store is closed .*Create a new store"):
        store.on_close(lambda: None)


def test_a_hook_must_be_callable() -> None:
    store = create_store(_counter)
    with pytest.raises(TypeError, match=r"close hook to be a function, got 'int'"):
        store.on_close(3)  # type: ignore[arg-type]


async def test_middleware_register_through_their_api() -> None:
    ran: list[str] = []

    def middleware(api: Any) -> Any:
        async def stop() -> None:
            ran.append(f"stopped at {api.get_state()['count']}")

        api.on_close(stop)
        return lambda next_: next_

    store = configure_store({"count": _counter}, middleware=[middleware])
    store.dispatch(Action("inc"))
    await store.aclose()
    assert ran == ["stopped at 1"]
