from __future__ import annotations

from typing import Any

import pytest
from pyrsistent import PMap, pmap

from rtkq import Action, combine_reducers, create_slice, create_store


def _counter(name: str) -> Any:
    def reducer(state: Any, action: Action) -> Any:
        if state is None:
            return 0
        return state + 1 if action.type == f"{name}/inc" else state

    return reducer


def test_initial_state_is_a_pmap_of_slice_initial_states() -> None:
    store = create_store(combine_reducers({"a": _counter("a"), "b": _counter("b")}))
    assert isinstance(store.get_state(), PMap)
    assert store.get_state() == pmap({"a": 0, "b": 0})


def test_unchanged_slices_return_the_very_same_state() -> None:
    store = create_store(combine_reducers({"a": _counter("a"), "b": _counter("b")}))
    before = store.get_state()
    store.dispatch(Action("nobody"))
    assert store.get_state() is before


def test_a_changed_slice_keeps_the_others_identical() -> None:
    todos = create_slice("todos", [], {"add": lambda s, a: s.append(a.payload)})
    reducer = combine_reducers({"todos": todos.reducer, "n": _counter("n")})
    store = create_store(reducer)
    todos_before = store.get_state()["todos"]
    store.dispatch(Action("n/inc"))
    assert store.get_state()["todos"] is todos_before
    assert store.get_state()["n"] == 1
    store.dispatch(todos.actions.add("milk"))
    store.dispatch(Action("n/inc"))
    assert store.get_state() == pmap(
        {"todos": todos.reducer(None, todos.actions.add("milk")), "n": 2}
    )


def test_several_slices_changing_at_once() -> None:
    both = combine_reducers({"a": _counter("x"), "b": _counter("x"), "c": _counter("c")})
    state = both(None, Action("@@init"))
    state = both(state, Action("x/inc"))
    assert state == pmap({"a": 1, "b": 1, "c": 0})


def test_preloaded_state_keeps_unknown_keys_and_fills_missing_ones() -> None:
    reducer = combine_reducers({"a": _counter("a"), "b": _counter("b")})
    store = create_store(reducer, {"a": 5, "extra": "kept"})
    assert store.get_state() == pmap({"a": 5, "b": 0, "extra": "kept"})
    store.dispatch(Action("a/inc"))
    assert store.get_state()["a"] == 6
    assert store.get_state()["extra"] == "kept"


def test_a_preloaded_complete_pmap_is_returned_as_is() -> None:
    reducer = combine_reducers({"a": _counter("a")})
    preloaded = pmap({"a": 3})
    store = create_store(reducer, preloaded)
    assert store.get_state() is preloaded


def test_replace_reducer_initializes_new_slices() -> None:
    store = create_store(combine_reducers({"a": _counter("a")}))
    store.replace_reducer(combine_reducers({"a": _counter("a"), "b": _counter("b")}))
    assert store.get_state() == pmap({"a": 0, "b": 0})


def test_a_slice_returning_none_for_init_names_the_key() -> None:
    with pytest.raises(ValueError, match=r"slice reducer for key 'broken' returned None"):
        create_store(combine_reducers({"ok": _counter("ok"), "broken": lambda s, a: None}))


def test_a_slice_returning_none_later_names_the_key() -> None:
    def sometimes(state: Any, action: Action) -> Any:
        return None if action.type == "bad" else (state or 0)

    store = create_store(combine_reducers({"flaky": sometimes}))
    with pytest.raises(ValueError, match=r"key 'flaky' returned None for action 'bad'"):
        store.dispatch(Action("bad"))


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(TypeError, match=r"mapping of key -> reducer, got 'list'"):
        combine_reducers([_counter("a")])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"reducer for key 'a' is not callable"):
        combine_reducers({"a": 1})  # type: ignore[dict-item]
    with pytest.raises(TypeError, match=r"expected the state to be a mapping, got 'int'"):
        combine_reducers({"a": _counter("a")})(3, Action("x"))
