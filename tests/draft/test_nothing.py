"""``NOTHING``: a recipe that returns it replaces the value by ``None`` (immer's nothing)."""

from __future__ import annotations

import copy
import pickle
from typing import Any

import pytest

from rtkq import NOTHING, apply_patches, freeze, produce, produce_with_patches
from rtkq._draft import Nothing


@pytest.mark.parametrize(
    "base",
    [freeze({"a": {"b": 1}}), freeze([1, 2]), freeze({1, 2}), 5, "text"],
    ids=["map", "list", "set", "int", "str"],
)
def test_returning_nothing_replaces_the_value_by_none(base: Any) -> None:
    assert produce(base, lambda draft: NOTHING) is None


def test_nothing_on_none_changes_nothing() -> None:
    assert produce_with_patches(None, lambda value: NOTHING) == (None, [], [])


def test_returning_none_still_keeps_what_the_recipe_wrote() -> None:
    base = freeze({"a": 1})
    assert produce(base, lambda draft: None) is base


def test_patches_of_a_nothing_replacement_round_trip() -> None:
    base = freeze({"a": [1, 2]})
    new, patches, inverse = produce_with_patches(base, lambda draft: NOTHING)
    assert new is None
    assert patches == [{"op": "replace", "path": [], "value": None}]
    assert apply_patches(base, patches) is None
    assert apply_patches(new, inverse) == base


def test_writing_to_the_draft_and_returning_nothing_is_refused() -> None:
    def recipe(draft: Any) -> Any:
        draft["a"] = 2
        return NOTHING

    with pytest.raises(ValueError, match=r"both changed its draft and returned .*\(Nothing\)"):
        produce(freeze({"a": 1}), recipe)


def test_nothing_is_one_value_that_survives_copies() -> None:
    assert Nothing() is NOTHING
    assert copy.deepcopy(NOTHING) is NOTHING
    assert pickle.loads(pickle.dumps(NOTHING)) is NOTHING
    assert repr(NOTHING) == "NOTHING"
