"""The lifted history on a real store, without a server (redux-devtools-instrument's rules)."""

from __future__ import annotations

from typing import Any

import pytest

from rtkq import Action, create_store
from rtkq._devtools._history import History
from rtkq._devtools._instrument import Instrument


def reducer(state: Any, action: Any) -> Any:
    if action.type == "push":
        return (*state, action.payload)
    if action.type == "fail":
        raise ValueError("cannot")
    return state


def connected(max_age: int = 50) -> tuple[Any, Instrument]:
    store = create_store(reducer, ())
    instrument = Instrument(store, max_age=max_age, on_record=lambda: None)
    instrument.install()
    return store, instrument


def push(store: Any, *items: Any) -> None:
    for item in items:
        store.dispatch(Action("push", item))


def test_recording_keeps_at_most_max_age_entries_and_commits_the_oldest() -> None:
    store, instrument = connected(max_age=3)
    push(store, 1, 2, 3, 4)
    history = instrument.history
    assert history.staged == [0, 3, 4]
    assert history.committed == (1, 2)
    assert history.states == [(1, 2), (1, 2, 3), (1, 2, 3, 4)]
    assert set(history.actions) == {0, 3, 4}


def test_a_skipped_action_that_is_committed_away_is_forgotten() -> None:
    store, instrument = connected(max_age=3)
    push(store, 1, 2)
    instrument.apply(lambda h: h.toggle(1))
    assert store.get_state() == (2,)
    push(store, 3)
    assert instrument.history.skipped == set()
    assert instrument.history.committed == ()  # the skipped push(1) never happened
    assert store.get_state() == (2, 3)


def test_a_reducer_error_on_replay_is_kept_for_the_devtools() -> None:
    store, instrument = connected()
    push(store, 1)
    store.dispatch(Action("noop"))
    instrument.apply(lambda h: h.set_active(1, 2, False))
    assert store.get_state() == ()
    original = instrument.history.reducer

    def strict(state: Any, action: Any) -> Any:
        if action.type == "noop":
            raise ValueError("noop is gone")
        return original(state, action)

    store.replace_reducer(strict)  # records @@rtkq/REPLACE... through the new reducer
    instrument.apply(lambda h: h.set_active(1, 2, True))
    assert instrument.history.errors[2] == "ValueError: noop is gone"
    assert store.get_state() == (1,)


def test_a_reducer_error_while_recording_reaches_the_caller_and_records_nothing() -> None:
    store, instrument = connected()
    with pytest.raises(ValueError, match="cannot"):
        store.dispatch(Action("fail"))
    assert instrument.history.staged == [0]


def test_reorder_to_the_front_and_refusals() -> None:
    store, instrument = connected()
    push(store, "a", "b", "c")
    instrument.apply(lambda h: h.reorder(3, 0))  # before the initial state: to the front
    assert store.get_state() == ("c", "a", "b")
    instrument.apply(lambda h: h.reorder(3, 3))  # onto itself: nothing
    with pytest.raises(ValueError, match="initial state cannot be moved"):
        instrument.apply(lambda h: h.reorder(0, 2))
    with pytest.raises(ValueError, match="no action with id 9"):
        instrument.apply(lambda h: h.toggle(9))
    assert store.get_state() == ("c", "a", "b")


def test_a_replace_longer_than_max_age_keeps_the_newest() -> None:
    store, instrument = connected(max_age=3)
    instrument.apply(
        lambda h: h.replace([Action("push", n) for n in range(5)], skipped_positions=[5])
    )
    history = instrument.history
    assert history.staged == [0, 4, 5]
    assert history.committed == (0, 1, 2)
    assert store.get_state() == (0, 1, 2, 3)  # the fifth is skipped


def test_uninstalling_keeps_the_state_shown_and_stops_recording() -> None:
    store, instrument = connected()
    push(store, 1, 2)
    instrument.apply(lambda h: h.jump_to_state(1))
    instrument.uninstall()
    assert store.get_state() == (1,)
    push(store, 3)
    assert store.get_state() == (1, 3)
    assert instrument.history.staged == [0, 1, 2]


def test_take_unsent_gives_new_actions_then_the_whole_history_after_a_change() -> None:
    store, instrument = connected()
    history: History = instrument.history
    assert history.take_unsent()[0] is not None  # first: the whole history
    push(store, 1, 2)
    snap, new = history.take_unsent()
    assert snap is None
    assert [(i, r.action.payload, s) for i, r, s in new] == [(1, 1, (1,)), (2, 2, (1, 2))]
    assert history.take_unsent() == (None, [])
    instrument.apply(lambda h: h.toggle(1))
    snap, new = history.take_unsent()
    assert snap is not None and snap.skipped == [1] and new == []
