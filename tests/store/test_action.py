from __future__ import annotations

import dataclasses

import pytest

from rtkq import Action, create_action


def test_actions_compare_and_hash_by_value() -> None:
    assert Action("x") == Action("x")
    assert Action("x", 1) != Action("x", 2)
    assert hash(Action("x", (1, 2))) == hash(Action("x", (1, 2)))
    assert len({Action("x"), Action("x"), Action("y")}) == 2


def test_actions_are_frozen_and_slotted() -> None:
    action = Action("x", 1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        action.payload = 2  # type: ignore[misc]
    assert not hasattr(action, "__dict__")


def test_action_with_unhashable_payload_is_not_hashable() -> None:
    with pytest.raises(TypeError):
        hash(Action("x", {"a": 1}))


def test_creator_builds_actions_and_matches_its_type() -> None:
    added = create_action("todos/added")
    assert added(3) == Action("todos/added", 3)
    assert added() == Action("todos/added")
    assert added.type == "todos/added"
    assert str(added) == "todos/added"
    assert added.match(Action("todos/added", 1))
    assert not added.match(Action("todos/removed"))
    assert not added.match("todos/added")
    assert repr(added) == "<ActionCreator 'todos/added'>"


def test_prepare_shapes_payload_meta_and_error() -> None:
    added = create_action(
        "todos/added",
        lambda text, *, by="me": {"payload": {"text": text}, "meta": by, "error": False},
    )
    assert added("milk", by="ann") == Action("todos/added", {"text": "milk"}, "ann", False)
    plain = create_action("x", lambda v: {"payload": v * 2})
    assert plain(2) == Action("x", 4, None, None)


def test_prepare_must_return_a_payload_dict() -> None:
    bad = create_action("x", lambda: {"meta": 1})
    with pytest.raises(TypeError, match=r"prepare for 'x' must return a dict with a 'payload'"):
        bad()


def test_creator_without_prepare_takes_one_payload() -> None:
    with pytest.raises(TypeError, match=r"at most one positional payload.*prepare"):
        create_action("x")(1, 2)


@pytest.mark.parametrize("bad", ["", 3, None])
def test_type_must_be_a_non_empty_string(bad: object) -> None:
    with pytest.raises(TypeError, match=r"non-empty str, got"):
        create_action(bad)  # type: ignore[arg-type]


def test_prepare_must_be_callable() -> None:
    with pytest.raises(TypeError, match=r"Expected prepare to be callable, got 3"):
        create_action("x", 3)  # type: ignore[arg-type]
