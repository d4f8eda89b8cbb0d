from __future__ import annotations

import asyncio
from typing import Any

import pytest

from rtkq import Action, configure_store, create_action, create_listener_middleware, create_slice

counter = create_slice("counter", 0, {"inc": lambda s, a: s + 1, "add": lambda s, a: s + a.payload})
ping = create_action("ping")
search = create_action("search")


async def settle() -> None:
    """Let scheduled callbacks and task steps run for a few loop iterations."""
    for _ in range(5):
        await asyncio.sleep(0)


def setup(extra: Any = None) -> tuple[Any, Any, list[tuple[BaseException, dict[str, str]]]]:
    errors: list[tuple[BaseException, dict[str, str]]] = []
    lm = create_listener_middleware(on_error=lambda e, info: errors.append((e, info)))
    store = configure_store(
        {"counter": counter.reducer}, middleware=[lm.middleware], extra_argument=extra
    )
    return lm, store, errors


def test_sync_effect_runs_after_the_reducer_with_both_states() -> None:
    lm, store, _ = setup()
    seen: list[Any] = []
    lm.start_listening(
        action_creator=counter.actions.inc,
        effect=lambda action, api: seen.append(
            (action.type, api.get_original_state()["counter"], api.get_state()["counter"])
        ),
    )
    store.dispatch(counter.actions.inc())
    store.dispatch(ping())
    assert seen == [("counter/inc", 0, 1)]


@pytest.mark.parametrize(
    "option",
    [
        {"action_creator": ping},
        {"type": "ping"},
        {"matcher": ping.match},
        {"predicate": lambda action, current, original: action.type == "ping"},
    ],
)
def test_every_way_of_matching(option: dict[str, Any]) -> None:
    lm, store, _ = setup()
    seen: list[str] = []
    lm.start_listening(**option, effect=lambda action, api: seen.append(action.type))
    store.dispatch(ping())
    store.dispatch(counter.actions.inc())
    assert seen == ["ping"]


def test_predicate_sees_current_and_original_state() -> None:
    lm, store, _ = setup()
    seen: list[int] = []
    lm.start_listening(
        predicate=lambda a, current, original: current["counter"] > original["counter"] + 1,
        effect=lambda action, api: seen.append(action.payload),
    )
    store.dispatch(counter.actions.add(1))
    store.dispatch(counter.actions.add(5))
    assert seen == [5]


def test_unsubscribe_stop_listening_and_duplicates() -> None:
    lm, store, _ = setup()
    seen: list[int] = []

    def effect(action: Action, api: Any) -> None:
        seen.append(1)

    unsubscribe = lm.start_listening(action_creator=ping, effect=effect)
    lm.start_listening(action_creator=ping, effect=effect)  # the same listener: kept once
    store.dispatch(ping())
    assert seen == [1]
    unsubscribe()
    store.dispatch(ping())
    assert seen == [1]
    lm.start_listening(type="ping", effect=effect)
    assert lm.stop_listening(type="ping", effect=effect) is True
    assert lm.stop_listening(type="ping", effect=effect) is False
    store.dispatch(ping())
    assert seen == [1]


def test_effect_api_unsubscribe_and_subscribe() -> None:
    lm, store, _ = setup()
    seen: list[int] = []

    def once(action: Action, api: Any) -> None:
        seen.append(1)
        api.unsubscribe()

    lm.start_listening(action_creator=ping, effect=once)
    store.dispatch(ping())
    store.dispatch(ping())
    assert seen == [1]


def test_effect_and_predicate_errors_go_to_on_error_and_never_break_dispatch() -> None:
    lm, store, errors = setup()

    def bad_effect(action: Action, api: Any) -> None:
        raise ValueError("effect failed")

    def bad_predicate(action: Any, current: Any, original: Any) -> bool:
        raise KeyError("predicate failed")

    seen: list[str] = []
    lm.start_listening(action_creator=ping, effect=bad_effect)
    lm.start_listening(predicate=bad_predicate, effect=lambda a, api: seen.append("never"))
    lm.start_listening(action_creator=ping, effect=lambda a, api: seen.append("later"))
    assert store.dispatch(ping()) == ping()
    assert seen == ["later"]
    assert [(type(e).__name__, info["raised_by"]) for e, info in errors] == [
        ("ValueError", "effect"),
        ("KeyError", "predicate"),
    ]


def test_default_on_error_warns() -> None:
    lm = create_listener_middleware()
    store = configure_store({"counter": counter.reducer}, middleware=[lm.middleware])

    def bad(action: Action, api: Any) -> None:
        raise ValueError("boom")

    lm.start_listening(action_creator=ping, effect=bad)
    with pytest.warns(RuntimeWarning, match=r"listener effect raised ValueError: boom"):
        store.dispatch(ping())


def test_an_on_error_that_raises_becomes_a_warning() -> None:
    def broken(error: BaseException, info: Any) -> None:
        raise RuntimeError("handler broke")

    lm = create_listener_middleware(on_error=broken)
    store = configure_store({"counter": counter.reducer}, middleware=[lm.middleware])
    lm.start_listening(action_creator=ping, effect=lambda a, api: 1 / 0)
    with pytest.warns(RuntimeWarning, match=r"on_error handler raised RuntimeError"):
        store.dispatch(ping())


async def test_async_effect_runs_as_a_task() -> None:
    lm, store, _ = setup()
    done = asyncio.Event()

    async def effect(action: Action, api: Any) -> None:
        await asyncio.sleep(0)
        api.dispatch(counter.actions.add(10))
        done.set()

    lm.start_listening(action_creator=ping, effect=effect)
    store.dispatch(ping())
    await asyncio.wait_for(done.wait(), 1)
    assert store.get_state()["counter"] == 10


async def test_async_effect_errors_go_to_on_error() -> None:
    lm, store, errors = setup()

    async def effect(action: Action, api: Any) -> None:
        await asyncio.sleep(0)
        raise ValueError("late failure")

    lm.start_listening(action_creator=ping, effect=effect)
    store.dispatch(ping())
    for _ in range(5):
        await asyncio.sleep(0)
    assert [str(e) for e, _ in errors] == ["late failure"]


def test_async_effect_without_a_loop_is_reported() -> None:
    lm, store, errors = setup()

    async def effect(action: Action, api: Any) -> None:
        pass

    lm.start_listening(action_creator=ping, effect=effect)
    store.dispatch(ping())
    assert len(errors) == 1
    assert isinstance(errors[0][0], RuntimeError)
    assert "no running event loop" in str(errors[0][0])


@pytest.mark.looptime
async def test_take_returns_the_next_matching_action_or_none_on_timeout() -> None:
    lm, store, _ = setup()
    results: list[Any] = []

    async def effect(action: Action, api: Any) -> None:
        results.append(await api.take(counter.actions.inc, timeout=5))
        results.append(await api.take("counter/add", timeout=5))

    lm.start_listening(action_creator=ping, effect=effect)
    store.dispatch(ping())
    await asyncio.sleep(1)
    store.dispatch(counter.actions.inc())
    await asyncio.sleep(10)
    assert results[0] == (counter.actions.inc(), {"counter": 1}, {"counter": 0})
    assert results[1] is None
    assert asyncio.get_running_loop().time() == pytest.approx(11)


@pytest.mark.looptime
async def test_condition_resolves_true_on_match_and_false_on_timeout() -> None:
    lm, store, _ = setup()
    results: list[bool] = []

    async def effect(action: Action, api: Any) -> None:
        results.append(await api.condition(lambda a, cur, orig: cur["counter"] >= 2, timeout=3))
        results.append(await api.condition(lambda a, cur, orig: cur["counter"] >= 9, timeout=3))

    lm.start_listening(action_creator=ping, effect=effect)
    store.dispatch(ping())
    await asyncio.sleep(0.5)
    store.dispatch(counter.actions.inc())
    store.dispatch(counter.actions.inc())
    await asyncio.sleep(5)
    assert results == [True, False]


@pytest.mark.looptime
async def test_cancel_active_listeners_debounces() -> None:
    lm, store, _ = setup()
    searched: list[str] = []

    async def effect(action: Action, api: Any) -> None:
        api.cancel_active_listeners()
        await api.delay(0.3)
        searched.append(action.payload)

    lm.start_listening(action_creator=search, effect=effect)
    for text in ("r", "rt", "rtk"):
        store.dispatch(search(text))
        await asyncio.sleep(0.1)
    await asyncio.sleep(1)
    store.dispatch(search("rtkq"))
    await asyncio.sleep(1)
    assert searched == ["rtk", "rtkq"]


@pytest.mark.looptime
async def test_cancelled_run_sees_its_signal() -> None:
    lm, store, _ = setup()
    signals: list[Any] = []

    async def effect(action: Action, api: Any) -> None:
        signals.append(api.signal)
        api.cancel_active_listeners()
        await api.delay(1)

    lm.start_listening(action_creator=ping, effect=effect)
    store.dispatch(ping())
    await asyncio.sleep(0.1)
    store.dispatch(ping())
    await asyncio.sleep(2)
    assert [(s.cancelled, s.reason) for s in signals] == [
        (True, "listener-cancelled"),
        (True, "listener-completed"),
    ]


@pytest.mark.looptime
async def test_clear_listeners_cancels_running_effects() -> None:
    lm, store, _ = setup()
    finished: list[int] = []

    async def effect(action: Action, api: Any) -> None:
        await api.delay(1)
        finished.append(1)

    lm.start_listening(action_creator=ping, effect=effect)
    store.dispatch(ping())
    await asyncio.sleep(0.5)
    lm.clear_listeners()
    await asyncio.sleep(2)
    store.dispatch(ping())
    await asyncio.sleep(2)
    assert finished == []


@pytest.mark.looptime
async def test_clear_listeners_cancels_effects_of_listeners_that_unsubscribed() -> None:
    # RTK 2 tracks executing listeners: clearing cancels a run whose listener already
    # removed itself (a "once" listener still waiting, say).
    lm, store, _ = setup()
    finished: list[str] = []
    signals: list[Any] = []

    async def once(action: Action, api: Any) -> None:
        api.unsubscribe()
        signals.append(api.signal)
        await api.delay(1)
        finished.append("once")

    lm.start_listening(action_creator=ping, effect=once)
    store.dispatch(ping())
    await asyncio.sleep(0.5)
    lm.clear_listeners()
    await asyncio.sleep(2)
    assert finished == []
    assert signals[0].cancelled and signals[0].reason == "listener-cancelled"


@pytest.mark.looptime
async def test_store_aclose_cancels_the_effects_running_for_that_store() -> None:
    lm = create_listener_middleware()
    stores = [
        configure_store({"counter": counter.reducer}, middleware=[lm.middleware]) for _ in range(2)
    ]
    finished: list[int] = []
    cleaned: list[int] = []

    async def effect(action: Action, api: Any) -> None:
        try:
            await api.delay(5)
            finished.append(api.get_state()["counter"])
        finally:
            cleaned.append(api.get_state()["counter"])

    lm.start_listening(action_creator=counter.actions.inc, effect=effect)
    stores[0].dispatch(counter.actions.inc())
    stores[1].dispatch(counter.actions.inc())
    stores[1].dispatch(counter.actions.inc())
    await asyncio.sleep(1)
    await stores[1].aclose()
    assert cleaned == [2, 2]  # both runs of the closed store ended
    assert finished == []
    await asyncio.sleep(10)
    assert finished == [1]  # the other store's effect went on
    await stores[0].aclose()


@pytest.mark.looptime
async def test_stop_listening_with_cancel_active() -> None:
    lm, store, _ = setup()
    finished: list[int] = []

    async def effect(action: Action, api: Any) -> None:
        await api.delay(1)
        finished.append(1)

    lm.start_listening(action_creator=ping, effect=effect)
    store.dispatch(ping())
    await asyncio.sleep(0.5)
    assert lm.stop_listening(action_creator=ping, effect=effect, cancel_active=True)
    await asyncio.sleep(2)
    assert finished == []


@pytest.mark.looptime
async def test_fork_result_and_cancellation_when_the_parent_completes() -> None:
    lm, store, _ = setup()
    results: list[Any] = []
    forks: list[Any] = []

    async def child(fork_api: Any) -> int:
        await fork_api.delay(1)
        return 42

    async def slow_child(fork_api: Any) -> None:
        await fork_api.delay(100)

    async def effect(action: Action, api: Any) -> None:
        forks.append(api.fork(slow_child))
        results.append(await api.fork(child).result())

    lm.start_listening(action_creator=ping, effect=effect)
    store.dispatch(ping())
    await asyncio.sleep(5)
    assert results[0].status == "ok" and results[0].value == 42
    assert forks[0].signal.reason == "listener-completed"
    assert (await forks[0].result()).status == "cancelled"


@pytest.mark.looptime
async def test_fork_cancel_rejection_and_auto_join() -> None:
    lm, store, _ = setup()
    results: list[Any] = []
    joined: list[int] = []

    async def failing(fork_api: Any) -> None:
        raise ValueError("child failed")

    async def late(fork_api: Any) -> None:
        await fork_api.delay(2)
        joined.append(1)

    async def effect(action: Action, api: Any) -> None:
        results.append(await api.fork(failing).result())
        waiting = api.fork(lambda fork_api: fork_api.delay(10))
        waiting.cancel()
        results.append(await waiting.result())
        results.append(await api.fork(lambda fork_api: "sync value").result())
        api.fork(late, auto_join=True)

    lm.start_listening(action_creator=ping, effect=effect)
    store.dispatch(ping())
    await asyncio.sleep(5)
    assert [r.status for r in results] == ["rejected", "cancelled", "ok"]
    assert str(results[0].error) == "child failed"
    assert results[2].value == "sync value"
    assert joined == [1]


@pytest.mark.looptime
async def test_parent_cancellation_cancels_forks() -> None:
    lm, store, _ = setup()
    forks: list[Any] = []

    async def effect(action: Action, api: Any) -> None:
        api.cancel_active_listeners()
        forks.append(api.fork(lambda fork_api: fork_api.delay(100)))
        await api.delay(100)

    lm.start_listening(action_creator=ping, effect=effect)
    store.dispatch(ping())
    await asyncio.sleep(1)
    store.dispatch(ping())
    await asyncio.sleep(1)
    assert (await forks[0].result()).status == "cancelled"
    lm.clear_listeners()
    assert (await forks[1].result()).status == "cancelled"


@pytest.mark.looptime
async def test_take_is_cancelled_with_its_run() -> None:
    lm, store, _ = setup()
    outcomes: list[str] = []

    async def effect(action: Action, api: Any) -> None:
        try:
            await api.take(counter.actions.inc)
        except asyncio.CancelledError:
            outcomes.append("cancelled")
            raise

    lm.start_listening(action_creator=ping, effect=effect)
    store.dispatch(ping())
    await asyncio.sleep(1)
    lm.clear_listeners()
    await asyncio.sleep(1)
    assert outcomes == ["cancelled"]
    assert lm._waiters == ()


def test_start_listening_needs_exactly_one_matcher() -> None:
    lm = create_listener_middleware()
    with pytest.raises(ValueError, match=r"exactly one of action_creator.*got none"):
        lm.start_listening(effect=lambda a, api: None)
    with pytest.raises(ValueError, match=r"got \['action_creator', 'type'\]"):
        lm.start_listening(action_creator=ping, type="ping", effect=lambda a, api: None)


def test_start_listening_type_errors() -> None:
    lm = create_listener_middleware()
    with pytest.raises(TypeError, match=r"effect to be a function.*got 'str'"):
        lm.start_listening(type="ping", effect="nope")
    with pytest.raises(TypeError, match=r"matcher to be a function, got 'int'"):
        lm.start_listening(matcher=3, effect=lambda a, api: None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"type to be an action type string, got 'int'"):
        lm.start_listening(type=3, effect=lambda a, api: None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"action_creator to have a .match method"):
        lm.start_listening(action_creator="ping", effect=lambda a, api: None)
    with pytest.raises(TypeError, match=r"on_error to be a function"):
        create_listener_middleware(on_error=3)  # type: ignore[arg-type]


async def test_take_with_a_bad_predicate_is_a_type_error() -> None:
    lm, store, errors = setup()

    async def effect(action: Action, api: Any) -> None:
        await api.take(3)

    lm.start_listening(action_creator=ping, effect=effect)
    store.dispatch(ping())
    for _ in range(3):
        await asyncio.sleep(0)
    assert len(errors) == 1
    assert isinstance(errors[0][0], TypeError)
    assert "action creator, a type string or a function" in str(errors[0][0])


def test_non_actions_pass_through_untouched() -> None:
    lm, store, _ = setup()
    lm.start_listening(predicate=lambda a, c, o: True, effect=lambda a, api: None)
    assert store.dispatch(lambda d, g, e: "thunk result") == "thunk result"


# -- scenarios ported from Redux Toolkit's listener middleware tests --------------


async def test_async_effect_runs_synchronously_up_to_its_first_await() -> None:
    lm, store, _ = setup()
    tasks: list[Any] = []

    async def effect(action: Action, api: Any) -> None:
        tasks.append(asyncio.current_task())
        api.dispatch(counter.actions.add(5))
        await asyncio.sleep(0)

    lm.start_listening(action_creator=ping, effect=effect)
    store.dispatch(ping())
    assert store.get_state()["counter"] == 5
    assert tasks[0] is not None and tasks[0] is not asyncio.current_task()
    await tasks[0]


async def test_take_sees_the_action_dispatched_right_after() -> None:
    lm, store, _ = setup()
    results: list[Any] = []

    async def effect(action: Action, api: Any) -> None:
        results.append(await api.take(counter.actions.inc.match))  # a one-argument matcher

    lm.start_listening(predicate=counter.actions.add.match, effect=effect)
    store.dispatch(counter.actions.add(1))
    store.dispatch(counter.actions.inc())
    await settle()
    assert results == [(counter.actions.inc(), {"counter": 2}, {"counter": 1})]


async def test_signal_reasons_for_cancelled_and_completed_runs() -> None:
    lm, store, _ = setup()
    signals: list[Any] = []

    async def effect(action: Action, api: Any) -> None:
        signals.append(api.signal)
        api.cancel_active_listeners()
        await api.delay(0.01)

    lm.start_listening(action_creator=ping, effect=effect)
    store.dispatch(ping())
    store.dispatch(ping())  # cancels the first run at once
    assert signals[0].reason == "listener-cancelled"
    await asyncio.sleep(0.05)
    assert signals[1].reason == "listener-completed"


async def test_an_effect_can_unsubscribe_and_subscribe_again() -> None:
    lm, store, _ = setup()
    runs: list[int] = []

    async def effect(action: Action, api: Any) -> None:
        runs.append(1)
        api.unsubscribe()
        await api.condition(counter.actions.inc.match)
        api.subscribe()

    lm.start_listening(action_creator=ping, effect=effect)
    store.dispatch(ping())
    store.dispatch(ping())
    assert len(runs) == 1
    store.dispatch(counter.actions.inc())
    await settle()
    store.dispatch(ping())
    assert len(runs) == 2


async def test_clear_listeners_cancels_forks_before_they_run() -> None:
    lm, store, _ = setup()

    async def effect(action: Action, api: Any) -> None:
        await api.fork(lambda fork_api: api.dispatch(counter.actions.add(3))).result()
        api.dispatch(counter.actions.add(4))

    lm.start_listening(action_creator=ping, effect=effect)
    store.dispatch(ping())
    lm.clear_listeners()
    for _ in range(5):
        await asyncio.sleep(0)
    assert store.get_state()["counter"] == 0


async def test_a_run_that_cancels_itself_in_its_first_step_ends_cancelled() -> None:
    lm, store, errors = setup()
    after: list[int] = []

    async def effect(action: Action, api: Any) -> None:
        api.cancel()
        await asyncio.sleep(0)
        after.append(1)

    lm.start_listening(action_creator=ping, effect=effect)
    store.dispatch(ping())
    for _ in range(3):
        await asyncio.sleep(0)
    assert after == []
    assert errors == []


async def test_sync_effect_and_async_effect_on_one_action_run_in_start_order() -> None:
    lm, store, _ = setup()
    order: list[str] = []

    async def first(action: Action, api: Any) -> None:
        order.append("async first step")
        await asyncio.sleep(0)
        order.append("async rest")

    lm.start_listening(action_creator=ping, effect=first)
    lm.start_listening(action_creator=ping, effect=lambda a, api: order.append("sync"))
    store.dispatch(ping())
    order.append("dispatch returned")
    await asyncio.sleep(0.01)
    assert order == ["async first step", "sync", "dispatch returned", "async rest"]


async def test_take_resolves_when_another_thread_dispatches() -> None:
    lm, store, _ = setup()
    results: list[Any] = []

    async def effect(action: Action, api: Any) -> None:
        results.append(await api.take("counter/inc"))

    lm.start_listening(action_creator=ping, effect=effect)
    store.dispatch(ping())
    await asyncio.to_thread(store.dispatch, counter.actions.inc())
    await settle()
    assert results == [(counter.actions.inc(), {"counter": 1}, {"counter": 0})]


@pytest.mark.looptime
async def test_clear_listeners_from_another_thread_cancels_on_the_loop() -> None:
    lm, store, _ = setup()
    signals: list[Any] = []
    finished: list[int] = []

    async def effect(action: Action, api: Any) -> None:
        signals.append(api.signal)
        await api.delay(10)
        finished.append(1)

    lm.start_listening(action_creator=ping, effect=effect)
    store.dispatch(ping())
    await asyncio.to_thread(lm.clear_listeners)
    await asyncio.sleep(20)
    assert finished == []
    assert repr(signals[0]) == "<CancelSignal cancelled=True reason='listener-cancelled'>"


@pytest.mark.looptime
async def test_pause_and_throw_if_cancelled() -> None:
    lm, store, _ = setup()
    outcomes: list[Any] = []

    async def effect(action: Action, api: Any) -> None:
        api.cancel_active_listeners()
        if action.payload == "fork":
            forked = api.fork(lambda fork_api: fork_api.pause(asyncio.sleep(1, "forked")))
            outcomes.append((await forked.result()).value)
            return
        outcomes.append(await api.pause(asyncio.sleep(1, "paused")))
        try:
            await api.pause(asyncio.sleep(5))
        except asyncio.CancelledError:
            outcomes.append("cancelled during pause")
            api.throw_if_cancelled()  # raises again: the run is over

    lm.start_listening(action_creator=ping, effect=effect)
    store.dispatch(ping())
    await asyncio.sleep(2)
    store.dispatch(ping("fork"))
    await asyncio.sleep(2)
    assert outcomes == ["paused", "cancelled during pause", "forked"]


def test_fork_needs_a_callable() -> None:
    lm, store, errors = setup()
    lm.start_listening(action_creator=ping, effect=lambda a, api: api.fork(3))
    store.dispatch(ping())
    assert "fork's argument to be a function" in str(errors[0][0])


def test_effect_api_exposes_the_extra_argument() -> None:
    lm, store, _ = setup(extra={"client": "fake"})
    seen: list[Any] = []
    lm.start_listening(action_creator=ping, effect=lambda a, api: seen.append(api.extra))
    store.dispatch(ping())
    assert seen == [{"client": "fake"}]
