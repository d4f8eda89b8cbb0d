from __future__ import annotations

import threading
from typing import Any

import pytest

from rtkq import Action, create_store


def counter(state: Any, action: Action) -> Any:
    if state is None:
        return 0
    if action.type == "inc":
        return state + 1
    return state


def test_init_action_is_dispatched_on_creation() -> None:
    seen: list[str] = []

    def reducer(state: Any, action: Action) -> Any:
        seen.append(action.type)
        return 0 if state is None else state

    create_store(reducer)
    assert len(seen) == 1
    assert seen[0].startswith("@@rtkq/INIT")


def test_preloaded_state_wins_over_the_reducer_default() -> None:
    assert create_store(counter, 41).get_state() == 41


def test_dispatch_returns_the_action_and_updates_state() -> None:
    store = create_store(counter)
    action = Action("inc")
    assert store.dispatch(action) is action
    assert store.get_state() == 1


def test_listeners_run_after_each_dispatch() -> None:
    store = create_store(counter)
    states: list[int] = []
    store.subscribe(lambda: states.append(store.get_state()))
    store.dispatch(Action("inc"))
    store.dispatch(Action("other"))
    assert states == [1, 1]


def test_listeners_subscribed_during_dispatch_start_next_dispatch() -> None:
    store = create_store(counter)
    calls: list[str] = []

    def late() -> None:
        calls.append("late")

    def first() -> None:
        calls.append("first")
        if len(calls) == 1:
            store.subscribe(late)

    store.subscribe(first)
    store.dispatch(Action("inc"))
    assert calls == ["first"]
    store.dispatch(Action("inc"))
    assert calls == ["first", "first", "late"]


def test_listeners_unsubscribed_during_dispatch_stop_next_dispatch() -> None:
    store = create_store(counter)
    calls: list[str] = []
    unsubscribers: list[Any] = []

    def a() -> None:
        calls.append("a")
        unsubscribers[1]()

    def b() -> None:
        calls.append("b")

    unsubscribers.append(store.subscribe(a))
    unsubscribers.append(store.subscribe(b))
    store.dispatch(Action("inc"))
    assert calls == ["a", "b"]  # b still ran: the snapshot was taken before
    store.dispatch(Action("inc"))
    assert calls == ["a", "b", "a"]


def test_unsubscribe_twice_is_harmless_and_removes_one_entry() -> None:
    store = create_store(counter)
    calls: list[int] = []

    def listener() -> None:
        calls.append(1)

    first = store.subscribe(listener)
    store.subscribe(listener)
    first()
    first()
    store.dispatch(Action("inc"))
    assert calls == [1]


def test_nested_dispatch_from_a_listener_notifies_again() -> None:
    store = create_store(counter)
    states: list[int] = []

    def listener() -> None:
        states.append(store.get_state())
        if store.get_state() < 3:
            store.dispatch(Action("inc"))

    store.subscribe(listener)
    store.dispatch(Action("inc"))
    assert store.get_state() == 3
    assert states == [1, 2, 3]


def test_a_raising_listener_does_not_stop_the_others() -> None:
    store = create_store(counter)
    calls: list[str] = []

    def boom() -> None:
        calls.append("boom")
        raise ValueError("first")

    def boom2() -> None:
        raise KeyError("second")

    store.subscribe(boom)
    store.subscribe(boom2)
    store.subscribe(lambda: calls.append("after"))
    with pytest.raises(ValueError, match="first"):
        store.dispatch(Action("inc"))
    assert calls == ["boom", "after"]
    assert store.get_state() == 1  # the state change happened


def test_replace_reducer_dispatches_a_replace_action() -> None:
    store = create_store(counter)
    seen: list[str] = []

    def doubled(state: Any, action: Action) -> Any:
        seen.append(action.type)
        return state * 2 if action.type == "inc" else state

    store.replace_reducer(doubled)
    assert seen[0].startswith("@@rtkq/REPLACE")
    store.dispatch(Action("inc"))
    assert store.get_state() == 0
    store.replace_reducer(counter)
    store.dispatch(Action("inc"))
    assert store.get_state() == 1


def test_eight_threads_dispatching_concurrently_lose_no_update() -> None:
    store = create_store(counter)
    start = threading.Barrier(8)

    def work() -> None:
        start.wait()
        action = Action("inc")
        for _ in range(10_000):
            store.dispatch(action)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.get_state() == 80_000


# -- bad input -------------------------------------------------------------------


def test_non_callable_reducer_is_refused() -> None:
    with pytest.raises(TypeError, match=r"root reducer to be a function, got 'dict'"):
        create_store({"a": 1})  # type: ignore[arg-type]
    store = create_store(counter)
    with pytest.raises(TypeError, match=r"root reducer to be a function, got 'int'"):
        store.replace_reducer(3)  # type: ignore[arg-type]


def test_non_callable_enhancer_is_refused() -> None:
    with pytest.raises(TypeError, match=r"enhancer to be a function, got 'str'"):
        create_store(counter, None, "x")  # type: ignore[arg-type]


def test_dispatching_a_non_action_names_it() -> None:
    store = create_store(counter)
    with pytest.raises(TypeError, match=r"Expected an Action, got 'dict' \(\{'type': 'inc'\}\)"):
        store.dispatch({"type": "inc"})
    with pytest.raises(TypeError, match=r"add middleware"):
        store.dispatch(lambda *a: None)


def test_dispatching_an_uncalled_action_creator_says_to_call_it() -> None:
    from rtkq import create_action

    added = create_action("todos/added")
    store = create_store(counter)
    with pytest.raises(TypeError, match=r"action creator 'todos/added'.*dispatch\(added\(...\)\)"):
        store.dispatch(added)


def test_dispatch_inside_a_reducer_is_refused() -> None:
    holder: list[Any] = []

    def reducer(state: Any, action: Action) -> Any:
        if action.type == "nested":
            holder[0].dispatch(Action("inc"))
        return 0

    store = create_store(reducer)
    holder.append(store)
    with pytest.raises(RuntimeError, match=r"Cannot dispatch 'inc' from inside a reducer"):
        store.dispatch(Action("nested"))
    store.dispatch(Action("other"))  # the store is usable afterwards


def test_get_state_inside_a_reducer_is_refused() -> None:
    holder: list[Any] = []

    def reducer(state: Any, action: Action) -> Any:
        if action.type == "peek":
            holder[0].get_state()
        return 0

    store = create_store(reducer)
    holder.append(store)
    with pytest.raises(RuntimeError, match=r"get_state\(\) was called while the reducer"):
        store.dispatch(Action("peek"))


def test_non_callable_listener_is_refused() -> None:
    store = create_store(counter)
    with pytest.raises(TypeError, match=r"listener to be a function, got 'int'"):
        store.subscribe(5)  # type: ignore[arg-type]
