from __future__ import annotations

import asyncio
import gc
import operator
import threading
from typing import Any

import pytest

from rtkq import Action, configure_store, create_selector, create_slice

counter = create_slice("counter", 0, {"inc": lambda s, a: s + 1, "add": lambda s, a: s + a.payload})
other = create_slice("other", 0, {"inc": lambda s, a: s + 1})


def make_store() -> Any:
    return configure_store({"counter": counter.reducer, "other": other.reducer})


def test_watch_fires_with_new_and_old_only_on_change() -> None:
    store = make_store()
    seen: list[tuple[int, int]] = []
    store.watch(lambda s: s["counter"], lambda new, old: seen.append((new, old)))
    store.dispatch(counter.actions.inc())
    store.dispatch(other.actions.inc())
    store.dispatch(Action("nobody"))
    store.dispatch(counter.actions.add(2))
    assert seen == [(1, 0), (3, 1)]


def test_watch_uses_equals() -> None:
    store = make_store()
    seen: list[Any] = []
    store.watch(lambda s: s["counter"] // 2, lambda new, old: seen.append(new), equals=operator.eq)
    for _ in range(4):
        store.dispatch(counter.actions.inc())
    assert seen == [1, 2]


def test_watchers_skip_selectors_when_the_root_state_is_unchanged() -> None:
    store = make_store()
    calls: list[int] = []

    def selector(state: Any) -> Any:
        calls.append(1)
        return state["counter"]

    store.watch(selector, lambda new, old: None)
    assert len(calls) == 1
    store.dispatch(Action("nobody"))
    assert len(calls) == 1
    store.dispatch(other.actions.inc())
    assert len(calls) == 2


def test_memoized_selector_on_an_unchanged_slice_does_not_recompute() -> None:
    store = make_store()
    doubled = create_selector(lambda s: s["other"], lambda v: v * 2)
    seen: list[int] = []
    store.watch(doubled, lambda new, old: seen.append(new))
    for _ in range(5):
        store.dispatch(counter.actions.inc())
    assert doubled.recomputations() == 1
    store.dispatch(other.actions.inc())
    assert seen == [2]


def test_unsubscribe_stops_the_callback_and_twice_is_harmless() -> None:
    store = make_store()
    seen: list[int] = []
    unsubscribe = store.watch(lambda s: s["counter"], lambda new, old: seen.append(new))
    store.dispatch(counter.actions.inc())
    unsubscribe()
    unsubscribe()
    store.dispatch(counter.actions.inc())
    assert seen == [1]


def test_a_watcher_unsubscribed_by_another_callback_is_not_called() -> None:
    store = make_store()
    seen: list[str] = []
    unsubscribers: list[Any] = []
    unsubscribers.append(store.watch(lambda s: s["counter"], lambda n, o: unsubscribers[1]()))
    unsubscribers.append(store.watch(lambda s: s["counter"], lambda n, o: seen.append("b")))
    store.dispatch(counter.actions.inc())
    assert seen == []


def test_a_callback_may_dispatch() -> None:
    store = make_store()
    seen: list[tuple[int, int]] = []

    def callback(new: int, old: int) -> None:
        seen.append((new, old))
        if new < 3:
            store.dispatch(counter.actions.inc())

    store.watch(lambda s: s["counter"], callback)
    store.dispatch(counter.actions.inc())
    assert store.get_state()["counter"] == 3
    assert seen == [(1, 0), (2, 1), (3, 2)]


def test_a_raising_callback_does_not_stop_other_watchers() -> None:
    store = make_store()
    seen: list[int] = []

    def boom(new: int, old: int) -> None:
        raise ValueError("watcher failed")

    store.watch(lambda s: s["counter"], boom)
    store.watch(lambda s: s["counter"], lambda n, o: seen.append(n))
    with pytest.raises(ValueError, match="watcher failed"):
        store.dispatch(counter.actions.inc())
    assert seen == [1]


def test_watch_bad_input() -> None:
    store = make_store()
    with pytest.raises(TypeError, match=r"Expected the selector to be a function, got 'str'"):
        store.watch("counter", lambda n, o: None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"Expected the callback to be a function, got 'NoneType'"):
        store.watch(lambda s: s, None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"Expected equals to be a function"):
        store.watch(lambda s: s, lambda n, o: None, equals=1)  # type: ignore[arg-type]


def test_watch_sees_every_change_exactly_once_across_threads() -> None:
    store = make_store()
    seen: list[int] = []
    lock = threading.Lock()

    def record(new: int, old: int) -> None:
        with lock:
            seen.append(new)

    store.watch(lambda s: s["counter"], record)

    def work() -> None:
        for _ in range(2_000):
            store.dispatch(counter.actions.inc())

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.get_state()["counter"] == 8_000
    assert len(seen) == len(set(seen))  # no value reported twice
    assert max(seen) == 8_000


# -- changes ---------------------------------------------------------------------


async def test_changes_yields_current_then_each_change() -> None:
    store = make_store()
    values: list[int] = []

    async def consume() -> None:
        async for value in store.changes(lambda s: s["counter"]):
            values.append(value)
            if value == 2:
                break

    task = asyncio.ensure_future(consume())
    await asyncio.sleep(0)
    store.dispatch(counter.actions.inc())
    await asyncio.sleep(0)
    store.dispatch(other.actions.inc())  # the selected value does not change
    await asyncio.sleep(0)
    store.dispatch(counter.actions.inc())
    await asyncio.wait_for(task, 1)
    assert values == [0, 1, 2]
    assert store._watches.watchers == ()  # breaking out unsubscribed


async def test_changes_under_a_burst_keeps_one_value_and_ends_on_the_latest() -> None:
    store = make_store()
    changes = store.changes(lambda s: s["counter"])
    values = [await changes.__anext__()]
    pending: list[int] = []
    for _ in range(10_000):
        store.dispatch(counter.actions.inc())
        pending.append(changes.pending)
    assert max(pending) == 1
    values.append(await changes.__anext__())
    assert values == [0, 10_000]
    changes.close()
    with pytest.raises(StopAsyncIteration):
        await changes.__anext__()


async def test_changes_from_another_thread_wake_the_consumer_once_per_batch(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = make_store()
    loop = asyncio.get_running_loop()
    scheduled: list[int] = []
    original = loop.call_soon_threadsafe

    def counting(*args: Any, **kwargs: Any) -> Any:
        scheduled.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(loop, "call_soon_threadsafe", counting)
    values: list[int] = []

    async def consume() -> None:
        async for value in store.changes(lambda s: s["counter"]):
            values.append(value)
            if value == 10_000:
                break
            await asyncio.sleep(0.001)  # a slow consumer

    task = asyncio.ensure_future(consume())
    await asyncio.sleep(0)

    def burst() -> None:
        for _ in range(10_000):
            store.dispatch(counter.actions.inc())

    await asyncio.to_thread(burst)
    await asyncio.wait_for(task, 5)
    assert values[0] == 0 and values[-1] == 10_000
    assert len(values) < 1_000
    assert values == sorted(set(values))
    assert len(scheduled) < 1_000  # wake-ups, not one callback per dispatch


async def test_dropping_the_iterator_unsubscribes() -> None:
    store = make_store()
    changes = store.changes(lambda s: s["counter"])
    assert len(store._watches.watchers) == 1
    del changes
    gc.collect()
    assert store._watches.watchers == ()


async def test_close_wakes_a_waiting_consumer() -> None:
    store = make_store()
    changes = store.changes(lambda s: s["counter"])
    assert await changes.__anext__() == 0
    task = asyncio.ensure_future(changes.__anext__())
    await asyncio.sleep(0)
    await changes.aclose()
    with pytest.raises(StopAsyncIteration):
        await asyncio.wait_for(task, 1)


async def test_cancelling_the_consumer_unsubscribes() -> None:
    store = make_store()
    changes = store.changes(lambda s: s["counter"])
    await changes.__anext__()
    task = asyncio.ensure_future(changes.__anext__())
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert store._watches.watchers == ()


def test_changes_without_a_running_loop_is_refused() -> None:
    store = make_store()
    with pytest.raises(RuntimeError, match=r"needs a running asyncio event loop.*store.watch"):
        store.changes(lambda s: s)


async def test_changes_bad_selector() -> None:
    store = make_store()
    with pytest.raises(TypeError, match=r"Expected the selector to be a function, got 'int'"):
        store.changes(3)  # type: ignore[arg-type]


def test_a_raising_selector_is_reported_and_others_still_run() -> None:
    store = make_store()
    seen: list[int] = []

    def fragile(state: Any) -> Any:
        if state["counter"] > 0:
            raise LookupError("selector failed")
        return 0

    store.watch(fragile, lambda n, o: None)
    store.watch(lambda s: s["counter"], lambda n, o: seen.append(n))
    with pytest.raises(LookupError, match="selector failed"):
        store.dispatch(counter.actions.inc())
    assert seen == [1]
