from __future__ import annotations

from typing import Any

import pytest
from pyrsistent import pmap, pvector

from rtkq import Action, create_selector, create_slice


def test_slice_builds_actions_and_a_reducer() -> None:
    todos = create_slice(
        "todos",
        {"items": [], "filter": "all"},
        {
            "added": lambda s, a: s.set("items", s["items"].append(a.payload)),
            "filtered": lambda s, a: s.set("filter", a.payload),
        },
    )
    assert todos.name == "todos"
    assert todos.actions.added.type == "todos/added"
    assert str(todos.actions.filtered) == "todos/filtered"
    state = todos.reducer(None, Action("@@init"))
    assert state == pmap({"items": pvector(), "filter": "all"})
    assert todos.initial_state is state
    state = todos.reducer(state, todos.actions.added("milk"))
    assert state["items"] == pvector(["milk"])
    assert todos.reducer(state, Action("other")) is state
    assert "todos" in repr(todos) and "added" in repr(todos)


def test_a_case_reducer_returning_none_keeps_the_state() -> None:
    s = create_slice("s", 1, {"noop": lambda state, action: None})
    assert s.reducer(1, s.actions.noop()) == 1


def test_cases_may_be_given_as_name_reducer_pairs() -> None:
    s = create_slice("n", 0, [("inc", lambda st, a: st + 1), ("dec", lambda st, a: st - 1)])
    assert s.reducer(s.reducer(0, s.actions.inc()), s.actions.inc()) == 2
    assert s.reducer(0, s.actions.dec()) == -1


def test_duplicate_case_names_are_refused() -> None:
    with pytest.raises(ValueError, match=r"Slice 'n' has two case reducers named 'inc'"):
        create_slice("n", 0, [("inc", lambda st, a: st + 1), ("inc", lambda st, a: st + 2)])
    with pytest.raises(ValueError, match=r"two case reducers named '1'"):
        create_slice("n", 0, {1: lambda st, a: st, "1": lambda st, a: st})  # type: ignore[dict-item]


def test_slice_bad_input() -> None:
    with pytest.raises(TypeError, match=r"non-empty str name, got ''"):
        create_slice("", 0, {})
    with pytest.raises(TypeError, match=r"Case reducer 'inc' of slice 'n' is not callable"):
        create_slice("n", 0, {"inc": 1})  # type: ignore[dict-item]
    with pytest.raises(
        TypeError, match=r"dict of case reducers or a list of \(name, case_reducer\)"
    ):
        create_slice("n", 0, "inc")  # type: ignore[arg-type]


def test_selector_recomputes_only_when_an_input_changed() -> None:
    calls: list[int] = []

    def combine(items: Any, flt: Any) -> Any:
        calls.append(1)
        return [i for i in items if flt in i]

    select = create_selector(lambda s: s["items"], lambda s: s["filter"], combine)
    state = pmap({"items": pvector(["ab", "b"]), "filter": "a", "other": 0})
    first = select(state)
    assert first == ["ab"]
    assert select(state.set("other", 1)) is first
    assert select.recomputations() == 1
    assert select(state.set("filter", "b")) == ["ab", "b"]
    assert select.recomputations() == 2
    assert len(calls) == 2
    select.reset_recomputations()
    assert select.recomputations() == 0


def test_selector_passes_extra_arguments_and_accepts_a_list_of_inputs() -> None:
    select = create_selector([lambda s, k: s[k]], lambda v: v * 2)
    assert select({"a": 2}, "a") == 4
    assert select({"a": 2, "b": 3}, "b") == 6


def test_selectors_compose() -> None:
    items = create_selector(lambda s: s["items"], lambda i: i)
    count = create_selector(items, len)
    state = pmap({"items": pvector([1, 2]), "x": 0})
    assert count(state) == 2
    count(state.set("x", 1))
    assert count.recomputations() == 1


def test_selector_bad_input() -> None:
    with pytest.raises(TypeError, match=r"at least one input selector and a combiner, got 1"):
        create_selector(len)
    with pytest.raises(TypeError, match=r"must be callable, got 'int'"):
        create_selector(len, 3)  # type: ignore[arg-type]
